import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlFor } from '../../src/db/sql.js';
import { rollUp, type RollupKey } from '../../src/modules/stats/stats.rollup.js';
import { SubtreeRollups, type AreaStatsKey } from '../../src/modules/stats/stats.subtree.js';
import { INDICATORS, monthOf, parsePeriod, type Period } from '../../src/modules/stats/stats.rules.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { AreaStatsDocument, MergeAreasDocument, StatsTreeDocument } from '../graphql/generated/graphql.js';
import { AreaLevel } from '../../src/common/codes.js';
import { seedDemoStatistics } from '../../src/modules/stats/stats.demo.js';

// A month's roll-ups of a county or smaller are computed in the process from the
// subtree's figures (SubtreeRollups); everything else in SQL (rollUp). The two
// must agree on every key, including merged villages and flows and stocks.

let app: TestApp;
let ADMIN = '';
let areas: { code: string; level: AreaLevel }[] = [];
const shift = (period: Period, months: number): Period => {
  const [y, m] = period.startMonth.split('-').map(Number) as [number, number];
  return monthOf(new Date(Date.UTC(y, m - 1 + months, 1)));
};
const NOW = monthOf(new Date());
const PREV = shift(NOW, -1);
const TWO_AGO = shift(NOW, -2);

async function db<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return app.orm.em.fork().getConnection().execute(text, params);
}

beforeAll(async () => {
  app = await startTestApp();
  await seedDemoStatistics(app.orm, '511921');
  ADMIN = await app.token('COUNTY_ADMIN', '511921');
  const villages = await db<{ code: string; parent_code: string }>(
    `select code, parent_code from area where level = 'VILLAGE' and code between '511921000000' and '511921999999' order by code`,
  );
  const [a, b, c, d] = [villages[0], villages[1], villages.find((v) => v.parent_code !== villages[0].parent_code)!, villages.at(-1)!];
  // Retired at the end of TWO_AGO: out of PREV's stocks, still in TWO_AGO's.
  const early = await app.query(MergeAreasDocument, { input: { sources: [a.code], target: b.code, effectiveDate: PREV.startMonth } }, { token: ADMIN });
  // Retired on PREV's last day, across townships: still in PREV's stocks.
  const late = await app.query(MergeAreasDocument, { input: { sources: [c.code], target: d.code, effectiveDate: NOW.startMonth } }, { token: ADMIN });
  expect([early.mergeAreas.userErrors, late.mergeAreas.userErrors]).toEqual([[], []]);
  // A retired village's last month reported by hand rather than demo figures.
  await db(`update observation set source = 'REPORT' where area_code = ? and period_month = ?`, [c.code, PREV.startMonth]);
  // Validity in the middle of a month: retired mid-PREV with PREV's figures kept (out of
  // PREV's stocks and expected stock, in its flows), and founded during NOW (expected from NOW).
  await db(`update area set valid_to = ?::date + 14 where code = ?`, [PREV.startMonth, villages[5].code]);
  await db(`update area set valid_from = ?::date + 9 where code = ?`, [NOW.startMonth, villages[6].code]);
  areas = await db<{ code: string; level: AreaLevel }>(`select code, level from area where code between '511921000000' and '511921999999' order by code`);
});
afterAll(() => app?.close());

const keysOf = (period: Period): AreaStatsKey[] => areas.map((area) => ({ ...area, period, indicators: INDICATORS }));
/** The same keys one indicator at a time, as rollUp takes them. */
const flat = (keys: AreaStatsKey[]): RollupKey[] =>
  keys.flatMap((key) => key.indicators.map((indicator) => ({ code: key.code, level: key.level, period: key.period, indicator })));
/** One indicator of an area. */
const one = (area: { code: string; level: AreaLevel }, period: Period, indicator = INDICATORS[0]): AreaStatsKey => ({
  ...area,
  period,
  indicators: [indicator],
});

const plain = (values: unknown[]) => values.map((value) => ({ ...(value as object) }));

describe('roll-ups from a subtree read once', () => {
  it.each([
    ['the month before last (one village retired after it)', () => TWO_AGO],
    ['last month (villages retired before its end, on its last day, and founded after it)', () => PREV],
    ['this month (a village founded during it)', () => NOW],
    ['a month without figures', () => shift(NOW, -20)],
  ])('equal the SQL roll-up on every area, level and indicator of the county for %s', async (_, periodOf) => {
    const keys = keysOf(periodOf());
    expect(keys.every((key) => SubtreeRollups.accepts(key))).toBe(true);
    const sql = sqlFor(app.orm.em.fork());
    const inProcess = await app.measure(() => new SubtreeRollups(sql).rollUp(keys));
    const aggregated = await rollUp(sql, flat(keys));
    expect(plain(inProcess.result.flat())).toEqual(plain(aggregated));
    // The whole county, 11 indicators at every level: one statement.
    expect(inProcess.count).toBe(1);
  });

  it('reads a subtree once: later keys inside it cost no statement, keys outside it one more', async () => {
    const sql = sqlFor(app.orm.em.fork());
    const subtrees = new SubtreeRollups(sql);
    const township = areas.find((a) => a.level === AreaLevel.TOWNSHIP)!;
    const village = areas.find((a) => a.level === AreaLevel.VILLAGE && a.code.startsWith(township.code.slice(0, 9)))!;
    const other = areas.filter((a) => a.level === AreaLevel.TOWNSHIP).at(-1)!;
    const key = (area: { code: string; level: AreaLevel }, indicator = INDICATORS[0]) => one(area, PREV, indicator);
    expect((await app.measure(() => subtrees.rollUp([key(township)]))).count).toBe(1);
    expect((await app.measure(() => subtrees.rollUp([key(village), key(township)]))).count).toBe(0);
    // Another indicator, or a subtree not read, needs a read.
    expect((await app.measure(() => subtrees.rollUp([key(village, INDICATORS[1])]))).count).toBe(1);
    expect((await app.measure(() => subtrees.rollUp([key(other)]))).count).toBe(1);
    // Nested keys in one batch read only the outermost subtree.
    const fresh = new SubtreeRollups(sql);
    const nested = await app.measure(() => fresh.rollUp([key(village), key(township)]));
    expect(nested.count).toBe(1);
    expect(plain(nested.result.flat())).toEqual(plain(await rollUp(sql, flat([key(village), key(township)]))));
    // A key arriving while its subtree is being read waits for that read.
    const racing = new SubtreeRollups(sql);
    const county = { code: '511921000000', level: AreaLevel.COUNTY };
    const both = await app.measure(() => Promise.all([racing.rollUp([key(county)]), racing.rollUp([key(township)])]));
    expect(both.count).toBe(1);
    expect(plain(both.result.flat(2))).toEqual(plain(await rollUp(sql, flat([key(county), key(township)]))));
  });

  it('reads many small subtrees in one statement: every village of the county, without the county', async () => {
    const sql = sqlFor(app.orm.em.fork());
    const keys = keysOf(PREV).filter((key) => key.level === AreaLevel.VILLAGE);
    const villages = await app.measure(() => new SubtreeRollups(sql).rollUp(keys));
    expect(villages.count).toBe(1);
    expect(plain(villages.result.flat())).toEqual(plain(await rollUp(sql, flat(keys))));
  });

  it('drops a failed read: the keys waiting on it fail, and the next request for it reads again', async () => {
    const sql = sqlFor(app.orm.em.fork());
    let reads = 0;
    const flaky = (async (text: string, params?: unknown[]) => {
      reads += 1;
      if (reads === 1) throw new Error('connection lost');
      return sql(text, params);
    }) as typeof sql;
    const subtrees = new SubtreeRollups(flaky);
    const county = one({ code: '511921000000', level: AreaLevel.COUNTY }, PREV);
    const township = one(
      areas.find((a) => a.level === AreaLevel.TOWNSHIP)!,
      PREV,
    );
    const failed = await Promise.allSettled([subtrees.rollUp([county]), subtrees.rollUp([township])]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(plain((await subtrees.rollUp([township])).flat())).toEqual(plain(await rollUp(sql, flat([township]))));
    expect(reads).toBe(2);
  });

  it('takes a month of a county or smaller only: larger subtrees and longer periods stay in SQL', () => {
    expect(SubtreeRollups.accepts({ level: AreaLevel.COUNTY, period: PREV })).toBe(true);
    expect(SubtreeRollups.accepts({ level: AreaLevel.VILLAGE, period: PREV })).toBe(true);
    expect(SubtreeRollups.accepts({ level: AreaLevel.CITY, period: PREV })).toBe(false);
    expect(SubtreeRollups.accepts({ level: AreaLevel.PROVINCE, period: PREV })).toBe(false);
    expect(SubtreeRollups.accepts({ level: AreaLevel.COUNTY, period: parsePeriod(NOW.key.slice(0, 4)) })).toBe(false);
  });

  it('leaves a sum too large to add exactly in a double to SQL, and the API still answers it exactly', async () => {
    const month = shift(NOW, -5);
    // 999,999,999,999.99 yuan in each of the county's villages: 10^14 cents each, past 2^53 in total.
    await db(`update observation set value = 999999999999.99 where indicator = 'ASSISTANCE_FUNDS_YUAN' and period_month = ?`, [month.startMonth]);
    const sql = sqlFor(app.orm.em.fork());
    const funds = INDICATORS.find((i) => i.code === 'ASSISTANCE_FUNDS_YUAN')!;
    const county = one({ code: '511921000000', level: AreaLevel.COUNTY }, month, funds);
    const township = one(
      areas.find((a) => a.level === AreaLevel.TOWNSHIP)!,
      month,
      funds,
    );
    const [inexact, small] = await new SubtreeRollups(sql).rollUp([county, township]);
    expect(inexact).toBeUndefined();
    expect(small).toEqual(await rollUp(sql, flat([township])));
    const [exact] = await rollUp(sql, flat([county]));
    expect(BigInt(exact.value!.replace('.', ''))).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    const api = await app.query(
      AreaStatsDocument,
      { code: '511921', period: month.key, indicators: ['ASSISTANCE_FUNDS_YUAN', 'ELDERLY_60_PLUS'] },
      { token: ADMIN },
    );
    expect(api.area!.stats[0].amount).toBe(exact.value);
    expect(api.area!.stats[1].persons).toBeGreaterThan(0);
  });

  it('serves the county tree with figures at every level from one read: two statements', async () => {
    const vars = { code: '511921', period: PREV.key, indicators: ['ELDERLY_60_PLUS', 'ASSISTANCE_FUNDS_YUAN'] };
    const tree = await app.measure(() => app.query(StatsTreeDocument, vars, { token: ADMIN }));
    // The tree (the area tree read: the county, its townships, their villages), and the county's figures.
    expect(tree.count, tree.statements.join('\n---\n')).toBe(2);
    const county = tree.result.area!;
    expect(county.stats[0].persons).toBe(county.children.nodes.reduce((sum, t) => sum + (t.stats[0].persons ?? 0), 0));
  });
});

describe('a stock over a quarter or a year, rolled up in SQL', () => {
  it("takes each village's latest month, also for villages that did not report the last one", async () => {
    const sql = sqlFor(app.orm.em.fork());
    const villages = areas.filter((a) => a.level === AreaLevel.VILLAGE);
    // Ten villages skip the latest month with figures (and three of them the month before too).
    const latest = NOW.startMonth;
    for (const [i, village] of villages.slice(20, 30).entries()) {
      await db(`delete from observation where area_code = ? and period_month >= ?::date - (? * interval '1 month')`, [village.code, latest, i < 3 ? 1 : 0]);
    }
    const quarter = parsePeriod(`${NOW.key.slice(0, 4)}Q${Math.ceil(Number(NOW.key.slice(5)) / 3)}`);
    const year = parsePeriod(NOW.key.slice(0, 4));
    for (const period of [quarter, year]) {
      const indicators = INDICATORS.filter((i) => i.timeAggregation === 'STOCK').slice(0, 2);
      const county = await rollUp(
        sql,
        indicators.map((indicator) => ({ code: '511921000000', level: AreaLevel.COUNTY, period, indicator })),
      );
      // Each village alone takes another path (a primary-key lookup per village): the two must add up.
      const each = await rollUp(
        sql,
        villages.flatMap((village) => indicators.map((indicator) => ({ ...village, period, indicator }))),
      );
      indicators.forEach((indicator, k) => {
        const mine = each.filter((_, n) => n % indicators.length === k);
        const cents = mine.reduce((sum, v) => sum + (v.value === null ? 0 : Math.round(Number(v.value) * 100)), 0);
        expect([period.key, indicator.code, Math.round(Number(county[k].value) * 100), county[k].reportedAreas]).toEqual([
          period.key,
          indicator.code,
          cents,
          mine.reduce((sum, v) => sum + v.reportedAreas, 0),
        ]);
      });
    }
  });
});
