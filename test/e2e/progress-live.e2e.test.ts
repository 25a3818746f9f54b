import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient as createSseClient } from 'graphql-sse';
import { print } from 'graphql';
import WebSocket from 'ws';
import { SubjectKind } from '../../src/modules/progress/progress.entity.js';
import { startServer } from '../../src/server/app.js';
import { ProgressUpdatedDocument, ProgressUpdatesDocument } from '../graphql/generated/graphql.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { appendEvent, committedHead, eventually, settle, watch, type Delivered } from '../support/progress.js';
import { createTokenVerifier } from '../../src/auth/auth.tokens.js';
import { civgraph } from '../../src/features.js';

let app: TestApp;
let countyToken: string;
const BIZHOU = '511921001'; // 壁州街道
const NUOJIANG = '511921100'; // 诺江镇
let bizhouVillage: string;
let nuojiangVillage: string;

beforeAll(async () => {
  app = await startTestApp();
  countyToken = await app.token('COUNTY_ADMIN', '511921');
  const villages = await app.orm.em
    .fork()
    .getConnection()
    .execute<{ code: string }[]>(
      `select min(code) as code from area where level = 'VILLAGE' and (code like '511921001%' or code like '511921100%') group by substr(code, 1, 9) order by 1`,
    );
  [bizhouVillage, nuojiangVillage] = villages.map((v) => v.code) as [string, string];
});
afterAll(() => app?.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const summaries = (events: Delivered[]) => events.map((e) => e.summary);
const sequences = (events: Delivered[]) => events.map((e) => BigInt(e.sequence));
const ascending = (values: bigint[]) => values.every((value, i) => i === 0 || value > values[i - 1]);

describe('sequence numbers follow commit order', () => {
  it('a reader that has seen N never later meets a newly committed event below N, under 20 concurrent writers', async () => {
    const start = BigInt(await committedHead(app));
    const seen = new Set<bigint>();
    let highest = start;
    const violations: string[] = [];
    let writing = true;
    const reader = (async () => {
      const em = app.orm.em.fork();
      while (writing || seen.size < 20) {
        const rows = await em
          .getConnection()
          .execute<{ sequence: string }[]>('select sequence::text as sequence from progress_update where sequence > ? order by sequence', [start.toString()]);
        // Everything newly visible in this poll must lie above everything seen in earlier polls.
        const fresh = rows.map((r) => BigInt(r.sequence)).filter((s) => !seen.has(s));
        for (const sequence of fresh) if (sequence < highest) violations.push(`${sequence} appeared after ${highest}`);
        for (const sequence of fresh) {
          seen.add(sequence);
          if (sequence > highest) highest = sequence;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const county = watch(app.wsClient(auth(countyToken)), { area: '511921', after: start.toString() });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        appendEvent(app, BIZHOU, `并发 ${i}`, { beforeCommit: () => new Promise((resolve) => setTimeout(resolve, Math.random() * 8)) }),
      ),
    );
    writing = false;
    await reader;
    expect(violations).toEqual([]);
    expect(seen.size).toBe(20);
    const delivered = await county.until(20);
    await settle(200);
    expect(delivered).toHaveLength(20);
    expect(ascending(sequences(delivered))).toBe(true);
    expect(new Set(sequences(delivered))).toEqual(seen);
  });
});

describe('progressUpdated', () => {
  it('delivers each new event in the subtree in sequence order with its area, cursor and summary', async () => {
    const head = await committedHead(app);
    const township = watch(app.wsClient(auth(countyToken)), { area: BIZHOU, after: head });
    const seq1 = await appendEvent(app, bizhouVillage, '壁州 一');
    await appendEvent(app, NUOJIANG, '诺江 一');
    const seq2 = await appendEvent(app, BIZHOU, '壁州 二');
    const events = await township.until(2);
    await settle();
    expect(summaries(township.events)).toEqual(['壁州 一', '壁州 二']);
    expect(events[0]).toMatchObject({ sequence: seq1, subjectKind: 'FACILITY', action: 'STATUS_CHANGED', area: { code: bizhouVillage } });
    expect(events[1]).toMatchObject({ sequence: seq2, area: { code: `${BIZHOU}000`, name: '壁州街道' } });
  });

  it('without `after`, starts with events committed from now on; filters kinds and includeDescendants', async () => {
    const client = app.wsClient(auth(countyToken));
    const hub = app.progressHub;
    const before = hub.stats.subscribers;
    const all = watch(client, { area: BIZHOU });
    const own = watch(client, { area: BIZHOU, includeDescendants: false });
    const tasks = watch(client, { area: BIZHOU, kinds: ['TASK'] });
    await eventually(() => expect(hub.stats.subscribers).toBe(before + 3));
    await appendEvent(app, bizhouVillage, '村 设施');
    await appendEvent(app, BIZHOU, '街道 设施');
    await appendEvent(app, bizhouVillage, '村 任务', { kind: SubjectKind.TASK });
    await all.until(3);
    await settle();
    expect(summaries(all.events)).toEqual(['村 设施', '街道 设施', '村 任务']);
    expect(summaries(own.events)).toEqual(['街道 设施']);
    expect(summaries(tasks.events)).toEqual(['村 任务']);
  });

  it('a client that disconnects and resubscribes with its last cursor gets every event it missed exactly once, in order', async () => {
    const head = await committedHead(app);
    const first = app.wsClient(auth(countyToken));
    const before = watch(first, { area: BIZHOU, after: head });
    await appendEvent(app, BIZHOU, '断线前 1');
    await appendEvent(app, BIZHOU, '断线前 2');
    const received = await before.until(2);
    const lastCursor = received[1].cursor;
    await first.dispose();

    await appendEvent(app, BIZHOU, '离线 1');
    await appendEvent(app, NUOJIANG, '离线 别处');
    await appendEvent(app, bizhouVillage, '离线 2');
    await appendEvent(app, BIZHOU, '离线 3');

    const again = watch(app.wsClient(auth(countyToken)), { area: BIZHOU, after: lastCursor });
    await again.until(3);
    await appendEvent(app, BIZHOU, '重连后');
    await again.until(4);
    await settle();
    expect(summaries(before.events)).toEqual(['断线前 1', '断线前 2']);
    expect(summaries(again.events)).toEqual(['离线 1', '离线 2', '离线 3', '重连后']);
    expect(ascending(sequences(again.events))).toBe(true);
  });

  it('replay-then-live: events appended while stored ones are replayed are delivered exactly once', async () => {
    const head = await committedHead(app);
    for (let i = 0; i < 40; i++) await appendEvent(app, BIZHOU, `存量 ${i}`);
    const replaying = watch(app.wsClient(auth(countyToken)), { area: BIZHOU, after: head });
    // Writers race the replay.
    await Promise.all(Array.from({ length: 40 }, (_, i) => appendEvent(app, bizhouVillage, `实时 ${i}`)));
    const events = await replaying.until(80);
    await settle();
    expect(replaying.events).toHaveLength(80);
    expect(ascending(sequences(events))).toBe(true);
    expect(new Set(summaries(events)).size).toBe(80);
    expect(summaries(events).slice(0, 40)).toEqual(Array.from({ length: 40 }, (_, i) => `存量 ${i}`));
  });

  it('subscribers of one scope at different cursors each get only the events after their own', async () => {
    const e1 = await appendEvent(app, nuojiangVillage, '游标 1');
    const e2 = await appendEvent(app, nuojiangVillage, '游标 2');
    const client = app.wsClient(auth(countyToken));
    const fromFirst = watch(client, { area: nuojiangVillage, includeDescendants: false, after: e1 });
    const fromSecond = watch(client, { area: nuojiangVillage, includeDescendants: false, after: e2 });
    await fromFirst.until(1);
    await appendEvent(app, nuojiangVillage, '游标 3');
    await fromFirst.until(2);
    await fromSecond.until(1);
    await settle();
    expect(summaries(fromFirst.events)).toEqual(['游标 2', '游标 3']);
    expect(summaries(fromSecond.events)).toEqual(['游标 3']);
  });

  it('reads every delivered event afresh: an area renamed between two events shows its new name', async () => {
    const head = await committedHead(app);
    const live = watch(app.wsClient(auth(countyToken)), { area: BIZHOU, includeDescendants: false, after: head });
    await appendEvent(app, BIZHOU, '改名前');
    await live.until(1);
    const conn = app.orm.em.fork().getConnection();
    await conn.execute(`update area set name = '壁州街道(新)' where code = ?`, [`${BIZHOU}000`]);
    try {
      await appendEvent(app, BIZHOU, '改名后');
      const [first, second] = await live.until(2);
      expect(first.area.name).toBe('壁州街道');
      expect(second.area.name).toBe('壁州街道(新)');
    } finally {
      await conn.execute(`update area set name = '壁州街道' where code = ?`, [`${BIZHOU}000`]);
    }
  });

  it('N subscribers of the same scope cost one read per wake-up, not one each', async () => {
    const hub = app.progressHub;
    const head = await committedHead(app);
    const before = hub.stats.subscribers;
    const clients = Array.from({ length: 5 }, () => app.wsClient(auth(countyToken)));
    const many = clients.flatMap((client) => Array.from({ length: 10 }, () => watch(client, { area: NUOJIANG, after: head })));
    // All registered (a late one would read for itself, which is not what is measured here).
    await eventually(() => expect(hub.stats.subscribers).toBe(before + 50));
    await settle(200);
    const reads = hub.stats.reads;
    await appendEvent(app, nuojiangVillage, '诺江 广播');
    await Promise.all(many.map((w) => w.until(1)));
    // One read for the notification (a second at most if a poll coincides).
    expect(hub.stats.reads - reads).toBeLessThanOrEqual(2);
    expect(many.every((w) => w.events.length === 1)).toBe(true);
    clients.forEach((client) => void client.dispose());
  });

  it('loses nothing when the LISTEN connection drops: it reconnects and catches up from the table', async () => {
    const hub = app.progressHub;
    const head = await committedHead(app);
    const live = watch(app.wsClient(auth(countyToken)), { area: BIZHOU, after: head });
    await appendEvent(app, BIZHOU, '掉线前');
    await live.until(1);
    const reconnects = hub.stats.reconnects;
    const pid = hub.listenerPid;
    expect(pid).toBeTypeOf('number');
    await app.orm.em.fork().getConnection().execute('select pg_terminate_backend(?)', [pid]);
    // Appended while nobody in this process listens: their notifications are lost.
    await appendEvent(app, BIZHOU, '掉线中 1');
    await appendEvent(app, BIZHOU, '掉线中 2');
    await eventually(() => expect(hub.stats.reconnects).toBeGreaterThan(reconnects));
    await appendEvent(app, BIZHOU, '恢复后');
    await live.until(4);
    await settle();
    expect(summaries(live.events)).toEqual(['掉线前', '掉线中 1', '掉线中 2', '恢复后']);
  });
});

describe('progressUpdated scope', () => {
  it("a township operator's subscription never receives another township's events", async () => {
    const operator = await app.token('TOWNSHIP_OPERATOR', BIZHOU);
    const head = await committedHead(app);
    const own = watch(app.wsClient(auth(operator)), { area: BIZHOU, after: head });
    await appendEvent(app, NUOJIANG, '诺江 机密');
    await appendEvent(app, nuojiangVillage, '诺江村 机密');
    await appendEvent(app, '511921', '县级 事项');
    await appendEvent(app, bizhouVillage, '壁州村 事项');
    await own.until(1);
    await settle(400);
    expect(summaries(own.events)).toEqual(['壁州村 事项']);
  });

  it('never gives a viewer or village operator events about rectification or supervision (sensitive), live or stored', async () => {
    const head = await committedHead(app);
    const viewer = await app.token('VIEWER', BIZHOU);
    const villageOp = await app.token('VILLAGE_OPERATOR', bizhouVillage);
    const operator = await app.token('TOWNSHIP_OPERATOR', BIZHOU);
    const watching = [viewer, villageOp, operator].map((token) => watch(app.wsClient(auth(token)), { area: bizhouVillage, after: head }));
    const finding = await appendEvent(app, bizhouVillage, '审计问题 机密', { kind: SubjectKind.RECTIFICATION });
    await appendEvent(app, bizhouVillage, '督办 机密', { kind: SubjectKind.SUPERVISION });
    await appendEvent(app, bizhouVillage, '站点 事项');
    await Promise.all(watching.map((w, i) => w.until(i === 2 ? 3 : 1)));
    const [byViewer, byVillage, byOperator] = watching.map((w) => summaries(w.events));
    expect(byViewer).toEqual(['站点 事项']);
    expect(byVillage).toEqual(['站点 事项']);
    expect(byOperator).toEqual(['审计问题 机密', '督办 机密', '站点 事项']);

    const stored = await app.query(ProgressUpdatesDocument, { area: bizhouVillage, after: head }, { token: viewer });
    expect(stored.progressUpdates.edges.map((e) => e.node.summary)).toEqual(['站点 事项']);
    const asked = await app.request(ProgressUpdatesDocument, { area: bizhouVillage, kinds: [SubjectKind.RECTIFICATION] }, { token: viewer });
    expect(asked.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const byId = await app.request<{ node: unknown }, never>(
      `{ node(id: "${Buffer.from(`ProgressUpdate:${finding}`).toString('base64url')}") { id } }`,
      undefined,
      { token: villageOp },
    );
    expect(byId.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('gives a leader (县/局领导) every event of its subtree, sensitive ones included, over graphql-ws, SSE and stored', async () => {
    const head = await committedHead(app);
    const leader = await app.token('LEADER', '511921');
    const overWs = watch(app.wsClient(auth(leader)), { area: bizhouVillage, after: head });
    const sse = createSseClient({ url: app.url.replace(/\/graphql$/, '/graphql/stream'), headers: auth(leader), retryAttempts: 0 });
    const overSse: Delivered[] = [];
    const errors: unknown[] = [];
    const stop = sse.subscribe<{ progressUpdated: Delivered }>(
      { query: print(ProgressUpdatedDocument), variables: { area: bizhouVillage, after: head } },
      { next: (v) => (v.data ? overSse.push(v.data.progressUpdated) : errors.push(v.errors)), error: (e) => errors.push(e), complete: () => undefined },
    );
    try {
      await appendEvent(app, bizhouVillage, '领导 审计问题', { kind: SubjectKind.RECTIFICATION });
      await appendEvent(app, bizhouVillage, '领导 督办', { kind: SubjectKind.SUPERVISION });
      await appendEvent(app, nuojiangVillage, '领导 别处');
      await appendEvent(app, bizhouVillage, '领导 站点');
      const expected = ['领导 审计问题', '领导 督办', '领导 站点'];
      await overWs.until(3);
      await eventually(() => expect(overSse.length + errors.length).toBeGreaterThanOrEqual(3));
      expect(errors).toEqual([]);
      expect(overWs.errors).toEqual([]);
      expect(summaries(overWs.events)).toEqual(expected);
      expect(summaries(overSse)).toEqual(expected);

      const stored = await app.query(ProgressUpdatesDocument, { area: bizhouVillage, after: head }, { token: leader });
      expect(stored.progressUpdates.edges.map((e) => e.node.summary)).toEqual(expected);
      const asked = await app.query(ProgressUpdatesDocument, { area: bizhouVillage, after: head, kinds: [SubjectKind.RECTIFICATION] }, { token: leader });
      expect(asked.progressUpdates.edges.map((e) => e.node.summary)).toEqual(['领导 审计问题']);
    } finally {
      stop();
      sse.dispose();
    }
  });

  it.each([
    { who: 'anonymous', role: null, area: '511921', code: 'UNAUTHENTICATED' },
    { who: 'a township operator on the county', role: ['TOWNSHIP_OPERATOR', BIZHOU], area: '511921', code: 'FORBIDDEN' },
    { who: 'a township operator on another township', role: ['TOWNSHIP_OPERATOR', BIZHOU], area: NUOJIANG, code: 'FORBIDDEN' },
    { who: 'a village operator on its township', role: ['VILLAGE_OPERATOR', '511921001001'], area: BIZHOU, code: 'FORBIDDEN' },
  ] as const)('refuses $who with $code', async ({ role, area, code }) => {
    const params = role ? auth(await app.token(role[0], role[1])) : undefined;
    const refused = watch(app.wsClient(params), { area });
    await eventually(() => expect(refused.errors.length).toBeGreaterThan(0));
    expect(refused.errors[0]).toMatchObject({ extensions: { code } });
    expect(refused.events).toEqual([]);
  });

  it('rejects a malformed or future cursor and an unknown area as bad input', async () => {
    const client = app.wsClient(auth(countyToken));
    const bad = watch(client, { area: '511921', after: 'not-a-cursor' });
    const future = watch(client, { area: '511921', after: '999999999' });
    const unknown = watch(client, { area: '511921999' });
    await eventually(() => expect([bad, future, unknown].every((w) => w.errors.length > 0)).toBe(true));
    expect(bad.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    expect(future.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    expect(unknown.errors[0]).toMatchObject({ extensions: { code: 'NOT_FOUND', field: 'area' } });
  });
});

describe('progressUpdates (history)', () => {
  it('pages through the subtree in sequence order with the same cursors as the subscription, in a bounded number of statements', async () => {
    const head = await committedHead(app);
    for (let i = 0; i < 5; i++) await appendEvent(app, NUOJIANG, `历史 ${i}`);
    await appendEvent(app, BIZHOU, '历史 别处');
    await settle();
    const first = await app.measure(() => app.query(ProgressUpdatesDocument, { area: NUOJIANG, after: head, first: 3 }, { token: countyToken }));
    const page = first.result.progressUpdates;
    expect(page.edges.map((e) => e.node.summary)).toEqual(['历史 0', '历史 1', '历史 2']);
    expect(page.edges[0].cursor).toBe(page.edges[0].node.cursor);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.totalCount).toBeGreaterThanOrEqual(5);
    // events + their areas (one batch) + the total; the hub's own reads (other tests' live subscriptions) aside
    expect(first.statements.filter((text) => !text.includes('event_sequence'))).toHaveLength(3);
    const rest = await app.query(ProgressUpdatesDocument, { area: NUOJIANG, after: page.pageInfo.endCursor, first: 100 }, { token: countyToken });
    expect(rest.progressUpdates.edges.map((e) => e.node.summary)).toEqual(['历史 3', '历史 4']);
    expect(rest.progressUpdates.pageInfo.hasNextPage).toBe(false);
  });

  it('is scoped like the subscription and validates its arguments', async () => {
    const operator = await app.token('TOWNSHIP_OPERATOR', BIZHOU);
    const forbidden = await app.request(ProgressUpdatesDocument, { area: NUOJIANG }, { token: operator });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await app.request(ProgressUpdatesDocument, { area: '511921' });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const tooMany = await app.request(ProgressUpdatesDocument, { area: BIZHOU, first: 101 }, { token: operator });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const own = await app.query(ProgressUpdatesDocument, { area: BIZHOU, first: 100 }, { token: operator });
    expect(own.progressUpdates.edges.every((e) => e.node.area.code.startsWith(BIZHOU))).toBe(true);
    // Numeric order across digit-count boundaries (9 → 10, 99 → 100), not text order.
    for (let n = Number(await committedHead(app)); n < 120; n++) await appendEvent(app, '511921', `填充 ${n}`);
    const all = await app.query(ProgressUpdatesDocument, { area: '511921', first: 100 }, { token: countyToken });
    const numbers = all.progressUpdates.edges.map((e) => BigInt(e.node.sequence));
    expect(numbers.length).toBe(100);
    expect(numbers[0] < 10n && numbers[99] >= 100n).toBe(true);
    expect(ascending(numbers)).toBe(true);
  });

  it('node(id) fetches an event by its global id, scope-checked', async () => {
    const sequence = await appendEvent(app, NUOJIANG, '节点');
    const id = Buffer.from(`ProgressUpdate:${sequence}`).toString('base64url');
    const found = await app.query<{ node: { summary: string } | null }, { id: string }>(
      'query ($id: ID!) { node(id: $id) { ... on ProgressUpdate { summary } } }',
      { id },
      { token: countyToken },
    );
    expect(found.node?.summary).toBe('节点');
    const forbidden = await app.request('query ($id: ID!) { node(id: $id) { id } }', { id }, { token: await app.token('TOWNSHIP_OPERATOR', BIZHOU) });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('WebSocket hygiene', () => {
  it('caps the subscriptions of one connection with a clear error', async () => {
    const client = app.wsClient(auth(countyToken));
    const allowed = Array.from({ length: 20 }, () => watch(client, { area: BIZHOU }));
    const hub = app.progressHub;
    await settle(300);
    const over = watch(client, { area: BIZHOU });
    await eventually(() => expect(over.errors.length).toBe(1));
    expect(over.errors[0]).toMatchObject({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 20 } });
    expect(allowed.every((w) => w.errors.length === 0)).toBe(true);
    // Completing one frees a place (once the server has let go of it: under load that takes a moment).
    const before = hub.stats.subscribers;
    allowed[0].stop();
    await eventually(() => expect(hub.stats.subscribers).toBe(before - 1));
    const replacement = watch(client, { area: BIZHOU });
    // Subscribed without `after`, it starts at the head once registered: append only then.
    await eventually(() => expect(hub.stats.subscribers).toBe(before));
    await appendEvent(app, BIZHOU, '上限');
    await replacement.until(1);
    expect(hub.stats.subscribers).toBeGreaterThanOrEqual(20);
    await client.dispose();
  });

  /** A second server on the test database that pings every `keepAliveMs`. */
  const pingingServer = (keepAliveMs = 100) =>
    startServer({ civgraph, orm: app.orm, port: 0, host: '127.0.0.1', verifier: createTokenVerifier({ secret: TEST_JWT_SECRET }), webSocket: { keepAliveMs } });

  it('keeps a connection that answers each ping late, within the next interval, and drops a silent one after two unanswered pings', async () => {
    const server = await pingingServer(200);
    try {
      const url = server.url.replace(/^http/, 'ws');
      // As a client busy reading a backlog: each pong 250 ms after its ping, after the next ping went out.
      const late = new WebSocket(url, 'graphql-transport-ws', { autoPong: false });
      let pings = 0;
      late.on('ping', () => {
        pings++;
        setTimeout(() => late.readyState === WebSocket.OPEN && late.pong(), 250);
      });
      const silent = new WebSocket(url, 'graphql-transport-ws', { autoPong: false });
      let opened = 0;
      silent.once('open', () => (opened = performance.now()));
      await Promise.all([late, silent].map((s) => new Promise((resolve) => s.once('open', resolve))));
      const silentClosed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
      expect(await silentClosed).toBe(1006);
      // Two pings unanswered: at least two intervals after it opened.
      expect(performance.now() - opened).toBeGreaterThanOrEqual(380);
      await settle(1200);
      expect(pings).toBeGreaterThanOrEqual(5);
      expect(late.readyState).toBe(WebSocket.OPEN);
      late.close();
    } finally {
      await server.close();
    }
  });

  it("sends only its own keep-alive's pings: graphql-ws's built-in one (every 12 s, closing after one late pong) is off", async () => {
    // Our interval is an hour; graphql-ws's would be made when the socket connects, under fake intervals.
    const server = await pingingServer(3_600_000);
    try {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { autoPong: false });
      let pings = 0;
      socket.on('ping', () => pings++);
      await new Promise((resolve) => socket.once('open', resolve));
      await settle(100);
      vi.advanceTimersByTime(30_000);
      await settle(200);
      expect(pings).toBe(0);
      expect(socket.readyState).toBe(WebSocket.OPEN);
      socket.close();
    } finally {
      vi.useRealTimers();
      await server.close();
    }
  });

  it('spreads its pings over the interval: each socket pinged once per interval, never all sockets in one tick', async () => {
    const interval = 1_000;
    const server = await pingingServer(interval);
    try {
      const url = server.url.replace(/^http/, 'ws');
      const sockets = Array.from({ length: 50 }, () => new WebSocket(url, 'graphql-transport-ws'));
      const pings = sockets.map(() => [] as number[]);
      sockets.forEach((socket, i) => socket.on('ping', () => pings[i].push(performance.now())));
      await Promise.all(sockets.map((s) => new Promise((resolve) => s.once('open', resolve))));
      await settle(2.5 * interval);
      for (const times of pings) {
        expect(times.length).toBeGreaterThanOrEqual(2);
        // Loose bounds: a loaded CI machine delays timers.
        expect(times[1] - times[0]).toBeGreaterThan(0.5 * interval);
        expect(times[1] - times[0]).toBeLessThan(1.6 * interval);
      }
      // The first pings: 50 sockets in 25 slices, 2 per tick (40 ms apart). All in one tick was 50
      // within 20 ms; spread, only a stall of hundreds of ms would bunch 20.
      const firsts = pings.map((times) => times[0]).sort((a, b) => a - b);
      const busiest = Math.max(...firsts.map((t) => firsts.filter((u) => u >= t && u < t + 20).length));
      expect(busiest).toBeLessThan(20);
      expect(firsts[firsts.length - 1] - firsts[0]).toBeGreaterThan(interval / 2);
      for (const socket of sockets) socket.close();
    } finally {
      await server.close();
    }
  });

  it('pings every connection and terminates one that stops answering', async () => {
    const server = await pingingServer();
    try {
      const url = server.url.replace(/^http/, 'ws');
      const healthy = new WebSocket(url, 'graphql-transport-ws');
      let pings = 0;
      healthy.on('ping', () => pings++);
      const silent = new WebSocket(url, 'graphql-transport-ws', { autoPong: false });
      const silentClosed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
      await Promise.all([healthy, silent].map((s) => new Promise((resolve) => s.once('open', resolve))));
      // Both stay in connection_init limbo (10 s allowed), so only pings decide.
      const code = await silentClosed;
      expect(code).toBe(1006); // terminated, no close frame
      await settle(300);
      expect(pings).toBeGreaterThanOrEqual(3);
      expect(healthy.readyState).toBe(WebSocket.OPEN);
      healthy.close();
    } finally {
      await server.close();
    }
  });
});

describe('Server-Sent Events', () => {
  it('delivers the same events as graphql-ws, with the bearer token on the request', async () => {
    const head = await committedHead(app);
    const sse = createSseClient({ url: app.url.replace(/\/graphql$/, '/graphql/stream'), headers: auth(countyToken), retryAttempts: 0 });
    const overSse: Delivered[] = [];
    const errors: unknown[] = [];
    const stop = sse.subscribe<{ progressUpdated: Delivered }>(
      { query: print(ProgressUpdatedDocument), variables: { area: BIZHOU, after: head } },
      { next: (v) => (v.data ? overSse.push(v.data.progressUpdated) : errors.push(v.errors)), error: (e) => errors.push(e), complete: () => undefined },
    );
    const overWs = watch(app.wsClient(auth(countyToken)), { area: BIZHOU, after: head });
    try {
      await appendEvent(app, BIZHOU, 'SSE 1');
      await appendEvent(app, NUOJIANG, 'SSE 别处');
      await appendEvent(app, bizhouVillage, 'SSE 2');
      await overWs.until(2);
      await eventually(() => expect(overSse).toHaveLength(2));
      await settle();
      expect(errors).toEqual([]);
      expect(overSse).toEqual(overWs.events);
    } finally {
      stop();
      sse.dispose();
    }
  });

  it('ends the stream when its token expires', async () => {
    const shortLived = await app.token('COUNTY_ADMIN', '511921', { expiresIn: '2s' });
    const response = await fetch(app.url.replace(/\/graphql$/, '/graphql/stream'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${shortLived}` },
      body: JSON.stringify({ query: print(ProgressUpdatedDocument), variables: { area: BIZHOU } }),
    });
    expect(response.status).toBe(200);
    const started = Date.now();
    await response.text(); // resolves when the server ends the stream
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a bad token with 401 and an anonymous subscription with UNAUTHENTICATED', async () => {
    const url = app.url.replace(/\/graphql$/, '/graphql/stream');
    const body = JSON.stringify({ query: print(ProgressUpdatedDocument), variables: { area: BIZHOU } });
    const bad = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer nope' },
      body,
    });
    expect(bad.status).toBe(401);
    const anonymous = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body });
    expect(anonymous.status).toBe(200);
    const text = await anonymous.text();
    expect(text).toContain('UNAUTHENTICATED');
  });
});

describe('ProgressHub reading in batches', () => {
  it('replays a backlog longer than a batch while live subscribers keep receiving, each event once and in order', async () => {
    const { ProgressHub } = await import('../../src/modules/progress/progress.hub.js');
    const { progressScope } = await import('../../src/modules/progress/progress.rules.js');
    const { systemViewer } = await import('../../src/auth/auth.rules.js');
    const hub = new ProgressHub(app.orm, app.databaseUrl, { batchSize: 3 });
    await hub.start();
    try {
      const start = BigInt(await committedHead(app));
      for (let i = 0; i < 10; i++) await appendEvent(app, i % 2 ? BIZHOU : NUOJIANG, `积压 ${i}`);
      const viewer = systemViewer('511921000000');
      const county = progressScope('511921000000', ['511921000000', '511921999999'], true, null);
      const bizhou = progressScope(`${BIZHOU}000`, [`${BIZHOU}000`, `${BIZHOU}999`], true, null);
      const collect = async (stream: AsyncIterator<{ summary: string; sequence: string }>, count: number) => {
        const got: { summary: string; sequence: string }[] = [];
        while (got.length < count) got.push((await stream.next()).value);
        return got;
      };
      const live = await hub.subscribe(viewer, county, null);
      const replayCounty = await hub.subscribe(viewer, county, start);
      const replayBizhou = await hub.subscribe(viewer, bizhou, start);
      const liveWrites = Promise.all(Array.from({ length: 4 }, (_, i) => appendEvent(app, BIZHOU, `实时 ${i}`)));
      const [countyEvents, bizhouEvents, liveEvents] = await Promise.all([collect(replayCounty, 14), collect(replayBizhou, 9), collect(live, 4)]);
      await liveWrites;
      expect(countyEvents.slice(0, 10).map((e) => e.summary)).toEqual(Array.from({ length: 10 }, (_, i) => `积压 ${i}`));
      expect(ascending(countyEvents.map((e) => BigInt(e.sequence)))).toBe(true);
      expect(new Set(countyEvents.map((e) => e.summary)).size).toBe(14);
      expect(bizhouEvents.map((e) => e.summary).slice(0, 5)).toEqual(['积压 1', '积压 3', '积压 5', '积压 7', '积压 9']);
      expect(liveEvents.map((e) => e.summary).sort()).toEqual(['实时 0', '实时 1', '实时 2', '实时 3']);
      // Nothing more is pending for anyone.
      await settle(300);
      const more = await Promise.race([replayCounty.next().then(() => 'more'), settle(300).then(() => 'none')]);
      expect(more).toBe('none');
      expect(hub.stats.reads).toBeGreaterThan(3); // 10 backlog events at 3 per batch
      await Promise.all([live.return(undefined), replayCounty.return(undefined), replayBizhou.return(undefined)]);
      expect(hub.stats.subscribers).toBe(0);
    } finally {
      await hub.stop();
    }
  });
});
