import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * 幂等键 (issue 30, item 2): a retried entry write (the dashboard's offline queue
 * sends again when it never heard the answer) applies once — one figure change,
 * one audit row, one progress event — and answers as the first time.
 */
const COUNTY = '511921';
const TIEFO = '511921104'; // 铁佛镇
const MASHI = '511921105'; // 麻石镇

let app: TestApp;
let admin: string;
let tiefoOp: string;
let village: string;
let villageOp: string;
let otherVillageOp: string;

type UserErrors = { userErrors: { field: string[] | null; code: string; messageZh: string }[] };
type Report = UserErrors & { observations: { indicator: { code: string }; persons: number; version: number }[] | null };

const REPORT = `mutation($input: ReportObservationsInput!) {
  reportObservations(input: $input) { observations { indicator { code } persons version period updatedAt } userErrors { field code messageZh } } }`;
const TASK_PROGRESS = `mutation($input: RecordTaskProgressInput!) {
  recordTaskProgress(input: $input) { assignment { id done version } userErrors { field code messageZh } } }`;
const PROJECT_PROGRESS = `mutation($input: RecordProjectProgressInput!) {
  recordProjectProgress(input: $input) { project { id progressPercent } progress { id percent } userErrors { field code messageZh } } }`;

async function count(table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const [row] = await app.rows<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`, params);
  return row.n;
}

/** What one write leaves behind: audit rows, progress events, figure changes, progress entries, keys. */
async function counts() {
  return {
    audit: await count('audit_log'),
    events: await count('progress_update'),
    changes: await count('observation_change'),
    taskProgress: await count('task_progress'),
    projectProgress: await count('project_progress'),
    keys: await count('idempotency_key'),
  };
}

function report(token: string, input: Record<string, unknown>) {
  return app.query<{ reportObservations: Report }, unknown>(REPORT, { input }, { token });
}

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', COUNTY);
  tiefoOp = await app.token('TOWNSHIP_OPERATOR', TIEFO, { name: '铁佛镇民政办' });
  const villages = await app.rows<{ code: string }>(`select code from area where level = 'VILLAGE' and code like ? order by code limit 2`, [`${TIEFO}%`]);
  village = villages[0].code;
  villageOp = await app.token('VILLAGE_OPERATOR', village, { name: '村民政协理员' });
  otherVillageOp = await app.token('VILLAGE_OPERATOR', villages[1].code, { name: '邻村协理员' });
}, 60_000);
afterAll(() => app?.close());

describe('idempotency keys on entry writes', () => {
  it('reportObservations: the same key and input twice applies once and answers alike', async () => {
    const input = {
      area: village,
      period: '2026-05',
      values: [{ indicator: 'ORPHANS', value: '7', version: 0 }],
      idempotencyKey: 'a3f1c2d4-0000-4000-8000-000000000001',
    };
    const before = await counts();
    const first = await report(villageOp, input);
    expect(first.reportObservations.userErrors).toEqual([]);
    const afterFirst = await counts();
    expect(afterFirst).toEqual({ ...before, audit: before.audit + 1, events: before.events + 1, changes: before.changes + 1, keys: before.keys + 1 });
    const second = await report(villageOp, input);
    expect(second).toEqual(first);
    expect(await counts(), 'no second audit row, event or change').toEqual(afterFirst);
    const [stored] = await app.rows<{ value: string; version: number }>(
      `select value::text as value, version from observation where area_code = ? and indicator = 'ORPHANS' and period_month = '2026-05-01'`,
      [village],
    );
    expect(stored).toEqual({ value: '7.00', version: 1 });
  });

  it('the same key with another input is a CONFLICT on idempotencyKey, in Chinese, and changes nothing', async () => {
    const key = 'a3f1c2d4-0000-4000-8000-000000000002';
    const ok = await report(villageOp, { area: village, period: '2026-04', values: [{ indicator: 'ORPHANS', value: '3', version: 0 }], idempotencyKey: key });
    expect(ok.reportObservations.userErrors).toEqual([]);
    const before = await counts();
    const other = await report(villageOp, {
      area: village,
      period: '2026-04',
      values: [{ indicator: 'ORPHANS', value: '4', version: 1 }],
      idempotencyKey: key,
    });
    expect(other.reportObservations.observations).toBeNull();
    expect(other.reportObservations.userErrors).toEqual([
      { field: ['input', 'idempotencyKey'], code: 'CONFLICT', messageZh: '该幂等键已用于另一次填报，内容不同：请为新的填报生成新的幂等键' },
    ]);
    const after = await counts();
    expect({ ...after, audit: before.audit }).toEqual(before); // only the refusal's own audit row (USER_ERRORS)
    const [stored] = await app.rows<{ value: string }>(
      `select value::text as value from observation where area_code = ? and indicator = 'ORPHANS' and period_month = '2026-04-01'`,
      [village],
    );
    expect(stored.value).toBe('3.00');
  });

  it("different callers' same key do not collide", async () => {
    const key = 'a3f1c2d4-0000-4000-8000-000000000003';
    const [mine, theirs] = [
      village,
      (await app.rows<{ code: string }>(`select code from area where level = 'VILLAGE' and code like ? order by code limit 1 offset 1`, [`${TIEFO}%`]))[0].code,
    ];
    const before = await counts();
    expect(
      (await report(villageOp, { area: mine, period: '2026-03', values: [{ indicator: 'ORPHANS', value: '1' }], idempotencyKey: key })).reportObservations
        .userErrors,
    ).toEqual([]);
    expect(
      (await report(otherVillageOp, { area: theirs, period: '2026-03', values: [{ indicator: 'ORPHANS', value: '2' }], idempotencyKey: key }))
        .reportObservations.userErrors,
    ).toEqual([]);
    const after = await counts();
    expect(after.changes - before.changes).toBe(2);
    expect(after.keys - before.keys).toBe(2);
  });

  it('a write refused (stale version) gives its key back; a malformed key is a field error', async () => {
    const key = 'a3f1c2d4-0000-4000-8000-000000000004';
    const stale = await report(villageOp, {
      area: village,
      period: '2026-05',
      values: [{ indicator: 'ORPHANS', value: '9', version: 0 }],
      idempotencyKey: key,
    });
    expect(stale.reportObservations.userErrors.map((e) => e.code)).toEqual(['CONFLICT']);
    expect(await count('idempotency_key', 'key = ?', [key])).toBe(0);
    const fixed = await report(villageOp, {
      area: village,
      period: '2026-05',
      values: [{ indicator: 'ORPHANS', value: '9', version: 1 }],
      idempotencyKey: key,
    });
    expect(fixed.reportObservations.userErrors).toEqual([]);
    const bad = await report(villageOp, { area: village, period: '2026-05', values: [{ indicator: 'ORPHANS', value: '10', version: 2 }], idempotencyKey: 'x' });
    expect(bad.reportObservations.userErrors).toMatchObject([{ field: ['input', 'idempotencyKey'], code: 'BAD_USER_INPUT' }]);
  });

  it('recordTaskProgress and recordProjectProgress: a retried send applies once', async () => {
    const created = await app.query<{ createTask: { task: { assignments: { id: string; version: number }[] } } }, unknown>(
      `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { assignments { id version } } userErrors { message } } }`,
      {
        input: {
          title: '幂等测试任务',
          category: 'SOCIAL_AFFAIRS',
          area: COUNTY,
          ownerSection: '社会事务股',
          target: 30,
          unit: '处',
          startDate: '2026-01-01',
          deadline: '2026-12-31',
          assignments: [
            { area: TIEFO, target: 20 },
            { area: MASHI, target: 10 },
          ],
        },
      },
      { token: admin },
    );
    const assignment = created.createTask.task.assignments[0];
    const taskInput = {
      assignment: assignment.id,
      version: assignment.version,
      done: 5,
      asOf: '2026-06-30',
      idempotencyKey: 'b3f1c2d4-0000-4000-8000-000000000001',
    };
    const before = await counts();
    const first = await app.query<{ recordTaskProgress: UserErrors }, unknown>(TASK_PROGRESS, { input: taskInput }, { token: tiefoOp });
    expect(first.recordTaskProgress.userErrors).toEqual([]);
    const second = await app.query<{ recordTaskProgress: UserErrors }, unknown>(TASK_PROGRESS, { input: taskInput }, { token: tiefoOp });
    expect(second).toEqual(first);
    const afterTask = await counts();
    expect(afterTask).toEqual({ ...before, audit: before.audit + 1, events: before.events + 1, taskProgress: before.taskProgress + 1, keys: before.keys + 1 });

    const project = await app.query<{ createProject: { project: { id: string } } }, unknown>(
      `mutation { createProject(input: { name: "幂等测试项目", category: OTHER, area: "${TIEFO}", ownerSection: "养老服务股" }) { project { id } } }`,
      undefined,
      { token: admin },
    );
    const projectInput = {
      project: project.createProject.project.id,
      percent: 40,
      asOf: '2026-06-30',
      note: null,
      idempotencyKey: 'b3f1c2d4-0000-4000-8000-000000000002',
    };
    const start = await counts();
    const p1 = await app.query<{ recordProjectProgress: UserErrors }, unknown>(PROJECT_PROGRESS, { input: projectInput }, { token: tiefoOp });
    expect(p1.recordProjectProgress.userErrors).toEqual([]);
    // The retry omits the null note: the same input.
    const { note: _note, ...sameInput } = projectInput;
    const p2 = await app.query<{ recordProjectProgress: UserErrors }, unknown>(PROJECT_PROGRESS, { input: sameInput }, { token: tiefoOp });
    expect(p2).toEqual(p1);
    expect(await counts()).toEqual({
      ...start,
      audit: start.audit + 1,
      events: start.events + 1,
      projectProgress: start.projectProgress + 1,
      keys: start.keys + 1,
    });
  });

  it('completeMilestone: a retried send applies once (not a CONFLICT on the version it moved); the same key for another milestone is a CONFLICT', async () => {
    const MILESTONE = `mutation($input: CompleteMilestoneInput!) {
      completeMilestone(input: $input) { project { id version milestones { position doneDate } } userErrors { field code messageZh } } }`;
    type Completed = { completeMilestone: UserErrors & { project: { version: number; milestones: { position: number; doneDate: string | null }[] } | null } };
    const created = await app.query<{ createProject: { project: { id: string; version: number } } }, unknown>(
      `mutation { createProject(input: { name: "幂等节点项目", category: OTHER, area: "${TIEFO}", ownerSection: "养老服务股" }) { project { id version } } }`,
      undefined,
      { token: admin },
    );
    const { id, version } = created.createProject.project;
    const planned = await app.query<{ setProjectPlan: { project: { version: number } } & UserErrors }, unknown>(
      `mutation($input: SetProjectPlanInput!) { setProjectPlan(input: $input) { project { version } userErrors { field code messageZh } } }`,
      {
        input: {
          project: id,
          version,
          milestones: [
            { name: '立项', dueDate: '2026-03-31' },
            { name: '开工', dueDate: '2026-06-30' },
          ],
        },
      },
      { token: admin },
    );
    expect(planned.setProjectPlan.userErrors).toEqual([]);
    const input = {
      project: id,
      version: planned.setProjectPlan.project.version,
      position: 1,
      doneDate: '2026-03-20',
      idempotencyKey: 'd3f1c2d4-0000-4000-8000-000000000001',
    };
    const before = await counts();
    const first = await app.query<Completed, unknown>(MILESTONE, { input }, { token: tiefoOp });
    expect(first.completeMilestone.userErrors).toEqual([]);
    expect(first.completeMilestone.project!.milestones).toEqual([
      { position: 1, doneDate: '2026-03-20' },
      { position: 2, doneDate: null },
    ]);
    const afterFirst = await counts();
    expect(afterFirst).toEqual({ ...before, audit: before.audit + 1, events: before.events + 1, keys: before.keys + 1 });
    // The retry carries the version the first send moved on: answered as the first time, nothing applied again.
    const second = await app.query<Completed, unknown>(MILESTONE, { input }, { token: tiefoOp });
    expect(second).toEqual(first);
    expect(await counts(), 'no second audit row or event').toEqual(afterFirst);
    const [stored] = await app.rows<{ version: number }>(`select version from project where name = '幂等节点项目'`);
    expect(stored.version).toBe(input.version + 1);

    // The same key for the other milestone: a CONFLICT on idempotencyKey, in Chinese; milestone 2 stays open.
    const other = await app.query<Completed, unknown>(MILESTONE, { input: { ...input, version: stored.version, position: 2 } }, { token: tiefoOp });
    expect(other.completeMilestone.project).toBeNull();
    expect(other.completeMilestone.userErrors).toEqual([
      { field: ['input', 'idempotencyKey'], code: 'CONFLICT', messageZh: '该幂等键已用于另一次填报，内容不同：请为新的填报生成新的幂等键' },
    ]);
    const after = await counts();
    expect({ ...after, audit: afterFirst.audit }).toEqual(afterFirst); // only the refusal's own audit row (USER_ERRORS)
    const [plan] = await app.rows<{ milestones: { doneDate?: string | null }[] }>(`select milestones from project where name = '幂等节点项目'`);
    expect(plan.milestones.map((m) => m.doneDate ?? null)).toEqual(['2026-03-20', null]);
  });

  it('keys older than 7 days are pruned when a new key comes in', async () => {
    await app.rows(`update idempotency_key set created_at = now() - interval '8 days' where key = 'a3f1c2d4-0000-4000-8000-000000000001'`);
    await report(villageOp, {
      area: village,
      period: '2026-02',
      values: [{ indicator: 'ORPHANS', value: '1' }],
      idempotencyKey: 'c3f1c2d4-0000-4000-8000-000000000001',
    });
    expect(await count('idempotency_key', `key = 'a3f1c2d4-0000-4000-8000-000000000001'`)).toBe(0);
  });
});
