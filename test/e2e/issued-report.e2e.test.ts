import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/*
 * Issue 28 item 4: issued reports are kept. issueMonthlyReport (报送) stores the
 * month as known at the issue; the files download byte for byte as issued, also
 * after back-dated entries; the live report lists those entries under 补录 with
 * who and when. Issuing is audited and one progress event; a second issue is
 * CONFLICT; LEADER, VIEWER and SECTION_STAFF may not issue.
 */

const COUNTY = '511921';
const COUNTY_CODE = '511921000000';
const TIEFO = '511921104'; // 铁佛镇
const MASHI = '511921105'; // 麻石镇
const MONTH = '2026-10';

let app: TestApp;
let admin: string;
let tiefoOp: string;
let mashiOp: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '局长' });
  tiefoOp = await app.token('TOWNSHIP_OPERATOR', TIEFO, { name: '铁佛镇民政办' });
  mashiOp = await app.token('TOWNSHIP_OPERATOR', MASHI, { name: '麻石镇民政办' });
});
afterAll(() => app?.close());

async function count(table: string, where = 'true'): Promise<number> {
  const rows = await app.orm.em.fork().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from ${table} where ${where}`);
  return rows[0].n;
}

async function snapshot() {
  return { issued: await count('issued_monthly_report'), events: await count('progress_update') };
}

async function write(document: string, variables: Record<string, unknown>, token: string): Promise<Record<string, any>> {
  const data = await app.query<Record<string, { userErrors: unknown[] }>, Record<string, unknown>>(document, variables, { token });
  for (const payload of Object.values(data)) expect(payload.userErrors).toEqual([]);
  return data;
}

const ISSUE = `mutation Issue($input: IssueMonthlyReportInput!) {
  issueMonthlyReport(input: $input) {
    issuedMonthlyReport { id month issuedAt issuedBy issuedByRole itemCount sha256 area { code } files { format contentType size sha256 url } }
    userErrors { code field message messageZh }
  }
}`;
const REPORT = `query($month: String!, $area: String, $knownAt: DateTimeISO) {
  monthlyReport(month: $month, area: $area, knownAt: $knownAt) {
    markdown itemCount laggingTasks { subjectId detail }
    issued { id issuedAt sha256 }
    lateEntries { kind subjectId title areaName date recordedAt recordedBy detail }
  }
}`;
const CREATE_TASK = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id assignments { id version } } userErrors { field message } } }`;
const PROGRESS = `mutation($input: RecordTaskProgressInput!) { recordTaskProgress(input: $input) { assignment { version } userErrors { field message } } }`;
const ISSUE_SUPERVISION = `mutation($input: IssueSupervisionInput!) { issueSupervision(input: $input) { supervisionAction { id } userErrors { field message } } }`;

const task = (title: string, deadline: string) => ({
  title,
  category: 'SOCIAL_AFFAIRS',
  area: COUNTY,
  ownerSection: '社会事务股',
  target: 10,
  unit: '处',
  startDate: '2026-01-01',
  deadline,
  assignments: [{ area: TIEFO, target: 10 }],
});

async function download(path: string, token = admin): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const response = await fetch(new URL(path, app.url), { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let issued: {
  id: string;
  issuedAt: string;
  sha256: string;
  itemCount: number;
  files: { format: string; contentType: string; size: number; sha256: string; url: string }[];
};
let firstTask: string;
let assignment: { id: string; version: number };
const asIssued = new Map<string, Buffer>();

describe('issueMonthlyReport (报送)', () => {
  it('refuses callers that may not issue, an unfinished month, and writes nothing', async () => {
    const created = await write(CREATE_TASK, { input: task('殡葬领域专项整治', '2026-12-31') }, admin);
    firstTask = created.createTask.task.id;
    assignment = created.createTask.task.assignments[0];
    await write(PROGRESS, { input: { assignment: assignment.id, version: 1, done: 1, asOf: '2026-09-30' } }, tiefoOp);
    assignment.version = 2;

    const before = await snapshot();
    for (const [role, area] of [
      ['LEADER', COUNTY],
      ['VIEWER', COUNTY],
      ['SECTION_STAFF', COUNTY],
      ['VILLAGE_OPERATOR', `${TIEFO}201`],
    ] as const) {
      const token = await app.token(role, area, { section: '社会事务股' });
      const result = await app.request(ISSUE, { input: { area: COUNTY, month: MONTH } }, { token });
      expect([role, result.errors?.[0]?.extensions?.code]).toEqual([role, 'FORBIDDEN']);
    }
    // A township operator issues its own township only.
    const outside = await app.request(ISSUE, { input: { area: TIEFO, month: MONTH } }, { token: mashiOp });
    expect(outside.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unfinished = await app.query<Record<string, any>, unknown>(ISSUE, { input: { area: COUNTY, month: '2099-01' } }, { token: admin });
    expect(unfinished.issueMonthlyReport).toMatchObject({ issuedMonthlyReport: null, userErrors: [{ code: 'BAD_USER_INPUT', field: ['input', 'month'] }] });
    const malformed = await app.request(ISSUE, { input: { area: COUNTY, month: '2026-13' } }, { token: admin });
    expect(malformed.errors?.[0]?.extensions?.code ?? malformed.data).toBeDefined();
    expect(await snapshot()).toEqual(before);
  });

  it('stores the month as known at the issue, with an audit row and one progress event', async () => {
    const before = await snapshot();
    const audits = await count('audit_log', `mutation = 'issueMonthlyReport'`);
    const data = await write(ISSUE, { input: { area: COUNTY, month: MONTH } }, admin);
    issued = data.issueMonthlyReport.issuedMonthlyReport;
    expect(issued).toMatchObject({ month: MONTH, issuedBy: '局长', issuedByRole: 'COUNTY_ADMIN', area: { code: COUNTY_CODE } });
    expect(issued.files.map((f) => f.format)).toEqual(['md', 'csv', 'json']);
    expect(issued.sha256).toBe(issued.files[0].sha256);
    expect(await snapshot()).toEqual({ issued: before.issued + 1, events: before.events + 1 });
    expect(await count('audit_log', `mutation = 'issueMonthlyReport'`)).toBe(audits + 1);
    const [event] = await app.orm.em
      .fork()
      .getConnection()
      .execute<{ subject_kind: string; action: string; actor_name: string }[]>(
        'select subject_kind, action, actor_name from progress_update order by sequence desc limit 1',
      );
    expect(event).toEqual({ subject_kind: 'MONTHLY_REPORT', action: 'CREATED', actor_name: '局长' });

    // The task lags at the end of October (1 of 10 done): the issued report says so.
    const atIssue = await app.query<Record<string, any>, unknown>(REPORT, { month: MONTH, area: COUNTY, knownAt: issued.issuedAt }, { token: admin });
    expect(atIssue.monthlyReport.laggingTasks).toEqual([expect.objectContaining({ subjectId: firstTask })]);
    // As known at the very instant of issue the month is not issued yet: no 补录 section, the Markdown as issued.
    expect(atIssue.monthlyReport.issued).toBeNull();
    expect(atIssue.monthlyReport.lateEntries).toEqual([]);
    const justAfter = new Date(Date.parse(issued.issuedAt) + 1).toISOString();
    const after = await app.query<Record<string, any>, unknown>(REPORT, { month: MONTH, area: COUNTY, knownAt: justAfter }, { token: admin });
    expect(after.monthlyReport.issued).toMatchObject({ id: issued.id, sha256: issued.sha256 });
    expect(after.monthlyReport.lateEntries).toEqual([]);

    for (const file of issued.files) {
      const got = await download(file.url);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe(file.contentType);
      expect(sha256(got.body)).toBe(file.sha256);
      expect(got.headers.get('x-content-sha256')).toBe(file.sha256);
      expect(got.body.length).toBe(file.size);
      asIssued.set(file.format, got.body);
    }
    // The Markdown as issued is the report as known at the issue (before its 补录 section exists).
    expect(asIssued.get('md')!.toString('utf8')).toBe(atIssue.monthlyReport.markdown);
    expect(JSON.parse(asIssued.get('json')!.toString('utf8'))).toMatchObject({ month: MONTH, areaCode: COUNTY_CODE, laggingTasks: [{ subjectId: firstTask }] });
  });

  it('refuses a second issue of the month (CONFLICT) and keeps the first', async () => {
    const before = await snapshot();
    const again = await app.query<Record<string, any>, unknown>(ISSUE, { input: { area: COUNTY, month: MONTH } }, { token: admin });
    expect(again.issueMonthlyReport).toMatchObject({ issuedMonthlyReport: null, userErrors: [{ code: 'CONFLICT', field: ['input', 'month'] }] });
    expect(again.issueMonthlyReport.userErrors[0].messageZh).toContain('不能重复报送');
    expect(await snapshot()).toEqual(before);
  });

  it('serves the same bytes after back-dated entries; the live report lists them under 补录 with who and when', async () => {
    // Recorded after the issue, dated in or before October.
    await write(PROGRESS, { input: { assignment: assignment.id, version: assignment.version, done: 9, asOf: '2026-10-20' } }, tiefoOp);
    const late = await write(CREATE_TASK, { input: task('敬老院消防改造', '2026-10-15') }, admin);
    await write(
      ISSUE_SUPERVISION,
      { input: { target: firstTask, kind: 'CIRCULATED_NOTICE', issuedOn: '2026-10-25', issuer: '县民政局', targetUnit: '铁佛镇', responseDue: '2026-11-10' } },
      admin,
    );

    for (const file of issued.files) {
      const got = await download(file.url);
      expect(sha256(got.body)).toBe(file.sha256);
      expect(got.body.equals(asIssued.get(file.format)!)).toBe(true);
    }

    const live = await app.query<Record<string, any>, unknown>(REPORT, { month: MONTH, area: COUNTY }, { token: admin });
    const report = live.monthlyReport;
    expect(report.issued).toMatchObject({ id: issued.id });
    expect(report.laggingTasks).toEqual([]);
    expect(
      report.lateEntries.map((e: { kind: string; subjectId: string; recordedBy: string; date: string }) => [e.kind, e.subjectId, e.recordedBy, e.date]),
    ).toEqual([
      ['任务进度', firstTask, '铁佛镇民政办', '2026-10-20'],
      ['新建重点工作', late.createTask.task.id, '局长', '2026-01-01'],
      ['督办', expect.any(String), '局长', '2026-10-25'],
    ]);
    for (const e of report.lateEntries) expect(Date.parse(e.recordedAt)).toBeGreaterThan(Date.parse(issued.issuedAt));
    expect(report.markdown).toContain('## 十一、补录(报送后录入)');
    expect(report.markdown).toContain('铁佛镇民政办 于');
    expect(report.markdown.startsWith(asIssued.get('md')!.toString('utf8'))).toBe(false);
    // As known at the issue, nothing moved.
    const atIssue = await app.query<Record<string, any>, unknown>(REPORT, { month: MONTH, area: COUNTY, knownAt: issued.issuedAt }, { token: admin });
    expect(atIssue.monthlyReport.markdown).toBe(asIssued.get('md')!.toString('utf8'));
  });

  it('lists issued reports by area, scoped to the caller; downloads follow the report read rules', async () => {
    const own = await write(ISSUE, { input: { area: TIEFO, month: MONTH } }, tiefoOp);
    expect(own.issueMonthlyReport.issuedMonthlyReport).toMatchObject({ issuedBy: '铁佛镇民政办', issuedByRole: 'TOWNSHIP_OPERATOR' });

    const LIST = `query($area: String, $first: Int, $after: String) {
      issuedMonthlyReports(area: $area, first: $first, after: $after) { totalCount nodes { id month area { code } } pageInfo { hasNextPage endCursor } }
    }`;
    const all = await app.query<Record<string, any>, unknown>(LIST, { area: COUNTY, first: 1 }, { token: admin });
    expect(all.issuedMonthlyReports.totalCount).toBe(2);
    expect(all.issuedMonthlyReports.nodes).toEqual([expect.objectContaining({ area: { code: '511921104000' } })]);
    const next = await app.query<Record<string, any>, unknown>(
      LIST,
      { area: COUNTY, first: 1, after: all.issuedMonthlyReports.pageInfo.endCursor },
      { token: admin },
    );
    expect(next.issuedMonthlyReports.nodes).toEqual([expect.objectContaining({ id: issued.id })]);
    const leader = await app.token('LEADER', COUNTY);
    expect((await app.query<Record<string, any>, unknown>(LIST, { area: COUNTY }, { token: leader })).issuedMonthlyReports.totalCount).toBe(2);
    // 麻石镇 sees none of them (its subtree holds neither); the county's is FORBIDDEN to it.
    expect((await app.query<Record<string, any>, unknown>(LIST, {}, { token: mashiOp })).issuedMonthlyReports.totalCount).toBe(0);
    expect((await app.request(LIST, { area: COUNTY }, { token: mashiOp })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const viewer = await app.token('VIEWER', COUNTY);
    expect((await app.request(LIST, { area: COUNTY }, { token: viewer })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    expect((await download(issued.files[0].url, mashiOp)).status).toBe(403);
    expect((await download(issued.files[0].url, viewer)).status).toBe(403);
    expect((await download(issued.files[0].url, leader)).status).toBe(200);
    expect((await download(`/reports/monthly/2026-09/issued.md?area=${COUNTY}`)).status).toBe(404);
    expect((await fetch(new URL(issued.files[0].url, app.url))).status).toBe(401);
  });
});
