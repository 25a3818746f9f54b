import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/auth/auth.tokens.js';
import { addDays, todayInChina } from '../../src/common/dates.js';
import { toGlobalId } from '../../src/common/global-id.js';
import { InboxGenerator } from '../../src/modules/inbox/inbox.generate.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';

/**
 * 待办/提醒 (issue 31 item 4): the inbox's items, made by the event follower and the date sweep (driven
 * here directly, with an explicit today: this file's server runs neither in the background), read and
 * marked read by their recipient only.
 */

const COUNTY = '511921';
const TIEFO = '511921104'; // 铁佛镇
const MASHI = '511921105'; // 麻石镇
const SECTION = '社会事务股';
const TODAY = todayInChina();

let app: TestApp;
let generator: InboxGenerator;
let admin: string;

interface Person {
  id: string;
  globalId: string;
  sub: string;
  token: string;
}
const people: Record<string, Person> = {};

/** An account (inserted as the accounts feature stores it) and an access token carrying its subject. */
async function account(login: string, role: string, area: string, section: string | null = null): Promise<Person> {
  const [row] = await app.rows<{ id: string }>(
    `insert into account (login, display_name, role, area_code, section, password_hash, created_by)
     values (?, ?, ?, rpad(?, 12, '0'), ?, 'scrypt$test', 'inbox test') returning id::text as id`,
    [login, `测试${login}`, role, area, section],
  );
  const token = await mintToken(TEST_JWT_SECRET, { sub: `account:${row.id}`, name: `测试${login}`, role: role as never, area, section: section ?? undefined });
  return { id: row.id, globalId: toGlobalId('Account', row.id), sub: `account:${row.id}`, token };
}

beforeAll(async () => {
  process.env.INBOX_BACKGROUND = 'off';
  app = await startTestApp();
  generator = new InboxGenerator(app.databaseUrl);
  admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '局长' });
  people.owner = await account('inbox-owner', 'SECTION_STAFF', COUNTY, SECTION);
  people.other = await account('inbox-other', 'SECTION_STAFF', COUNTY, SECTION);
  people.tiefo = await account('inbox-tiefo', 'TOWNSHIP_OPERATOR', TIEFO);
  people.mashi = await account('inbox-mashi', 'TOWNSHIP_OPERATOR', MASHI);
  people.leader = await account('inbox-leader', 'LEADER', COUNTY);
  people.admin = await account('inbox-admin', 'COUNTY_ADMIN', COUNTY);
});
afterAll(async () => {
  await generator?.close();
  await app?.close();
  delete process.env.INBOX_BACKGROUND;
});

async function ok<T = any>(token: string, query: string, input: Record<string, unknown>): Promise<T> {
  const result = await app.request<any, any>(query, { input }, { token });
  expect(result.errors).toBeUndefined();
  const payload = Object.values(result.data as Record<string, any>)[0];
  expect(payload.userErrors).toEqual([]);
  return payload as T;
}

let titles = 0;
async function createTask(options: { startDate: string; deadline: string; area?: string; target?: number }) {
  const payload = await ok<any>(
    admin,
    `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id title assignments { id } } userErrors { message } } }`,
    {
      title: `提醒测试工作${++titles}`,
      category: 'SOCIAL_AFFAIRS',
      area: options.area ?? COUNTY,
      ownerSection: SECTION,
      target: options.target ?? 10,
      unit: '处',
      startDate: options.startDate,
      deadline: options.deadline,
      assignments: [{ area: options.area ? `${options.area}001` : TIEFO, target: options.target ?? 10 }],
    },
  );
  return { id: payload.task.id as string, title: payload.task.title as string, assignment: payload.task.assignments[0].id as string };
}

const ASSIGN = `mutation($input: AssignResponsibleInput!) { assignResponsible(input: $input) { item userErrors { code field message } } }`;
const assign = (item: string, who: Person, token = admin) => ok(token, ASSIGN, { item, account: who.globalId });

const ITEM = 'id kind kindLabel subjectId subjectType title summary dueDate dueState createdAt readAt';
const INBOX = `query($first: Int, $after: String, $unreadOnly: Boolean) {
  inbox(first: $first, after: $after, unreadOnly: $unreadOnly) { totalCount unreadCount pageInfo { hasNextPage endCursor } edges { cursor } nodes { ${ITEM} } }
}`;
async function inbox(who: Person, variables: Record<string, unknown> = {}) {
  const result = await app.request<any, any>(INBOX, variables, { token: who.token });
  expect(result.errors).toBeUndefined();
  return result.data.inbox as { totalCount: number; unreadCount: number; pageInfo: any; edges: any[]; nodes: any[] };
}
const MARK = `mutation($input: MarkInboxReadInput!) { markInboxRead(input: $input) { items { id readAt } markedCount unreadCount userErrors { code field message messageZh } } }`;
async function mark(who: Person, input: Record<string, unknown>) {
  const result = await app.request<any, any>(MARK, { input }, { token: who.token });
  expect(result.errors).toBeUndefined();
  return result.data.markInboxRead;
}

/** The items of a recipient about a subject, as stored. */
async function itemsOf(who: Person, subject?: string) {
  return app.rows<{ kind: string; subject_type: string; subject_key: string; due_date: string | null; title: string; summary: string }>(
    `select kind, subject_type, subject_key, due_date::text as due_date, title, summary from inbox_item
      where recipient_sub = ? and (?::text is null or subject_type || ':' || subject_key = ?::text) order by id`,
    [who.sub, subject ?? null, subject ?? null],
  );
}
const subjectOf = (globalId: string) => Buffer.from(globalId, 'base64url').toString('utf8');
const total = async () => (await app.rows<{ n: number }>('select count(*)::int as n from inbox_item'))[0].n;

describe('event-driven items (the follower)', () => {
  it('ASSIGNED goes to the account made responsible, once, and to nobody else (not to whoever assigned it)', async () => {
    const task = await createTask({ startDate: TODAY, deadline: addDays(TODAY, 100) });
    await assign(task.id, people.owner);
    expect(await itemsOf(people.owner, subjectOf(task.id))).toEqual([]);
    await generator.follow();
    const items = await itemsOf(people.owner, subjectOf(task.id));
    expect(items).toEqual([expect.objectContaining({ kind: 'ASSIGNED', subject_type: 'Task', title: `重点工作「${task.title}」`, due_date: null })]);
    expect(items[0].summary).toBe(`局长 指定您为重点工作「${task.title}」的责任人`);
    for (const who of [people.other, people.tiefo, people.leader, people.admin]) expect(await itemsOf(who, subjectOf(task.id))).toEqual([]);
    // Following again, or from an older cursor, makes nothing twice.
    const before = await total();
    await generator.follow();
    await app.rows(`update inbox_cursor set sequence = 0`);
    await generator.follow();
    expect(await total()).toBe(before);
    // Assigning yourself tells you nothing.
    const mine = await createTask({ startDate: TODAY, deadline: addDays(TODAY, 100) });
    await assign(mine.id, people.admin, people.admin.token);
    await generator.follow();
    expect(await itemsOf(people.admin, subjectOf(mine.id))).toEqual([]);
  });

  it('a supervision action: ASSIGNED to the responsible account of its target and to its township operators, due on its response date', async () => {
    const rectification = await ok<any>(
      admin,
      `mutation($input: CreateRectificationInput!) { createRectification(input: $input) { rectification { id } userErrors { message } } }`,
      { area: TIEFO, category: 'FUNDS_MISUSE', finding: '提醒测试：资金挪用', responsiblePerson: '张三', deadline: addDays(TODAY, 30) },
    );
    const id = rectification.rectification.id as string;
    await assign(id, people.owner);
    const due = addDays(TODAY, 10);
    const issued = await ok<any>(
      admin,
      `mutation($input: IssueSupervisionInput!) { issueSupervision(input: $input) { supervisionAction { id } userErrors { message } } }`,
      { target: id, kind: 'LISTED_SUPERVISION', issuer: '县民政局', targetUnit: '铁佛镇人民政府', responseDue: due },
    );
    await generator.follow();
    const action = subjectOf(issued.supervisionAction.id);
    for (const who of [people.owner, people.tiefo]) {
      expect(await itemsOf(who, action)).toEqual([
        expect.objectContaining({ kind: 'ASSIGNED', subject_type: 'SupervisionAction', due_date: due, title: '督办「提醒测试：资金挪用」' }),
      ]);
    }
    for (const who of [people.mashi, people.other, people.leader]) expect(await itemsOf(who, action)).toEqual([]);
  });

  it('EXTENSION_REQUESTED to the county admins and leaders (not the requester); EXTENSION_DECIDED to the requester', async () => {
    const task = await createTask({ startDate: TODAY, deadline: addDays(TODAY, 20) });
    const request = await ok<any>(
      people.owner.token,
      `mutation($input: RequestDeadlineExtensionInput!) { requestDeadlineExtension(input: $input) { extension { id } userErrors { message } } }`,
      { item: task.id, newDeadline: addDays(TODAY, 40), reason: '资金未到位' },
    );
    await generator.follow();
    const subject = subjectOf(task.id);
    expect((await itemsOf(people.leader, subject)).map((i) => i.kind)).toEqual(['EXTENSION_REQUESTED']);
    expect((await itemsOf(people.admin, subject)).map((i) => i.kind)).toEqual(['EXTENSION_REQUESTED']);
    expect(await itemsOf(people.owner, subject)).toEqual([]);
    expect(await itemsOf(people.tiefo, subject)).toEqual([]);
    await ok(
      people.leader.token,
      `mutation($input: DecideDeadlineExtensionInput!) { decideDeadlineExtension(input: $input) { extension { id } userErrors { message } } }`,
      { request: request.extension.id, approve: true },
    );
    await generator.follow();
    expect(await itemsOf(people.owner, subject)).toEqual([
      expect.objectContaining({ kind: 'EXTENSION_DECIDED', due_date: addDays(TODAY, 40), summary: expect.stringContaining('批准延期至') }),
    ]);
    expect((await itemsOf(people.leader, subject)).map((i) => i.kind)).toEqual(['EXTENSION_REQUESTED']);
  });

  it('never holds a write up: with the inbox tables locked and no follower running, assignResponsible commits', async () => {
    const task = await createTask({ startDate: TODAY, deadline: addDays(TODAY, 100) });
    const locker = new pg.Client({ connectionString: app.databaseUrl });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table inbox_item, inbox_cursor in access exclusive mode');
      const write = assign(task.id, people.other);
      const outcome = await Promise.race([write.then(() => 'committed'), new Promise((resolve) => setTimeout(resolve, 15_000, 'blocked'))]);
      expect(outcome).toBe('committed');
      const [row] = await app.rows<{ n: number }>(`select count(*)::int as n from responsible_change where item_kind = 'TASK' and item_id = ?`, [
        subjectOf(task.id).split(':')[1],
      ]);
      expect(row.n).toBe(1);
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
    // The follower catches up afterwards.
    await generator.follow();
    expect((await itemsOf(people.other, subjectOf(task.id))).map((i) => i.kind)).toEqual(['ASSIGNED']);
  });
});

describe('date-driven items (the sweep)', () => {
  it('DUE_SOON within 3 days of the deadline in force, TURNED_LAGGING while lagging, OVERDUE once passed and not done; a done task gets none; twice makes no duplicates', async () => {
    const start = addDays(TODAY, -60);
    const due = addDays(TODAY, 2);
    const lagging = await createTask({ startDate: start, deadline: due });
    const done = await createTask({ startDate: start, deadline: due });
    const far = await createTask({ startDate: start, deadline: addDays(TODAY, 60), target: 1000 });
    for (const task of [lagging, done, far]) await assign(task.id, people.owner);
    await assign(lagging.assignment, people.tiefo);
    await ok(admin, `mutation($input: RecordTaskProgressInput!) { recordTaskProgress(input: $input) { assignment { id } userErrors { message } } }`, {
      assignment: done.assignment,
      version: 1,
      asOf: TODAY,
      done: 10,
    });
    await generator.sweep(TODAY);
    const kinds = async (who: Person, id: string) => (await itemsOf(who, subjectOf(id))).map((i) => `${i.kind}:${i.due_date}`).sort();
    expect(await kinds(people.owner, lagging.id)).toEqual([`DUE_SOON:${due}`, `TURNED_LAGGING:${due}`]);
    expect(await kinds(people.tiefo, lagging.assignment)).toEqual([`DUE_SOON:${due}`, `TURNED_LAGGING:${due}`]);
    expect(await kinds(people.owner, done.id)).toEqual([]);
    expect(await kinds(people.owner, far.id)).toEqual(['TURNED_LAGGING:' + addDays(TODAY, 60)]);
    for (const who of [people.other, people.leader, people.admin, people.mashi]) expect(await kinds(who, lagging.id)).toEqual([]);
    expect((await itemsOf(people.owner, subjectOf(lagging.id))).find((i) => i.kind === 'DUE_SOON')!.summary).toBe(
      `重点工作「${lagging.title}」期限 ${due}，还有 2 天到期`,
    );

    const before = await total();
    expect(await generator.sweep(TODAY)).toBe(0);
    expect(await total()).toBe(before);

    // Five days on: overdue, not done; the done task still gets nothing.
    const later = addDays(TODAY, 5);
    await generator.sweep(later);
    expect(await kinds(people.owner, lagging.id)).toEqual([`DUE_SOON:${due}`, `OVERDUE:${due}`, `TURNED_LAGGING:${due}`]);
    expect(await kinds(people.owner, done.id)).toEqual([]);
    const overdue = (await itemsOf(people.owner, subjectOf(lagging.id))).find((i) => i.kind === 'OVERDUE')!;
    expect(overdue.summary).toBe(`重点工作「${lagging.title}」已超过期限 ${due} 3 天，尚未完成`);
  });

  it('uses the deadline in force: an approved extension moves DUE_SOON to the new deadline', async () => {
    const original = addDays(TODAY, 2);
    const extended = addDays(TODAY, 30);
    const moved = await createTask({ startDate: TODAY, deadline: original, target: 1 });
    const kept = await createTask({ startDate: TODAY, deadline: original, target: 1 });
    for (const task of [moved, kept]) await assign(task.id, people.other);
    const request = await ok<any>(
      admin,
      `mutation($input: RequestDeadlineExtensionInput!) { requestDeadlineExtension(input: $input) { extension { id } userErrors { message } } }`,
      { item: moved.id, newDeadline: extended, reason: '汛期停工' },
    );
    await ok(
      people.leader.token,
      `mutation($input: DecideDeadlineExtensionInput!) { decideDeadlineExtension(input: $input) { extension { id } userErrors { message } } }`,
      { request: request.extension.id, approve: true },
    );
    await generator.sweep(TODAY);
    const dueSoon = async (id: string) => (await itemsOf(people.other, subjectOf(id))).filter((i) => i.kind === 'DUE_SOON').map((i) => i.due_date);
    expect(await dueSoon(kept.id)).toEqual([original]);
    expect(await dueSoon(moved.id)).toEqual([]);
    await generator.sweep(addDays(TODAY, 28));
    expect(await dueSoon(moved.id)).toEqual([extended]);
  });

  it('reminds of a rectification deadline and of a supervision response due date (the responsible account and the township operators)', async () => {
    const created = await ok<any>(
      admin,
      `mutation($input: CreateRectificationInput!) { createRectification(input: $input) { rectification { id } userErrors { message } } }`,
      { area: TIEFO, category: 'FUNDS_MISUSE', finding: '提醒测试：台账不全', responsiblePerson: '李四', deadline: addDays(TODAY, 1) },
    );
    const id = created.rectification.id as string;
    await assign(id, people.owner);
    const issued = await ok<any>(
      admin,
      `mutation($input: IssueSupervisionInput!) { issueSupervision(input: $input) { supervisionAction { id } userErrors { message } } }`,
      { target: id, kind: 'SUPERVISION_LETTERS', issuer: '县民政局', targetUnit: '铁佛镇人民政府', responseDue: addDays(TODAY, 3) },
    );
    await generator.sweep(TODAY);
    expect((await itemsOf(people.owner, subjectOf(id))).map((i) => i.kind)).toEqual(['DUE_SOON']);
    const action = subjectOf(issued.supervisionAction.id);
    for (const who of [people.owner, people.tiefo]) {
      expect(await itemsOf(who, action)).toEqual([
        expect.objectContaining({ kind: 'DUE_SOON', due_date: addDays(TODAY, 3), summary: expect.stringContaining('督办回复期限') }),
      ]);
    }
    expect(await itemsOf(people.mashi, action)).toEqual([]);
  });

  it("a rectification's extension (整改延期): EXTENSION_REQUESTED to the deciders, EXTENSION_DECIDED to the requester, and DUE_SOON follows the deadline in force", async () => {
    const original = addDays(TODAY, 2);
    const extended = addDays(TODAY, 30);
    const created = await ok<any>(
      admin,
      `mutation($input: CreateRectificationInput!) { createRectification(input: $input) { rectification { id } userErrors { message } } }`,
      { area: TIEFO, category: 'FUNDS_MISUSE', finding: '提醒测试：整改延期', responsiblePerson: '李四', deadline: original },
    );
    const id = created.rectification.id as string;
    await assign(id, people.other);
    const request = await ok<any>(
      people.tiefo.token,
      `mutation($input: RequestDeadlineExtensionInput!) { requestDeadlineExtension(input: $input) { extension { id } userErrors { message } } }`,
      { item: id, newDeadline: extended, reason: '需要招标' },
    );
    await generator.follow();
    const subject = subjectOf(id);
    expect((await itemsOf(people.leader, subject)).map((i) => i.kind)).toEqual(['EXTENSION_REQUESTED']);
    expect((await itemsOf(people.admin, subject)).map((i) => i.kind)).toEqual(['EXTENSION_REQUESTED']);
    expect(await itemsOf(people.tiefo, subject)).toEqual([]);
    await ok(
      people.leader.token,
      `mutation($input: DecideDeadlineExtensionInput!) { decideDeadlineExtension(input: $input) { extension { id } userErrors { message } } }`,
      { request: request.extension.id, approve: true },
    );
    await generator.follow();
    expect(await itemsOf(people.tiefo, subject)).toEqual([expect.objectContaining({ kind: 'EXTENSION_DECIDED', due_date: extended })]);
    // The original deadline is two days away, but no longer in force: no DUE_SOON until the new one nears.
    const dueSoon = async () => (await itemsOf(people.other, subject)).filter((i) => i.kind === 'DUE_SOON').map((i) => i.due_date);
    await generator.sweep(TODAY);
    expect(await dueSoon()).toEqual([]);
    await generator.sweep(addDays(TODAY, 28));
    expect(await dueSoon()).toEqual([extended]);
  });

  it("reminds of a project's target date and of each open milestone (推进方案节点) by its own due date", async () => {
    const created = await ok<any>(
      admin,
      `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id name } userErrors { message } } }`,
      {
        name: '提醒测试敬老院改造',
        category: 'ELDERLY_CARE',
        area: TIEFO,
        ownerSection: SECTION,
        targetDate: addDays(TODAY, 1),
        milestones: [
          { name: '方案批复', dueDate: addDays(TODAY, -2) },
          { name: '主体完工', dueDate: addDays(TODAY, 3) },
          { name: '选址', dueDate: addDays(TODAY, 1), doneDate: addDays(TODAY, -5) },
        ],
      },
    );
    await assign(created.project.id, people.owner);
    await generator.sweep(TODAY);
    const items = (await itemsOf(people.owner, subjectOf(created.project.id))).map((i) => `${i.kind} ${i.title} ${i.due_date}`).sort();
    expect(items).toEqual(
      [
        `DUE_SOON 民政项目「提醒测试敬老院改造」 ${addDays(TODAY, 1)}`,
        `DUE_SOON 民政项目「提醒测试敬老院改造」节点「主体完工」 ${addDays(TODAY, 3)}`,
        `OVERDUE 民政项目「提醒测试敬老院改造」节点「方案批复」 ${addDays(TODAY, -2)}`,
      ].sort(),
    );
  });

  it('costs the same number of statements whatever the number of items', async () => {
    const measure = async () => {
      const before = generator.stats.statements;
      await generator.sweep(addDays(TODAY, 1));
      return generator.stats.statements - before;
    };
    const few = await measure();
    for (let i = 0; i < 6; i++) {
      const task = await createTask({ startDate: addDays(TODAY, -30), deadline: addDays(TODAY, 2) });
      await assign(task.id, people.other);
    }
    const many = await measure();
    expect(many).toBe(few);
    expect(many).toBeLessThanOrEqual(6);
  });
});

describe('inbox and markInboxRead', () => {
  let reader: Person;
  let stranger: Person;
  beforeAll(async () => {
    reader = await account('inbox-reader', 'VILLAGE_OPERATOR', '511921101001');
    stranger = await account('inbox-stranger', 'VIEWER', COUNTY);
    await app.rows(
      `insert into inbox_item (recipient_sub, kind, subject_type, subject_key, area_code, title, summary, due_date, dedupe_key)
       select ?, 'DUE_SOON', 'Task', '1', '511921000000', '重点工作「第' || n || '项」', '期限将至', ?::date, 'test:reader:' || n from generate_series(1, 5) n`,
      [reader.sub, addDays(TODAY, 2)],
    );
  });

  it('reads only your own items, newest first, paged, with the unread count; anonymous is UNAUTHENTICATED', async () => {
    const first = await inbox(reader, { first: 2 });
    expect(first).toMatchObject({ totalCount: 5, unreadCount: 5, pageInfo: { hasNextPage: true } });
    expect(first.nodes.map((n) => n.title)).toEqual(['重点工作「第5项」', '重点工作「第4项」']);
    expect(first.nodes[0]).toMatchObject({
      kind: 'DUE_SOON',
      kindLabel: '即将到期',
      subjectType: 'Task',
      subjectId: toGlobalId('Task', '1'),
      dueState: 'YELLOW',
      readAt: null,
    });
    const second = await inbox(reader, { first: 2, after: first.pageInfo.endCursor });
    expect(second.nodes.map((n) => n.title)).toEqual(['重点工作「第3项」', '重点工作「第2项」']);
    const third = await inbox(reader, { first: 2, after: second.pageInfo.endCursor });
    expect(third.nodes.map((n) => n.title)).toEqual(['重点工作「第1项」']);
    expect(third.pageInfo.hasNextPage).toBe(false);
    expect(await inbox(stranger)).toMatchObject({ totalCount: 0, unreadCount: 0, nodes: [] });
    const forged = await app.request<any, any>(INBOX, { after: Buffer.from('k:abc', 'utf8').toString('base64url') }, { token: reader.token });
    expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const anonymous = await app.request<any, any>(INBOX, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it("marks your own items read, idempotently; another's item is a NOT_FOUND field error and nothing is marked", async () => {
    const { nodes } = await inbox(reader);
    const [newest, next] = nodes;
    const refused = await mark(stranger, { ids: [newest.id] });
    expect(refused.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'ids', '0'], messageZh: '没有这条提醒（或不是您的提醒）' }),
    ]);
    const mixed = await mark(reader, { ids: [next.id, toGlobalId('InboxItem', '999999')] });
    expect(mixed.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'ids', '1'] })]);
    expect((await inbox(reader)).unreadCount).toBe(5);

    for (const input of [{}, { ids: [] }, { ids: [newest.id], all: true }, { all: false }]) {
      expect((await mark(reader, input)).userErrors[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'ids'] });
    }
    expect((await mark(reader, { ids: ['not-an-id'] })).userErrors[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'ids', '0'] });

    const events = async () => (await app.rows<{ n: number }>('select count(*)::int as n from progress_update'))[0].n;
    const eventsBefore = await events();
    const marked = await mark(reader, { ids: [newest.id] });
    expect(marked).toMatchObject({ markedCount: 1, unreadCount: 4, userErrors: [] });
    expect(marked.items[0].readAt).not.toBeNull();
    const again = await mark(reader, { ids: [newest.id] });
    expect(again).toMatchObject({ markedCount: 0, unreadCount: 4, items: [{ id: newest.id, readAt: marked.items[0].readAt }] });
    expect(await events()).toBe(eventsBefore);

    const unread = await inbox(reader, { unreadOnly: true });
    expect(unread).toMatchObject({ totalCount: 4, unreadCount: 4 });
    expect(unread.nodes.map((n) => n.id)).not.toContain(newest.id);
    expect(await mark(reader, { all: true })).toMatchObject({ markedCount: 4, unreadCount: 0, items: [], userErrors: [] });
    expect(await inbox(reader)).toMatchObject({ totalCount: 5, unreadCount: 0 });
  });

  it('answers inbox in one statement, whatever the number of items', async () => {
    const many = await account('inbox-many', 'VIEWER', COUNTY);
    const measure = async () => (await app.measure(() => inbox(many, { first: 100 }))).count;
    const empty = await measure();
    await app.rows(
      `insert into inbox_item (recipient_sub, kind, subject_type, subject_key, area_code, title, summary, dedupe_key)
       select ?, 'ASSIGNED', 'Task', n::text, '511921000000', '第' || n || '项', '交办', 'test:many:' || n from generate_series(1, 60) n`,
      [many.sub],
    );
    const full = await measure();
    expect((await inbox(many)).totalCount).toBe(60);
    expect(full).toBe(empty);
    expect(full).toBe(1);
  });
});
