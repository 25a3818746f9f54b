import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print, type DocumentNode } from 'graphql';
import type { Client } from 'graphql-ws';
import { monthOf } from '../../src/modules/stats/stats.rules.js';
import {
  AreaStatsDocument,
  ChangeFacilityStatusDocument,
  CreateFacilityDocument,
  CreateTaskDocument,
  FacilityStatusChangedDocument,
  RecordTaskProgressDocument,
  ReportObservationsDocument,
  StatsChangedDocument,
  TaskHealthChangedDocument,
  UpdateFacilityDocument,
} from '../graphql/generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { eventually, settle } from '../support/progress.js';

const TIEFO = '511921104'; // 铁佛镇
const PINGBA = '511921104200'; // 平坝村 (铁佛镇)
const MASHI = '511921105'; // 麻石镇

let app: TestApp;
let admin: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** A running subscription of any document and what it has received. */
interface Watching<T> {
  messages: T[];
  errors: Array<{ extensions?: { code?: string } }>;
  until(count: number, timeoutMs?: number): Promise<T[]>;
  stop(): void;
}

function watch<T>(client: Client, document: DocumentNode, field: string, variables: Record<string, unknown>): Watching<T> {
  const state: Watching<T> = {
    messages: [],
    errors: [],
    async until(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (state.messages.length < count) {
        if (state.errors.length) throw new Error(`subscription failed: ${JSON.stringify(state.errors)}`);
        if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${state.messages.length}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return state.messages;
    },
    stop: () => undefined,
  };
  state.stop = client.subscribe<Record<string, T>>(
    { query: print(document), variables },
    {
      next: (value) => {
        if (value.errors?.length) state.errors.push(...(value.errors as never[]));
        else if (value.data) state.messages.push(value.data[field]);
      },
      error: (error) => state.errors.push(...((Array.isArray(error) ? error : [error]) as never[])),
      complete: () => undefined,
    },
  );
  return state;
}

/** The hub registers a subscriber asynchronously: give it a moment before writing. */
const registered = () => settle(300);

async function createHome(area: string, name: string) {
  const data = await app.query(
    CreateFacilityDocument,
    { input: { name, type: 'NURSING_HOME', area, operatingModel: 'PUBLIC', status: 'PLANNED', beds: 40, occupiedBeds: 0 } },
    { token: admin },
  );
  expect(data.createFacility.userErrors).toEqual([]);
  return data.createFacility.facility!;
}

describe('facilityStatusChanged', () => {
  it('delivers the current facility on a status change in the subtree, not to another township, not on other edits', async () => {
    const home = await createHome(TIEFO, '铁佛镇敬老院');
    const tiefo = watch<{ id: string; status: string; version: number; name: string }>(
      app.wsClient(auth(await app.token('TOWNSHIP_OPERATOR', TIEFO))),
      FacilityStatusChangedDocument,
      'facilityStatusChanged',
      { area: TIEFO },
    );
    const mashi = watch(app.wsClient(auth(await app.token('TOWNSHIP_OPERATOR', MASHI))), FacilityStatusChangedDocument, 'facilityStatusChanged', {
      area: MASHI,
    });
    await registered();

    const renamed = await app.query(UpdateFacilityDocument, { input: { id: home.id, version: 1, name: '铁佛镇中心敬老院' } }, { token: admin });
    expect(renamed.updateFacility.userErrors).toEqual([]);
    const moved = await app.query(ChangeFacilityStatusDocument, { input: { id: home.id, version: 2, status: 'UNDER_CONSTRUCTION' } }, { token: admin });
    expect(moved.changeFacilityStatus.userErrors).toEqual([]);

    const [delivered] = await tiefo.until(1);
    // Re-read now: the rename before the transition shows, the version is the current one.
    expect(delivered).toMatchObject({ id: home.id, status: 'UNDER_CONSTRUCTION', version: 3, name: '铁佛镇中心敬老院' });
    await settle(400);
    expect(tiefo.messages).toHaveLength(1);
    expect(mashi.messages).toEqual([]);
    expect(mashi.errors).toEqual([]);
  });

  it.each([
    { who: 'anonymous', role: null, area: TIEFO, code: 'UNAUTHENTICATED' },
    { who: 'a township operator on another township', role: ['TOWNSHIP_OPERATOR', MASHI], area: TIEFO, code: 'FORBIDDEN' },
  ] as const)('refuses $who with $code', async ({ role, area, code }) => {
    const params = role ? auth(await app.token(role[0], role[1])) : undefined;
    const refused = watch(app.wsClient(params), FacilityStatusChangedDocument, 'facilityStatusChanged', { area });
    await eventually(() => expect(refused.errors.length).toBeGreaterThan(0));
    expect(refused.errors[0]).toMatchObject({ extensions: { code } });
    expect(refused.messages).toEqual([]);
  });
});

describe('taskHealthChanged', () => {
  it('delivers the task with its progress and health when a township records progress', async () => {
    const created = await app.query(
      CreateTaskDocument,
      {
        input: {
          title: '农村公益性公墓建设',
          category: 'SOCIAL_AFFAIRS',
          area: '511921',
          ownerSection: '社会事务股',
          target: 30,
          unit: '处',
          startDate: '2026-01-01',
          deadline: '2026-12-31',
          assignments: [
            { area: TIEFO, target: 20 },
            { area: MASHI, target: 10 },
          ],
        },
      },
      { token: admin },
    );
    expect(created.createTask.userErrors).toEqual([]);
    const task = created.createTask.task!;
    const tiefoAssignment = task.assignments.find((a) => a.area.code.startsWith(TIEFO))!;
    const operator = await app.token('TOWNSHIP_OPERATOR', TIEFO);
    const tiefo = watch<{ id: string; done: number; health: string }>(app.wsClient(auth(operator)), TaskHealthChangedDocument, 'taskHealthChanged', {
      area: TIEFO,
      asOf: '2026-03-31',
    });
    const mashi = watch(app.wsClient(auth(await app.token('TOWNSHIP_OPERATOR', MASHI))), TaskHealthChangedDocument, 'taskHealthChanged', { area: MASHI });
    await registered();

    const recorded = await app.query(
      RecordTaskProgressDocument,
      { input: { assignment: tiefoAssignment.id, version: 1, done: 12, asOf: '2026-03-31', note: '一季度' } },
      { token: operator },
    );
    expect(recorded.recordTaskProgress.userErrors).toEqual([]);
    const [delivered] = await tiefo.until(1);
    expect(delivered).toMatchObject({ id: task.id, done: 12 });
    expect(typeof delivered.health).toBe('string');
    await settle(300);
    expect(mashi.messages).toEqual([]);
    expect(mashi.errors).toEqual([]);
  });

  it('refuses anonymous subscribers', async () => {
    const refused = watch(app.wsClient(), TaskHealthChangedDocument, 'taskHealthChanged', { area: TIEFO });
    await eventually(() => expect(refused.errors[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } }));
  });
});

describe('statsChanged', () => {
  const period = (() => {
    const now = monthOf(new Date());
    const [y, m] = now.startMonth.split('-').map(Number) as [number, number];
    return monthOf(new Date(Date.UTC(y, m - 2, 1))).key;
  })();
  const indicators = ['DIBAO_RURAL', 'ASSISTANCE_FUNDS_YUAN'];
  type Values = Array<{ indicator: { code: string }; period: string; persons: number | null; amount: string | null }>;

  const current = async (): Promise<Values> => {
    const data = await app.query(AreaStatsDocument, { code: TIEFO, period, indicators }, { token: admin });
    return data.area!.stats.map((s) => ({
      indicator: { code: s.indicator.code },
      period: s.period as string,
      persons: s.persons ?? null,
      amount: (s.amount as string | null) ?? null,
    }));
  };
  const report = async (value: number) => {
    const data = await app.query(
      ReportObservationsDocument,
      { input: { area: PINGBA, period, values: [{ indicator: 'DIBAO_RURAL', value: String(value) }] } },
      { token: admin },
    );
    expect(data.reportObservations.userErrors).toEqual([]);
  };

  it('sends the current roll-up, then the new one after a village below reports', async () => {
    const operator = await app.token('TOWNSHIP_OPERATOR', TIEFO);
    const live = watch<Values>(app.wsClient(auth(operator)), StatsChangedDocument, 'statsChanged', { area: TIEFO, period, indicators });
    const [initial] = await live.until(1);
    expect(initial).toEqual(await current());
    await report(41);
    const [, changed] = await live.until(2, 5_000);
    const expected = await current();
    expect(expected).not.toEqual(initial);
    expect(changed).toEqual(expected);
    expect(changed[0].persons).toBe(41);
    live.stop();
  });

  it('coalesces a burst into one or two messages, the last reflecting all of it', async () => {
    const live = watch<Values>(app.wsClient(auth(admin)), StatsChangedDocument, 'statsChanged', { area: TIEFO, period, indicators });
    await live.until(1);
    await registered();
    // 50 reports at once: the villages of 铁佛镇, each reporting two indicators in separate calls.
    const villages = (
      await app.orm.em
        .fork()
        .getConnection()
        .execute<{ code: string }[]>(`select code from area where parent_code = ? order by code limit 25`, [`${TIEFO}000`])
    ).map((r) => r.code);
    expect(villages).toHaveLength(25);
    const started = Date.now();
    await Promise.all(
      villages.flatMap((village, i) =>
        ['DIBAO_RURAL', 'ASSISTANCE_FUNDS_YUAN'].map(async (indicator) => {
          const data = await app.query(
            ReportObservationsDocument,
            { input: { area: village, period, values: [{ indicator, value: String(200 + i) }] } },
            { token: admin },
          );
          expect(data.reportObservations.userErrors).toEqual([]);
        }),
      ),
    );
    const burstMs = Date.now() - started;
    await settle(2_200);
    const updates = live.messages.slice(1);
    // At most one message per second: 1 or 2 for a burst well under a second.
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(Math.ceil(burstMs / 1_000) + 1);
    const final = await current();
    expect(updates.at(-1)).toEqual(final);
    expect(final[0].persons).toBe(villages.reduce((sum, _, i) => sum + 200 + i, 0));
    live.stop();
  });

  it.each([
    { who: 'anonymous', role: null, area: TIEFO, code: 'UNAUTHENTICATED' },
    { who: 'a township operator on another township', role: ['TOWNSHIP_OPERATOR', MASHI], area: TIEFO, code: 'FORBIDDEN' },
    { who: 'a village operator on its township', role: ['VILLAGE_OPERATOR', PINGBA], area: TIEFO, code: 'FORBIDDEN' },
  ] as const)('refuses $who with $code', async ({ role, area, code }) => {
    const params = role ? auth(await app.token(role[0], role[1])) : undefined;
    const refused = watch(app.wsClient(params), StatsChangedDocument, 'statsChanged', { area, period, indicators });
    await eventually(() => expect(refused.errors.length).toBeGreaterThan(0));
    expect(refused.errors[0]).toMatchObject({ extensions: { code } });
    expect(refused.messages).toEqual([]);
  });
});

describe('event delivery lag', () => {
  it('is recorded in civgraph_event_delivery_lag_seconds', async () => {
    const response = await fetch(app.metricsUrl);
    const text = await response.text();
    const count = Number(/civgraph_event_delivery_lag_seconds_count (\d+)/.exec(text)?.[1] ?? 0);
    expect(count).toBeGreaterThan(0);
  });
});
