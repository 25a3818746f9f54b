import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/*
 * Issue 28 item 3: two times on every entry, and reads "as known at" an instant.
 * Ask the as-of reads with knownAt = T, then record back-dated entries (progress
 * dated before T, a new task with an early start date, a changed figure, a
 * transition, a new finding, a supervision action), ask again with the same T:
 * the JSON is the same string. Without knownAt the answer changes.
 */

const COUNTY = '511921';
const TIEFO = '511921104'; // 铁佛镇
const VILLAGE = '511921104201';

let app: TestApp;
let admin: string;
let tiefoOp: string;
let villageOp: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '局长' });
  tiefoOp = await app.token('TOWNSHIP_OPERATOR', TIEFO, { name: '铁佛镇民政办' });
  villageOp = await app.token('VILLAGE_OPERATOR', VILLAGE, { name: '一村文书' });
});
afterAll(() => app?.close());

async function write<T = Record<string, { userErrors: unknown[] } & Record<string, unknown>>>(
  document: string,
  variables: Record<string, unknown>,
  token: string,
): Promise<T> {
  const data = await app.query<Record<string, { userErrors: unknown[] }>, Record<string, unknown>>(document, variables, { token });
  for (const payload of Object.values(data)) expect(payload.userErrors).toEqual([]);
  return data as T;
}

const CREATE_TASK = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id recordedAt assignments { id version } } userErrors { field message } } }`;
const RECORD_PROGRESS = `mutation($input: RecordTaskProgressInput!) { recordTaskProgress(input: $input) { assignment { version progress { asOf recordedAt } } userErrors { field message } } }`;
const CREATE_RECT = `mutation($input: CreateRectificationInput!) { createRectification(input: $input) { rectification { id version recordedAt } userErrors { field message } } }`;
const TRANSITION = `mutation($input: TransitionRectificationInput!) { transitionRectification(input: $input) { rectification { version transitions { on recordedAt } } userErrors { field message } } }`;
const ISSUE = `mutation($input: IssueSupervisionInput!) { issueSupervision(input: $input) { supervisionAction { id issuedOn recordedAt recordedBy } userErrors { field message } } }`;
const REPORT = `mutation($input: ReportObservationsInput!) { reportObservations(input: $input) { observations { version recordedAt } userErrors { field message } } }`;

/** Every as-of read of the issue, with or without `knownAt`. */
const READS = `query($knownAt: DateTimeISO, $task: ID!, $rect: ID!) {
  monthlyReport(month: "2026-03", area: "${COUNTY}", knownAt: $knownAt) {
    markdown itemCount
    laggingTasks { subjectId detail health } overdueTasks { subjectId detail health }
    rectificationsOpened { subjectId } rectificationsClosed { subjectId } rectificationsOverdue { subjectId } supervisionIssued { subjectId detail }
  }
  needsSupervision(asOf: "2026-03-31", knownAt: $knownAt) { targetId health reason }
  tasks(asOf: "2026-03-31", knownAt: $knownAt, first: 50) { totalCount nodes { id done health } }
  task(id: $task) { health(asOf: "2026-03-31", knownAt: $knownAt) done(asOf: "2026-03-31", knownAt: $knownAt) }
  rectification(id: $rect) { statusAsOf(asOf: "2026-03-31", knownAt: $knownAt) overdue(asOf: "2026-03-31", knownAt: $knownAt) }
  area(code: "${VILLAGE}") { observationHistory(indicator: "DIBAO_RURAL", period: "2026-03", knownAt: $knownAt) { oldValue newValue recordedAt } }
}`;

let task: string;
let rect: string;
let T: string;

async function read(knownAt: string | null): Promise<string> {
  return JSON.stringify(await app.query(READS, { knownAt, task, rect }, { token: admin }));
}

/** A moment strictly between what was recorded before it and what is recorded after it (the server shares this clock). */
async function instant(): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  const at = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
  return at;
}

describe('knownAt: the same question asked later gives the same answer', () => {
  it('keeps every read as known at T byte for byte after back-dated entries, while the live reads change', async () => {
    const created = await write<{ createTask: { task: { id: string; recordedAt: string; assignments: { id: string; version: number }[] } } }>(
      CREATE_TASK,
      {
        input: {
          title: '敬老院消防改造',
          category: 'SOCIAL_AFFAIRS',
          area: COUNTY,
          ownerSection: '社会事务股',
          target: 10,
          unit: '所',
          startDate: '2026-01-01',
          deadline: '2026-12-31',
          assignments: [{ area: TIEFO, target: 10 }],
        },
      },
      admin,
    );
    task = created.createTask.task.id;
    const assignment = created.createTask.task.assignments[0];
    expect(Date.parse(created.createTask.task.recordedAt)).toBeGreaterThan(Date.now() - 60_000);
    await write(RECORD_PROGRESS, { input: { assignment: assignment.id, version: 1, done: 1, asOf: '2026-02-28' } }, tiefoOp);
    const opened = await write<{ createRectification: { rectification: { id: string } } }>(
      CREATE_RECT,
      { input: { finding: '低保评议未公示', area: TIEFO, category: 'FAVORITISM', responsiblePerson: '张三', deadline: '2026-02-15', openedOn: '2026-01-05' } },
      admin,
    );
    rect = opened.createRectification.rectification.id;
    await write(REPORT, { input: { area: VILLAGE, period: '2026-03', values: [{ indicator: 'DIBAO_RURAL', value: '30' }] } }, villageOp);

    T = await instant();
    const asked = await read(T);
    const live = await read(null);
    // Nothing has been recorded since T: as known at T is the live answer.
    expect(asked).toBe(live);
    const before = JSON.parse(asked) as { task: { health: string }; rectification: { statusAsOf: string; overdue: boolean } };
    expect(before.task.health).toBe('LAGGING');
    expect(before.rectification).toEqual({ statusAsOf: 'OPEN', overdue: true });

    // Back-dated entries, all recorded after T.
    await write(RECORD_PROGRESS, { input: { assignment: assignment.id, version: 2, done: 9, asOf: '2026-03-15' } }, tiefoOp);
    await write(
      CREATE_TASK,
      {
        input: {
          title: '殡葬领域专项整治',
          category: 'SOCIAL_AFFAIRS',
          area: COUNTY,
          ownerSection: '社会事务股',
          target: 5,
          unit: '处',
          startDate: '2026-01-01',
          deadline: '2026-03-20',
          assignments: [{ area: TIEFO, target: 5 }],
        },
      },
      admin,
    );
    await write(TRANSITION, { input: { id: rect, version: 1, to: 'RECTIFYING', on: '2026-01-20' } }, admin);
    await write(TRANSITION, { input: { id: rect, version: 2, to: 'RECTIFIED', on: '2026-02-10' } }, admin);
    await write(
      CREATE_RECT,
      {
        input: { finding: '临时救助台账缺失', area: TIEFO, category: 'FAVORITISM', responsiblePerson: '李四', deadline: '2026-06-30', openedOn: '2026-03-05' },
      },
      admin,
    );
    await write(
      ISSUE,
      { input: { target: task, kind: 'CIRCULATED_NOTICE', issuedOn: '2026-03-20', issuer: '县民政局', targetUnit: '铁佛镇', responseDue: '2026-03-31' } },
      admin,
    );
    await write(REPORT, { input: { area: VILLAGE, period: '2026-03', values: [{ indicator: 'DIBAO_RURAL', value: '31', version: 1 }] } }, villageOp);

    // The same question asked later: the same bytes.
    expect(await read(T)).toBe(asked);
    // Without knownAt the answer moved (so the comparison above can fail).
    const after = await read(null);
    expect(after).not.toBe(live);
    const now = JSON.parse(after) as {
      task: { health: string; done: number };
      rectification: { statusAsOf: string; overdue: boolean };
      monthlyReport: { overdueTasks: unknown[]; rectificationsOpened: unknown[]; supervisionIssued: unknown[] };
      tasks: { totalCount: number };
      area: { observationHistory: unknown[] };
    };
    expect(now.task).toEqual({ health: 'ON_TRACK', done: 9 });
    expect(now.rectification).toEqual({ statusAsOf: 'RECTIFIED', overdue: false });
    expect(now.monthlyReport.overdueTasks).toHaveLength(1);
    expect(now.monthlyReport.rectificationsOpened).toHaveLength(1);
    expect(now.monthlyReport.supervisionIssued).toHaveLength(1);
    expect(now.tasks.totalCount).toBe(2);
    expect(now.area.observationHistory).toHaveLength(2);
  });

  it('exposes when each entry was recorded beside when it happened', async () => {
    const data = await app.query<
      { task: { recordedAt: string; assignments: { progress: { asOf: string; recordedAt: string }[] }[] } },
      Record<string, unknown>
    >(`query($id: ID!) { task(id: $id) { recordedAt assignments { progress { asOf recordedAt } } } }`, { id: task }, { token: admin });
    const progress = data.task.assignments[0].progress;
    expect(progress.map((p) => p.asOf)).toEqual(['2026-02-28', '2026-03-15']);
    // Recorded on the server clock, in ISO 8601 with an offset; the back-dated one after T.
    for (const p of progress) expect(p.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    expect(Date.parse(progress[0].recordedAt)).toBeLessThan(Date.parse(T));
    expect(Date.parse(progress[1].recordedAt)).toBeGreaterThan(Date.parse(T));
  });

  it('refuses a knownAt in the future or malformed, field by field', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const result = await app.request(READS, { knownAt: future, task, rect }, { token: admin });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'knownAt' });
    const malformed = await app.request(READS, { knownAt: '2026-13-40 25:00', task, rect }, { token: admin });
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
