import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, monthRange, todayInChina } from '../../src/common/dates.js';
import { fromGlobalId } from '../../src/common/global-id.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { EXTENSION_FIELDS, extensionMutations } from '../support/extensions.js';

/*
 * 延期申请 of rectifications (issue 31 item 2): requestDeadlineExtension with a Rectification, by COUNTY_ADMIN and the
 * township's TOWNSHIP_OPERATOR, decided by COUNTY_ADMIN or LEADER; Rectification.deadline / originalDeadline /
 * deadlineInForce / overdue / extensions; the deadline in force in the list's overdue filter, needsSupervision,
 * accountability and the monthly report, as of each date and as known at knownAt. And 补录 (issue 31 item 3):
 * a 问责 outcome and approved extensions recorded after a month was issued are listed in its 补录 section.
 */

const COUNTY = '511921';
const TIEFO = '511921104'; // 铁佛镇
const MASHI = '511921105'; // 麻石镇
const SECTION = '社会事务股';

let app: TestApp;
let admin: string;
let leader: string;
let tiefoOp: string;
let mashiOp: string;
let staff: string;
let viewer: string;
let villageOp: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '局长' });
  leader = await app.token('LEADER', COUNTY, { name: '分管副县长' });
  tiefoOp = await app.token('TOWNSHIP_OPERATOR', TIEFO, { name: '铁佛镇民政办' });
  mashiOp = await app.token('TOWNSHIP_OPERATOR', MASHI, { name: '麻石镇民政办' });
  staff = await app.token('SECTION_STAFF', COUNTY, { name: '社会事务股 王', section: SECTION });
  viewer = await app.token('VIEWER', COUNTY);
  villageOp = await app.token('VILLAGE_OPERATOR', `${TIEFO}001`, { name: '村' });
});
afterAll(() => app?.close());

const today = () => todayInChina();

const { request, decide, requested, decided } = extensionMutations(() => app);

/** Everything a refused write must leave as it was: the requests, the events, the rectifications' rows. */
async function counts() {
  const [row] = await app.rows<{ extensions: string; events: number; rectifications: string }>(
    `select (select coalesce(string_agg(id || ':' || state || ':' || coalesce(decided_by_name, '') || ':' || coalesce(decided_on::text, ''), ',' order by id), '')
               from deadline_extension) as extensions,
            (select count(*)::int from progress_update) as events,
            (select string_agg(deadline::text || ':' || status || ':' || version, ',' order by id) from rectification) as rectifications`,
  );
  return row;
}

async function audits(field: string) {
  const [row] = await app.rows<{ n: number }>(`select count(*)::int as n from audit_log where mutation = ? and outcome = 'OK'`, [field]);
  return row.n;
}

let findings = 0;
/** An OPEN rectification in 铁佛镇, registered 30 days ago; deadline default: two days ago (overdue today). */
async function createRect(deadline = addDays(today(), -2), openedOn = addDays(today(), -30), area = TIEFO) {
  const result = await app.query<any, any>(
    `mutation($input: CreateRectificationInput!) { createRectification(input: $input) { rectification { id version finding } userErrors { field message } } }`,
    { input: { finding: `延期测试问题${++findings}`, area, category: 'MANAGEMENT', responsiblePerson: '张三', deadline, openedOn } },
    { token: admin },
  );
  expect(result.createRectification.userErrors).toEqual([]);
  return result.createRectification.rectification as { id: string; version: number; finding: string };
}

async function transition(id: string, version: number, to: string, extra: Record<string, unknown> = {}) {
  const result = await app.query<any, any>(
    `mutation($input: TransitionRectificationInput!) { transitionRectification(input: $input) { rectification { version } userErrors { field message } } }`,
    { input: { id, version, to, ...extra } },
    { token: admin },
  );
  expect(result.transitionRectification.userErrors).toEqual([]);
  return result.transitionRectification.rectification.version as number;
}

async function view(id: string, asOf?: string, knownAt?: string) {
  const result = await app.query<any, any>(
    `query($id: ID!, $asOf: LocalDate, $knownAt: DateTimeISO) { node(id: $id) { ... on Rectification {
       deadline originalDeadline deadlineInForce(asOf: $asOf, knownAt: $knownAt) overdue(asOf: $asOf, knownAt: $knownAt) version
       extensions(first: 10) { totalCount nodes { ${EXTENSION_FIELDS} } } } } }`,
    { id, asOf, knownAt },
    { token: admin },
  );
  return result.node;
}

async function overdueList(asOf: string): Promise<string[]> {
  const result = await app.query<any, any>(
    `query($asOf: LocalDate) { rectifications(asOf: $asOf, filter: { overdue: true }, first: 100) { nodes { id overdue } } }`,
    { asOf },
    { token: admin },
  );
  for (const node of result.rectifications.nodes) expect(node.overdue).toBe(true);
  return result.rectifications.nodes.map((node: { id: string }) => node.id);
}

async function needsSupervision(asOf: string, knownAt?: string): Promise<Map<string, { deadline: string; reason: string }>> {
  const result = await app.query<any, any>(
    `query($asOf: LocalDate, $knownAt: DateTimeISO) {
       list: needsSupervision(asOf: $asOf, knownAt: $knownAt) { targetId deadline reason }
       page: needsSupervisionConnection(asOf: $asOf, knownAt: $knownAt, first: 100) { nodes { targetId } } }`,
    { asOf, knownAt },
    { token: admin },
  );
  // The list and its connection agree.
  expect(result.page.nodes.map((n: { targetId: string }) => n.targetId)).toEqual(result.list.map((n: { targetId: string }) => n.targetId).slice(0, 100));
  return new Map(result.list.map((c: { targetId: string; deadline: string; reason: string }) => [c.targetId, c]));
}

async function accountabilityItems(knownAt?: string): Promise<Map<string, { deadline: string; reason: string }>> {
  const result = await app.query<any, any>(
    `query($month: String!, $knownAt: DateTimeISO) { accountability(month: $month, area: "${COUNTY}", knownAt: $knownAt) { items { subjectId deadline reason } } }`,
    { month: today().slice(0, 7), knownAt },
    { token: admin },
  );
  return new Map(result.accountability.items.map((i: { subjectId: string; deadline: string; reason: string }) => [i.subjectId, i]));
}

/** The rectification's line among the month's overdue rectifications (current month, county), as known at an instant. */
async function reportLine(id: string, knownAt?: string): Promise<string | undefined> {
  const result = await app.query<any, any>(
    `query($month: String!, $knownAt: DateTimeISO) { monthlyReport(month: $month, area: "${COUNTY}", knownAt: $knownAt) {
       rectificationsOverdue { subjectId detail } markdown } }`,
    { month: today().slice(0, 7), knownAt },
    { token: admin },
  );
  return result.monthlyReport.rectificationsOverdue.find((item: { subjectId: string }) => item.subjectId === id)?.detail;
}

describe('a rectification’s deadline: request → approve', () => {
  it('keeps the original deadline visible; overdue, the list, needsSupervision, accountability and the report use the deadline in force', async () => {
    const { id, finding } = await createRect();
    const original = addDays(today(), -2);
    const extended = addDays(today(), 60);
    const before = await counts();
    const auditsBefore = [await audits('requestDeadlineExtension'), await audits('decideDeadlineExtension')];

    // The township's operator requests (the rectification lies in 铁佛镇).
    const ext = await requested(tiefoOp, { item: id, newDeadline: extended, reason: '涉及多部门协调，需延期整改' });
    expect(ext).toMatchObject({ item: id, previousDeadline: original, requestedDeadline: extended, approvedDeadline: null, state: 'PENDING', decidedOn: null });
    // Pending changes nothing yet.
    expect(await view(id)).toMatchObject({ deadline: original, originalDeadline: original, deadlineInForce: original, overdue: true });
    expect(await overdueList(today())).toContain(id);
    expect((await needsSupervision(today())).has(id)).toBe(true);

    // Known before the decision was recorded: the request's own recording instant, strictly earlier than the decision.
    const beforeApproval = ext.requestedAt as string;
    const approved = await decided(leader, { request: ext.id, approve: true, note: '同意' });
    expect(approved).toMatchObject({ state: 'APPROVED', approvedDeadline: extended, decidedBy: '分管副县长', decidedOn: today(), note: '同意' });
    expect(Date.parse(approved.decidedAt)).toBeGreaterThan(Date.parse(beforeApproval));

    const now = await view(id);
    expect(now).toMatchObject({ deadline: extended, originalDeadline: original, deadlineInForce: extended, overdue: false });
    expect(now.extensions.totalCount).toBe(1);
    expect(now.extensions.nodes[0]).toMatchObject({ state: 'APPROVED', requestedBy: '铁佛镇民政办', reason: '涉及多部门协调，需延期整改' });
    // The rectification's own row (its original deadline and version) is untouched.
    expect(now.version).toBe(1);
    // As of yesterday (before the decision's date) the original deadline was in force.
    expect(await view(id, addDays(today(), -1))).toMatchObject({ deadlineInForce: original, overdue: true });
    // As known before the approval was recorded, it is invisible.
    expect(await view(id, today(), beforeApproval)).toMatchObject({ deadlineInForce: original, overdue: true });

    // The list's overdue filter, in its one statement.
    expect(await overdueList(today())).not.toContain(id);
    expect(await overdueList(addDays(today(), -1))).toContain(id);
    // needsSupervision (and its connection) drops it; as of yesterday, or as known before the approval, it is there.
    expect((await needsSupervision(today())).has(id)).toBe(false);
    expect((await needsSupervision(addDays(today(), -1))).get(id)).toMatchObject({ deadline: original });
    expect((await needsSupervision(today(), beforeApproval)).get(id)).toMatchObject({ deadline: original, reason: '整改逾期 2 天' });
    // accountability: the same.
    expect((await accountabilityItems()).has(id)).toBe(false);
    expect((await accountabilityItems(beforeApproval)).get(id)).toMatchObject({ deadline: original });
    // The responsibility view (责任清单): today's deadline, not behind.
    const responsible = await app.query<any, any>(`{ responsibilities(name: "张三", first: 100) { nodes { itemId deadline behind } } }`, {}, { token: admin });
    expect(responsible.responsibilities.nodes.find((n: { itemId: string }) => n.itemId === id)).toMatchObject({ deadline: extended, behind: false });
    // The 审计整改 export: the deadline in force, not overdue.
    const csv = await (await fetch(new URL(`/exports/rectifications.csv?area=${TIEFO}`, app.url), { headers: { authorization: `Bearer ${admin}` } })).text();
    const cells = csv
      .split(/\r?\n/)
      .find((line) => line.startsWith(finding))
      ?.split(',');
    expect([cells?.[6], cells?.[8]]).toEqual([extended, '否']);
    // The monthly report (as of month end): no longer overdue; as known before the approval, overdue on the original deadline.
    expect(await reportLine(id)).toBeUndefined();
    expect(await reportLine(id, beforeApproval)).toBe(`整改时限 ${original},至月末仍未启动整改`);

    const after = await counts();
    expect(after.events - before.events).toBe(2);
    expect(after.rectifications).toBe(before.rectifications);
    expect([await audits('requestDeadlineExtension'), await audits('decideDeadlineExtension')]).toEqual([auditsBefore[0] + 1, auditsBefore[1] + 1]);
    const events = await app.rows<{ subject_kind: string; subject_id: string; summary: string }>(
      `select subject_kind, subject_id, summary from progress_update order by sequence desc limit 2`,
    );
    expect(events.map((e) => [e.subject_kind, e.subject_id])).toEqual([
      ['RECTIFICATION', id],
      ['RECTIFICATION', id],
    ]);
    expect(events[0].summary).toContain(`批准延期至 ${extended}`);
    expect(events[1].summary).toContain(`申请延期：${original} → ${extended}`);
  });

  it('an extension still short of month end: the report, needsSupervision and accountability say it was extended', async () => {
    const original = addDays(today(), -10);
    const extended = addDays(today(), -3);
    const { id } = await createRect(original);
    const ext = await requested(admin, { item: id, newDeadline: extended, reason: '补充材料' });
    await decided(leader, { request: ext.id, approve: true });
    expect(await view(id)).toMatchObject({ deadline: extended, originalDeadline: original, overdue: true });
    expect(await reportLine(id)).toBe(`整改时限 已延期至 ${extended},原定 ${original},至月末仍未启动整改`);
    expect(await reportLine(id, ext.requestedAt)).toBe(`整改时限 ${original},至月末仍未启动整改`);
    expect((await needsSupervision(today())).get(id)).toMatchObject({ deadline: extended, reason: '整改逾期 3 天' });
    expect((await accountabilityItems()).get(id)).toMatchObject({ deadline: extended, reason: `整改逾期 3 天(已延期至 ${extended},原定 ${original})` });
  });

  it('a refusal leaves the deadline unchanged, and a new request may follow', async () => {
    const { id } = await createRect();
    const original = addDays(today(), -2);
    const ext = await requested(tiefoOp, { item: id, newDeadline: addDays(today(), 30), reason: '理由' });
    const refused = await decided(admin, { request: ext.id, approve: false, note: '理由不充分' });
    expect(refused).toMatchObject({ state: 'REFUSED', approvedDeadline: null, decidedBy: '局长', decidedOn: today() });
    expect(await view(id)).toMatchObject({ deadline: original, originalDeadline: original, overdue: true });
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
  async function refusedDecision(token: string, input: Record<string, unknown>, field = 'request') {
    const before = await counts();
    const result = await decide(token, input);
    expect(result.errors).toBeUndefined();
    const errors = result.data.decideDeadlineExtension.userErrors;
    expect(errors.map((e: { field: string[] }) => e.field.join('.'))).toEqual([`input.${field}`]);
    expect(errors[0].messageZh).toMatch(/[\u4e00-\u9fa5]/);
    expect(await counts()).toEqual(before);
  }

  it('refuses a new deadline not later than the one in force', async () => {
    const { id } = await createRect(addDays(today(), 10));
    await refusedRequest(admin, { item: id, newDeadline: addDays(today(), 10), reason: '理由' }, 'newDeadline');
    await refusedRequest(tiefoOp, { item: id, newDeadline: addDays(today(), 5), reason: '理由' }, 'newDeadline');
  });

  it('refuses an empty or over-long reason', async () => {
    const { id } = await createRect();
    await refusedRequest(admin, { item: id, newDeadline: addDays(today(), 10), reason: '   ' }, 'reason');
    await refusedRequest(admin, { item: id, newDeadline: addDays(today(), 10), reason: '长'.repeat(501) }, 'reason');
  });

  it('refuses a second pending request', async () => {
    const { id } = await createRect();
    await requested(admin, { item: id, newDeadline: addDays(today(), 10), reason: '理由' });
    await refusedRequest(tiefoOp, { item: id, newDeadline: addDays(today(), 20), reason: '理由' }, 'item');
  });

  it('refuses a rectification already rectified or closed: nothing to extend', async () => {
    const { id, version } = await createRect(addDays(today(), 10));
    let v = await transition(id, version, 'RECTIFYING');
    v = await transition(id, v, 'RECTIFIED');
    await refusedRequest(tiefoOp, { item: id, newDeadline: addDays(today(), 20), reason: '理由' }, 'item');
    await transition(id, v, 'CLOSED', { verifier: '李四', note: '核验通过' });
    await refusedRequest(admin, { item: id, newDeadline: addDays(today(), 20), reason: '理由' }, 'item');
  });

  it('refuses deciding twice, one’s own request, and a decision date in the future or before the request', async () => {
    const { id } = await createRect();
    const own = await requested(admin, { item: id, newDeadline: addDays(today(), 10), reason: '理由' });
    await refusedDecision(admin, { request: own.id, approve: true });
    await refusedDecision(leader, { request: own.id, approve: true, decidedOn: addDays(today(), 1) }, 'decidedOn');
    await refusedDecision(leader, { request: own.id, approve: true, decidedOn: addDays(today(), -1) }, 'decidedOn');
    await decided(leader, { request: own.id, approve: true });
    await refusedDecision(admin, { request: own.id, approve: false });
    await refusedDecision(leader, { request: own.id, approve: true });
  });

  it('refuses an item that is neither a Task nor a Rectification, and a rectification that does not exist', async () => {
    const before = await counts();
    const area = Buffer.from('Area:511921000000').toString('base64url');
    const wrong = await request(admin, { item: area, newDeadline: addDays(today(), 10), reason: '理由' });
    expect(wrong.errors?.[0]?.extensions?.code ?? wrong.data?.requestDeadlineExtension?.userErrors?.[0]?.code).toBe('BAD_USER_INPUT');
    const missing = await request(admin, {
      item: Buffer.from('Rectification:999999').toString('base64url'),
      newDeadline: addDays(today(), 10),
      reason: '理由',
    });
    expect(missing.errors?.[0]?.extensions?.code ?? missing.data?.requestDeadlineExtension?.userErrors?.[0]?.code).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
  });
});

describe('permissions', () => {
  function forbidden(result: any, field: string) {
    const code = result.errors?.[0]?.extensions?.code ?? result.data?.[field]?.userErrors?.[0]?.code;
    expect(code).toBe('FORBIDDEN');
  }

  it('VIEWER, VILLAGE_OPERATOR, SECTION_STAFF, LEADER and another township’s operator cannot request', async () => {
    const { id } = await createRect();
    for (const token of [viewer, villageOp, staff, leader, mashiOp]) {
      const before = await counts();
      forbidden(await request(token, { item: id, newDeadline: addDays(today(), 10), reason: '理由' }), 'requestDeadlineExtension');
      expect(await counts()).toEqual(before);
    }
  });

  it('a township operator cannot request for a county-level rectification', async () => {
    const { id } = await createRect(undefined, undefined, COUNTY);
    const before = await counts();
    forbidden(await request(tiefoOp, { item: id, newDeadline: addDays(today(), 10), reason: '理由' }), 'requestDeadlineExtension');
    expect(await counts()).toEqual(before);
    await requested(admin, { item: id, newDeadline: addDays(today(), 10), reason: '理由' });
  });

  it('SECTION_STAFF, TOWNSHIP_OPERATOR, VIEWER and VILLAGE_OPERATOR cannot decide; COUNTY_ADMIN and LEADER can', async () => {
    const { id } = await createRect();
    const ext = await requested(tiefoOp, { item: id, newDeadline: addDays(today(), 10), reason: '理由' });
    for (const token of [staff, tiefoOp, mashiOp, viewer, villageOp]) {
      const before = await counts();
      forbidden(await decide(token, { request: ext.id, approve: true }), 'decideDeadlineExtension');
      expect(await counts()).toEqual(before);
    }
    expect(await decided(admin, { request: ext.id, approve: true })).toMatchObject({ state: 'APPROVED', decidedBy: '局长' });
  });
});

/** 补录: a month issued, then an outcome and approved extensions recorded after it, dated in the month. */
describe('补录 of outcomes and extension decisions', () => {
  const thisMonthFirst = monthRange(today().slice(0, 7))[0];
  const month = addDays(thisMonthFirst, -1).slice(0, 7);
  const [first, last] = monthRange(month);
  const day = (n: number) => addDays(first, n - 1);

  const REPORT = `query($month: String!, $knownAt: DateTimeISO) {
    monthlyReport(month: $month, area: "${COUNTY}", knownAt: $knownAt) {
      markdown rectificationsOverdue { subjectId detail } overdueTasks { subjectId detail } supervisionOutcomes { subjectId detail }
      issued { id sha256 }
      lateEntries { kind subjectId title areaName date recordedAt recordedBy detail }
    }
  }`;

  /** Moves a request's recording back into the month: a request made then on paper (requests carry the server clock). */
  async function requestedInMonth(itemId: string, newDeadline: string, on: string) {
    const ext = await requested(admin, { item: itemId, newDeadline, reason: '汛期影响' });
    await app.rows(`update deadline_extension set requested_at = (?::date + time '10:00') at time zone 'Asia/Shanghai' where id = ?`, [
      on,
      fromGlobalId(ext.id).key,
    ]);
    return ext;
  }

  it('lists both with who and when; the issued bytes stay as issued', async () => {
    // A rectification overdue through the month, under supervision; a task overdue through it.
    const rect = await createRect(day(10), day(1));
    const taskResult = await app.query<any, any>(
      `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } userErrors { message } } }`,
      {
        input: {
          title: '补录测试工作',
          category: 'SOCIAL_AFFAIRS',
          area: COUNTY,
          ownerSection: SECTION,
          target: 10,
          unit: '处',
          startDate: '2026-01-01',
          deadline: day(12),
          assignments: [{ area: TIEFO, target: 10 }],
        },
      },
      { token: admin },
    );
    const taskId = taskResult.createTask.task.id as string;
    const supervision = await app.query<any, any>(
      `mutation($input: IssueSupervisionInput!) { issueSupervision(input: $input) { supervisionAction { id } userErrors { field message } } }`,
      { input: { target: rect.id, kind: 'LISTED_SUPERVISION', issuedOn: day(15), issuer: '县民政局', targetUnit: '铁佛镇', responseDue: day(20) } },
      { token: admin },
    );
    const actionId = supervision.issueSupervision.supervisionAction.id as string;
    const rectExt = await requestedInMonth(rect.id, addDays(last, 20), day(16));
    const taskExt = await requestedInMonth(taskId, day(25), day(17));

    const issued = await app.query<any, any>(
      `mutation($input: IssueMonthlyReportInput!) { issueMonthlyReport(input: $input) {
         issuedMonthlyReport { issuedAt sha256 files { format url sha256 } } userErrors { field message } } }`,
      { input: { area: COUNTY, month } },
      { token: admin },
    );
    expect(issued.issueMonthlyReport.userErrors).toEqual([]);
    const { issuedAt, files } = issued.issueMonthlyReport.issuedMonthlyReport;
    const atIssue = (await app.query<any, any>(REPORT, { month, knownAt: issuedAt }, { token: admin })).monthlyReport;
    expect(atIssue.rectificationsOverdue.map((i: { subjectId: string }) => i.subjectId)).toContain(rect.id);
    expect(atIssue.overdueTasks.find((i: { subjectId: string }) => i.subjectId === taskId)?.detail).toContain(`时限 ${day(12)},已逾期`);

    // Recorded after the issue, dated in the month: the leader's decisions (made on paper) and a 问责 outcome.
    await decided(leader, { request: rectExt.id, approve: true, decidedOn: day(20) });
    await decided(leader, { request: taskExt.id, approve: true, decidedOn: day(18) });
    const outcome = await app.query<any, any>(
      `mutation($input: RecordSupervisionOutcomeInput!) { recordSupervisionOutcome(input: $input) { outcome { kind } userErrors { field message } } }`,
      { input: { supervisionAction: actionId, kind: 'INTERVIEW', name: '张三', title: '民政办主任', unit: '铁佛镇人民政府', decidedOn: day(22) } },
      { token: admin },
    );
    expect(outcome.recordSupervisionOutcome.userErrors).toEqual([]);
    // A refused decision changes nothing and is not listed.
    const { id: other } = await createRect(day(10), day(2));
    const refused = await requestedInMonth(other, addDays(last, 5), day(16));
    await decided(leader, { request: refused.id, approve: false, decidedOn: day(21) });

    const live = (await app.query<any, any>(REPORT, { month }, { token: admin })).monthlyReport;
    const entries = live.lateEntries.filter((e: { kind: string }) => e.kind === '延期审批' || e.kind === '问责');
    expect(entries.map((e: any) => [e.kind, e.subjectId, e.recordedBy, e.date, e.detail])).toEqual([
      ['延期审批', rect.id, '分管副县长', day(20), `${day(20)} 批准延期:${day(10)} → ${addDays(last, 20)}`],
      ['延期审批', taskId, '分管副县长', day(18), `${day(18)} 批准延期:${day(12)} → ${day(25)}`],
      ['问责', actionId, '局长', day(22), `${day(22)} 约谈:张三`],
    ]);
    for (const entry of entries) expect(Date.parse(entry.recordedAt)).toBeGreaterThan(Date.parse(issuedAt));
    expect(live.markdown).toContain('十一、补录');
    expect(live.markdown).toContain(`【问责】`);
    expect(live.markdown).toContain(`【延期审批】`);
    // The live month follows them: the rectification is no longer overdue at month end, the task's line says it was extended.
    expect(live.rectificationsOverdue.map((i: { subjectId: string }) => i.subjectId)).not.toContain(rect.id);
    expect(live.overdueTasks.find((i: { subjectId: string }) => i.subjectId === taskId)?.detail).toContain(`时限 已延期至 ${day(25)},原定 ${day(12)}`);
    expect(live.supervisionOutcomes.map((i: { subjectId: string }) => i.subjectId)).toContain(actionId);

    // The issued files are served byte for byte as issued.
    for (const file of files as { url: string; sha256: string }[]) {
      const response = await fetch(new URL(file.url, app.url), { headers: { authorization: `Bearer ${admin}` } });
      expect(response.status).toBe(200);
      const body = Buffer.from(await response.arrayBuffer());
      expect(response.headers.get('x-content-sha256')).toBe(file.sha256);
      expect(createHash('sha256').update(body).digest('hex')).toBe(file.sha256);
    }
    const md = await fetch(new URL(files[0].url, app.url), { headers: { authorization: `Bearer ${admin}` } });
    expect(await md.text()).toBe(atIssue.markdown);
  });
});
