import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInChina } from '../../src/common/dates.js';
import { fromGlobalId } from '../../src/common/global-id.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { EXTENSION_FIELDS, extensionMutations } from '../support/extensions.js';

/** 延期申请 (issue 31 item 2): requestDeadlineExtension, decideDeadlineExtension, the deadline in force in health and the task list. */

const COUNTY = '511921';
const TIEFO = '511921104'; // 铁佛镇
const SECTION = '社会事务股';

let app: TestApp;
let admin: string;
let staff: string;
let otherStaff: string;
let tiefoOp: string;
let leader: string;
let viewer: string;
let villageOp: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '局长' });
  staff = await app.token('SECTION_STAFF', COUNTY, { name: '社会事务股 王', section: SECTION });
  otherStaff = await app.token('SECTION_STAFF', COUNTY, { name: '养老服务股 赵', section: '养老服务股' });
  tiefoOp = await app.token('TOWNSHIP_OPERATOR', TIEFO, { name: '铁佛镇民政办' });
  leader = await app.token('LEADER', COUNTY, { name: '分管副县长' });
  viewer = await app.token('VIEWER', COUNTY);
  villageOp = await app.token('VILLAGE_OPERATOR', '511921104001', { name: '村' });
});
afterAll(() => app?.close());

const today = () => todayInChina();
/** The leader, who decides requests a county admin made. */
const deciderOfAdmins = () => leader;

const { request, decide, requested, decided } = extensionMutations(() => app);

async function counts() {
  const [row] = await app.rows<{ extensions: string; events: number; tasks: string }>(
    `select (select coalesce(string_agg(id || ':' || state || ':' || coalesce(decided_by_name, ''), ',' order by id), '') from deadline_extension) as extensions,
            (select count(*)::int from progress_update) as events,
            (select string_agg(deadline::text || ':' || version, ',' order by id) from task) as tasks`,
  );
  return row;
}

async function audits(field: string) {
  const [row] = await app.rows<{ n: number }>(`select count(*)::int as n from audit_log where mutation = ? and outcome = 'OK'`, [field]);
  return row.n;
}

let taskTitle = 0;
/** A county task of 社会事务股 from 2026-01-01, 10 处 over 铁佛镇, nothing done; deadline default: two days ago (OVERDUE today). */
async function createTask(deadline = addDays(today(), -2), responsible?: { name: string; title: string; unit: string }) {
  const result = await app.query<any, any>(
    `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } userErrors { message } } }`,
    {
      input: {
        title: `延期测试工作${++taskTitle}`,
        category: 'SOCIAL_AFFAIRS',
        area: COUNTY,
        ownerSection: SECTION,
        target: 10,
        unit: '处',
        startDate: '2026-01-01',
        deadline,
        assignments: [{ area: TIEFO, target: 10 }],
        ...(responsible ? { responsible: { person: responsible } } : {}),
      },
    },
    { token: admin },
  );
  expect(result.createTask.userErrors).toEqual([]);
  return result.createTask.task.id as string;
}

async function taskView(id: string, asOf: string, knownAt?: string) {
  const result = await app.query<any, any>(
    `query($id: ID!, $asOf: LocalDate, $knownAt: DateTimeISO) { node(id: $id) { ... on Task {
       deadline originalDeadline health(asOf: $asOf, knownAt: $knownAt)
       extensions(first: 10) { totalCount nodes { ${EXTENSION_FIELDS} } } } } }`,
    { id, asOf, knownAt },
    { token: admin },
  );
  return result.node;
}

async function overdueList(asOf: string, knownAt?: string): Promise<string[]> {
  const result = await app.query<any, any>(
    `query($asOf: LocalDate, $knownAt: DateTimeISO) { tasks(asOf: $asOf, knownAt: $knownAt, filter: { health: [OVERDUE] }, first: 100) { nodes { id } } }`,
    { asOf, knownAt },
    { token: admin },
  );
  return result.tasks.nodes.map((node: { id: string }) => node.id);
}

async function needsSupervision(asOf: string, knownAt?: string): Promise<string[]> {
  const result = await app.query<any, any>(
    `query($asOf: LocalDate, $knownAt: DateTimeISO) { needsSupervision(asOf: $asOf, knownAt: $knownAt) { targetId health } }`,
    { asOf, knownAt },
    { token: admin },
  );
  return result.needsSupervision.filter((c: { health: string }) => c.health === 'OVERDUE').map((c: { targetId: string }) => c.targetId);
}

/** The task's deadline among the current month's accountability items (overdue or lagging), as known at an instant. */
async function accountabilityDeadline(id: string, knownAt?: string): Promise<string | undefined> {
  const result = await app.query<any, any>(
    `query($month: String!, $knownAt: DateTimeISO) { accountability(month: $month, area: "${COUNTY}", knownAt: $knownAt) { items { subjectId deadline health } } }`,
    { month: today().slice(0, 7), knownAt },
    { token: admin },
  );
  return result.accountability.items.find((item: { subjectId: string; health: string }) => item.subjectId === id && item.health === 'OVERDUE')?.deadline;
}

/** The detail of the task's line in the current month's county report (lagging or overdue), as known at an instant. */
async function reportLine(id: string, knownAt?: string): Promise<string | undefined> {
  const result = await app.query<any, any>(
    `query($month: String!, $knownAt: DateTimeISO) { monthlyReport(month: $month, area: "${COUNTY}", knownAt: $knownAt) {
       laggingTasks { subjectId detail } overdueTasks { subjectId detail } } }`,
    { month: today().slice(0, 7), knownAt },
    { token: admin },
  );
  const report = result.monthlyReport;
  return [...report.laggingTasks, ...report.overdueTasks].find((item: { subjectId: string }) => item.subjectId === id)?.detail;
}

describe('request → approve', () => {
  it('keeps the original deadline visible; health and the task list use the deadline in force at each date, as known at knownAt', async () => {
    const id = await createTask(undefined, { name: '延期责任人', title: '股长', unit: '县民政局社会事务股' });
    const original = addDays(today(), -2);
    const extended = addDays(today(), 60);
    const before = await counts();
    const auditsBefore = [await audits('requestDeadlineExtension'), await audits('decideDeadlineExtension')];

    const ext = await requested(staff, { item: id, newDeadline: extended, reason: '受汛期影响，施工延后' });
    expect(ext).toMatchObject({ item: id, previousDeadline: original, requestedDeadline: extended, approvedDeadline: null, state: 'PENDING', decidedBy: null });
    // Pending changes nothing yet.
    expect(await taskView(id, today())).toMatchObject({ deadline: original, originalDeadline: original, health: 'OVERDUE' });

    const beforeApproval = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const approved = await decided(leader, { request: ext.id, approve: true, note: '同意' });
    expect(approved).toMatchObject({ state: 'APPROVED', approvedDeadline: extended, decidedBy: '分管副县长', note: '同意' });
    expect(approved.decidedAt).toBeTruthy();

    const now = await taskView(id, today());
    expect(now).toMatchObject({ deadline: extended, originalDeadline: original });
    expect(now.health).not.toBe('OVERDUE');
    expect(now.extensions.totalCount).toBe(1);
    expect(now.extensions.nodes[0]).toMatchObject({ state: 'APPROVED', requestedBy: '社会事务股 王', reason: '受汛期影响，施工延后' });
    // As of yesterday (before the decision's date) the original deadline was in force.
    expect((await taskView(id, addDays(today(), -1))).health).toBe('OVERDUE');
    // As known before the approval was recorded, it is invisible.
    expect((await taskView(id, today(), beforeApproval)).health).toBe('OVERDUE');
    // The task list's health filter follows the same rule, in its one statement.
    expect(await overdueList(today())).not.toContain(id);
    expect(await overdueList(addDays(today(), -1))).toContain(id);
    expect(await overdueList(today(), beforeApproval)).toContain(id);

    // The monthly report's line says when it was extended; as known before the approval it is overdue on the original deadline.
    const line = await reportLine(id);
    expect(line).toContain(`已延期至 ${extended},原定 ${original}`);
    expect(await reportLine(id, beforeApproval)).toContain(`时限 ${original},已逾期`);

    // needsSupervision follows the same rule.
    expect(await needsSupervision(today())).not.toContain(id);
    expect(await needsSupervision(addDays(today(), -1))).toContain(id);
    expect(await needsSupervision(today(), beforeApproval)).toContain(id);

    // accountability too (it judged tasks on the original deadline).
    expect(await accountabilityDeadline(id)).toBeUndefined();
    expect(await accountabilityDeadline(id, beforeApproval)).toBe(original);

    // The responsibility view (责任清单): the deadline in force today and the task’s health (it showed the original deadline).
    const responsible = await app.query<any, any>(
      `{ responsibilities(name: "延期责任人", first: 100) { nodes { itemId deadline status } } }`,
      {},
      { token: admin },
    );
    expect(responsible.responsibilities.nodes.find((n: { itemId: string }) => n.itemId === id)).toMatchObject({ deadline: extended, status: now.health });

    const after = await counts();
    expect(after.events - before.events).toBe(2);
    // The task's own row (its original deadline and version) is untouched.
    expect(after.tasks).toBe(before.tasks);
    expect([await audits('requestDeadlineExtension'), await audits('decideDeadlineExtension')]).toEqual([auditsBefore[0] + 1, auditsBefore[1] + 1]);
  });
});

describe('request → refuse', () => {
  it('leaves the deadline unchanged, and a new request may follow', async () => {
    const id = await createTask();
    const original = addDays(today(), -2);
    const ext = await requested(admin, { item: id, newDeadline: addDays(today(), 30), reason: '理由' });
    const refused = await decided(deciderOfAdmins(), { request: ext.id, approve: false, note: '理由不充分' });
    expect(refused).toMatchObject({ state: 'REFUSED', approvedDeadline: null, decidedBy: '分管副县长' });
    expect(await taskView(id, today())).toMatchObject({ deadline: original, originalDeadline: original, health: 'OVERDUE' });
    await requested(admin, { item: id, newDeadline: addDays(today(), 30), reason: '补充理由' });
  });
});

describe('bad input changes nothing', () => {
  async function refusedRequest(token: string, input: Record<string, unknown>, field: string) {
    const before = await counts();
    const result = await request(token, input);
    expect(result.errors).toBeUndefined();
    const errors = result.data.requestDeadlineExtension.userErrors;
    expect(errors.map((e: { field: string[] }) => e.field.join('.'))).toContain(`input.${field}`);
    for (const error of errors) expect(error.messageZh).toMatch(/[\u4e00-\u9fa5]/);
    expect(result.data.requestDeadlineExtension.extension).toBeNull();
    expect(await counts()).toEqual(before);
  }
  async function refusedDecision(token: string, input: Record<string, unknown>) {
    const before = await counts();
    const result = await decide(token, input);
    expect(result.errors).toBeUndefined();
    const errors = result.data.decideDeadlineExtension.userErrors;
    expect(errors.map((e: { field: string[] }) => e.field.join('.'))).toEqual(['input.request']);
    expect(errors[0].messageZh).toMatch(/[\u4e00-\u9fa5]/);
    expect(await counts()).toEqual(before);
  }

  it('refuses a new deadline not later than the one in force', async () => {
    const id = await createTask(addDays(today(), 10));
    await refusedRequest(admin, { item: id, newDeadline: addDays(today(), 10), reason: '理由' }, 'newDeadline');
    await refusedRequest(admin, { item: id, newDeadline: addDays(today(), 5), reason: '理由' }, 'newDeadline');
  });

  it('refuses an empty or over-long reason', async () => {
    const id = await createTask();
    await refusedRequest(admin, { item: id, newDeadline: addDays(today(), 10), reason: '   ' }, 'reason');
    await refusedRequest(admin, { item: id, newDeadline: addDays(today(), 10), reason: '长'.repeat(501) }, 'reason');
  });

  it('refuses a second pending request', async () => {
    const id = await createTask();
    await requested(admin, { item: id, newDeadline: addDays(today(), 10), reason: '理由' });
    await refusedRequest(staff, { item: id, newDeadline: addDays(today(), 20), reason: '理由' }, 'item');
  });

  it('refuses a task that is done', async () => {
    const id = await createTask(addDays(today(), 10));
    await app.rows(`update task_assignment set done = target where task_id = ?`, [fromGlobalId(id).key]);
    await refusedRequest(admin, { item: id, newDeadline: addDays(today(), 20), reason: '理由' }, 'item');
  });

  it('refuses deciding twice, and deciding one’s own request', async () => {
    const id = await createTask();
    const own = await requested(admin, { item: id, newDeadline: addDays(today(), 10), reason: '理由' });
    await refusedDecision(admin, { request: own.id, approve: true });
    await decided(leader, { request: own.id, approve: true });
    await refusedDecision(admin, { request: own.id, approve: false });
    await refusedDecision(leader, { request: own.id, approve: true });
  });
});

describe('permissions', () => {
  it('VIEWER, VILLAGE_OPERATOR, TOWNSHIP_OPERATOR, LEADER and another section’s staff cannot request', async () => {
    const id = await createTask();
    for (const token of [viewer, villageOp, tiefoOp, leader, otherStaff]) {
      const before = await counts();
      const result = await request(token, { item: id, newDeadline: addDays(today(), 10), reason: '理由' });
      const code = result.errors?.[0]?.extensions?.code ?? result.data?.requestDeadlineExtension?.userErrors?.[0]?.code;
      expect(code).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);
    }
  });

  it('SECTION_STAFF cannot decide; LEADER can, but still cannot write anything else', async () => {
    const id = await createTask();
    const ext = await requested(admin, { item: id, newDeadline: addDays(today(), 10), reason: '理由' });
    for (const token of [staff, tiefoOp, viewer]) {
      const before = await counts();
      const result = await decide(token, { request: ext.id, approve: true });
      const code = result.errors?.[0]?.extensions?.code ?? result.data?.decideDeadlineExtension?.userErrors?.[0]?.code;
      expect(code).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);
    }
    await decided(leader, { request: ext.id, approve: false });
    const update = await app.request<any, any>(
      `mutation($input: AssignResponsibleInput!) { assignResponsible(input: $input) { userErrors { code } } }`,
      { input: { item: id, person: { name: '某人', title: '股长', unit: '县民政局' } } },
      { token: leader },
    );
    const code = update.errors?.[0]?.extensions?.code ?? update.data?.assignResponsible?.userErrors?.[0]?.code;
    expect(code).toBe('FORBIDDEN');
  });
});
