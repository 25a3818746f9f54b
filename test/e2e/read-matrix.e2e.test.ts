import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  callerName,
  describeReadMatrix,
  inSubtree,
  PLACES,
  readCallers,
  readCoordinates,
  SENSITIVE,
  tokenFor,
  uncoveredReads,
  type Caller,
  type Place,
  type ReadRole,
} from '../support/read-matrix.js';
import { INDICATOR, seedReadFixture, type Fixture } from './read-matrix.fixture.js';
import { PUBLIC_READS, readRows, SUBSCRIPTION_COVERS } from './read-matrix.rows.js';
import { civgraphSchema } from '../../src/features.js';

/**
 * The read matrix (see test/support/read-matrix.ts): every read of the schema,
 * the monthly report and the spreadsheet exports × every role at the county,
 * a township and one of its villages, and anonymous, against one fixture
 * (test/e2e/read-matrix.fixture.ts); then the live subscriptions over
 * graphql-ws and Server-Sent Events: each caller receives exactly the events
 * of its own subtree that its role may see, and is refused elsewhere.
 */

const schema = await civgraphSchema();

let app: TestApp;
let fx: Fixture;
beforeAll(async () => {
  app = await startTestApp();
  fx = await seedReadFixture(app);
});
afterAll(() => app?.close());

describe('read matrix coverage', () => {
  const covered = [...readRows.flatMap((row) => row.covers), ...SUBSCRIPTION_COVERS];

  it('has a row for every Query and Subscription field, Node type, non-public Area field and field leading to another protected object', () => {
    expect(uncoveredReads(schema, covered, PUBLIC_READS), 'add a read-matrix row (test/e2e/read-matrix.rows.ts) for each of these').toEqual([]);
  });

  it('has a row for every spreadsheet export (the list the server gives for an unknown one)', async () => {
    const response = await fetch(app.url.replace(/\/graphql$/, '/exports/unknown.csv'), { headers: { authorization: `Bearer ${fx.admin}` } });
    expect(response.status).toBe(404);
    const { error } = (await response.json()) as { error: string };
    const exports = /<([a-z|-]+)>/.exec(error)![1].split('|');
    expect(exports.length).toBeGreaterThan(3);
    expect(exports.map((name) => `GET /exports/${name}`).filter((route) => !covered.includes(route))).toEqual([]);
  });

  it('names no coordinate that does not exist', () => {
    const coordinates = readCoordinates(schema);
    const stale = [...covered, ...Object.keys(PUBLIC_READS)].filter((c) => !c.startsWith('GET ') && !coordinates.includes(c));
    expect(stale).toEqual([]);
  });
});

describeReadMatrix(() => ({ app, fx }), readRows);

// ---- subscriptions ----------------------------------------------------------

/** The month whose figures the statistics subscription watches (nothing else reports it). */
const LIVE_PERIOD = '2026-05';
/** Changes made while everyone listens, in this order: outside places first, A1 (inside every caller's subtree) last. */
const ORDER: Place[] = ['B1', 'X1', 'A2', 'A', 'C', 'B', 'A1'];
const LIVE_VALUES: Partial<Record<Place, number>> = { B1: 100, X1: 1000, A2: 10, A1: 1 };

interface Received {
  progress: { sequence: string; area: string; kind: string }[];
  sse: { sequence: string; area: string; kind: string }[];
  facilities: string[];
  tasks: { id: string; target: number; done: number; assignments: string[] }[];
  stats: number[];
  errors: unknown[];
}

const SUBSCRIPTIONS = {
  progress: (area: string, after: string) => ({
    query: 'subscription($area: String!, $after: String) { progressUpdated(area: $area, after: $after) { sequence subjectKind summary area { code } } }',
    variables: { area, after },
  }),
  facilities: (area: string) => ({
    query: 'subscription($area: String!) { facilityStatusChanged(area: $area) { id name area { code } } }',
    variables: { area },
  }),
  tasks: (area: string) => ({
    query: 'subscription($area: String!) { taskHealthChanged(area: $area) { id title target done assignments { id } } }',
    variables: { area },
  }),
  stats: (area: string) => ({
    query:
      'subscription($area: String!, $period: Period!, $indicators: [String!]) { statsChanged(area: $area, period: $period, indicators: $indicators) { persons area { code } } }',
    variables: { area, period: LIVE_PERIOD, indicators: [INDICATOR] },
  }),
};

/** A parent (the area above) and a sibling (outside) of a caller's area, for refusals. */
function aboveAndOutside(area: string): [string, string] {
  if (area === PLACES.C) return ['511900000000', PLACES.XC];
  if (area === PLACES.A) return [PLACES.C, PLACES.B];
  return [PLACES.A, PLACES.A2];
}

async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  return app.orm.em.fork().getConnection().execute(text, params);
}

describe('read matrix: subscriptions', () => {
  const callers = readCallers().filter((caller) => caller.area);
  const received = new Map<Caller, Received>();
  const refusals: { caller: Caller; field: string; area: string | null; errors: unknown[] }[] = [];
  let events: { sequence: string; area_code: string; subject_kind: string; subject_id: string; action: string }[] = [];
  const streams: SseClient[] = [];
  const stops: (() => void)[] = [];

  beforeAll(async () => {
    const [{ head }] = await sql<{ head: string }>('select value::text as head from event_sequence');
    const hub = app.progressHub;
    const before = hub.stats.subscribers;
    const sink = <T>(push: (value: T) => void, errors: unknown[]) => ({
      next: (value: { data?: T | null; errors?: unknown }) => (value.data ? push(value.data) : errors.push(value.errors)),
      error: (error: unknown) => errors.push(error),
      complete: () => undefined,
    });
    for (const caller of callers) {
      const token = await tokenFor(app, caller)!;
      const got: Received = { progress: [], sse: [], facilities: [], tasks: [], stats: [], errors: [] };
      received.set(caller, got);
      const client = app.wsClient({ authorization: `Bearer ${token}` });
      const event = (e: any) => ({ sequence: e.sequence, area: e.area.code, kind: e.subjectKind });
      stops.push(
        client.subscribe(
          SUBSCRIPTIONS.progress(caller.area!, head),
          sink<any>((d) => got.progress.push(event(d.progressUpdated)), got.errors),
        ),
        client.subscribe(
          SUBSCRIPTIONS.facilities(caller.area!),
          sink<any>((d) => got.facilities.push(d.facilityStatusChanged.id), got.errors),
        ),
        client.subscribe(
          SUBSCRIPTIONS.tasks(caller.area!),
          sink<any>((d) => {
            const t = d.taskHealthChanged;
            got.tasks.push({ id: t.id, target: t.target, done: t.done, assignments: t.assignments.map((a: { id: string }) => a.id) });
          }, got.errors),
        ),
        client.subscribe(
          SUBSCRIPTIONS.stats(caller.area!),
          sink<any>((d) => got.stats.push(d.statsChanged[0].persons ?? 0), got.errors),
        ),
      );
      const sse = createSseClient({ url: `${app.url}/stream`, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
      streams.push(sse);
      stops.push(
        sse.subscribe(
          SUBSCRIPTIONS.progress(caller.area!, head),
          sink<any>((d) => got.sse.push(event(d.progressUpdated)), got.errors),
        ),
      );
      // Refused: the area above the caller's and one beside it, on every field.
      for (const area of aboveAndOutside(caller.area!)) {
        for (const [field, make] of Object.entries(SUBSCRIPTIONS)) {
          const refusal = { caller, field, area, errors: [] as unknown[] };
          refusals.push(refusal);
          stops.push(
            client.subscribe(
              make(area, head),
              sink<unknown>(() => refusal.errors.push('delivered'), refusal.errors),
            ),
          );
        }
      }
    }
    const anonymous = app.wsClient();
    for (const [field, make] of Object.entries(SUBSCRIPTIONS)) {
      const refusal = { caller: { role: 'ANONYMOUS', area: null } as Caller, field, area: PLACES.A, errors: [] as unknown[] };
      refusals.push(refusal);
      stops.push(
        anonymous.subscribe(
          make(PLACES.A, head),
          sink<unknown>(() => refusal.errors.push('delivered'), refusal.errors),
        ),
      );
    }
    // Every accepted subscription is registered with the hub (SSE's too) and has its first statistics message: then change things.
    await until('every subscription to register', () => hub.stats.subscribers - before === callers.length * 5);
    await until('the first statistics message of every caller', () => [...received.values()].every((got) => got.stats.length === 1));
    await until('every refusal', () => refusals.every((r) => r.errors.length > 0));

    const tokenOf = (place: Place) => (place.startsWith('X') ? fx.foreignAdmin : fx.admin);
    const mutate = async (token: string, text: string, input: Record<string, unknown>) => {
      const result = await app.request<Record<string, { userErrors: unknown[] }>, unknown>(text, { input }, { token });
      const payload = Object.values(result.data ?? {})[0];
      if (result.errors?.length || payload?.userErrors.length) throw new Error(`live change failed: ${JSON.stringify(result.errors ?? payload?.userErrors)}`);
    };
    const version = async (token: string, id: string) =>
      (
        await app.query<{ node: { version: number } }, { id: string }>(
          'query($id: ID!) { node(id: $id) { ... on Facility { version } ... on TaskAssignment { version } } }',
          { id },
          { token },
        )
      ).node.version;
    const assignments = fx.registry.all('TaskAssignment');
    for (const place of ORDER) {
      const token = tokenOf(place);
      const facility = fx.ids.Facility?.[place];
      if (facility) {
        await mutate(token, 'mutation($input: ChangeFacilityStatusInput!) { changeFacilityStatus(input: $input) { userErrors { code } } }', {
          id: facility,
          version: await version(token, facility),
          status: 'BUILT',
        });
      }
      // Progress on one assignment there: the county task's (or the place's only one).
      const share = assignments.find((a) => a.codes[0] === PLACES[place] && a.place.startsWith('C/')) ?? assignments.find((a) => a.codes[0] === PLACES[place]);
      if (share) {
        await mutate(token, 'mutation($input: RecordTaskProgressInput!) { recordTaskProgress(input: $input) { userErrors { code } } }', {
          assignment: share.id,
          version: await version(token, share.id),
          asOf: '2026-07-01',
          done: Math.min(share.data!.target as number, (share.data!.done as number) + 1),
        });
      }
      await mutate(token, 'mutation($input: CreateRectificationInput!) { createRectification(input: $input) { userErrors { code } } }', {
        area: PLACES[place],
        category: 'OTHER',
        finding: `读表直播整改${place}`,
        responsiblePerson: '张三',
        deadline: '2026-12-31',
      });
      const value = LIVE_VALUES[place];
      if (value !== undefined) {
        await mutate(token, 'mutation($input: ReportObservationsInput!) { reportObservations(input: $input) { userErrors { code } } }', {
          area: PLACES[place],
          period: LIVE_PERIOD,
          values: [{ indicator: INDICATOR, value: String(value) }],
        });
      }
    }
    // Ordered by the bigint column, not the text alias (as text, '100' sorts before '99').
    events = await sql(
      'select sequence::text as sequence, area_code, subject_kind, subject_id, action from progress_update where sequence > ?::bigint order by progress_update.sequence',
      [head],
    );
    const last = events.at(-1)!.sequence;
    const lastFacility = fx.ids.Facility.A1!;
    // Everyone's subtree holds A1, changed last: once its change arrives, everything before it has been delivered.
    for (const got of received.values()) {
      await until('the last event on graphql-ws', () => got.progress.some((e) => e.sequence === last) || got.errors.length > 0);
      await until('the last event over SSE', () => got.sse.some((e) => e.sequence === last) || got.errors.length > 0);
      await until('the last facility change', () => got.facilities.includes(lastFacility) || got.errors.length > 0);
    }
  }, 120_000);

  afterAll(async () => {
    for (const stop of stops) stop();
    for (const stream of streams) stream.dispose();
  });

  const readable = (caller: Caller, kind: string) => SENSITIVE.includes(caller.role as ReadRole) || (kind !== 'RECTIFICATION' && kind !== 'SUPERVISION');
  const expectedEvents = (caller: Caller) =>
    events
      .filter((e) => inSubtree(caller.area!, e.area_code) && readable(caller, e.subject_kind))
      .map((e) => ({ sequence: e.sequence, area: e.area_code, kind: e.subject_kind }));

  for (const caller of readCallers().filter((c) => c.area)) {
    describe(callerName(caller), () => {
      const got = () => [...received.entries()].find(([c]) => c.role === caller.role && c.area === caller.area)![1];

      it('progressUpdated over graphql-ws and SSE: exactly the events of its subtree its role may see', () => {
        expect(got().errors).toEqual([]);
        expect(got().progress).toEqual(expectedEvents(caller));
        expect(got().sse).toEqual(expectedEvents(caller));
      });

      it('facilityStatusChanged: exactly the facilities of its subtree', () => {
        const expected = events
          .filter((e) => e.subject_kind === 'FACILITY' && e.action === 'STATUS_CHANGED' && inSubtree(caller.area!, e.area_code))
          .map((e) => e.subject_id);
        expect(got().facilities).toEqual(expected);
      });

      it('taskHealthChanged: the tasks whose assignments in its subtree changed, as the caller sees them', async () => {
        const changed = events.filter((e) => e.subject_kind === 'TASK_ASSIGNMENT' && inSubtree(caller.area!, e.area_code));
        const expected = changed.map((e) => fx.registry.all('TaskAssignment').find((a) => a.id === e.subject_id)!.data!.task as string);
        await until('every task change', () => got().tasks.length >= expected.length);
        expect(got().tasks.map((t) => t.id)).toEqual(expected);
        for (const task of got().tasks) {
          const shares = (fx.registry.one(task.id).data!.shares as { id: string; target: number }[]).filter((s) =>
            inSubtree(caller.area!, fx.registry.one(s.id).codes[0]),
          );
          expect(task.assignments.sort(), 'only the assignments in its subtree').toEqual(shares.map((s) => s.id).sort());
          expect(task.target, 'the target of those').toBe(shares.reduce((sum, s) => sum + s.target, 0));
        }
      });

      it('statsChanged: figures of its own subtree only, never counting a report outside it', async () => {
        const inside = ORDER.filter((place) => LIVE_VALUES[place] !== undefined && inSubtree(caller.area!, PLACES[place]));
        const partial = inside.reduce<number[]>((sums, place) => [...sums, (sums.at(-1) ?? 0) + LIVE_VALUES[place]!], [0]);
        await until(`the figures of ${caller.area} to reach ${partial.at(-1)}`, () => got().stats.at(-1) === partial.at(-1));
        for (const value of got().stats) expect(partial, 'every figure sent is a sum of reports inside the subtree').toContain(value);
      });

      it('is refused above and beside its area, on every subscription', () => {
        for (const refusal of refusals.filter((r) => r.caller === caller || (r.caller.role === caller.role && r.caller.area === caller.area))) {
          expect(
            refusal.errors.map((e: any) => (Array.isArray(e) ? e[0] : e)?.extensions?.code),
            `${refusal.field} at ${refusal.area}`,
          ).toEqual(['FORBIDDEN']);
        }
      });
    });
  }

  it('refuses anonymous subscribers on every subscription', () => {
    for (const refusal of refusals.filter((r) => !r.caller.area)) {
      expect(
        refusal.errors.map((e: any) => (Array.isArray(e) ? e[0] : e)?.extensions?.code),
        refusal.field,
      ).toEqual(['UNAUTHENTICATED']);
    }
  });
});
