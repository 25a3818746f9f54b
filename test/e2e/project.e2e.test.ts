import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  AreaProjectsDocument,
  ChangeProjectStatusDocument,
  CompleteMilestoneDocument,
  CreateFacilityDocument,
  CreateProjectDocument,
  FacilityByIdDocument,
  ProjectByIdDocument,
  ProjectProgressPageDocument,
  RecordProjectProgressDocument,
  SetProjectPlanDocument,
  SetProjectTeamDocument,
  UpdateProjectDocument,
  type CreateProjectInput,
  type ProjectFieldsFragment,
  type ProjectProgressPageQuery,
} from '../graphql/generated/graphql.js';

const TIEFO = '511921104'; // 铁佛镇
const ELDERLY = '养老服务股';
const CHILDREN = '儿童福利股';
const PINGBA = '511921104200'; // 平坝村
const MASHI = '511921105'; // 麻石镇

let app: TestApp;
let admin: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

async function written() {
  const [counts] = await app.rows<{ projects: number; entries: number; events: number; versions: number; facilityVersions: number }>(
    `select (select count(*)::int from project) as projects,
            (select count(*)::int from project_progress) as entries,
            (select count(*)::int from progress_update) as events,
            (select coalesce(sum(version), 0)::int from project) as versions,
            (select coalesce(sum(version), 0)::int from facility) as "facilityVersions"`,
  );
  return counts;
}

const LEAD = { name: '王建国', title: '副县长' };
const FORCE = [
  { name: '李红梅', role: '专班组长', unit: '县民政局' },
  { name: '陈立', role: '工程质量', unit: '县住建局' },
];
const PLAN = [
  { name: '主体完工', dueDate: '2026-08-31' },
  { name: '竣工验收', dueDate: '2026-12-15' },
];

async function create(over: Partial<CreateProjectInput> = {}, token = admin): Promise<ProjectFieldsFragment> {
  const data = await app.query(
    CreateProjectDocument,
    {
      input: {
        name: '铁佛镇敬老院改扩建项目',
        category: 'ELDERLY_CARE',
        area: TIEFO,
        ownerSection: ELDERLY,
        plannedInvestment: '3200000.00',
        securedFunding: '2500000.50',
        targetDate: '2026-12-31',
        ...over,
      },
    },
    { token },
  );
  expect(data.createProject.userErrors).toEqual([]);
  return data.createProject.project!;
}

async function ready(over: Partial<CreateProjectInput> = {}) {
  return create({ leadOfficial: LEAD, taskForce: FORCE, milestones: PLAN, ...over });
}

async function status(id: string, version: number, to: 'IN_PROGRESS' | 'COMPLETED' | 'SUSPENDED' | 'PLANNED', token = admin) {
  return (await app.query(ChangeProjectStatusDocument, { input: { id, version, status: to } }, { token })).changeProjectStatus;
}

async function progress(project: string, percent: number, extra: { note?: string; blockers?: string; asOf?: string } = {}, token = admin) {
  return (await app.query(RecordProjectProgressDocument, { input: { project, percent, ...extra } }, { token })).recordProjectProgress;
}

describe('createProject', () => {
  it('creates a PLANNED project with exact amounts and one event', async () => {
    const before = await written();
    const project = await create();
    expect(project).toMatchObject({
      ownerSection: ELDERLY,
      status: 'PLANNED',
      plannedInvestment: '3200000.00',
      securedFunding: '2500000.50',
      version: 1,
      leadOfficial: null,
      taskForce: [],
      milestones: [],
      progressPercent: null,
    });
    expect(await written()).toEqual({ ...before, projects: before.projects + 1, events: before.events + 1, versions: before.versions + 1 });
    const [stored] = await app.rows<{ planned_investment: string }>('select planned_investment::text from project order by id desc limit 1');
    expect(stored.planned_investment).toBe('3200000.00');
  });

  it('rejects bad amounts, dates and duplicate milestones, writing nothing', async () => {
    const before = await written();
    const cases: [Partial<CreateProjectInput>, string[], string][] = [
      [{ plannedInvestment: '-1.00' }, ['input', 'plannedInvestment'], 'BAD_USER_INPUT'],
      [{ securedFunding: '1000000000000.00' }, ['input', 'securedFunding'], 'BAD_USER_INPUT'],
      [{ startDate: '2026-06-01', targetDate: '2026-05-01' }, ['input', 'targetDate'], 'BAD_USER_INPUT'],
      [{ milestones: [PLAN[0], PLAN[0]] }, ['input', 'milestones', '1', 'name'], 'BAD_USER_INPUT'],
      [{ taskForce: [{ name: '', role: '组长', unit: '民政局' }] }, ['input', 'taskForce', '0', 'name'], 'BAD_USER_INPUT'],
      [{ area: '511921999' }, ['input', 'area'], 'NOT_FOUND'],
    ];
    for (const [over, field, code] of cases) {
      const data = await app.query(
        CreateProjectDocument,
        { input: { name: 'x', category: 'OTHER', area: TIEFO, ownerSection: ELDERLY, ...over } },
        { token: admin },
      );
      expect(data.createProject.project, JSON.stringify(over)).toBeNull();
      expect(data.createProject.userErrors, JSON.stringify(over)).toContainEqual(expect.objectContaining({ field, code }));
    }
    const float = await app.request(
      CreateProjectDocument,
      { input: { name: 'x', category: 'OTHER', area: TIEFO, ownerSection: ELDERLY, plannedInvestment: '1.005' } },
      { token: admin },
    );
    expect(float.errors?.[0]?.message).toMatch(/at most 2 decimal places/);
    expect(await written()).toEqual(before);
  });
});

describe('一项目一牵头领导、一项目一工作专班、一项目一推进方案', () => {
  it('refuses to start a project without a lead official, a task force and a plan, naming each', async () => {
    const project = await create();
    const before = await written();
    const result = await status(project.id, 1, 'IN_PROGRESS');
    expect(result.project).toBeNull();
    expect(result.userErrors.map((e) => [e.code, e.field, e.message.match(/\((\w+)\)/)?.[1]])).toEqual([
      ['BAD_USER_INPUT', ['input', 'status'], 'leadOfficial'],
      ['BAD_USER_INPUT', ['input', 'status'], 'taskForce'],
      ['BAD_USER_INPUT', ['input', 'status'], 'milestones'],
    ]);
    expect(await written()).toEqual(before);

    const withLead = await app.query(
      SetProjectTeamDocument,
      { input: { project: project.id, version: 1, leadOfficial: LEAD, taskForce: [] } },
      { token: admin },
    );
    expect(withLead.setProjectTeam.project).toMatchObject({ version: 2, leadOfficial: LEAD });
    const stillMissing = await status(project.id, 2, 'IN_PROGRESS');
    expect(stillMissing.userErrors.map((e) => e.message.match(/\((\w+)\)/)?.[1])).toEqual(['taskForce', 'milestones']);

    const team = await app.query(
      SetProjectTeamDocument,
      { input: { project: project.id, version: 2, leadOfficial: LEAD, taskForce: FORCE } },
      { token: admin },
    );
    expect(team.setProjectTeam.project!.taskForce).toEqual(FORCE);
    const plan = await app.query(SetProjectPlanDocument, { input: { project: project.id, version: 3, milestones: PLAN } }, { token: admin });
    expect(plan.setProjectPlan.project!.milestones).toEqual([
      { position: 1, name: '主体完工', dueDate: '2026-08-31', doneDate: null },
      { position: 2, name: '竣工验收', dueDate: '2026-12-15', doneDate: null },
    ]);
    const beforeStart = await written();
    const started = await status(project.id, 4, 'IN_PROGRESS');
    expect(started.userErrors).toEqual([]);
    expect(started.project).toMatchObject({ status: 'IN_PROGRESS', version: 5, startDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(await written()).toEqual({ ...beforeStart, events: beforeStart.events + 1, versions: beforeStart.versions + 1 });

    // Once under way, the team and plan cannot be emptied.
    const drop = await app.query(
      SetProjectTeamDocument,
      { input: { project: project.id, version: 5, leadOfficial: null, taskForce: FORCE } },
      { token: admin },
    );
    expect(drop.setProjectTeam.userErrors).toEqual([expect.objectContaining({ field: ['input', 'leadOfficial'], code: 'BAD_USER_INPUT' })]);
    const noPlan = await app.query(SetProjectPlanDocument, { input: { project: project.id, version: 5, milestones: [] } }, { token: admin });
    expect(noPlan.setProjectPlan.userErrors).toEqual([expect.objectContaining({ field: ['input', 'milestones'], code: 'BAD_USER_INPUT' })]);
  });

  it('follows the project lifecycle and rejects illegal jumps, writing nothing', async () => {
    const project = await ready();
    const before = await written();
    for (const to of ['COMPLETED', 'SUSPENDED', 'PLANNED'] as const) {
      const result = await status(project.id, 1, to);
      expect(result.userErrors).toEqual([expect.objectContaining({ field: ['input', 'status'], code: 'INVALID_TRANSITION' })]);
    }
    expect(await written()).toEqual(before);
    let version = 1;
    for (const to of ['IN_PROGRESS', 'SUSPENDED', 'IN_PROGRESS', 'COMPLETED'] as const) {
      const result = await status(project.id, version, to);
      expect(result.project).toMatchObject({ status: to });
      version = result.project!.version;
    }
    const reopen = await status(project.id, version, 'IN_PROGRESS');
    expect(reopen.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION' })]);
  });
});

describe('recordProjectProgress', () => {
  it('appends entries, never overwriting, and keeps the latest as progressPercent', async () => {
    const project = await ready();
    await status(project.id, 1, 'IN_PROGRESS');
    const before = await written();
    const first = await progress(project.id, 30, { note: '主体施工', asOf: '2026-06-30' });
    expect(first.userErrors).toEqual([]);
    expect(first.progress).toMatchObject({ percent: 30, note: '主体施工', asOf: '2026-06-30', recordedBy: { role: 'COUNTY_ADMIN' } });
    const second = await progress(project.id, 55, { blockers: '雨季', asOf: '2026-09-30' });
    expect(second.project).toMatchObject({ progressPercent: 55, progressAsOf: '2026-09-30', version: 2 });
    expect(await written()).toEqual({ ...before, entries: before.entries + 2, events: before.events + 2 });

    const data = await app.query(ProjectByIdDocument, { id: project.id }, { token: admin });
    expect(data.node).toMatchObject({
      progressPercent: 55,
      progress: {
        totalCount: 2,
        nodes: [
          { percent: 55, asOf: '2026-09-30' },
          { percent: 30, note: '主体施工', asOf: '2026-06-30' },
        ],
      },
    });
  });

  it('rejects a fall without a note, an earlier or future asOf and an out-of-range percent, writing nothing; a fall with a note is kept', async () => {
    const project = await ready();
    await status(project.id, 1, 'IN_PROGRESS');
    await progress(project.id, 60, { asOf: '2026-09-30' });
    const before = await written();
    expect((await progress(project.id, 50)).userErrors).toEqual([expect.objectContaining({ field: ['input', 'note'], code: 'BAD_USER_INPUT' })]);
    expect((await progress(project.id, 70, { asOf: '2026-09-01' })).userErrors).toEqual([
      expect.objectContaining({ field: ['input', 'asOf'], code: 'BAD_USER_INPUT' }),
    ]);
    expect((await progress(project.id, 70, { asOf: '2099-01-01' })).userErrors).toEqual([
      expect.objectContaining({ field: ['input', 'asOf'], code: 'BAD_USER_INPUT' }),
    ]);
    expect((await progress(project.id, 101)).userErrors).toEqual([expect.objectContaining({ field: ['input', 'percent'], code: 'BAD_USER_INPUT' })]);
    expect(await written()).toEqual(before);

    const fall = await progress(project.id, 50, { note: '重新核定工程量,进度下调', asOf: '2026-10-31' });
    expect(fall.project).toMatchObject({ progressPercent: 50 });
    const entries = await app.rows<{ percent: number }>(
      'select percent from project_progress where project_id = (select max(id) from project where id = ?) order by id',
      [Number(Buffer.from(project.id, 'base64url').toString().split(':')[1])],
    );
    expect(entries.map((e) => e.percent)).toEqual([60, 50]);
  });

  it('pages the history newest first', async () => {
    const project = await ready();
    for (const [percent, asOf] of [
      [10, '2026-03-31'],
      [20, '2026-04-30'],
      [30, '2026-05-31'],
      [40, '2026-06-30'],
      [50, '2026-07-31'],
    ] as const) {
      expect((await progress(project.id, percent, { asOf })).userErrors).toEqual([]);
    }
    const seen: number[] = [];
    let after: string | null = null;
    for (;;) {
      const data: ProjectProgressPageQuery = await app.query(ProjectProgressPageDocument, { id: project.id, first: 2, after }, { token: admin });
      const page: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor?: string | null }; nodes: { percent: number }[] } = (
        data.node as { progress: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor?: string | null }; nodes: { percent: number }[] } }
      ).progress;
      expect(page.totalCount).toBe(5);
      seen.push(...page.nodes.map((n) => n.percent));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual([50, 40, 30, 20, 10]);
  });

  it('records nothing for a completed project', async () => {
    const project = await ready();
    const started = await status(project.id, 1, 'IN_PROGRESS');
    await status(project.id, started.project!.version, 'COMPLETED');
    const before = await written();
    expect((await progress(project.id, 100)).userErrors).toEqual([expect.objectContaining({ field: ['input', 'project'], code: 'BAD_USER_INPUT' })]);
    expect(await written()).toEqual(before);
  });
});

describe('a project that builds a facility', () => {
  it('puts the facility under construction when it starts and BUILT when it completes, each with its own event', async () => {
    const created = await app.query(
      CreateFacilityDocument,
      { input: { name: '铁佛镇失能半失能养护院', type: 'DISABLED_ELDERLY_CARE_HOME', area: TIEFO, operatingModel: 'PUBLIC', beds: 100 } },
      { token: admin },
    );
    const facility = created.createFacility.facility!;
    const project = await ready({ facility: facility.id });
    expect(project.facility).toMatchObject({ id: facility.id, status: 'PLANNED' });

    const beforeStart = await written();
    const started = await status(project.id, 1, 'IN_PROGRESS');
    expect(started.project!.facility).toMatchObject({ status: 'UNDER_CONSTRUCTION', version: 2 });
    expect(await written()).toEqual({
      ...beforeStart,
      events: beforeStart.events + 2,
      versions: beforeStart.versions + 1,
      facilityVersions: beforeStart.facilityVersions + 1,
    });

    // A stale completion moves neither the project nor the facility.
    const beforeStale = await written();
    expect((await status(project.id, 1, 'COMPLETED')).userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    expect(await written()).toEqual(beforeStale);

    const done = await status(project.id, started.project!.version, 'COMPLETED');
    expect(done.project).toMatchObject({ status: 'COMPLETED', facility: { status: 'BUILT', version: 3 } });
    expect(await written()).toEqual({
      ...beforeStale,
      events: beforeStale.events + 2,
      versions: beforeStale.versions + 1,
      facilityVersions: beforeStale.facilityVersions + 1,
    });
    const events = await app.rows<{ subject_kind: string; action: string; after: { status: string } }>(
      'select subject_kind, action, after from progress_update order by sequence desc limit 2',
    );
    expect(events.reverse()).toEqual([
      { subject_kind: 'PROJECT', action: 'STATUS_CHANGED', after: { name: expect.any(String), ownerSection: ELDERLY, status: 'COMPLETED' } },
      { subject_kind: 'FACILITY', action: 'STATUS_CHANGED', after: { status: 'BUILT', openedOn: null } },
    ]);
    const read = await app.query(FacilityByIdDocument, { id: facility.id }, { token: admin });
    expect(read.node).toMatchObject({ status: 'BUILT' });
  });

  it('leaves a facility that is already operating where it is (one event only)', async () => {
    const created = await app.query(
      CreateFacilityDocument,
      { input: { name: '铁佛镇敬老院', type: 'NURSING_HOME', area: TIEFO, operatingModel: 'PUBLIC', status: 'OPERATING', beds: 40 } },
      { token: admin },
    );
    const project = await ready({ facility: created.createFacility.facility!.id, name: '铁佛镇敬老院提升改造' });
    const before = await written();
    const started = await status(project.id, 1, 'IN_PROGRESS');
    expect(started.project!.facility).toMatchObject({ status: 'OPERATING', version: 1 });
    expect(await written()).toEqual({ ...before, events: before.events + 1, versions: before.versions + 1 });
  });
});

describe('milestones', () => {
  it('marks a milestone done once, with one event', async () => {
    const project = await ready();
    const before = await written();
    const done = await app.query(
      CompleteMilestoneDocument,
      { input: { project: project.id, version: 1, position: 1, doneDate: '2026-09-12' } },
      { token: admin },
    );
    expect(done.completeMilestone.project!.milestones[0]).toEqual({ position: 1, name: '主体完工', dueDate: '2026-08-31', doneDate: '2026-09-12' });
    expect(await written()).toEqual({ ...before, events: before.events + 1, versions: before.versions + 1 });
    const again = await app.query(CompleteMilestoneDocument, { input: { project: project.id, version: 2, position: 1 } }, { token: admin });
    expect(again.completeMilestone.userErrors).toEqual([expect.objectContaining({ field: ['input', 'position'], code: 'BAD_USER_INPUT' })]);
    const missing = await app.query(CompleteMilestoneDocument, { input: { project: project.id, version: 2, position: 9 } }, { token: admin });
    expect(missing.completeMilestone.userErrors).toEqual([expect.objectContaining({ field: ['input', 'position'], code: 'NOT_FOUND' })]);
    expect(await written()).toEqual({ ...before, events: before.events + 1, versions: before.versions + 1 });
  });
});

describe('optimistic concurrency', () => {
  it('gives CONFLICT for a stale version and lets one of two concurrent edits win', async () => {
    const project = await ready();
    await app.query(UpdateProjectDocument, { input: { id: project.id, version: 1, securedFunding: '3000000.00' } }, { token: admin });
    const before = await written();
    const stale = await app.query(UpdateProjectDocument, { input: { id: project.id, version: 1, name: '改名' } }, { token: admin });
    expect(stale.updateProject).toEqual({ project: null, userErrors: [expect.objectContaining({ field: ['input', 'version'], code: 'CONFLICT' })] });
    expect(await written()).toEqual(before);

    for (let round = 0; round < 3; round++) {
      const fresh = await ready();
      const start = await written();
      const results = await Promise.all([
        app.query(UpdateProjectDocument, { input: { id: fresh.id, version: 1, plannedInvestment: '1.00' } }, { token: admin }).then((d) => d.updateProject),
        app
          .query(
            SetProjectTeamDocument,
            { input: { project: fresh.id, version: 1, leadOfficial: { name: '新', title: '局长' }, taskForce: FORCE } },
            { token: admin },
          )
          .then((d) => d.setProjectTeam),
        app
          .query(ChangeProjectStatusDocument, { input: { id: fresh.id, version: 1, status: 'IN_PROGRESS' } }, { token: admin })
          .then((d) => d.changeProjectStatus),
      ]);
      expect(results.filter((r) => r.project)).toHaveLength(1);
      expect(results.filter((r) => r.userErrors[0]?.code === 'CONFLICT')).toHaveLength(2);
      expect(await written()).toEqual({ ...start, events: start.events + 1, versions: start.versions + 1 });
    }
  });
});

describe('who may change projects', () => {
  it('rejects anonymous callers, VIEWERs, village operators and other townships, writing nothing', async () => {
    const project = await ready();
    const before = await written();
    const tokens: [string | undefined, string][] = [
      [undefined, 'UNAUTHENTICATED'],
      [await app.token('VIEWER', '511921'), 'FORBIDDEN'],
      [await app.token('VILLAGE_OPERATOR', PINGBA), 'FORBIDDEN'],
      [await app.token('TOWNSHIP_OPERATOR', MASHI), 'FORBIDDEN'],
    ];
    for (const [token, code] of tokens) {
      const attempts = [
        app.request(CreateProjectDocument, { input: { name: 'x', category: 'OTHER', area: PINGBA, ownerSection: ELDERLY } }, { token }),
        app.request(UpdateProjectDocument, { input: { id: project.id, version: 1, name: 'y' } }, { token }),
        app.request(SetProjectTeamDocument, { input: { project: project.id, version: 1, leadOfficial: LEAD, taskForce: FORCE } }, { token }),
        app.request(SetProjectPlanDocument, { input: { project: project.id, version: 1, milestones: PLAN } }, { token }),
        app.request(CompleteMilestoneDocument, { input: { project: project.id, version: 1, position: 1 } }, { token }),
        app.request(ChangeProjectStatusDocument, { input: { id: project.id, version: 1, status: 'IN_PROGRESS' } }, { token }),
        app.request(RecordProjectProgressDocument, { input: { project: project.id, percent: 5 } }, { token }),
      ];
      for (const result of await Promise.all(attempts)) expect(result.errors?.[0]?.extensions?.code).toBe(code);
    }
    expect(await written()).toEqual(before);
  });

  it('lets a township operator run projects in their township but not link a facility elsewhere', async () => {
    const township = await app.token('TOWNSHIP_OPERATOR', TIEFO);
    const ours = await create({ leadOfficial: LEAD, taskForce: FORCE, milestones: PLAN, name: '铁佛镇未成年人保护工作站' }, township);
    expect((await status(ours.id, 1, 'IN_PROGRESS', township)).project).toMatchObject({ status: 'IN_PROGRESS' });
    expect((await progress(ours.id, 20, {}, township)).project).toMatchObject({ progressPercent: 20 });

    const elsewhere = await app.query(
      CreateFacilityDocument,
      { input: { name: '麻石镇敬老院', type: 'NURSING_HOME', area: MASHI, operatingModel: 'PUBLIC' } },
      { token: admin },
    );
    const before = await written();
    const linked = await app.request(
      CreateProjectDocument,
      { input: { name: 'x', category: 'OTHER', area: TIEFO, ownerSection: ELDERLY, facility: elsewhere.createFacility.facility!.id } },
      { token: township },
    );
    expect(linked.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await written()).toEqual(before);
  });
});

describe('Area.projects', () => {
  it('lists projects of the subtree by status, as far as the caller may read', async () => {
    const county = await app.query(AreaProjectsDocument, { code: '511921' }, { token: admin });
    const inProgress = await app.query(AreaProjectsDocument, { code: '511921', statuses: ['IN_PROGRESS'] }, { token: admin });
    expect(inProgress.area!.projects.nodes.length).toBeGreaterThan(0);
    expect(inProgress.area!.projects.nodes.every((p) => p.status === 'IN_PROGRESS')).toBe(true);
    expect(inProgress.area!.projects.totalCount).toBe(county.area!.projects.nodes.filter((p) => p.status === 'IN_PROGRESS').length);

    const other = await app.query(AreaProjectsDocument, { code: '511921' }, { token: await app.token('VIEWER', MASHI) });
    expect(other.area!.projects.totalCount).toBe(0);
    expect((await app.query(AreaProjectsDocument, { code: '511921' })).area!.projects.totalCount).toBe(0);
    const own = await app.query(AreaProjectsDocument, { code: TIEFO, includeDescendants: false, first: 3 }, { token: await app.token('VIEWER', TIEFO) });
    expect(own.area!.projects.nodes).toHaveLength(3);
    expect(own.area!.projects.pageInfo.hasNextPage).toBe(true);
    const anon = await app.request(ProjectByIdDocument, { id: own.area!.projects.nodes[0].id });
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('责任股室 (ownerSection)', () => {
  let staff: string;
  let otherStaff: string;
  beforeAll(async () => {
    staff = await app.token('SECTION_STAFF', '511921', { name: '养老服务股 赵', section: ELDERLY });
    otherStaff = await app.token('SECTION_STAFF', '511921', { name: '儿童福利股 郑', section: CHILDREN });
  });

  const lastEvent = async () =>
    (
      await app.rows<{
        subject_id: string;
        action: string;
        actor_role: string;
        summary: string;
        before: Record<string, unknown> | null;
        after: Record<string, unknown>;
      }>('select subject_id, action, actor_role, summary, before, after from progress_update order by sequence desc limit 1')
    )[0];

  it('is required on create and stored trimmed; the CREATED event names it', async () => {
    const project = await create({ name: '铁佛镇居家养老服务站', ownerSection: `  ${ELDERLY} ` });
    expect(project.ownerSection).toBe(ELDERLY);
    const [stored] = await app.rows<{ owner_section: string }>('select owner_section from project order by id desc limit 1');
    expect(stored.owner_section).toBe(ELDERLY);
    const event = await lastEvent();
    expect(event).toMatchObject({ subject_id: project.id, action: 'CREATED', after: expect.objectContaining({ ownerSection: ELDERLY }) });
    expect(event.summary).toContain(`责任股室 ${ELDERLY}`);
  });

  it('answers a blank or over-long section with a userError on ownerSection (create and update), and a missing one with a GraphQL error, writing nothing', async () => {
    const project = await create();
    const before = await written();
    for (const ownerSection of ['', '   ', '股'.repeat(51)]) {
      const created = await app.query(CreateProjectDocument, { input: { name: 'x', category: 'OTHER', area: TIEFO, ownerSection } }, { token: admin });
      expect(created.createProject, JSON.stringify(ownerSection)).toEqual({
        project: null,
        userErrors: [expect.objectContaining({ field: ['input', 'ownerSection'], code: 'BAD_USER_INPUT' })],
      });
      const updated = await app.query(UpdateProjectDocument, { input: { id: project.id, version: 1, ownerSection } }, { token: admin });
      expect(updated.updateProject, JSON.stringify(ownerSection)).toEqual({
        project: null,
        userErrors: [expect.objectContaining({ field: ['input', 'ownerSection'], code: 'BAD_USER_INPUT' })],
      });
    }
    const missing = await app.request(
      `mutation { createProject(input: { name: "x", category: OTHER, area: "${TIEFO}" }) { userErrors { field } } }`,
      {},
      { token: admin },
    );
    expect(missing.errors?.[0]?.message).toMatch(/ownerSection/);
    expect(await written()).toEqual(before);
  });

  it('filters Area.projects by section, in a constant number of statements', async () => {
    const [first, second] = ['甲测试股', '乙测试股'];
    for (const [name, ownerSection] of [
      ['筛选项目一', first],
      ['筛选项目二', first],
      ['筛选项目三', second],
    ] as const)
      await create({ name, ownerSection });
    const ofFirst = await app.query(AreaProjectsDocument, { code: TIEFO, ownerSection: first }, { token: admin });
    expect(ofFirst.area!.projects.totalCount).toBe(2);
    expect(ofFirst.area!.projects.nodes.map((p) => [p.name, p.ownerSection])).toEqual([
      ['筛选项目一', first],
      ['筛选项目二', first],
    ]);
    const trimmed = await app.query(AreaProjectsDocument, { code: '511921', ownerSection: ` ${second} ` }, { token: staff });
    expect(trimmed.area!.projects.nodes.map((p) => p.name)).toEqual(['筛选项目三']);
    expect((await app.query(AreaProjectsDocument, { code: TIEFO, ownerSection: '没有这个股' }, { token: admin })).area!.projects.totalCount).toBe(0);
    const all = await app.query(AreaProjectsDocument, { code: TIEFO }, { token: admin });
    expect(all.area!.projects.totalCount).toBeGreaterThan(3);

    const many = '丙测试股';
    for (let i = 1; i <= 6; i++) await create({ name: `筛选批量${i}`, ownerSection: many, area: i % 2 ? TIEFO : PINGBA });
    const small = await app.measure(() => app.query(AreaProjectsDocument, { code: '511921', ownerSection: second }, { token: admin }));
    const large = await app.measure(() => app.query(AreaProjectsDocument, { code: '511921', ownerSection: many }, { token: admin }));
    expect(small.result.area!.projects.nodes).toHaveLength(1);
    expect(large.result.area!.projects.nodes).toHaveLength(6);
    expect(large.count).toBe(small.count);
    expect(small.count).toBeLessThanOrEqual(3);
  });

  it("lets section staff create, edit, plan, start and record progress on their own section's projects", async () => {
    const project = await create({ name: '铁佛镇日间照料中心', ownerSection: ELDERLY }, staff);
    expect(await lastEvent()).toMatchObject({ actor_role: 'SECTION_STAFF', action: 'CREATED' });
    const renamed = await app.query(
      UpdateProjectDocument,
      { input: { id: project.id, version: 1, name: '铁佛镇日间照料中心(改)', ownerSection: ELDERLY } },
      { token: staff },
    );
    expect(renamed.updateProject).toMatchObject({ userErrors: [], project: { version: 2, ownerSection: ELDERLY } });
    const team = await app.query(
      SetProjectTeamDocument,
      { input: { project: project.id, version: 2, leadOfficial: LEAD, taskForce: FORCE } },
      { token: staff },
    );
    expect(team.setProjectTeam.userErrors).toEqual([]);
    const plan = await app.query(SetProjectPlanDocument, { input: { project: project.id, version: 3, milestones: PLAN } }, { token: staff });
    expect(plan.setProjectPlan.userErrors).toEqual([]);
    const done = await app.query(
      CompleteMilestoneDocument,
      { input: { project: project.id, version: 4, position: 1, doneDate: '2026-09-12' } },
      { token: staff },
    );
    expect(done.completeMilestone.userErrors).toEqual([]);
    expect((await status(project.id, 5, 'IN_PROGRESS', staff)).project).toMatchObject({ status: 'IN_PROGRESS', version: 6 });
    expect((await progress(project.id, 30, { note: '场地改造' }, staff)).project).toMatchObject({ progressPercent: 30 });
    expect(await lastEvent()).toMatchObject({
      actor_role: 'SECTION_STAFF',
      action: 'PROGRESS_RECORDED',
      after: expect.objectContaining({ ownerSection: ELDERLY }),
    });
  });

  it("refuses section staff on another section's projects (and without a section claim) with FORBIDDEN on every mutation, writing nothing", async () => {
    const project = await ready({ name: '铁佛镇敬老院消防改造', ownerSection: ELDERLY });
    const noSection = await app.token('SECTION_STAFF', '511921');
    const before = await written();
    for (const token of [otherStaff, noSection]) {
      const attempts = [
        app.request(CreateProjectDocument, { input: { name: 'x', category: 'ELDERLY_CARE', area: TIEFO, ownerSection: ELDERLY } }, { token }),
        app.request(UpdateProjectDocument, { input: { id: project.id, version: 1, name: 'y' } }, { token }),
        app.request(UpdateProjectDocument, { input: { id: project.id, version: 1, ownerSection: CHILDREN } }, { token }),
        app.request(SetProjectTeamDocument, { input: { project: project.id, version: 1, leadOfficial: LEAD, taskForce: [] } }, { token }),
        app.request(SetProjectPlanDocument, { input: { project: project.id, version: 1, milestones: [PLAN[0]] } }, { token }),
        app.request(CompleteMilestoneDocument, { input: { project: project.id, version: 1, position: 1 } }, { token }),
        app.request(ChangeProjectStatusDocument, { input: { id: project.id, version: 1, status: 'IN_PROGRESS' } }, { token }),
        app.request(RecordProjectProgressDocument, { input: { project: project.id, percent: 5 } }, { token }),
      ];
      for (const result of await Promise.all(attempts)) expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    }
    expect(await written()).toEqual(before);
    // Reading stays county-wide.
    expect((await app.query(ProjectByIdDocument, { id: project.id }, { token: otherStaff })).node).toMatchObject({ ownerSection: ELDERLY });
  });

  it('does not let section staff hand a project to another section; an admin or the township may, and the event names both sections', async () => {
    const project = await create({ name: '铁佛镇儿童之家', ownerSection: ELDERLY }, staff);
    const before = await written();
    for (const version of [1, 99]) {
      const handOff = await app.request(UpdateProjectDocument, { input: { id: project.id, version, ownerSection: CHILDREN } }, { token: staff });
      expect(
        handOff.errors?.map((e) => e.extensions?.code),
        `version ${version}`,
      ).toEqual(['FORBIDDEN']);
    }
    const createForOther = await app.request(
      CreateProjectDocument,
      { input: { name: 'x', category: 'MINOR_PROTECTION', area: TIEFO, ownerSection: CHILDREN } },
      { token: staff },
    );
    expect(createForOther.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await written()).toEqual(before);

    const moved = await app.query(UpdateProjectDocument, { input: { id: project.id, version: 1, ownerSection: ` ${CHILDREN}` } }, { token: admin });
    expect(moved.updateProject).toMatchObject({ userErrors: [], project: { ownerSection: CHILDREN, version: 2 } });
    expect(await written()).toEqual({ ...before, events: before.events + 1, versions: before.versions + 1 });
    const event = await lastEvent();
    expect(event).toMatchObject({
      subject_id: project.id,
      action: 'UPDATED',
      before: { ownerSection: ELDERLY },
      after: { name: '铁佛镇儿童之家', ownerSection: CHILDREN },
    });
    expect(event.summary).toBe(`铁佛镇儿童之家 修改 责任股室 ${ELDERLY} → ${CHILDREN}`);

    // Now the other section's staff run it, and the former section's do not.
    const refused = await app.request(RecordProjectProgressDocument, { input: { project: project.id, percent: 10 } }, { token: staff });
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect((await progress(project.id, 10, {}, otherStaff)).project).toMatchObject({ progressPercent: 10 });

    // The township's office keeps what it had: it may reassign a project of its township.
    const township = await app.token('TOWNSHIP_OPERATOR', TIEFO);
    const back = await app.query(UpdateProjectDocument, { input: { id: project.id, version: 2, ownerSection: ELDERLY } }, { token: township });
    expect(back.updateProject).toMatchObject({ userErrors: [], project: { ownerSection: ELDERLY, version: 3 } });
    // Giving the section it already has changes nothing.
    const same = await written();
    expect(
      (await app.query(UpdateProjectDocument, { input: { id: project.id, version: 3, ownerSection: ELDERLY } }, { token: staff })).updateProject,
    ).toMatchObject({ userErrors: [], project: { version: 3 } });
    expect(await written()).toEqual(same);
  });
});

describe('references', () => {
  it('answers an unknown or foreign ID with NOT_FOUND and a malformed one with BAD_USER_INPUT', async () => {
    const unknown = Buffer.from('Project:999999').toString('base64url');
    const area = Buffer.from('Area:511921000000').toString('base64url');
    const a = await app.query(UpdateProjectDocument, { input: { id: unknown, version: 1, name: 'x' } }, { token: admin });
    expect(a.updateProject.userErrors).toEqual([expect.objectContaining({ field: ['input', 'id'], code: 'NOT_FOUND' })]);
    const b = await app.query(RecordProjectProgressDocument, { input: { project: area, percent: 1 } }, { token: admin });
    expect(b.recordProjectProgress.userErrors).toEqual([expect.objectContaining({ field: ['input', 'project'], code: 'NOT_FOUND' })]);
    const c = await app.query(SetProjectPlanDocument, { input: { project: 'nonsense', version: 1, milestones: [] } }, { token: admin });
    expect(c.setProjectPlan.userErrors).toEqual([expect.objectContaining({ field: ['input', 'project'], code: 'BAD_USER_INPUT' })]);
    const d = await app.query(
      CreateProjectDocument,
      { input: { name: 'x', category: 'OTHER', area: TIEFO, ownerSection: ELDERLY, facility: unknown } },
      { token: admin },
    );
    expect(d.createProject.userErrors).toEqual([expect.objectContaining({ field: ['input', 'facility'], code: 'NOT_FOUND' })]);
    const anonymous = await app.request(UpdateProjectDocument, { input: { id: 'nonsense', version: 1 } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
