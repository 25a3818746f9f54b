import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/auth/auth.tokens.js';
import { addDays, todayInChina } from '../../src/common/dates.js';
import { InboxGenerator } from '../../src/modules/inbox/inbox.generate.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { committedHead, eventually, watch } from '../support/progress.js';

/**
 * 提醒 in the progress stream (issue 31 item 4): the inbox's date sweep (driven here directly, with an explicit
 * today; test servers run it in no background) appends one ALERTED event per subject, state and deadline in
 * force, whoever is responsible, so the live feed and webhooks hear of it too.
 */

// A real HTTP receiver on 127.0.0.1 (allowed by WEBHOOK_ALLOW_PRIVATE=1), polled often so the file runs in seconds.
process.env.WEBHOOK_ALLOW_PRIVATE = '1';
process.env.WEBHOOK_POLL_MS = '50';

const COUNTY = '511921';
const SECTION = '社会事务股';
const TODAY = todayInChina();
/** Townships, one per test, so that no test's assertions see another's subjects. */
const TOWNSHIPS = ['511921101', '511921102', '511921103', '511921104', '511921105', '511921106'];

let app: TestApp;
let generator: InboxGenerator;
let admin: string;
let leader: { token: string };

interface Alert {
  sequence: string;
  subject_kind: string;
  subject_id: string;
  area_code: string;
  actor_sub: string;
  actor_name: string;
  actor_role: string | null;
  summary: string;
  after: Record<string, any>;
}

/** The ALERTED events of a subject (global ID), in order. */
const alertsOf = (subjectId: string) =>
  app.rows<Alert>(
    `select sequence::text as sequence, subject_kind, subject_id, area_code, actor_sub, actor_name, actor_role, summary, after
       from progress_update where action = 'ALERTED' and subject_id = ? order by sequence`,
    [subjectId],
  );
const allAlerts = async () => (await app.rows<{ n: number }>(`select count(*)::int as n from progress_update where action = 'ALERTED'`))[0].n;

beforeAll(async () => {
  app = await startTestApp();
  generator = new InboxGenerator(app.databaseUrl);
  admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '局长' });
  const [row] = await app.rows<{ id: string }>(
    `insert into account (login, display_name, role, area_code, section, password_hash, created_by)
     values ('alerts-leader', '测试领导', 'LEADER', '511921000000', null, 'scrypt$test', 'alerts test') returning id::text as id`,
  );
  leader = { token: await mintToken(TEST_JWT_SECRET, { sub: `account:${row.id}`, name: '测试领导', role: 'LEADER' as never, area: COUNTY }) };
});
afterAll(async () => {
  await generator?.close();
  await app?.close();
});

async function ok<T = any>(token: string, query: string, input: Record<string, unknown>): Promise<T> {
  const result = await app.request<any, any>(query, { input }, { token });
  expect(result.errors).toBeUndefined();
  const payload = Object.values(result.data as Record<string, any>)[0];
  expect(payload.userErrors).toEqual([]);
  return payload as T;
}

let titles = 0;
async function createTask(township: string, options: { startDate: string; deadline: string; target?: number }) {
  const payload = await ok<any>(
    admin,
    `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id title assignments { id } } userErrors { message } } }`,
    {
      title: `提醒事件测试${++titles}`,
      category: 'SOCIAL_AFFAIRS',
      area: township,
      ownerSection: SECTION,
      target: options.target ?? 10,
      unit: '处',
      startDate: options.startDate,
      deadline: options.deadline,
      assignments: [{ area: `${township}001`, target: options.target ?? 10 }],
    },
  );
  return { id: payload.task.id as string, title: payload.task.title as string, assignment: payload.task.assignments[0].id as string };
}

const ZHANG = { name: '张三', title: '副镇长', unit: '民胜镇人民政府' };
const ASSIGN = `mutation($input: AssignResponsibleInput!) { assignResponsible(input: $input) { item userErrors { code field message } } }`;
const assignPerson = (item: string, person = ZHANG) => ok(admin, ASSIGN, { item, person });

async function recordProgress(assignment: string, done: number, asOf = TODAY) {
  await ok(admin, `mutation($input: RecordTaskProgressInput!) { recordTaskProgress(input: $input) { assignment { id } userErrors { message } } }`, {
    assignment,
    version: 1,
    asOf,
    done,
  });
}

async function createRectification(township: string, finding: string, deadline: string) {
  const created = await ok<any>(
    admin,
    `mutation($input: CreateRectificationInput!) { createRectification(input: $input) { rectification { id } userErrors { message } } }`,
    { area: township, category: 'FUNDS_MISUSE', finding, responsiblePerson: '李四', deadline },
  );
  return created.rectification.id as string;
}

async function extend(item: string, newDeadline: string) {
  const request = await ok<any>(
    admin,
    `mutation($input: RequestDeadlineExtensionInput!) { requestDeadlineExtension(input: $input) { extension { id } userErrors { message } } }`,
    { item, newDeadline, reason: '汛期停工' },
  );
  await ok(
    leader.token,
    `mutation($input: DecideDeadlineExtensionInput!) { decideDeadlineExtension(input: $input) { extension { id } userErrors { message } } }`,
    { request: request.extension.id, approve: true },
  );
}

describe('ALERTED events from the date sweep', () => {
  it('a lagging task with a named person (no account): one LAGGING event with kind, area and summary, though no inbox item; none twice', async () => {
    const township = TOWNSHIPS[0];
    const task = await createTask(township, { startDate: addDays(TODAY, -60), deadline: addDays(TODAY, 60) });
    await assignPerson(task.id);
    await recordProgress(task.assignment, 3);
    await generator.sweep(TODAY);
    const [alert, ...more] = await alertsOf(task.id);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      subject_kind: 'TASK',
      area_code: `${township}000`,
      actor_sub: 'system:alerts',
      actor_name: '系统提醒',
      actor_role: null,
      summary: `重点工作「${task.title}」已滞后：完成 3/10，期限 ${addDays(TODAY, 60)}，责任人 张三（副镇长，民胜镇人民政府）`,
      after: { alert: 'LAGGING', dueDate: addDays(TODAY, 60), done: 3, target: 10, responsible: { ...ZHANG, account: null } },
    });
    // The assignment has nobody responsible: still its notice, which says so.
    const [assignment] = await alertsOf(task.assignment);
    expect(assignment).toMatchObject({ subject_kind: 'TASK_ASSIGNMENT', area_code: `${township}001`, after: { alert: 'LAGGING', responsible: null } });
    expect(assignment.summary).toContain('责任人 未指定');
    // A named person gets no inbox item.
    expect(await app.rows(`select 1 from inbox_item where subject_type = 'Task' and subject_key = ?`, [keyOf(task.id)])).toEqual([]);

    // The event reads as any other, over GraphQL: the system actor has no role.
    const read = await app.query<any, any>(
      `query($area: String!) { progressUpdates(area: $area, kinds: [TASK], first: 100) { nodes { action summary actor { sub name role } subjectId } } }`,
      { area: township },
      { token: admin },
    );
    expect(read.progressUpdates.nodes.filter((n: { action: string }) => n.action === 'ALERTED')).toEqual([
      { action: 'ALERTED', summary: alert.summary, actor: { sub: 'system:alerts', name: '系统提醒', role: null }, subjectId: task.id },
    ]);

    // Swept again (the same day, or later with the same state and deadline): nothing more.
    const before = await allAlerts();
    await generator.sweep(TODAY);
    await generator.sweep(addDays(TODAY, 1));
    expect(generator.lastSweep.alerts).toBe(0);
    expect(await alertsOf(task.id)).toHaveLength(1);
    expect(await allAlerts()).toBe(before);
  });

  it('OVERDUE and DUE_SOON of a task; none for a done task; the follower makes no inbox item of them', async () => {
    const township = TOWNSHIPS[1];
    const due = addDays(TODAY, 2);
    const open = await createTask(township, { startDate: TODAY, deadline: due });
    const done = await createTask(township, { startDate: TODAY, deadline: due });
    await assignPerson(open.id);
    await recordProgress(done.assignment, 10);
    await generator.sweep(TODAY);
    // No progress at all on its first day of three: lagging too.
    expect((await alertsOf(open.id)).map((a) => a.after.alert)).toEqual(['DUE_SOON', 'LAGGING']);
    expect((await alertsOf(open.id))[0].summary).toBe(
      `重点工作「${open.title}」即将到期：完成 0/10，期限 ${due}（还有 2 天），责任人 张三（副镇长，民胜镇人民政府）`,
    );
    await generator.sweep(addDays(TODAY, 5));
    const alerts = await alertsOf(open.id);
    expect(alerts.map((a) => a.after.alert)).toEqual(['DUE_SOON', 'LAGGING', 'OVERDUE']);
    expect(alerts[2].summary).toBe(`重点工作「${open.title}」已逾期：完成 0/10，期限 ${due}（已超过 3 天），责任人 张三（副镇长，民胜镇人民政府）`);
    expect(await alertsOf(done.id)).toEqual([]);
    expect(await alertsOf(done.assignment)).toEqual([]);
    // The inbox's follower reads these events too, and makes nothing of them.
    const items = await app.rows<{ n: number }>(`select count(*)::int as n from inbox_item`);
    await generator.follow();
    expect(await app.rows<{ n: number }>(`select count(*)::int as n from inbox_item`)).toEqual(items);
  });

  it('a rectification overdue and a supervision response overdue; none once extended out of the state', async () => {
    const township = TOWNSHIPS[2];
    const late = await createRectification(township, '提醒事件：台账不全', addDays(TODAY, 1));
    const extended = await createRectification(township, '提醒事件：资金滞留', addDays(TODAY, 1));
    await extend(extended, addDays(TODAY, 40));
    const issued = await ok<any>(
      admin,
      `mutation($input: IssueSupervisionInput!) { issueSupervision(input: $input) { supervisionAction { id } userErrors { message } } }`,
      { target: late, kind: 'LISTED_SUPERVISION', issuer: '县民政局', targetUnit: '民胜镇人民政府', responseDue: addDays(TODAY, 2) },
    );
    const action = issued.supervisionAction.id as string;
    await generator.sweep(addDays(TODAY, 4));
    const [rectification] = await alertsOf(late);
    expect(rectification).toMatchObject({ subject_kind: 'RECTIFICATION', area_code: `${township}000`, after: { alert: 'OVERDUE' } });
    // Its responsible person is the registered one (李四), until someone is assigned.
    expect(rectification.summary).toBe(`审计整改「提醒事件：台账不全」已逾期：期限 ${addDays(TODAY, 1)}（已超过 3 天），责任人 李四`);
    expect(await alertsOf(extended)).toEqual([]);
    const [response] = await alertsOf(action);
    expect(response).toMatchObject({ subject_kind: 'SUPERVISION', area_code: `${township}000`, after: { alert: 'RESPONSE_OVERDUE' } });
    expect(response.summary).toBe(
      `督办「提醒事件：台账不全」督办回复已逾期：回复期限 ${addDays(TODAY, 2)}（已超过 2 天），承办单位 民胜镇人民政府，责任人 李四`,
    );
    // A task extended before it fell due: nothing for its old deadline, never OVERDUE.
    const task = await createTask(township, { startDate: TODAY, deadline: addDays(TODAY, 1), target: 1 });
    await extend(task.id, addDays(TODAY, 30));
    await generator.sweep(addDays(TODAY, 5));
    // (Nothing done in 5 of its 30 days: it lags, against the new deadline.)
    const states = async () => (await alertsOf(task.id)).map((a) => `${a.after.alert} ${a.after.dueDate}`);
    expect(await states()).toEqual([`LAGGING ${addDays(TODAY, 30)}`]);
    // Near the new deadline in force: its DUE_SOON.
    await generator.sweep(addDays(TODAY, 28));
    expect(await states()).toEqual([`LAGGING ${addDays(TODAY, 30)}`, `DUE_SOON ${addDays(TODAY, 30)}`]);
  });

  it('costs the same number of statements whatever the number of subjects', async () => {
    const township = TOWNSHIPS[3];
    const measure = async (today: string) => {
      const before = generator.stats.statements;
      await generator.sweep(today);
      return generator.stats.statements - before;
    };
    const few = await measure(addDays(TODAY, 100));
    for (let i = 0; i < 6; i++) await createTask(township, { startDate: addDays(TODAY, -30), deadline: addDays(TODAY, 2) });
    const many = await measure(addDays(TODAY, 101));
    expect(generator.lastSweep.alerts).toBe(12); // six tasks and their six assignments, each OVERDUE
    expect(many).toBe(few);
    expect(many).toBeLessThanOrEqual(6);
  });
});

describe('beside the writers', () => {
  it('never holds a write up: a sweep waiting for progress_alert has not taken the event counter', async () => {
    const township = TOWNSHIPS[5];
    const task = await createTask(township, { startDate: addDays(TODAY, -10), deadline: addDays(TODAY, 1) });
    const locker = new pg.Client({ connectionString: app.databaseUrl });
    await locker.connect();
    let sweeping: Promise<number> | null = null;
    try {
      await locker.query('begin');
      await locker.query('lock table progress_alert in access exclusive mode');
      sweeping = generator.sweep(addDays(TODAY, 3));
      await eventually(async () => {
        const waiting = await app.rows(`select 1 from pg_stat_activity where application_name = 'civgraph-inbox' and wait_event_type = 'Lock'`);
        expect(waiting).toHaveLength(1);
      });
      const write = assignPerson(task.id);
      const outcome = await Promise.race([write.then(() => 'committed'), new Promise((resolve) => setTimeout(resolve, 15_000, 'blocked'))]);
      expect(outcome).toBe('committed');
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
    await sweeping;
    // Once the lock is gone the sweep goes on, with what it had read (nobody responsible yet).
    expect((await alertsOf(task.id)).map((a) => `${a.after.alert} ${a.after.responsible}`)).toEqual(['OVERDUE null']);
  });
});

describe('outside systems hear of them', () => {
  it('a webhook for TASK gets an overdue task once (signed, by delivery id); a second sweep sends nothing more; the live feed shows it', async () => {
    const township = TOWNSHIPS[4];
    const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const created = await ok<any>(
        admin,
        `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id } userErrors { field message } } }`,
        { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, eventKinds: ['TASK'], area: township },
      );
      const task = await createTask(township, { startDate: addDays(TODAY, -10), deadline: addDays(TODAY, 1) });
      await assignPerson(task.id);
      // The live feed of the township, from now on.
      const live = watch(app.wsClient({ authorization: `Bearer ${admin}` }), { area: township, kinds: ['TASK'], after: await committedHead(app) });
      await generator.sweep(addDays(TODAY, 3));
      const [alert] = await alertsOf(task.id);
      expect(alert.after.alert).toBe('OVERDUE');

      const [event] = await live.until(1);
      expect(event).toMatchObject({ action: 'ALERTED', subjectKind: 'TASK', subjectId: task.id, summary: alert.summary, area: { code: `${township}000` } });
      live.stop();

      // The webhook hears every TASK event of its township (the task's creation, its responsible person); these are the notices.
      const alerted = () => requests.filter((request) => (JSON.parse(request.body) as { payload: { action: string } }).payload.action === 'ALERTED');
      await eventually(() => expect(alerted()).toHaveLength(1));
      const [delivery] = alerted();
      const body = JSON.parse(delivery.body);
      expect(body).toMatchObject({
        kind: 'TASK',
        area: `${township}000`,
        payload: { action: 'ALERTED', sequence: alert.sequence, subjectId: task.id, summary: alert.summary, actor: { sub: 'system:alerts', name: '系统提醒' } },
      });
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(delivery.headers['x-civgraph-signature']))!;
      expect(createHmac('sha256', created.secret).update(`${t}.${delivery.body}`).digest('hex')).toBe(v1);
      expect(delivery.headers['x-civgraph-delivery']).toBe(body.id);

      // Swept again: no new event, so nothing more for the webhook once it has caught up with the stream's head.
      await generator.sweep(addDays(TODAY, 3));
      await generator.sweep(addDays(TODAY, 4));
      const head = await committedHead(app);
      await eventually(async () => {
        const [row] = await app.rows<{ cursor: string }>(`select cursor::text as cursor from webhook where id = ?`, [keyOf(created.webhook.id)]);
        expect(BigInt(row.cursor)).toBeGreaterThanOrEqual(BigInt(head));
      });
      expect(alerted()).toHaveLength(1);
      expect(new Set(requests.map((request) => request.headers['x-civgraph-delivery'])).size).toBe(requests.length);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** The key of a global ID. */
function keyOf(globalId: string): string {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}
