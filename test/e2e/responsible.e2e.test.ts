import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/** 责任到人 (issue 31 item 1): assignResponsible, each item's `responsible` and `responsibleHistory`, and `responsibilities`. */

const COUNTY = '511921';
const TIEFO = '511921104'; // 铁佛镇
const MASHI = '511921105'; // 麻石镇
const SECTION = '社会事务股';

let app: TestApp;
let admin: string;
let staff: string;
let otherStaff: string;
let tiefoOp: string;
let mashiOp: string;
let leader: string;
let viewer: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '局长' });
  staff = await app.token('SECTION_STAFF', COUNTY, { name: '社会事务股 王', section: SECTION });
  otherStaff = await app.token('SECTION_STAFF', COUNTY, { name: '养老服务股 赵', section: '养老服务股' });
  tiefoOp = await app.token('TOWNSHIP_OPERATOR', TIEFO, { name: '铁佛镇民政办' });
  mashiOp = await app.token('TOWNSHIP_OPERATOR', MASHI, { name: '麻石镇民政办' });
  leader = await app.token('LEADER', COUNTY, { name: '分管副县长' });
  viewer = await app.token('VIEWER', COUNTY);
});
afterAll(() => app?.close());

const PERSON = 'name title unit accountId';
const ASSIGN = `mutation($input: AssignResponsibleInput!) {
  assignResponsible(input: $input) { item responsible { ${PERSON} } userErrors { code field message messageZh } }
}`;

async function assign(token: string, input: Record<string, unknown>) {
  const result = await app.request<any, any>(ASSIGN, { input }, { token });
  return result;
}

async function ok(token: string, input: Record<string, unknown>) {
  const result = await assign(token, input);
  expect(result.errors).toBeUndefined();
  expect(result.data.assignResponsible.userErrors).toEqual([]);
  return result.data.assignResponsible;
}

async function counts() {
  const [row] = await app.rows<{ changes: number; events: number; rectifications: string }>(
    `select (select count(*)::int from responsible_change) as changes, (select count(*)::int from progress_update) as events,
            (select string_agg(responsible_person || ':' || version, ',' order by id) from rectification) as rectifications`,
  );
  return row;
}

let taskTitle = 0;
async function createTask(deadline = '2099-12-31', startDate = '2026-01-01') {
  const result = await app.query<any, any>(
    `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id assignments { id area { code } } } userErrors { message } } }`,
    {
      input: {
        title: `责任测试工作${++taskTitle}`,
        category: 'SOCIAL_AFFAIRS',
        area: COUNTY,
        ownerSection: SECTION,
        target: 10,
        unit: '处',
        startDate,
        deadline,
        assignments: [
          { area: TIEFO, target: 6 },
          { area: MASHI, target: 4 },
        ],
      },
    },
    { token: admin },
  );
  expect(result.createTask.userErrors).toEqual([]);
  const task = result.createTask.task;
  return { id: task.id as string, tiefo: task.assignments[0].id as string, mashi: task.assignments[1].id as string };
}

async function createRectification(responsiblePerson = '张三') {
  const result = await app.query<any, any>(
    `mutation($input: CreateRectificationInput!) { createRectification(input: $input) { rectification { id } userErrors { message } } }`,
    { input: { area: TIEFO, category: 'FUNDS_MISUSE', finding: '低保资金挪用', responsiblePerson, deadline: '2099-12-31' } },
    { token: admin },
  );
  return result.createRectification.rectification.id as string;
}

const HISTORY = `responsible { ${PERSON} } responsibleHistory(first: 10) { totalCount nodes { person { ${PERSON} } previous { name title unit } reason changedBy changedAt } }`;

describe('assignResponsible on a key task', () => {
  it('sets and changes the responsible person, with history newest first, one event per change and its audit row', async () => {
    const task = await createTask();
    const before = await counts();
    const first = await ok(admin, { item: task.id, person: { name: '何春梅', title: '股长', unit: '县民政局社会事务股' } });
    expect(first).toMatchObject({ item: task.id, responsible: { name: '何春梅', title: '股长', unit: '县民政局社会事务股', accountId: null } });
    await ok(staff, { item: task.id, person: { name: '谢国华', title: '副局长', unit: '县民政局' }, reason: ' 逾期未完成，改由分管副局长牵头 ' });
    const after = await counts();
    expect(after.changes - before.changes).toBe(2);
    expect(after.events - before.events).toBe(2);

    const read = await app.query<any, any>(`query($id: ID!) { node(id: $id) { ... on Task { ${HISTORY} } } }`, { id: task.id }, { token: viewer });
    expect(read.node.responsible).toMatchObject({ name: '谢国华', title: '副局长' });
    expect(read.node.responsibleHistory.totalCount).toBe(2);
    const [latest, earliest] = read.node.responsibleHistory.nodes;
    expect(latest).toMatchObject({
      person: { name: '谢国华' },
      previous: { name: '何春梅', title: '股长', unit: '县民政局社会事务股' },
      reason: '逾期未完成，改由分管副局长牵头',
      changedBy: '社会事务股 王',
    });
    expect(earliest).toMatchObject({ person: { name: '何春梅' }, previous: null, reason: null, changedBy: '局长' });

    const [event] = await app.rows<any>('select subject_kind, subject_id, action, summary, before, after from progress_update order by sequence desc limit 1');
    expect(event).toMatchObject({ subject_kind: 'TASK', subject_id: task.id, action: 'UPDATED' });
    expect(event.summary).toContain('何春梅（县民政局社会事务股 股长） → 谢国华（县民政局 副局长）');
    expect(event.before.responsible.name).toBe('何春梅');
    expect(event.after).toMatchObject({ responsible: { name: '谢国华' }, reason: '逾期未完成，改由分管副局长牵头' });
    const [audit] = await app.rows<any>(`select mutation, outcome from audit_log where mutation = 'assignResponsible' order by id desc limit 1`);
    expect(audit).toMatchObject({ mutation: 'assignResponsible', outcome: 'OK' });
  });

  it('refuses the roles that may not write the task, changing nothing', async () => {
    const task = await createTask();
    const before = await counts();
    for (const token of [otherStaff, tiefoOp, leader, viewer]) {
      const result = await assign(token, { item: task.id, person: { name: '某人', title: '职员', unit: '某单位' } });
      expect(result.errors?.[0]?.extensions?.code, 'a refused role').toBe('FORBIDDEN');
    }
    const anonymous = await app.request<any, any>(ASSIGN, { input: { item: task.id, person: { name: '某人', title: '职员', unit: '某单位' } } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await counts()).toEqual(before);
  });

  it('refuses bad input with field errors in Chinese, changing nothing', async () => {
    const task = await createTask();
    await ok(admin, { item: task.id, person: { name: '何春梅', title: '股长', unit: '县民政局' } });
    const before = await counts();
    const cases: [Record<string, unknown>, string][] = [
      [{ item: task.id }, 'account'],
      [{ item: task.id, person: { name: '何春梅', title: '股长', unit: '县民政局' } }, 'account'],
      [{ item: task.id, person: { name: '  ', title: '股长', unit: '县民政局' } }, 'person'],
      [{ item: task.id, person: { name: '李四', title: '', unit: '县民政局' } }, 'person'],
      [{ item: task.id, person: { name: '李四', title: '股长', unit: '县民政局' }, reason: 'x'.repeat(501) }, 'reason'],
    ];
    for (const [input, field] of cases) {
      const result = await assign(admin, input);
      expect(result.errors, JSON.stringify(input)).toBeUndefined();
      const errors = result.data.assignResponsible.userErrors;
      expect(errors.length, JSON.stringify(input)).toBeGreaterThan(0);
      expect(errors[0].field).toContain(field);
      expect(errors[0].messageZh).toMatch(/[\u4e00-\u9fff]/);
      expect(result.data.assignResponsible.responsible).toBeNull();
    }
    const same = await assign(admin, { item: task.id, person: { name: '何春梅', title: '股长', unit: '县民政局' } });
    expect(same.data.assignResponsible.userErrors[0].messageZh).toContain('责任人未变化');
    const neither = await assign(admin, { item: task.id });
    expect(neither.data.assignResponsible.userErrors[0].messageZh).toContain('二者选一');
    const wrongKind = await assign(admin, { item: Buffer.from('Area:511921000000').toString('base64url'), person: { name: 'a', title: 'b', unit: 'c' } });
    expect(wrongKind.data?.assignResponsible?.userErrors?.[0]?.code ?? wrongKind.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await counts()).toEqual(before);
  });
});

describe('assignResponsible on assignments, projects and rectifications', () => {
  it("lets the township's operator name the person for its own share only", async () => {
    const task = await createTask();
    const before = await counts();
    for (const token of [mashiOp, otherStaff, leader]) {
      const result = await assign(token, { item: task.tiefo, person: { name: '李明', title: '副镇长', unit: '铁佛镇人民政府' } });
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await counts()).toEqual(before);
    await ok(tiefoOp, { item: task.tiefo, person: { name: '李明', title: '副镇长', unit: '铁佛镇人民政府' } });
    const read = await app.query<any, any>(
      `query($id: ID!) { node(id: $id) { ... on TaskAssignment { ${HISTORY} } } }`,
      { id: task.tiefo },
      { token: tiefoOp },
    );
    expect(read.node.responsible.name).toBe('李明');
    expect(read.node.responsibleHistory.nodes[0].changedBy).toBe('铁佛镇民政办');
  });

  it("names an account (its display name and section), visible to an admin as the account; the rectification's registered person is its first", async () => {
    const created = await app.query<any, any>(
      `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } userErrors { message } } }`,
      { input: { login: 'zhaomin', displayName: '赵敏', role: 'SECTION_STAFF', area: COUNTY, section: SECTION, password: 'Zhao-min-2026-pass' } },
      { token: admin },
    );
    const account = created.createAccount.account.id as string;
    const rectification = await createRectification('张三');
    let read = await app.query<any, any>(
      `query($id: ID!) { node(id: $id) { ... on Rectification { responsiblePerson ${HISTORY} } } }`,
      { id: rectification },
      { token: admin },
    );
    expect(read.node.responsible).toMatchObject({ name: '张三', title: null, unit: null, accountId: null });
    expect(read.node.responsibleHistory.totalCount).toBe(0);

    // A township operator may not name an account outside its township (nor learn of it).
    const far = await assign(tiefoOp, { item: rectification, account });
    expect(far.data.assignResponsible.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'account'] });
    expect(far.data.assignResponsible.userErrors[0].messageZh).toContain('没有这个账号');

    const done = await ok(admin, { item: rectification, account, reason: '原责任人调任' });
    expect(done.responsible).toMatchObject({ name: '赵敏', title: null, unit: SECTION, accountId: account });
    read = await app.query<any, any>(
      `query($id: ID!) { node(id: $id) { ... on Rectification { responsiblePerson version ${HISTORY} responsible { account { login } } } } }`,
      { id: rectification },
      { token: admin },
    );
    expect(read.node.responsiblePerson).toBe('赵敏');
    expect(read.node.version).toBe(2);
    expect(read.node.responsible.account).toEqual({ login: 'zhaomin' });
    expect(read.node.responsibleHistory.nodes[0]).toMatchObject({ person: { name: '赵敏' }, previous: { name: '张三', title: null }, reason: '原责任人调任' });
    // Others see that it is an account, not the account itself.
    const asLeader = await app.query<any, any>(
      `query($id: ID!) { node(id: $id) { ... on Rectification { responsible { name accountId account { login } } } } }`,
      { id: rectification },
      { token: leader },
    );
    expect(asLeader.node.responsible).toEqual({ name: '赵敏', accountId: account, account: null });

    const mine = await app.query<any, any>(
      `query($id: ID!) { node(id: $id) { ... on Account { responsibilities { nodes { kind itemId } } } } }`,
      { id: account },
      { token: admin },
    );
    expect(mine.node.responsibilities.nodes).toEqual([{ kind: 'RECTIFICATION', itemId: rectification }]);
    const [event] = await app.rows<any>('select subject_kind, summary from progress_update order by sequence desc limit 1');
    expect(event.subject_kind).toBe('RECTIFICATION');
    expect(event.summary).toContain('张三 → 赵敏（社会事务股）');

    // A disabled account cannot be named.
    await app.query<any, any>(
      `mutation($input: AccountIdInput!) { disableAccount(input: $input) { userErrors { message } } }`,
      { input: { id: account } },
      { token: admin },
    );
    const project = await app.query<any, any>(
      `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id } userErrors { message } } }`,
      { input: { name: '责任测试项目', category: 'ELDERLY_CARE', area: TIEFO, ownerSection: '养老服务股' } },
      { token: admin },
    );
    const disabled = await assign(admin, { item: project.createProject.project.id, account });
    expect(disabled.data.assignResponsible.userErrors[0].messageZh).toContain('已停用');
  });
});

describe('a responsible person set at creation', () => {
  it('createTask and createProject take an optional responsible: one history row, in the one CREATED event', async () => {
    const before = await counts();
    const created = await app.query<any, any>(
      `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id ${HISTORY} } userErrors { field messageZh } } }`,
      {
        input: {
          title: '建时指定责任人',
          category: 'SOCIAL_AFFAIRS',
          area: COUNTY,
          ownerSection: SECTION,
          target: 1,
          unit: '处',
          startDate: '2026-01-01',
          deadline: '2099-12-31',
          assignments: [{ area: TIEFO, target: 1 }],
          responsible: { person: { name: '何春梅', title: '股长', unit: '县民政局社会事务股' } },
        },
      },
      { token: staff },
    );
    expect(created.createTask.userErrors).toEqual([]);
    const task = created.createTask.task;
    expect(task.responsible).toMatchObject({ name: '何春梅', title: '股长' });
    expect(task.responsibleHistory.nodes).toEqual([expect.objectContaining({ previous: null, changedBy: '社会事务股 王' })]);
    const after = await counts();
    expect([after.changes - before.changes, after.events - before.events]).toEqual([1, 1]);
    const [event] = await app.rows<any>('select action, after from progress_update order by sequence desc limit 1');
    expect(event).toMatchObject({ action: 'CREATED', after: { responsible: { name: '何春梅', title: '股长' } } });

    const PROJECT = `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id responsible { name unit } } userErrors { field messageZh } } }`;
    const project = { name: '建时责任项目', category: 'ELDERLY_CARE', area: TIEFO, ownerSection: '养老服务股' };
    const made = await app.query<any, any>(
      PROJECT,
      { input: { ...project, responsible: { person: { name: '李明', title: '副镇长', unit: '铁佛镇人民政府' } } } },
      { token: tiefoOp },
    );
    expect(made.createProject).toMatchObject({ userErrors: [], project: { responsible: { name: '李明', unit: '铁佛镇人民政府' } } });

    // Bad input: nothing written, the field under `responsible`.
    const [{ n: projectsBefore }] = await app.rows<{ n: number }>('select count(*)::int as n from project');
    const bad = await app.query<any, any>(PROJECT, { input: { ...project, name: '建时责任项目二', responsible: {} } }, { token: tiefoOp });
    expect(bad.createProject.project).toBeNull();
    expect(bad.createProject.userErrors[0]).toMatchObject({ field: ['input', 'responsible', 'account'] });
    expect(bad.createProject.userErrors[0].messageZh).toContain('二者选一');
    const [{ n: projectsAfter }] = await app.rows<{ n: number }>('select count(*)::int as n from project');
    expect(projectsAfter).toBe(projectsBefore);
  });
});

describe('responsibilities', () => {
  const LIST = `query($account: ID, $name: String) { responsibilities(account: $account, name: $name) { totalCount nodes { kind itemId title deadline status behind since area { code } } } }`;

  it('lists what a named person is responsible for now, with deadline and how it is going, as far as the caller may read', async () => {
    // Lagging: more than half the time gone (until 2030), nothing done.
    const lagging = await createTask('2030-12-31', '2020-01-01');
    const overdue = await createTask('2021-12-31', '2020-01-01');
    const rectification = await createRectification('周八');
    await ok(admin, { item: lagging.id, person: { name: '周八', title: '股长', unit: '县民政局' } });
    await ok(admin, { item: overdue.mashi, person: { name: '周八', title: '股长', unit: '县民政局' } });
    // Handed on: no longer theirs.
    const handed = await createTask();
    await ok(admin, { item: handed.id, person: { name: '周八', title: '股长', unit: '县民政局' } });
    await ok(admin, { item: handed.id, person: { name: '吴九', title: '股长', unit: '县民政局' } });

    const asAdmin = await app.query<any, any>(LIST, { name: '周八' }, { token: admin });
    expect(asAdmin.responsibilities.nodes.map((n: any) => [n.kind, n.itemId, n.status, n.behind])).toEqual([
      ['TASK', lagging.id, 'LAGGING', true],
      ['TASK_ASSIGNMENT', overdue.mashi, 'OVERDUE', true],
      ['RECTIFICATION', rectification, 'OPEN', false],
    ]);
    expect(asAdmin.responsibilities.nodes[1]).toMatchObject({ deadline: '2021-12-31', area: { code: `${MASHI}000` } });
    expect(asAdmin.responsibilities.nodes[1].title).toContain('麻石镇');

    // 铁佛镇's operator reads the county task (it has a share in 铁佛镇) and the rectification in 铁佛镇, not 麻石镇's share.
    const asTiefo = await app.query<any, any>(LIST, { name: '周八' }, { token: tiefoOp });
    expect(asTiefo.responsibilities.nodes.map((n: any) => n.kind)).toEqual(['TASK', 'RECTIFICATION']);
    const asMashi = await app.query<any, any>(LIST, { name: '周八' }, { token: mashiOp });
    expect(asMashi.responsibilities.nodes.map((n: any) => n.kind)).toEqual(['TASK', 'TASK_ASSIGNMENT']);
    // A VIEWER reads no rectification.
    const asViewer = await app.query<any, any>(LIST, { name: '周八' }, { token: viewer });
    expect(asViewer.responsibilities.nodes.map((n: any) => n.kind)).toEqual(['TASK', 'TASK_ASSIGNMENT']);

    // Paged by (kind, id): the next page continues after the cursor.
    const PAGED = `query($name: String, $after: String) { responsibilities(name: $name, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { itemId } } }`;
    const page1 = (await app.query<any, any>(PAGED, { name: '周八' }, { token: admin })).responsibilities;
    expect(page1).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true }, nodes: [{ itemId: lagging.id }, { itemId: overdue.mashi }] });
    const page2 = (await app.query<any, any>(PAGED, { name: '周八', after: page1.pageInfo.endCursor }, { token: admin })).responsibilities;
    expect(page2).toMatchObject({ pageInfo: { hasNextPage: false }, nodes: [{ itemId: rectification }] });

    const wu = await app.query<any, any>(LIST, { name: '吴九' }, { token: leader });
    expect(wu.responsibilities.nodes.map((n: any) => n.itemId)).toEqual([handed.id]);

    const both = await app.request<any, any>(LIST, { name: '周八', account: Buffer.from('Account:1').toString('base64url') }, { token: admin });
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // Neither: the caller's own (a development token: its name).
    const zhou = await app.token('SECTION_STAFF', COUNTY, { name: '周八', section: SECTION });
    const own = await app.query<any, any>(LIST, {}, { token: zhou });
    expect(own.responsibilities.nodes.map((n: any) => n.itemId)).toEqual([lagging.id, overdue.mashi, rectification]);
  });
});
