import { toGlobalId } from '../../src/common/global-id.js';
import { todayInChina } from '../../src/common/dates.js';
import { DEFAULT_TARGET, type MatrixCall, type MatrixRole, type MatrixRow } from '../support/access-matrix.js';
import type { TestApp } from '../support/app.js';
import { significantPrefix } from '../../src/common/codes.js';

/**
 * The access matrix's rows: one per Mutation field of the published schema
 * (two for `transitionRectification`, whose closing step has its own rule).
 * Each row's `allowed` restates the rule of the feature's service; `prepare`
 * creates the object the call acts on, fresh for every case (as a county
 * admin, through the API), and `snapshot` reads the feature's rows in the
 * target's subtree together with the count of progress events.
 *
 * Kept apart from the test file so that test/e2e/guard-audit.e2e.test.ts can
 * check the coverage rule against the same rows.
 */

/** 民胜镇's first village, the township itself, and the county. */
const VILLAGE = DEFAULT_TARGET;
const TOWNSHIP = '511921101000';
const COUNTY = '511921000000';
/** The section that owns the matrix's key tasks and projects. */
const SECTION = '养老服务股';
const FAR = '2099-12-31';

const adminTokens = new WeakMap<TestApp, Promise<string>>();
function adminToken(app: TestApp): Promise<string> {
  let token = adminTokens.get(app);
  if (!token) adminTokens.set(app, (token = app.token('COUNTY_ADMIN', '511921')));
  return token;
}

/** Runs a mutation as the county's admin (prerequisites); fails on any error or userError. */
async function asAdmin(app: TestApp, field: string, inputType: string, selection: string, input: Record<string, unknown>): Promise<Record<string, any>> {
  const query = `mutation($input: ${inputType}!) { ${field}(input: $input) { ${selection} userErrors { code field message } } }`;
  const result = await app.request<Record<string, any>, unknown>(query, { input }, { token: await adminToken(app) });
  const payload = result.data?.[field];
  if (result.errors?.length || !payload || payload.userErrors.length) {
    throw new Error(`prepare: ${field} failed: ${JSON.stringify(result.errors ?? payload?.userErrors)}`);
  }
  return payload;
}

/** The call of a case: the mutation with nothing but its userErrors selected. */
function call(field: string, inputType: string, input: Record<string, unknown>): MatrixCall {
  return { query: `mutation Matrix($input: ${inputType}!) { ${field}(input: $input) { userErrors { code field message } } }`, variables: { input } };
}

async function sql<T = Record<string, unknown>>(app: TestApp, text: string, params: unknown[] = []): Promise<T[]> {
  return app.orm.em.getConnection().execute(text, params);
}

/** [lo, hi] of an area's subtree, for `area_code between ? and ?`. */
function subtree(code: string): [string, string] {
  const prefix = significantPrefix(code);
  return [prefix.padEnd(12, '0'), prefix.padEnd(12, '9')];
}

/** The rows of `select` (bound to the target's subtree range) plus the number of progress events. */
function snapshotOf(...selects: string[]) {
  return async (app: TestApp, areaCode: string) => {
    const [lo, hi] = subtree(areaCode);
    const tables = [];
    for (const text of selects) tables.push(await sql(app, text, text.includes('?') ? [lo, hi] : []));
    const [events] = await sql<{ n: number }>(app, 'select count(*)::int as n from progress_update');
    return { tables, events: events.n };
  };
}

/** A counter per row, for unique names, periods and codes. */
function counter() {
  let n = 0;
  return () => ++n;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const today = () => todayInChina();

// ---- statistics and areas -------------------------------------------------

const reportMonth = counter();
const submitMonth = counter();
const reviewMonth = counter();
const approvals = snapshotOf('select area_code, period, status, version from reporting_approval where area_code between ? and ? order by area_code, period');
const thresholdPercent = counter();

/** A 缺报说明 for every village of `township` missing for `period` (read as the county admin): a submission's valid input. */
async function missingReasons(app: TestApp, township: string, period: string): Promise<{ area: string; reason: string }[]> {
  const reasons: { area: string; reason: string }[] = [];
  let after: string | null = null;
  do {
    const result: any = await app.request(
      `query($code: String!, $period: Period!, $after: String) { area(code: $code) { reporting(period: $period) { missing(first: 100, after: $after) { nodes { code } pageInfo { hasNextPage endCursor } } } } }`,
      { code: township, period, after },
      { token: await adminToken(app) },
    );
    const page = result.data.area.reporting.missing;
    reasons.push(...page.nodes.map((v: { code: string }) => ({ area: v.code, reason: '矩阵：未报' })));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return reasons;
}

const statsRows: MatrixRow[] = [
  {
    field: 'reportObservations',
    allowed: ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR', 'VILLAGE_OPERATOR'],
    async prepare(_app, areaCode) {
      const n = reportMonth();
      return call('reportObservations', 'ReportObservationsInput', {
        area: areaCode,
        period: `2024-${pad(n)}`,
        values: [{ indicator: 'ORPHANS', value: String(n) }],
      });
    },
    snapshot: snapshotOf(
      `select area_code, indicator, period_month::text as month, value::text as value, version from observation
        where area_code between ? and ? order by area_code, indicator, period_month`,
    ),
  },
  {
    field: 'submitReportingPeriod',
    allowed: ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR'],
    target: TOWNSHIP,
    async prepare(app, areaCode) {
      const period = `2010-${pad(submitMonth())}`;
      return call('submitReportingPeriod', 'SubmitReportingPeriodInput', {
        area: areaCode,
        period,
        missingReasons: await missingReasons(app, areaCode, period),
      });
    },
    snapshot: approvals,
  },
  {
    field: 'reviewReportingPeriod',
    allowed: ['COUNTY_ADMIN'],
    target: TOWNSHIP,
    async prepare(app, areaCode) {
      const period = `2012-${pad(reviewMonth())}`;
      await asAdmin(app, 'submitReportingPeriod', 'SubmitReportingPeriodInput', 'approval { status }', {
        area: areaCode,
        period,
        missingReasons: await missingReasons(app, areaCode, period),
      });
      return call('reviewReportingPeriod', 'ReviewReportingPeriodInput', { area: areaCode, period, decision: 'APPROVE' });
    },
    snapshot: approvals,
  },
  {
    field: 'setReportingCompletenessThreshold',
    allowed: ['COUNTY_ADMIN'],
    target: COUNTY,
    async prepare(_app, areaCode) {
      return call('setReportingCompletenessThreshold', 'SetReportingCompletenessThresholdInput', { county: areaCode, minReportedPercent: thresholdPercent() });
    },
    snapshot: snapshotOf(
      'select county_code, min_reported_percent, version from reporting_completeness_setting where county_code between ? and ? order by county_code',
    ),
  },
];

const newVillage = counter();
/** A fresh current village under a township (test data, inserted directly: the area import is the only other path). */
async function freshVillage(app: TestApp, township: string): Promise<string> {
  const code = `${township.slice(0, 9)}${700 + newVillage()}`;
  await sql(app, `insert into area (code, name, level, kind, parent_code, source) values (?, ?, 'VILLAGE', 'VILLAGE', ?, 'TEST')`, [
    code,
    `矩阵村${code.slice(9)}`,
    township,
  ]);
  return code;
}
const villagesOfTownship = snapshotOf(
  `select code, valid_to::text as valid_to, successor_code from area where level = 'VILLAGE' and code between ? and ? order by code`,
);

const areaRows: MatrixRow[] = [
  {
    field: 'mergeAreas',
    allowed: ['COUNTY_ADMIN'],
    target: TOWNSHIP,
    async prepare(app, areaCode) {
      const [source, target] = [await freshVillage(app, areaCode), await freshVillage(app, areaCode)];
      return call('mergeAreas', 'MergeAreasInput', { sources: [source], target, effectiveDate: '2026-01-01' });
    },
    snapshot: villagesOfTownship,
  },
  {
    field: 'retireArea',
    allowed: ['COUNTY_ADMIN'],
    target: TOWNSHIP,
    async prepare(app, areaCode) {
      return call('retireArea', 'RetireAreaInput', { area: await freshVillage(app, areaCode), effectiveDate: '2026-01-01' });
    },
    snapshot: villagesOfTownship,
  },
];

// ---- facilities and projects ----------------------------------------------

const facilityName = counter();
async function facility(app: TestApp, areaCode: string) {
  const { facility } = await asAdmin(app, 'createFacility', 'CreateFacilityInput', 'facility { id version }', {
    name: `矩阵敬老院${facilityName()}`,
    type: 'NURSING_HOME',
    area: areaCode,
    operatingModel: 'PUBLIC',
  });
  return facility as { id: string; version: number };
}
const facilities = snapshotOf('select id, name, status, version from facility where area_code between ? and ? order by id');
/** FACILITY_WRITERS in facility.service.ts: the areas keep the facility ledgers; section staff and viewers read only. */
const FACILITY_WRITERS: MatrixRow['allowed'] = ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR', 'VILLAGE_OPERATOR'];

const facilityRows: MatrixRow[] = [
  {
    field: 'createFacility',
    allowed: FACILITY_WRITERS,
    async prepare(_app, areaCode) {
      return call('createFacility', 'CreateFacilityInput', {
        name: `矩阵新设施${facilityName()}`,
        type: 'NURSING_HOME',
        area: areaCode,
        operatingModel: 'PUBLIC',
      });
    },
    snapshot: facilities,
  },
  {
    field: 'updateFacility',
    allowed: FACILITY_WRITERS,
    async prepare(app, areaCode) {
      const { id, version } = await facility(app, areaCode);
      return call('updateFacility', 'UpdateFacilityInput', { id, version, name: `改名${facilityName()}`, beds: 30 });
    },
    snapshot: facilities,
  },
  {
    field: 'changeFacilityStatus',
    allowed: FACILITY_WRITERS,
    async prepare(app, areaCode) {
      const { id, version } = await facility(app, areaCode);
      return call('changeFacilityStatus', 'ChangeFacilityStatusInput', { id, version, status: 'UNDER_CONSTRUCTION' });
    },
    snapshot: facilities,
  },
];

const projectName = counter();
const TEAM = {
  leadOfficial: { name: '李局长', title: '副局长' },
  taskForce: [{ name: '王五', role: '专班组长', unit: '县民政局' }],
  milestones: [{ name: '完成选址', dueDate: FAR }],
};
async function project(app: TestApp, areaCode: string, extra: Record<string, unknown> = {}) {
  const { project } = await asAdmin(app, 'createProject', 'CreateProjectInput', 'project { id version }', {
    name: `矩阵项目${projectName()}`,
    category: 'ELDERLY_CARE',
    area: areaCode,
    ownerSection: SECTION,
    ...extra,
  });
  return project as { id: string; version: number };
}
const projects = snapshotOf(
  `select id, name, owner_section, status, version, progress_percent, lead_official, task_force, milestones from project where area_code between ? and ? order by id`,
  `select count(*)::int as entries from project_progress p join project j on j.id = p.project_id where j.area_code between ? and ?`,
);
/** PROJECT_WRITERS in project.service.ts: never VILLAGE_OPERATOR or VIEWER; SECTION_STAFF of the project's section only ({@link SECTION}). */
const PROJECT_WRITERS: MatrixRow['allowed'] = ['COUNTY_ADMIN', 'SECTION_STAFF', 'TOWNSHIP_OPERATOR'];

const projectRows: MatrixRow[] = [
  {
    field: 'createProject',
    allowed: PROJECT_WRITERS,
    section: SECTION,
    async prepare(_app, areaCode) {
      return call('createProject', 'CreateProjectInput', {
        name: `矩阵新项目${projectName()}`,
        category: 'ELDERLY_CARE',
        area: areaCode,
        ownerSection: SECTION,
        plannedInvestment: '1000000.00',
      });
    },
    snapshot: projects,
  },
  {
    field: 'updateProject',
    allowed: PROJECT_WRITERS,
    section: SECTION,
    async prepare(app, areaCode) {
      const { id, version } = await project(app, areaCode);
      return call('updateProject', 'UpdateProjectInput', { id, version, name: `改名项目${projectName()}` });
    },
    snapshot: projects,
  },
  {
    field: 'setProjectTeam',
    allowed: PROJECT_WRITERS,
    section: SECTION,
    async prepare(app, areaCode) {
      const { id, version } = await project(app, areaCode);
      return call('setProjectTeam', 'SetProjectTeamInput', { project: id, version, leadOfficial: TEAM.leadOfficial, taskForce: TEAM.taskForce });
    },
    snapshot: projects,
  },
  {
    field: 'setProjectPlan',
    allowed: PROJECT_WRITERS,
    section: SECTION,
    async prepare(app, areaCode) {
      const { id, version } = await project(app, areaCode);
      return call('setProjectPlan', 'SetProjectPlanInput', { project: id, version, milestones: TEAM.milestones });
    },
    snapshot: projects,
  },
  {
    field: 'completeMilestone',
    allowed: PROJECT_WRITERS,
    section: SECTION,
    async prepare(app, areaCode) {
      const { id, version } = await project(app, areaCode, { milestones: TEAM.milestones });
      return call('completeMilestone', 'CompleteMilestoneInput', { project: id, version, position: 1 });
    },
    snapshot: projects,
  },
  {
    field: 'changeProjectStatus',
    allowed: PROJECT_WRITERS,
    section: SECTION,
    async prepare(app, areaCode) {
      const { id, version } = await project(app, areaCode, TEAM);
      return call('changeProjectStatus', 'ChangeProjectStatusInput', { id, version, status: 'IN_PROGRESS' });
    },
    snapshot: projects,
  },
  {
    field: 'recordProjectProgress',
    allowed: PROJECT_WRITERS,
    section: SECTION,
    async prepare(app, areaCode) {
      const { id } = await project(app, areaCode);
      return call('recordProjectProgress', 'RecordProjectProgressInput', { project: id, percent: 10, note: '开工准备' });
    },
    snapshot: projects,
  },
];

// ---- key tasks, rectification, supervision --------------------------------

const taskTitle = counter();
/** A task of {@link SECTION} on `areaCode` (a township), assigned to `assignee` (a village in it). */
async function task(app: TestApp, areaCode: string, assignee: string) {
  const { task } = await asAdmin(app, 'createTask', 'CreateTaskInput', 'task { id version assignments { id version } }', {
    title: `矩阵重点工作${taskTitle()}`,
    category: 'ELDERLY_CARE',
    area: areaCode,
    ownerSection: SECTION,
    target: 2,
    unit: '个',
    startDate: '2026-01-01',
    deadline: FAR,
    assignments: [{ area: assignee, target: 2 }],
  });
  return task as { id: string; version: number; assignments: { id: string; version: number }[] };
}
const tasks = snapshotOf(
  'select id, title, owner_section, version from task where area_code between ? and ? order by id',
  'select id, done, version from task_assignment where area_code between ? and ? order by id',
  'select count(*)::int as entries from task_progress',
);

const taskRows: MatrixRow[] = [
  {
    field: 'createTask',
    allowed: ['COUNTY_ADMIN', 'SECTION_STAFF'],
    target: TOWNSHIP,
    section: SECTION,
    async prepare(_app, areaCode) {
      return call('createTask', 'CreateTaskInput', {
        title: `矩阵新重点工作${taskTitle()}`,
        category: 'ELDERLY_CARE',
        area: areaCode,
        ownerSection: SECTION,
        target: 1,
        unit: '个',
        startDate: '2026-01-01',
        deadline: FAR,
        assignments: [{ area: VILLAGE, target: 1 }],
      });
    },
    snapshot: tasks,
  },
  {
    field: 'updateTask',
    allowed: ['COUNTY_ADMIN', 'SECTION_STAFF'],
    target: TOWNSHIP,
    section: SECTION,
    async prepare(app, areaCode) {
      const { id, version } = await task(app, areaCode, VILLAGE);
      return call('updateTask', 'UpdateTaskInput', { id, version, title: `改名重点工作${taskTitle()}` });
    },
    snapshot: tasks,
  },
  {
    field: 'recordTaskProgress',
    // The assignment lies in the village: its township records progress, the village does not.
    allowed: ['COUNTY_ADMIN', 'SECTION_STAFF', 'TOWNSHIP_OPERATOR'],
    section: SECTION,
    async prepare(app, areaCode) {
      const { assignments } = await task(app, TOWNSHIP, areaCode);
      const [assignment] = assignments;
      return call('recordTaskProgress', 'RecordTaskProgressInput', {
        assignment: assignment.id,
        version: assignment.version,
        asOf: today(),
        done: 1,
        note: '完成一处',
      });
    },
    snapshot: tasks,
  },
];

const finding = counter();
async function rectification(app: TestApp, areaCode: string, steps: ('RECTIFYING' | 'RECTIFIED')[] = []) {
  const { rectification } = await asAdmin(app, 'createRectification', 'CreateRectificationInput', 'rectification { id version }', {
    area: areaCode,
    category: 'FUNDS_MISUSE',
    finding: `矩阵审计问题${finding()}`,
    responsiblePerson: '张三',
    deadline: FAR,
  });
  const { id } = rectification as { id: string };
  let { version } = rectification as { version: number };
  for (const to of steps) {
    const { rectification: moved } = await asAdmin(app, 'transitionRectification', 'TransitionRectificationInput', 'rectification { version }', {
      id,
      version,
      to,
    });
    version = moved.version;
  }
  return { id, version };
}
const rectifications = snapshotOf(
  'select id, status, version, verifier from rectification where area_code between ? and ? order by id',
  'select count(*)::int as transitions from rectification_transition',
  'select count(*)::int as reviews from rectification_review',
);

const rectificationRows: MatrixRow[] = [
  {
    field: 'createRectification',
    allowed: ['COUNTY_ADMIN'],
    async prepare(_app, areaCode) {
      return call('createRectification', 'CreateRectificationInput', {
        area: areaCode,
        category: 'OTHER',
        finding: `矩阵新问题${finding()}`,
        responsiblePerson: '张三',
        deadline: FAR,
      });
    },
    snapshot: rectifications,
  },
  {
    field: 'transitionRectification',
    label: 'OPEN → RECTIFYING',
    allowed: ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR'],
    async prepare(app, areaCode) {
      const { id, version } = await rectification(app, areaCode);
      return call('transitionRectification', 'TransitionRectificationInput', { id, version, to: 'RECTIFYING', note: '开始整改' });
    },
    snapshot: rectifications,
  },
  {
    field: 'transitionRectification',
    label: 'RECTIFIED → CLOSED (销号)',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      const { id, version } = await rectification(app, areaCode, ['RECTIFYING', 'RECTIFIED']);
      return call('transitionRectification', 'TransitionRectificationInput', { id, version, to: 'CLOSED', verifier: '李四', note: '现场核验' });
    },
    snapshot: rectifications,
  },
  {
    field: 'recordFollowUpReview',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      const { id, version } = await rectification(app, areaCode, ['RECTIFYING', 'RECTIFIED']);
      return call('recordFollowUpReview', 'RecordFollowUpReviewInput', { id, version, reviewer: '王五', recurred: false, note: '未反弹' });
    },
    snapshot: rectifications,
  },
];

const supervisions = snapshotOf('select id, kind, response, version from supervision_action where area_code between ? and ? order by id');
const SUPERVISION = { kind: 'LISTED_SUPERVISION', issuer: '县民政局', targetUnit: '民胜镇', responseDue: FAR };
const lifecycle = snapshotOf(
  'select id, stage, response, version from supervision_action where area_code between ? and ? order by id',
  'select count(*)::int as steps from supervision_transition',
  'select count(*)::int as outcomes from supervision_outcome',
);

const supervisionRows: MatrixRow[] = [
  {
    field: 'issueSupervision',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      const { id } = await rectification(app, areaCode);
      return call('issueSupervision', 'IssueSupervisionInput', { target: id, ...SUPERVISION });
    },
    snapshot: supervisions,
  },
  {
    field: 'recordSupervisionResponse',
    allowed: ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR'],
    async prepare(app, areaCode) {
      const { id: target } = await rectification(app, areaCode);
      const { supervisionAction } = await asAdmin(app, 'issueSupervision', 'IssueSupervisionInput', 'supervisionAction { id version }', {
        target,
        ...SUPERVISION,
      });
      return call('recordSupervisionResponse', 'RecordSupervisionResponseInput', {
        id: supervisionAction.id,
        version: supervisionAction.version,
        response: '已召开专题会整改',
      });
    },
    snapshot: supervisions,
  },
  // 督办闭环 (issue 31 item 3): the supervised side signs for it; the supervising side closes it and records 问责.
  {
    field: 'advanceSupervision',
    label: '签收 (the supervised side)',
    allowed: ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR'],
    async prepare(app, areaCode) {
      const { id: target } = await rectification(app, areaCode);
      const { supervisionAction } = await asAdmin(app, 'issueSupervision', 'IssueSupervisionInput', 'supervisionAction { id version }', {
        target,
        ...SUPERVISION,
      });
      return call('advanceSupervision', 'AdvanceSupervisionInput', { id: supervisionAction.id, version: supervisionAction.version, step: 'ACKNOWLEDGED' });
    },
    snapshot: lifecycle,
  },
  {
    field: 'advanceSupervision',
    label: '办结 (the supervising side)',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      const { id: target } = await rectification(app, areaCode);
      let { supervisionAction } = await asAdmin(app, 'issueSupervision', 'IssueSupervisionInput', 'supervisionAction { id version }', {
        target,
        ...SUPERVISION,
      });
      for (const [step, note] of [
        ['ACKNOWLEDGED', null],
        ['RESPONDED', '已整改'],
      ]) {
        ({ supervisionAction } = await asAdmin(app, 'advanceSupervision', 'AdvanceSupervisionInput', 'supervisionAction { id version }', {
          id: supervisionAction.id,
          version: supervisionAction.version,
          step,
          note,
        }));
      }
      return call('advanceSupervision', 'AdvanceSupervisionInput', { id: supervisionAction.id, version: supervisionAction.version, step: 'CLOSED' });
    },
    snapshot: lifecycle,
  },
  {
    field: 'recordSupervisionOutcome',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      const { id: target } = await rectification(app, areaCode);
      const { supervisionAction } = await asAdmin(app, 'issueSupervision', 'IssueSupervisionInput', 'supervisionAction { id }', { target, ...SUPERVISION });
      return call('recordSupervisionOutcome', 'RecordSupervisionOutcomeInput', {
        supervisionAction: supervisionAction.id,
        kind: 'INTERVIEW',
        name: '王五',
        title: '副镇长',
      });
    },
    snapshot: lifecycle,
  },
];

// ---- grassroots governance ------------------------------------------------

/** GOVERNANCE_WRITERS in governance.scope.ts: the village itself, its township, the county. */
const GOVERNANCE_WRITERS: MatrixRow['allowed'] = ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR', 'VILLAGE_OPERATOR'];
const member = counter();
const bodies = snapshotOf(
  'select id, body_type, chair, members, version from governance_body where area_code between ? and ? order by id',
  'select count(*)::int as meetings from governance_meeting',
);

/** The village's 红白理事会, created when missing; its id and current version. */
async function councilOf(app: TestApp, areaCode: string): Promise<{ id: string; version: number }> {
  const [row] = await sql<{ id: string; version: number }>(
    app,
    `select id::text as id, version from governance_body where area_code = ? and body_type = 'WEDDINGS_FUNERALS_COUNCIL'`,
    [areaCode],
  );
  if (row) return { id: toGlobalId('GovernanceBody', row.id), version: row.version };
  const { body } = await asAdmin(app, 'createGovernanceBody', 'CreateGovernanceBodyInput', 'body { id version }', {
    areaCode,
    bodyType: 'WEDDINGS_FUNERALS_COUNCIL',
    establishedOn: '2025-01-01',
  });
  return body as { id: string; version: number };
}

const programmeName = counter();
async function programme(app: TestApp): Promise<string> {
  const { programme } = await asAdmin(app, 'createDemonstrationProgramme', 'CreateDemonstrationProgrammeInput', 'programme { id }', {
    name: `矩阵示范${programmeName()}`,
    level: 'COUNTY',
    year: 2026,
  });
  return programme.id as string;
}
async function enrolment(app: TestApp, areaCode: string): Promise<{ id: string; version: number }> {
  const { enrolment } = await asAdmin(app, 'enrolInDemonstration', 'EnrolInDemonstrationInput', 'enrolment { id version }', {
    programmeId: await programme(app),
    areaCode,
  });
  return enrolment as { id: string; version: number };
}
const programmes = snapshotOf('select id, name, version from demonstration_programme where area_code between ? and ? order by id');
const enrolments = snapshotOf(
  'select id, status, version from demonstration_enrolment where area_code between ? and ? order by id',
  'select count(*)::int as evidence from demonstration_evidence',
);

const itemCode = counter();
const checklist = snapshotOf('select code, name, active, version from openness_item order by code');
const quarter = counter();

const governanceRows: MatrixRow[] = [
  {
    field: 'createGovernanceBody',
    allowed: GOVERNANCE_WRITERS,
    async prepare(app, areaCode) {
      // One body of a type per village: remove the one an earlier case created.
      await sql(
        app,
        `delete from governance_meeting where body_id in (select id from governance_body where area_code = ? and body_type = 'DELIBERATION_COUNCIL')`,
        [areaCode],
      );
      await sql(app, `delete from governance_body where area_code = ? and body_type = 'DELIBERATION_COUNCIL'`, [areaCode]);
      const name = `议事会成员${member()}`;
      return call('createGovernanceBody', 'CreateGovernanceBodyInput', {
        areaCode,
        bodyType: 'DELIBERATION_COUNCIL',
        establishedOn: '2025-03-01',
        chair: name,
        members: [{ name, role: '会长' }],
      });
    },
    snapshot: bodies,
  },
  {
    field: 'updateGovernanceBody',
    allowed: GOVERNANCE_WRITERS,
    async prepare(app, areaCode) {
      const { id, version } = await councilOf(app, areaCode);
      const name = `理事${member()}`;
      return call('updateGovernanceBody', 'UpdateGovernanceBodyInput', { id, version, chair: name, members: [{ name, role: '会长' }] });
    },
    snapshot: bodies,
  },
  {
    field: 'recordGovernanceMeeting',
    allowed: GOVERNANCE_WRITERS,
    async prepare(app, areaCode) {
      const { id } = await councilOf(app, areaCode);
      return call('recordGovernanceMeeting', 'RecordGovernanceMeetingInput', { bodyId: id, heldOn: today(), topic: `议题${member()}`, attendance: 9 });
    },
    snapshot: bodies,
  },
  {
    field: 'createDemonstrationProgramme',
    allowed: ['COUNTY_ADMIN'],
    target: COUNTY,
    actsOnCallerArea: true,
    async prepare() {
      return call('createDemonstrationProgramme', 'CreateDemonstrationProgrammeInput', { name: `矩阵新示范${programmeName()}`, level: 'CITY', year: 2026 });
    },
    snapshot: programmes,
  },
  {
    field: 'updateDemonstrationProgramme',
    allowed: ['COUNTY_ADMIN'],
    target: COUNTY,
    async prepare(app) {
      return call('updateDemonstrationProgramme', 'UpdateDemonstrationProgrammeInput', {
        id: await programme(app),
        version: 1,
        name: `改名示范${programmeName()}`,
      });
    },
    snapshot: programmes,
  },
  {
    field: 'enrolInDemonstration',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      return call('enrolInDemonstration', 'EnrolInDemonstrationInput', { programmeId: await programme(app), areaCode });
    },
    snapshot: enrolments,
  },
  {
    field: 'changeEnrolmentStatus',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      const { id, version } = await enrolment(app, areaCode);
      return call('changeEnrolmentStatus', 'ChangeEnrolmentStatusInput', { id, version, status: 'CREATING', note: '进入创建' });
    },
    snapshot: enrolments,
  },
  {
    field: 'addDemonstrationEvidence',
    allowed: GOVERNANCE_WRITERS,
    async prepare(app, areaCode) {
      const { id } = await enrolment(app, areaCode);
      return call('addDemonstrationEvidence', 'AddDemonstrationEvidenceInput', { enrolmentId: id, note: '村规民约修订稿' });
    },
    snapshot: enrolments,
  },
  {
    field: 'createOpennessItem',
    allowed: ['COUNTY_ADMIN'],
    target: COUNTY,
    actsOnCallerArea: true,
    async prepare() {
      return call('createOpennessItem', 'CreateOpennessItemInput', { code: `MATRIX_${itemCode()}`, name: '矩阵公开事项' });
    },
    snapshot: checklist,
  },
  {
    field: 'updateOpennessItem',
    allowed: ['COUNTY_ADMIN'],
    target: COUNTY,
    async prepare(app) {
      const { item } = await asAdmin(app, 'createOpennessItem', 'CreateOpennessItemInput', 'item { code version }', {
        code: `MATRIX_${itemCode()}`,
        name: '矩阵公开事项',
      });
      return call('updateOpennessItem', 'UpdateOpennessItemInput', { code: item.code, version: item.version, name: '矩阵公开事项(改)', active: false });
    },
    snapshot: checklist,
  },
  {
    field: 'recordOpenness',
    allowed: GOVERNANCE_WRITERS,
    async prepare(_app, areaCode) {
      return call('recordOpenness', 'RecordOpennessInput', {
        areaCode,
        quarter: `${2000 + quarter()}Q1`,
        entries: [{ itemCode: 'FINANCES', published: false }],
      });
    },
    snapshot: snapshotOf(
      'select area_code, quarter, item_code, published, version from openness_entry where area_code between ? and ? order by area_code, quarter, item_code',
    ),
  },
];

// ---- webhooks (外部推送) -----------------------------------------------------

/** WEBHOOK_WRITERS in webhook.service.ts: the bureau's administrators (LEADER reads, writes nothing). */
const webhooks = snapshotOf('select id, url, event_kinds, enabled, secret, version from webhook where area_code between ? and ? order by id');
async function webhook(app: TestApp, areaCode: string): Promise<{ id: string; version: number }> {
  const { webhook } = await asAdmin(app, 'createWebhook', 'CreateWebhookInput', 'webhook { id version }', {
    url: 'https://hooks.invalid/matrix',
    eventKinds: ['TASK'],
    area: areaCode,
    // Registered stopped: the matrix's own writes are not sent anywhere.
    enabled: false,
  });
  return webhook as { id: string; version: number };
}

const webhookRows: MatrixRow[] = [
  {
    field: 'createWebhook',
    allowed: ['COUNTY_ADMIN'],
    async prepare(_app, areaCode) {
      return call('createWebhook', 'CreateWebhookInput', {
        url: 'https://hooks.invalid/matrix',
        eventKinds: ['TASK', 'RECTIFICATION'],
        area: areaCode,
        enabled: false,
      });
    },
    snapshot: webhooks,
  },
  {
    field: 'updateWebhook',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      const { id, version } = await webhook(app, areaCode);
      return call('updateWebhook', 'UpdateWebhookInput', { id, version, description: '矩阵' });
    },
    snapshot: webhooks,
  },
  {
    field: 'rotateWebhookSecret',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      const { id, version } = await webhook(app, areaCode);
      return call('rotateWebhookSecret', 'WebhookVersionInput', { id, version });
    },
    snapshot: webhooks,
  },
  {
    field: 'deleteWebhook',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      const { id, version } = await webhook(app, areaCode);
      return call('deleteWebhook', 'WebhookVersionInput', { id, version });
    },
    snapshot: webhooks,
  },
];

// ---- accounts (账号) and sessions (登录) ------------------------------------

const ACCOUNT_PASSWORD = 'Matrix-pass-2026';
const accountLogin = counter();
const ALL_ROLES: MatrixRole[] = ['COUNTY_ADMIN', 'SECTION_STAFF', 'TOWNSHIP_OPERATOR', 'VILLAGE_OPERATOR', 'VIEWER', 'LEADER'];

/** A new village operator's account in `areaCode` (a village), made by the county admin. */
async function matrixAccount(app: TestApp, areaCode: string): Promise<{ id: string; login: string; version: number }> {
  const { account } = await asAdmin(app, 'createAccount', 'CreateAccountInput', 'account { id login version }', {
    login: `matrix${accountLogin()}`,
    displayName: '矩阵账号',
    role: 'VILLAGE_OPERATOR',
    area: areaCode,
    password: ACCOUNT_PASSWORD,
  });
  return account;
}

/** A new account, signed in (anonymously, as a person would): its tokens. */
async function signedInAccount(app: TestApp, areaCode: string): Promise<{ id: string; refreshToken: string }> {
  const account = await matrixAccount(app, areaCode);
  const result = await app.request<Record<string, any>, unknown>(
    'mutation($input: SignInInput!) { signIn(input: $input) { refreshToken userErrors { code message } } }',
    { input: { login: account.login, password: ACCOUNT_PASSWORD } },
  );
  if (result.errors?.length || result.data?.signIn.userErrors.length) throw new Error(`prepare: signIn failed: ${JSON.stringify(result)}`);
  return { id: account.id, refreshToken: result.data!.signIn.refreshToken };
}

const accounts = snapshotOf(
  'select id, login, display_name, role, area_code, section, phone, disabled, must_change_password, password_hash, version from account where area_code between ? and ? order by id',
  'select id, account_id, revoked_at is not null as revoked, revoked_reason from account_session order by id',
  `select encode(token_hash, 'hex') as token, session_id, spent_at is not null as spent from account_refresh_token order by 1`,
);

const accountRows: MatrixRow[] = [
  {
    field: 'createAccount',
    allowed: ['COUNTY_ADMIN'],
    // The area is an input: one outside the admin's county is a field error (userErrors), not FORBIDDEN,
    // as the issue asks; test/e2e/accounts.e2e.test.ts checks it. Here the admin acts inside its county.
    actsOnCallerArea: true,
    async prepare(_app, areaCode) {
      return call('createAccount', 'CreateAccountInput', {
        login: `matrix${accountLogin()}`,
        displayName: '矩阵新账号',
        role: 'VILLAGE_OPERATOR',
        area: areaCode,
        password: ACCOUNT_PASSWORD,
      });
    },
    snapshot: accounts,
  },
  {
    field: 'updateAccount',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      const { id, version } = await matrixAccount(app, areaCode);
      return call('updateAccount', 'UpdateAccountInput', { id, version, displayName: '矩阵改名', phone: '0827-7220000' });
    },
    snapshot: accounts,
  },
  {
    field: 'disableAccount',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      return call('disableAccount', 'AccountIdInput', { id: (await matrixAccount(app, areaCode)).id });
    },
    snapshot: accounts,
  },
  {
    field: 'enableAccount',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      const { id } = await matrixAccount(app, areaCode);
      await asAdmin(app, 'disableAccount', 'AccountIdInput', 'account { id }', { id });
      return call('enableAccount', 'AccountIdInput', { id });
    },
    snapshot: accounts,
  },
  {
    field: 'resetAccountPassword',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      return call('resetAccountPassword', 'ResetAccountPasswordInput', { id: (await matrixAccount(app, areaCode)).id, newPassword: 'Matrix-reset-2026' });
    },
    snapshot: accounts,
  },
  {
    field: 'revokeAccountSessions',
    allowed: ['COUNTY_ADMIN'],
    async prepare(app, areaCode) {
      return call('revokeAccountSessions', 'AccountIdInput', { id: (await signedInAccount(app, areaCode)).id });
    },
    snapshot: accounts,
  },
  {
    // Credentials in the input, not a role: anyone may try (rate-limited per login and address).
    field: 'signIn',
    allowed: ALL_ROLES,
    actsOnCallerArea: true,
    anonymous: 'allowed',
    async prepare(app, areaCode) {
      const { login } = await matrixAccount(app, areaCode);
      return call('signIn', 'SignInInput', { login, password: ACCOUNT_PASSWORD });
    },
    snapshot: accounts,
  },
  {
    field: 'refreshSession',
    allowed: ALL_ROLES,
    actsOnCallerArea: true,
    anonymous: 'allowed',
    async prepare(app, areaCode) {
      return call('refreshSession', 'RefreshSessionInput', { refreshToken: (await signedInAccount(app, areaCode)).refreshToken });
    },
    snapshot: accounts,
  },
  {
    field: 'signOut',
    allowed: ALL_ROLES,
    actsOnCallerArea: true,
    anonymous: 'allowed',
    async prepare(app, areaCode) {
      return call('signOut', 'SignOutInput', { refreshToken: (await signedInAccount(app, areaCode)).refreshToken });
    },
    snapshot: accounts,
  },
  {
    // The caller's own account: a development token (the matrix's callers) has none, so every role is refused.
    field: 'signOutEverywhere',
    allowed: [],
    async prepare(app, areaCode) {
      await signedInAccount(app, areaCode);
      return { query: 'mutation Matrix { signOutEverywhere { userErrors { code field message } } }' };
    },
    snapshot: accounts,
  },
  {
    field: 'changePassword',
    allowed: [],
    async prepare() {
      return call('changePassword', 'ChangePasswordInput', { currentPassword: ACCOUNT_PASSWORD, newPassword: 'Matrix-new-2026' });
    },
    snapshot: accounts,
  },
];

// ---- monthly report (报送) -------------------------------------------------

/** Each case issues a month of its own (a second issue of a month is CONFLICT): January of 2001, 2002, … */
const issueYear = counter();
const issuedReports = snapshotOf('select area_code, month, issued_by_name from issued_monthly_report where area_code between ? and ? order by id');

const reportRows: MatrixRow[] = [
  {
    field: 'issueMonthlyReport',
    // ISSUERS in report.issued.ts: the county admin, and a township for its own township.
    allowed: ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR'],
    target: TOWNSHIP,
    async prepare(_app, areaCode) {
      return call('issueMonthlyReport', 'IssueMonthlyReportInput', { area: areaCode, month: `${2000 + issueYear()}-01` });
    },
    snapshot: issuedReports,
  },
];

// ---- 责任到人: the person responsible for a task, an assignment, a project, a rectification ----

const responsiblePerson = counter();
const someone = () => ({ name: `矩阵责任人${responsiblePerson()}`, title: '股长', unit: '县民政局' });
const responsibleChanges = snapshotOf(
  'select item_kind, item_id, account_id, name, title, unit, reason from responsible_change order by id',
  'select id, responsible_person, version from rectification where area_code between ? and ? order by id',
);
/** assertMayAssign in responsible.service.ts: the roles that write each kind of item. */
const responsibleRows: MatrixRow[] = [
  {
    field: 'assignResponsible',
    label: 'key task',
    allowed: ['COUNTY_ADMIN', 'SECTION_STAFF'],
    target: TOWNSHIP,
    section: SECTION,
    async prepare(app, areaCode) {
      const { id } = await task(app, areaCode, VILLAGE);
      return call('assignResponsible', 'AssignResponsibleInput', { item: id, person: someone() });
    },
    snapshot: responsibleChanges,
  },
  {
    field: 'assignResponsible',
    label: 'assignment',
    allowed: ['COUNTY_ADMIN', 'SECTION_STAFF', 'TOWNSHIP_OPERATOR'],
    section: SECTION,
    async prepare(app, areaCode) {
      const { assignments } = await task(app, TOWNSHIP, areaCode);
      return call('assignResponsible', 'AssignResponsibleInput', { item: assignments[0].id, person: someone(), reason: '矩阵' });
    },
    snapshot: responsibleChanges,
  },
  {
    field: 'assignResponsible',
    label: 'project',
    allowed: PROJECT_WRITERS,
    section: SECTION,
    async prepare(app, areaCode) {
      const { id } = await project(app, areaCode);
      return call('assignResponsible', 'AssignResponsibleInput', { item: id, person: someone() });
    },
    snapshot: responsibleChanges,
  },
  {
    field: 'assignResponsible',
    label: 'rectification',
    allowed: ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR'],
    async prepare(app, areaCode) {
      const { id } = await rectification(app, areaCode);
      return call('assignResponsible', 'AssignResponsibleInput', { item: id, person: someone() });
    },
    snapshot: responsibleChanges,
  },
];

const staffTokens = new WeakMap<TestApp, Promise<string>>();
/** The matrix section's staff: they request the extensions a decider then decides (a decider may not decide their own). */
function sectionStaffToken(app: TestApp): Promise<string> {
  let token = staffTokens.get(app);
  if (!token) staffTokens.set(app, (token = app.token('SECTION_STAFF', '511921', { name: '矩阵股室', section: SECTION })));
  return token;
}
const extensions = snapshotOf('select item_id, state, decided_by_name, requested_deadline from deadline_extension order by id');
/** extension.service.ts: requests by the task's writers; decisions by COUNTY_ADMIN and LEADER (the one write a LEADER makes). */
const extensionRows: MatrixRow[] = [
  {
    field: 'requestDeadlineExtension',
    allowed: ['COUNTY_ADMIN', 'SECTION_STAFF'],
    target: TOWNSHIP,
    section: SECTION,
    async prepare(app, areaCode) {
      const { id } = await task(app, areaCode, VILLAGE);
      return call('requestDeadlineExtension', 'RequestDeadlineExtensionInput', { item: id, newDeadline: '2100-06-30', reason: '矩阵' });
    },
    snapshot: extensions,
  },
  {
    field: 'decideDeadlineExtension',
    allowed: ['COUNTY_ADMIN', 'LEADER'],
    target: TOWNSHIP,
    async prepare(app, areaCode) {
      const { id } = await task(app, areaCode, VILLAGE);
      const result = await app.request<Record<string, any>, unknown>(
        `mutation($input: RequestDeadlineExtensionInput!) { requestDeadlineExtension(input: $input) { extension { id } userErrors { message } } }`,
        { input: { item: id, newDeadline: '2100-06-30', reason: '矩阵' } },
        { token: await sectionStaffToken(app) },
      );
      const payload = result.data?.requestDeadlineExtension;
      if (result.errors?.length || !payload?.extension)
        throw new Error(`prepare: requestDeadlineExtension failed: ${JSON.stringify(result.errors ?? payload)}`);
      return call('decideDeadlineExtension', 'DecideDeadlineExtensionInput', { request: payload.extension.id, approve: true });
    },
    snapshot: extensions,
  },
];

const operatorTokens = new WeakMap<TestApp, Promise<string>>();
/** 民胜镇's operator: requests the rectification extensions a decider then decides (a decider may not decide their own). */
function townshipOperatorToken(app: TestApp): Promise<string> {
  let token = operatorTokens.get(app);
  if (!token) operatorTokens.set(app, (token = app.token('TOWNSHIP_OPERATOR', TOWNSHIP.slice(0, 9), { name: '矩阵乡镇' })));
  return token;
}
/** extension.service.ts: a rectification's extension is requested by those who move it along (COUNTY_ADMIN, the township's operator). */
const rectificationExtensionRows: MatrixRow[] = [
  {
    field: 'requestDeadlineExtension',
    label: 'Rectification',
    allowed: ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR'],
    async prepare(app, areaCode) {
      const { id } = await rectification(app, areaCode);
      return call('requestDeadlineExtension', 'RequestDeadlineExtensionInput', { item: id, newDeadline: '2100-06-30', reason: '矩阵' });
    },
    snapshot: extensions,
  },
  {
    field: 'decideDeadlineExtension',
    label: 'Rectification',
    allowed: ['COUNTY_ADMIN', 'LEADER'],
    async prepare(app, areaCode) {
      const { id } = await rectification(app, areaCode);
      const result = await app.request<Record<string, any>, unknown>(
        `mutation($input: RequestDeadlineExtensionInput!) { requestDeadlineExtension(input: $input) { extension { id } userErrors { message } } }`,
        { input: { item: id, newDeadline: '2100-06-30', reason: '矩阵' } },
        { token: await townshipOperatorToken(app) },
      );
      const payload = result.data?.requestDeadlineExtension;
      if (result.errors?.length || !payload?.extension)
        throw new Error(`prepare: requestDeadlineExtension failed: ${JSON.stringify(result.errors ?? payload)}`);
      return call('decideDeadlineExtension', 'DecideDeadlineExtensionInput', { request: payload.extension.id, approve: true });
    },
    snapshot: extensions,
  },
];

// ---- 待办/提醒: the caller's own inbox ---------------------------------------

/** Each case's caller (a development token: `dev:<role>:<area>`) gets an unread item of its own first, so marking all read changes it. */
const inboxItems = counter();
const inboxOf = snapshotOf(`select recipient_sub, read_at is not null as read from inbox_item where recipient_sub like 'dev:%' order by id`);

const inboxRows: MatrixRow[] = [
  {
    // Every signed-in role marks its own items (inbox.service.ts); there is nobody else's to reach, so no outside case.
    field: 'markInboxRead',
    allowed: ALL_ROLES,
    actsOnCallerArea: true,
    async prepare(app, areaCode) {
      const digits: Record<MatrixRole, number> = { COUNTY_ADMIN: 6, SECTION_STAFF: 6, VIEWER: 6, LEADER: 6, TOWNSHIP_OPERATOR: 9, VILLAGE_OPERATOR: 12 };
      const n = inboxItems();
      for (const [role, width] of Object.entries(digits)) {
        await sql(
          app,
          `insert into inbox_item (recipient_sub, kind, subject_type, subject_key, area_code, title, summary, dedupe_key)
           values (?, 'ASSIGNED', 'Task', '1', ?, '矩阵', '矩阵', ?)`,
          [`dev:${role.toLowerCase()}:${areaCode.slice(0, width).padEnd(12, '0')}`, areaCode, `matrix:${n}:${role}`],
        );
      }
      return call('markInboxRead', 'MarkInboxReadInput', { all: true });
    },
    snapshot: inboxOf,
  },
];

export const matrixRows: MatrixRow[] = [
  ...statsRows,
  ...areaRows,
  ...facilityRows,
  ...projectRows,
  ...taskRows,
  ...rectificationRows,
  ...supervisionRows,
  ...governanceRows,
  ...webhookRows,
  ...accountRows,
  ...reportRows,
  ...responsibleRows,
  ...extensionRows,
  ...rectificationExtensionRows,
  ...inboxRows,
];
