import { fromGlobalId, toGlobalId } from '../../src/common/global-id.js';
import { importAreas } from '../../src/modules/area/area.import.js';
import type { TestApp } from '../support/app.js';
import { AUDIT_READERS, inSubtree, PLACES, Registry, SENSITIVE, type Known, type Place, type ReadFixture, type ReadRole } from '../support/read-matrix.js';

/** Who reads webhooks and their deliveries (WEBHOOK_READERS in webhook.service.ts). */
const WEBHOOK_READERS: ReadRole[] = ['COUNTY_ADMIN', 'LEADER'];

/**
 * The read matrix's fixture, seeded once per file through the API (so every
 * row is a real one, with its events and audit entries): for every readable
 * kind, objects in 民胜镇 (A) and its villages A1 and A2, in 火炬镇 (B) and its
 * village B1, at the county (C), and in a second county, 南江县 (XC, X, X1).
 * Each object has a unique name (`读表<Type><place>号`), so a name found
 * anywhere in a response reveals which object leaked.
 */

/** The report month: rectifications opened and closed, supervision issued, project progress, task progress. */
export const MONTH = '2026-06';
/** The statistics period of the fixture's observations and approvals. */
export const PERIOD = '2026-06';
/** The openness quarter. */
export const QUARTER = '2026Q2';
export const INDICATOR = 'ORPHANS';

/** ORPHANS reported per village for {@link PERIOD}. */
export const OBSERVED: Partial<Record<Place, number>> = { A1: 1, A2: 10, B1: 100, X1: 1000 };

export const nameOf = (type: string, place: string) => `读表${type}${place}号`;

export interface Fixture extends ReadFixture {
  /** Tokens of the two counties' administrators. */
  admin: string;
  foreignAdmin: string;
  /** Global IDs by type and place. */
  ids: Record<string, Partial<Record<string, string>>>;
  /** Objects a `needsSupervision` reader must find (overdue and not supervised). */
  candidates: string[];
  /** Objects a monthly report of {@link MONTH} must list. */
  reportSubjects: string[];
}

type Json = Record<string, any>;

async function mutate(app: TestApp, token: string, field: string, inputType: string, selection: string, input: Json): Promise<Json> {
  const query = `mutation Fixture($input: ${inputType}!) { ${field}(input: $input) { ${selection} userErrors { code field message } } }`;
  const result = await app.request<Record<string, Json>, unknown>(query, { input }, { token });
  const payload = result.data?.[field];
  if (result.errors?.length || !payload || payload.userErrors.length) {
    throw new Error(`read-matrix fixture: ${field} ${JSON.stringify(input)} failed: ${JSON.stringify(result.errors ?? payload?.userErrors)}`);
  }
  return payload;
}

const placeOf = (code: string): Place => (Object.keys(PLACES) as Place[]).find((p) => PLACES[p] === code)!;

/** Loads 南江县 next to 通江县, then seeds every kind. Returns the registry of what it made. */
export async function seedReadFixture(app: TestApp): Promise<Fixture> {
  await importAreas(app.orm, { county: '511922' });
  const registry = new Registry();
  const ids: Fixture['ids'] = {};
  const admin = await app.token('COUNTY_ADMIN', PLACES.C, { name: '读表管理员' });
  const foreignAdmin = await app.token('COUNTY_ADMIN', PLACES.XC, { name: '读表外县管理员' });
  const opA = await app.token('TOWNSHIP_OPERATOR', PLACES.A, { name: '读表民胜镇' });
  const opB = await app.token('TOWNSHIP_OPERATOR', PLACES.B, { name: '读表火炬镇' });
  const opA1 = await app.token('VILLAGE_OPERATOR', PLACES.A1, { name: '读表鹦哥嘴' });
  const adminOf = (place: Place) => (place.startsWith('X') ? foreignAdmin : admin);
  const add = (known: Omit<Known, 'names'> & { names?: string[] }) => {
    (ids[known.type] ??= {})[known.place] = known.id;
    return registry.add({ names: [nameOf(known.type, known.place)], ...known });
  };

  // 服务站点: one per place, each moved one step (a FACILITY status event).
  for (const place of ['A1', 'A2', 'A', 'B1', 'B', 'C', 'X1'] as Place[]) {
    const { facility } = await mutate(app, adminOf(place), 'createFacility', 'CreateFacilityInput', 'facility { id version }', {
      name: nameOf('Facility', place),
      type: 'NURSING_HOME',
      area: PLACES[place],
      operatingModel: 'PUBLIC',
    });
    await mutate(app, adminOf(place), 'changeFacilityStatus', 'ChangeFacilityStatusInput', 'facility { id }', {
      id: facility.id,
      version: facility.version,
      status: 'UNDER_CONSTRUCTION',
    });
    add({ id: facility.id, type: 'Facility', place, codes: [PLACES[place]] });
  }

  // 民政项目, with a milestone due and progress recorded in the report month. A1's builds B1's facility (a link across townships).
  for (const place of ['A1', 'A', 'B', 'C', 'X'] as Place[]) {
    const { project } = await mutate(app, adminOf(place), 'createProject', 'CreateProjectInput', 'project { id }', {
      name: nameOf('Project', place),
      category: 'ELDERLY_CARE',
      ownerSection: '养老服务股',
      area: PLACES[place],
      plannedInvestment: '1000000.00',
      securedFunding: '500000.00',
      milestones: [{ name: `${nameOf('Project', place)}选址`, dueDate: '2026-06-30' }],
      ...(place === 'A1' ? { facility: ids.Facility.B1 } : {}),
    });
    await mutate(app, adminOf(place), 'recordProjectProgress', 'RecordProjectProgressInput', 'progress { id }', {
      project: project.id,
      percent: 20,
      asOf: '2026-06-15',
      note: '开工准备',
    });
    add({ id: project.id, type: 'Project', place, codes: [PLACES[place]] });
  }

  // 重点工作: a county task split over A1, A2 and B1; township tasks of A and B; one of the other county.
  const tasks: { place: Place; deadline: string; assignments: [Place, number][] }[] = [
    {
      place: 'C',
      deadline: '2026-12-31',
      assignments: [
        ['A1', 3],
        ['A2', 2],
        ['B1', 5],
      ],
    },
    {
      place: 'A',
      deadline: '2026-09-30',
      assignments: [
        ['A1', 1],
        ['A2', 1],
      ],
    },
    { place: 'B', deadline: '2026-12-31', assignments: [['B1', 4]] },
    { place: 'XC', deadline: '2026-12-31', assignments: [['X1', 2]] },
  ];
  /** Progress recorded per (task place, assignment place): done, and by whom. */
  const progress: Record<string, [number, string]> = { 'C:A1': [1, opA], 'C:A2': [2, admin], 'C:B1': [4, opB], 'B:B1': [4, opB] };
  for (const spec of tasks) {
    const { task } = await mutate(app, adminOf(spec.place), 'createTask', 'CreateTaskInput', 'task { id assignments { id version area { code } } }', {
      title: nameOf('Task', spec.place),
      category: 'SOCIAL_AFFAIRS',
      area: PLACES[spec.place],
      ownerSection: '社会事务股',
      target: spec.assignments.reduce((sum, [, target]) => sum + target, 0),
      unit: '处',
      startDate: '2026-01-01',
      deadline: spec.deadline,
      assignments: spec.assignments.map(([place, target]) => ({ area: PLACES[place], target })),
    });
    const shares: { id: string; place: Place; target: number; done: number }[] = [];
    for (const assignment of task.assignments as { id: string; version: number; area: { code: string } }[]) {
      const place = placeOf(assignment.area.code);
      const target = spec.assignments.find(([p]) => p === place)![1];
      const recorded = progress[`${spec.place}:${place}`];
      if (recorded) {
        await mutate(app, recorded[1], 'recordTaskProgress', 'RecordTaskProgressInput', 'assignment { id }', {
          assignment: assignment.id,
          version: assignment.version,
          asOf: '2026-06-15',
          done: recorded[0],
          note: '完成一部分',
        });
      }
      shares.push({ id: assignment.id, place, target, done: recorded?.[0] ?? 0 });
      registry.add({
        id: assignment.id,
        type: 'TaskAssignment',
        place: `${spec.place}/${place}`,
        codes: [assignment.area.code],
        data: { task: task.id, target, done: recorded?.[0] ?? 0 },
      });
    }
    add({ id: task.id, type: 'Task', place: spec.place, codes: [PLACES[spec.place], ...shares.map((s) => PLACES[s.place])], data: { shares } });
  }

  // 延期申请: a pending request on the county task, 民胜镇's and the other county's (延期审批's list, Query.deadlineExtensions).
  for (const place of ['C', 'A', 'XC'] as Place[]) {
    const task = registry.one(ids.Task[place]!);
    const { extension } = await mutate(app, adminOf(place), 'requestDeadlineExtension', 'RequestDeadlineExtensionInput', 'extension { id }', {
      item: task.id,
      newDeadline: '2099-06-30',
      reason: nameOf('DeadlineExtension', place),
    });
    add({ id: extension.id, type: 'DeadlineExtension', place, codes: task.codes });
  }

  // 审计整改, opened in the report month and overdue since 2026-07-15; A2's is closed (销号) in the month.
  for (const place of ['A1', 'A2', 'A', 'B1', 'C', 'X1'] as Place[]) {
    const { rectification } = await mutate(app, adminOf(place), 'createRectification', 'CreateRectificationInput', 'rectification { id version }', {
      area: PLACES[place],
      category: 'FUNDS_MISUSE',
      finding: nameOf('Rectification', place),
      responsiblePerson: '张三',
      openedOn: '2026-06-10',
      deadline: '2026-07-15',
    });
    if (place === 'A2') {
      let version = rectification.version as number;
      for (const [to, on] of [
        ['RECTIFYING', '2026-06-12'],
        ['RECTIFIED', '2026-06-15'],
        ['CLOSED', '2026-06-20'],
      ] as const) {
        const moved = await mutate(app, admin, 'transitionRectification', 'TransitionRectificationInput', 'rectification { version }', {
          id: rectification.id,
          version,
          to,
          on,
          note: '整改到位',
          ...(to === 'CLOSED' ? { verifier: '李四' } : {}),
        });
        version = moved.rectification.version;
      }
    }
    add({ id: rectification.id, type: 'Rectification', place, codes: [PLACES[place]], readers: SENSITIVE });
  }

  // 督办: against the rectifications of A1 and B1, the county task and 民胜镇's project, issued in the report month.
  for (const [type, place] of [
    ['Rectification', 'A1'],
    ['Rectification', 'B1'],
    ['Task', 'C'],
    ['Project', 'A'],
  ] as const) {
    const { supervisionAction } = await mutate(app, admin, 'issueSupervision', 'IssueSupervisionInput', 'supervisionAction { id }', {
      target: ids[type][place],
      kind: 'LISTED_SUPERVISION',
      issuer: '县民政局',
      targetUnit: nameOf('SupervisionAction', `${type}${place}`),
      issuedOn: '2026-06-18',
      // Far off: an action covers its target only until its response is due (needsSupervision is read as of today).
      responseDue: '2099-12-31',
    });
    add({ id: supervisionAction.id, type: 'SupervisionAction', place: `${type}${place}`, codes: [PLACES[place]], readers: SENSITIVE });
  }

  // 报送: the 2026-06 report issued for the county, township A, and the other county's township X (by its own admin).
  for (const place of ['C', 'A', 'X'] as Place[]) {
    const { issuedMonthlyReport } = await mutate(app, adminOf(place), 'issueMonthlyReport', 'IssueMonthlyReportInput', 'issuedMonthlyReport { id }', {
      area: PLACES[place],
      month: '2026-06',
    });
    add({ id: issuedMonthlyReport.id, type: 'IssuedMonthlyReport', place, codes: [PLACES[place]], readers: SENSITIVE });
  }

  // 统计: ORPHANS per village, reported by the village itself, its township or the county; A and B submit the period.
  for (const [place, value] of Object.entries(OBSERVED) as [Place, number][]) {
    const token = place === 'A1' ? opA1 : place === 'A2' ? opA : place === 'B1' ? opB : foreignAdmin;
    await mutate(app, token, 'reportObservations', 'ReportObservationsInput', 'observations { version }', {
      area: PLACES[place],
      period: PERIOD,
      values: [{ indicator: INDICATOR, value: String(value) }],
    });
  }
  // Most villages of A and B have no figures: the county lets its townships submit without 缺报说明 (上报完整率 0 %).
  await mutate(app, admin, 'setReportingCompletenessThreshold', 'SetReportingCompletenessThresholdInput', 'setting { version }', {
    county: PLACES.C,
    minReportedPercent: 0,
  });
  for (const [place, token] of [
    ['A', opA],
    ['B', admin],
  ] as const) {
    const { approval } = await mutate(app, token, 'submitReportingPeriod', 'SubmitReportingPeriodInput', 'approval { id }', {
      area: PLACES[place],
      period: PERIOD,
    });
    const township = PLACES[place];
    // The township's approval decides whether its villages may report: they read it too.
    add({
      id: approval.id,
      type: 'ReportingApproval',
      place,
      codes: [township],
      names: [],
      visibleFrom: (area) => inSubtree(township, area) || inSubtree(area, township),
    });
  }

  // 社会治理: a 红白理事会 with a meeting in each village; a programme per county with enrolments and evidence; openness records.
  for (const place of ['A1', 'A2', 'B1', 'X1'] as Place[]) {
    const { body } = await mutate(app, adminOf(place), 'createGovernanceBody', 'CreateGovernanceBodyInput', 'body { id }', {
      areaCode: PLACES[place],
      bodyType: 'WEDDINGS_FUNERALS_COUNCIL',
      establishedOn: '2025-01-01',
      chair: nameOf('GovernanceBody', place),
      members: [{ name: nameOf('GovernanceBody', place), role: '会长' }],
    });
    await mutate(app, adminOf(place), 'recordGovernanceMeeting', 'RecordGovernanceMeetingInput', 'meeting { id }', {
      bodyId: body.id,
      heldOn: '2026-06-05',
      topic: `${nameOf('GovernanceBody', place)}议事`,
      attendance: 9,
    });
    add({ id: body.id, type: 'GovernanceBody', place, codes: [PLACES[place]] });
  }
  for (const [county, enrolled] of [
    ['C', ['A1', 'A', 'B1']],
    ['XC', ['X1']],
  ] as const) {
    const countyCode = PLACES[county];
    const { programme } = await mutate(app, adminOf(county), 'createDemonstrationProgramme', 'CreateDemonstrationProgrammeInput', 'programme { id }', {
      name: nameOf('DemonstrationProgramme', county),
      level: 'COUNTY',
      year: 2026,
    });
    // Seen from inside the county that runs it (and from above it).
    add({
      id: programme.id,
      type: 'DemonstrationProgramme',
      place: county,
      codes: [countyCode],
      visibleFrom: (area) => inSubtree(countyCode, area) || inSubtree(area, countyCode),
    });
    for (const place of enrolled) {
      const { enrolment } = await mutate(app, adminOf(place), 'enrolInDemonstration', 'EnrolInDemonstrationInput', 'enrolment { id }', {
        programmeId: programme.id,
        areaCode: PLACES[place],
      });
      await mutate(app, adminOf(place), 'addDemonstrationEvidence', 'AddDemonstrationEvidenceInput', 'enrolment { id }', {
        enrolmentId: enrolment.id,
        note: `${nameOf('DemonstrationEnrolment', place)}佐证`,
      });
      add({ id: enrolment.id, type: 'DemonstrationEnrolment', place, codes: [PLACES[place]] });
    }
  }
  for (const county of ['C', 'XC'] as const) {
    const code = `RM_${county}`;
    await mutate(app, adminOf(county), 'createOpennessItem', 'CreateOpennessItemInput', 'item { code }', { code, name: nameOf('OpennessItem', county) });
    const countyCode = PLACES[county];
    // A county's own checklist items apply to its villages only.
    add({ id: toGlobalId('OpennessItem', code), type: 'OpennessItem', place: county, codes: [countyCode], visibleFrom: (area) => inSubtree(countyCode, area) });
  }
  for (const place of ['A1', 'B1', 'X1'] as Place[]) {
    const checklist = await app.query<{ opennessChecklist: { code: string }[] }, never>('{ opennessChecklist { code } }', undefined, { token: adminOf(place) });
    // A1 publishes everything (compliant); B1 and X1 all but their county's own item.
    const entries = checklist.opennessChecklist.map((item) => ({
      itemCode: item.code,
      ...(place !== 'A1' && item.code.startsWith('RM_')
        ? { published: false }
        : { published: true, form: 'NOTICE_BOARD', publishedOn: '2026-05-20', checkedBy: '王五' }),
    }));
    await mutate(app, adminOf(place), 'recordOpenness', 'RecordOpennessInput', 'record { quarter }', { areaCode: PLACES[place], quarter: QUARTER, entries });
  }

  // 外部推送: webhooks of 民胜镇, the county and the other county, registered stopped (the matrix sends nothing anywhere),
  // each with one recorded attempt (written here: only the deliverer writes them) named after its place.
  for (const place of ['A', 'C', 'XC'] as Place[]) {
    const { webhook } = await mutate(app, adminOf(place), 'createWebhook', 'CreateWebhookInput', 'webhook { id }', {
      url: `https://hooks.invalid/${place}`,
      eventKinds: ['TASK', 'RECTIFICATION'],
      area: PLACES[place],
      description: nameOf('Webhook', place),
      enabled: false,
    });
    add({ id: webhook.id, type: 'Webhook', place, codes: [PLACES[place]], readers: WEBHOOK_READERS });
    await app.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into webhook_delivery (webhook_id, delivery_id, event_sequence, attempt, ok, status_code, error, duration_ms) values (?, ?, 1, 1, false, 500, 'HTTP 500', 12)`,
        [fromGlobalId(webhook.id).key, nameOf('WebhookDelivery', place)],
      );
    add({ id: `WebhookDelivery:${place}`, type: 'WebhookDelivery', place, codes: [PLACES[place]], readers: WEBHOOK_READERS });
  }

  // 账号: accounts at 民胜镇, at its village A1 and at the other county's X1; county admins alone read them
  // (the audit log names them to its readers too: auditNamesAccount in read-matrix.rows.ts).
  for (const [place, role] of [
    ['A', 'TOWNSHIP_OPERATOR'],
    ['A1', 'VILLAGE_OPERATOR'],
    ['X1', 'VILLAGE_OPERATOR'],
  ] as [Place, string][]) {
    const { account } = await mutate(app, adminOf(place), 'createAccount', 'CreateAccountInput', 'account { id }', {
      login: `rm-${place.toLowerCase()}`,
      displayName: nameOf('Account', place),
      role,
      area: PLACES[place],
      password: 'Read-matrix-2026',
    });
    add({ id: account.id, type: 'Account', place, codes: [PLACES[place]], readers: ['COUNTY_ADMIN'] });
  }

  // Every change above wrote one progress event and one audit entry: the matrix knows them from the tables.
  const events = await app.orm.em
    .fork()
    .getConnection()
    .execute<{ sequence: string; area_code: string; subject_kind: string }[]>(
      'select sequence::text as sequence, area_code, subject_kind from progress_update order by sequence',
    );
  for (const event of events) {
    const sensitive = ['RECTIFICATION', 'SUPERVISION', 'WEBHOOK', 'MONTHLY_REPORT'].includes(event.subject_kind);
    registry.add({
      id: toGlobalId('ProgressUpdate', event.sequence),
      type: 'ProgressUpdate',
      place: `${event.subject_kind}@${event.area_code}`,
      codes: [event.area_code],
      ...(sensitive ? { readers: SENSITIVE } : {}),
    });
  }
  const audit = await app.orm.em
    .fork()
    .getConnection()
    .execute<{ id: string; actor_area_code: string | null; mutation: string }[]>('select id::text as id, actor_area_code, mutation from audit_log order by id');
  for (const entry of audit) {
    registry.add({
      id: toGlobalId('AuditEntry', entry.id),
      type: 'AuditEntry',
      place: `${entry.mutation}@${entry.actor_area_code}`,
      codes: entry.actor_area_code ? [entry.actor_area_code] : [],
      readers: AUDIT_READERS,
    });
  }

  // 待办/提醒: one item for each of two callers (their development tokens' subjects); nobody else may see either.
  for (const [role, place] of [
    ['TOWNSHIP_OPERATOR', 'A'],
    ['COUNTY_ADMIN', 'C'],
  ] as const) {
    const [item] = await app.orm.em
      .fork()
      .getConnection()
      .execute<{ id: string }[]>(
        `insert into inbox_item (recipient_sub, kind, subject_type, subject_key, area_code, title, summary, dedupe_key)
         values (?, 'ASSIGNED', 'Task', '1', ?, ?, '矩阵提醒', ?) returning id::text as id`,
        [`dev:${role.toLowerCase()}:${PLACES[place]}`, PLACES[place], `矩阵提醒-${role}`, `read-matrix:${role}`],
      );
    registry.add({
      id: toGlobalId('InboxItem', item.id),
      type: 'InboxItem',
      place,
      codes: [PLACES[place]],
      readers: [role],
      visibleFrom: (callerArea) => callerArea === PLACES[place],
    });
  }

  const of = (type: string, ...places: string[]) => places.map((place) => ids[type][place]!);
  return {
    registry,
    admin,
    foreignAdmin,
    ids,
    // The township task of A is overdue with nothing done; the rectifications of A and the county are overdue and unsupervised
    // (A1's and B1's are supervised, A2's closed); the county task is supervised.
    candidates: [...of('Task', 'A'), ...of('Rectification', 'A', 'C', 'X1')],
    // Project progress and supervision in June, rectifications opened (all) and closed (A2) in June.
    reportSubjects: [
      ...of('Project', 'A1', 'A', 'B', 'C', 'X'),
      ...of('Rectification', 'A1', 'A2', 'A', 'B1', 'C', 'X1'),
      ...registry.all('SupervisionAction').map((k) => k.id),
    ],
  };
}
