import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInChina } from '../../src/common/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * `deadlineExtensions(state, first, after)` (延期审批's list, issue 31 item 5): the requests across items
 * in the caller's subtree whose item the caller may read, newest first, with each item's title; paged,
 * and in a fixed number of statements whatever the number of requests.
 */

const COUNTY = '511921';
const TIEFO = '511921104'; // 铁佛镇
const MINSHENG = '511921101'; // 民胜镇
const SECTION = '社会事务股';

let app: TestApp;
let admin: string;
let leader: string;
/** Two villages of 铁佛镇 and one of 民胜镇. */
let tiefo1: string;
let tiefo2: string;
let minsheng1: string;

beforeAll(async () => {
  app = await startTestApp();
  const villages = async (township: string) =>
    (await app.rows<{ code: string }>(`select code from area where parent_code = ? order by code limit 2`, [`${township}000`])).map((row) => row.code);
  [tiefo1, tiefo2] = await villages(TIEFO);
  [minsheng1] = await villages(MINSHENG);
  admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '局长' });
  leader = await app.token('LEADER', COUNTY, { name: '分管副县长' });
});
afterAll(() => app?.close());

const LIST = `query($state: DeadlineExtensionState, $first: Int, $after: String, $area: String) {
  deadlineExtensions(state: $state, first: $first, after: $after, area: $area) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id item itemTitle state requestedDeadline reason requestedBy }
  }
}`;

type Node = { id: string; item: string; itemTitle: string; state: string; requestedDeadline: string; reason: string };

async function list(token: string | undefined, variables: Record<string, unknown> = {}) {
  return app.request<any, any>(LIST, variables, { token });
}
async function listed(token: string, variables: Record<string, unknown> = {}) {
  const result = await list(token, variables);
  expect(result.errors).toBeUndefined();
  return result.data.deadlineExtensions as { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Node[] };
}

let titles = 0;
/** A task of `area` (assigned to `assignedTo`), overdue, and a pending request to extend it: the request's id. */
async function requestFor(area: string, assignedTo: string): Promise<{ task: string; title: string; request: string }> {
  const title = `审批列表工作${++titles}`;
  const created = await app.query<any, any>(
    `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } userErrors { message } } }`,
    {
      input: {
        title,
        category: 'SOCIAL_AFFAIRS',
        area,
        ownerSection: SECTION,
        target: 4,
        unit: '处',
        startDate: '2026-01-01',
        deadline: addDays(todayInChina(), -1),
        assignments: [{ area: assignedTo, target: 4 }],
      },
    },
    { token: admin },
  );
  expect(created.createTask.userErrors).toEqual([]);
  const task = created.createTask.task.id as string;
  const requested = await app.query<any, any>(
    `mutation($input: RequestDeadlineExtensionInput!) { requestDeadlineExtension(input: $input) { extension { id } userErrors { message } } }`,
    { input: { item: task, newDeadline: addDays(todayInChina(), 30), reason: `${title}延期理由` } },
    { token: admin },
  );
  expect(requested.requestDeadlineExtension.userErrors).toEqual([]);
  return { task, title, request: requested.requestDeadlineExtension.extension.id };
}

describe('deadlineExtensions', () => {
  // county task assigned to 铁佛镇; 民胜镇's own task; a county task assigned to 民胜镇 (decided below)
  let countyTiefo: Awaited<ReturnType<typeof requestFor>>;
  let minsheng: Awaited<ReturnType<typeof requestFor>>;
  let decided: Awaited<ReturnType<typeof requestFor>>;

  beforeAll(async () => {
    countyTiefo = await requestFor(COUNTY, tiefo1);
    minsheng = await requestFor(MINSHENG, minsheng1);
    decided = await requestFor(COUNTY, minsheng1);
    const result = await app.query<any, any>(
      `mutation($input: DecideDeadlineExtensionInput!) { decideDeadlineExtension(input: $input) { userErrors { message } } }`,
      { input: { request: decided.request, approve: false, note: '理由不充分' } },
      { token: leader },
    );
    expect(result.decideDeadlineExtension.userErrors).toEqual([]);
  });

  it('lists the requests newest first, with their items and titles; state: PENDING leaves the decided out', async () => {
    const all = await listed(leader);
    expect(all.nodes.map((n) => n.id)).toEqual([decided.request, minsheng.request, countyTiefo.request]);
    expect(all.totalCount).toBe(3);
    expect(all.nodes.map((n) => [n.item, n.itemTitle, n.state])).toEqual([
      [decided.task, decided.title, 'REFUSED'],
      [minsheng.task, minsheng.title, 'PENDING'],
      [countyTiefo.task, countyTiefo.title, 'PENDING'],
    ]);
    const pending = await listed(leader, { state: 'PENDING' });
    expect(pending.nodes.map((n) => n.id)).toEqual([minsheng.request, countyTiefo.request]);
    expect(pending.totalCount).toBe(2);
  });

  it("gives each caller the requests of the items it may read: a task touching its subtree (own area or an assignment's)", async () => {
    const ids = async (token: string) => (await listed(token)).nodes.map((n) => n.id);
    // 铁佛镇's operator: the county task assigned to it; 民胜镇's: its own task and the county task assigned to it.
    expect(await ids(await app.token('TOWNSHIP_OPERATOR', TIEFO))).toEqual([countyTiefo.request]);
    expect(await ids(await app.token('TOWNSHIP_OPERATOR', MINSHENG))).toEqual([decided.request, minsheng.request]);
    expect(await ids(await app.token('VILLAGE_OPERATOR', tiefo1))).toEqual([countyTiefo.request]);
    // A village with no assignment: nothing (and a count of nothing); another county: the read matrix.
    const elsewhere = await listed(await app.token('VILLAGE_OPERATOR', tiefo2));
    expect([elsewhere.nodes, elsewhere.totalCount]).toEqual([[], 0]);
    // Every role that reads the task reads its requests (as Task.extensions does): VIEWER and SECTION_STAFF at the county too.
    expect(await ids(await app.token('VIEWER', COUNTY))).toHaveLength(3);
    expect(await ids(await app.token('SECTION_STAFF', COUNTY, { section: '养老服务股' }))).toHaveLength(3);
    const anonymous = await list(undefined);
    expect(anonymous.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('narrows to the requests touching an area (area); an area outside the caller is FORBIDDEN, a bad code BAD_USER_INPUT', async () => {
    const ids = async (token: string, area: string) => (await listed(token, { area })).nodes.map((n) => n.id);
    // 铁佛镇: the county task assigned into it; 民胜镇: its own task and the county task assigned into it.
    expect(await ids(leader, TIEFO)).toEqual([countyTiefo.request]);
    expect(await ids(leader, MINSHENG)).toEqual([decided.request, minsheng.request]);
    expect(await ids(leader, COUNTY)).toEqual([decided.request, minsheng.request, countyTiefo.request]);
    expect((await listed(leader, { area: TIEFO })).totalCount).toBe(1);
    // A township's operator inside its own township, and not beyond.
    const tiefoOperator = await app.token('TOWNSHIP_OPERATOR', TIEFO);
    expect(await ids(tiefoOperator, TIEFO)).toEqual([countyTiefo.request]);
    expect((await list(tiefoOperator, { area: MINSHENG })).errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect((await list(tiefoOperator, { area: COUNTY })).errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const bad = await list(leader, { area: '5119' });
    expect(bad.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'area']]);
  });

  it('pages with first and after; a cursor not of this connection is refused', async () => {
    const first = await listed(admin, { first: 2 });
    expect(first.nodes.map((n) => n.id)).toEqual([decided.request, minsheng.request]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await listed(admin, { first: 2, after: first.pageInfo.endCursor });
    expect(second.nodes.map((n) => n.id)).toEqual([countyTiefo.request]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(second.totalCount).toBe(3);
    const bad = await list(admin, { after: Buffer.from('k:abc').toString('base64url') });
    expect(bad.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('reads a page with its titles and count in the same number of statements whatever the number of requests', async () => {
    const statements = async () => (await app.measure(() => listed(leader, { first: 100 }))).count;
    const before = await statements();
    expect(before).toBeLessThanOrEqual(2);
    for (let i = 0; i < 4; i++) await requestFor(COUNTY, tiefo1);
    expect((await listed(leader)).totalCount).toBe(7);
    expect(await statements()).toBe(before);
  });

  it("gives a task's own requests their item's title too (Task.extensions), in one statement for all", async () => {
    const result = await app.query<any, any>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Task { title extensions(first: 5) { nodes { itemTitle } } } } }`,
      { ids: [countyTiefo.task, minsheng.task] },
      { token: leader },
    );
    for (const task of result.nodes) expect(task.extensions.nodes.map((n: { itemTitle: string }) => n.itemTitle)).toEqual([task.title]);
  });

  it("lists a rectification's request (整改延期) with its finding as the title, to the roles that read rectifications only", async () => {
    const created = await app.query<any, any>(
      `mutation($input: CreateRectificationInput!) { createRectification(input: $input) { rectification { id finding } userErrors { message } } }`,
      {
        input: {
          finding: '审批列表整改问题',
          area: TIEFO,
          category: 'MANAGEMENT',
          responsiblePerson: '张三',
          deadline: addDays(todayInChina(), -1),
          openedOn: addDays(todayInChina(), -20),
        },
      },
      { token: admin },
    );
    expect(created.createRectification.userErrors).toEqual([]);
    const rectification = created.createRectification.rectification as { id: string; finding: string };
    const requested = await app.query<any, any>(
      `mutation($input: RequestDeadlineExtensionInput!) { requestDeadlineExtension(input: $input) { extension { id } userErrors { message } } }`,
      { input: { item: rectification.id, newDeadline: addDays(todayInChina(), 30), reason: '整改需要施工' } },
      { token: await app.token('TOWNSHIP_OPERATOR', TIEFO) },
    );
    expect(requested.requestDeadlineExtension.userErrors).toEqual([]);
    const request = requested.requestDeadlineExtension.extension.id as string;

    const first = (await listed(leader, { state: 'PENDING', first: 1 })).nodes[0];
    expect(first).toMatchObject({ id: request, item: rectification.id, itemTitle: '审批列表整改问题', state: 'PENDING' });
    expect((await listed(await app.token('TOWNSHIP_OPERATOR', TIEFO))).nodes.map((n) => n.id)).toContain(request);
    // Rectifications are for the sensitive readers: a viewer and a village operator of 铁佛镇 do not see the request.
    expect((await listed(await app.token('VIEWER', COUNTY))).nodes.map((n) => n.id)).not.toContain(request);
    expect((await listed(await app.token('VILLAGE_OPERATOR', tiefo1))).nodes.map((n) => n.id)).not.toContain(request);
    // Nor 民胜镇's operator, outside whose subtree it lies.
    expect((await listed(await app.token('TOWNSHIP_OPERATOR', MINSHENG))).nodes.map((n) => n.id)).not.toContain(request);
  });
});
