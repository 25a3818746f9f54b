import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthOf, nextPeriod, parsePeriod, type Period } from '../../src/modules/stats/stats.rules.js';
import { rolledUpValues } from '../../src/modules/stats/stats.rollup.js';
import { indicatorsOf } from '../../src/modules/stats/stats.rules.js';
import { sqlFor } from '../../src/db/sql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  AreaApprovalDocument,
  AreaObservationsDocument,
  AreaStatsDocument,
  IndicatorsDocument,
  MergeAreasDocument,
  ObservationHistoryDocument,
  ReportingDocument,
  ReportObservationsDocument,
  RetireAreaDocument,
  ReviewReportingPeriodDocument,
  StatsSeriesDocument,
  StatsTableDocument,
  StatsTreeDocument,
  SubmitReportingPeriodDocument,
  type StatFieldsFragment,
} from '../graphql/generated/graphql.js';
import { subtreeRange, AreaLevel } from '../../src/common/codes.js';
import { demoFigures, seedDemoStatistics } from '../../src/modules/stats/stats.demo.js';

let app: TestApp;
const COUNTY = '511921000000';
let townships: string[] = [];
const villagesOf = new Map<string, string[]>();
let ADMIN = '';

async function db<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return app.orm.em.fork().getConnection().execute(text, params);
}

beforeAll(async () => {
  app = await startTestApp();
  await seedDemoStatistics(app.orm, '511921');
  ADMIN = await admin();
  const rows = await db<{ code: string; level: string; parent_code: string }>(
    `select code, level, parent_code from area where code between '511921000001' and '511921999999' order by code`,
  );
  townships = rows.filter((r) => r.level === 'TOWNSHIP').map((r) => r.code);
  for (const t of townships)
    villagesOf.set(
      t,
      rows.filter((r) => r.parent_code === t).map((r) => r.code),
    );
});
afterAll(() => app?.close());

const admin = () => app.token('COUNTY_ADMIN', '511921');
const shift = (period: Period, months: number): Period => {
  const [y, m] = period.startMonth.split('-').map(Number) as [number, number];
  return monthOf(new Date(Date.UTC(y, m - 1 + months, 1)));
};
const NOW = monthOf(new Date());
const PREV = shift(NOW, -1);
/** A quarter wholly inside the 12 demo months. */
const QUARTER = (() => {
  const m = shift(NOW, -3);
  return parsePeriod(`${m.key.slice(0, 4)}Q${Math.ceil(Number(m.key.slice(5)) / 3)}`);
})();
const YEAR = parsePeriod(NOW.key.slice(0, 4));
/** A month before the demo data. */
const EMPTY_MONTH = shift(NOW, -14);

/** Everything a failed mutation must leave untouched. */
async function snapshot() {
  const [row] = await db<Record<string, string>>(
    `select (select md5(coalesce(string_agg(area_code || indicator || period_month || value || source || version, ',' order by area_code, indicator, period_month), '')) from observation) as observations,
            (select count(*)::text from observation_change) as audit,
            (select count(*)::text from progress_update) as events,
            (select md5(coalesce(string_agg(area_code || period || status || version, ',' order by area_code, period), '')) from reporting_approval) as approvals,
            (select md5(string_agg(code || coalesce(valid_to::text, '') || coalesce(successor_code, ''), ',' order by code)) from area) as areas`,
  );
  return row;
}
const eventCount = async () => Number((await db<{ n: string }>('select count(*)::text as n from progress_update'))[0].n);

/** The roll-up computed independently from the raw rows: the sum of the leaves. */
async function expectedFromLeaves(code: string, level: AreaLevel, period: Period, indicator: string) {
  const [lo, hi] = subtreeRange(code, level);
  const rows = await db<{ area_code: string; m: string; cents: string }>(
    `select o.area_code, o.period_month::text as m, (o.value * 100)::bigint::text as cents
       from observation o join area a on a.code = o.area_code
      where o.indicator = ? and o.period_month between ? and ? and o.area_code between ? and ?
        -- stocks: areas retired before the period's end are represented by their successor
        and (? or a.valid_to is null or a.valid_to >= (?::date + interval '1 month' - interval '1 day')::date)`,
    [indicator, period.startMonth, period.endMonth, lo, hi, indicator === 'ASSISTANCE_FUNDS_YUAN', period.endMonth],
  );
  const flow = indicator === 'ASSISTANCE_FUNDS_YUAN';
  const perVillage = new Map<string, { m: string; cents: number }>();
  for (const row of rows) {
    const cents = Number(row.cents);
    const seen = perVillage.get(row.area_code);
    if (!seen) perVillage.set(row.area_code, { m: row.m, cents });
    else if (flow) seen.cents += cents;
    else if (row.m > seen.m) perVillage.set(row.area_code, { m: row.m, cents });
  }
  const total = [...perVillage.values()].reduce((sum, v) => sum + v.cents, 0);
  return { total, reported: perVillage.size };
}

function valueCents(stat: StatFieldsFragment): number {
  if (stat.amount != null) return Math.round(Number(stat.amount) * 100);
  return (stat.persons ?? 0) * 100;
}

describe('indicator catalogue', () => {
  it('lists the glossary codes with units and aggregation rules', async () => {
    const { indicators } = await app.query(IndicatorsDocument);
    expect(indicators.map((i) => i.code)).toEqual([
      'ELDERLY_60_PLUS',
      'MINORS_0_17',
      'DIBAO_URBAN',
      'DIBAO_RURAL',
      'EXTREMELY_POOR_SUPPORTED',
      'DISABLED_LIVING_SUBSIDY',
      'SEVERE_DISABLED_CARE_SUBSIDY',
      'ORPHANS',
      'DE_FACTO_UNSUPPORTED_CHILDREN',
      'HIV_AFFECTED_CHILDREN',
      'ASSISTANCE_FUNDS_YUAN',
    ]);
    const funds = indicators.find((i) => i.code === 'ASSISTANCE_FUNDS_YUAN')!;
    expect(funds).toMatchObject({ unit: 'YUAN', timeAggregation: 'FLOW', reportingLevel: 'VILLAGE' });
    expect(funds.description).toContain('sums the months');
    const node = await app.query<{ node: { code: string } | null }, { id: string }>('query($id: ID!) { node(id: $id) { ... on Indicator { code } } }', {
      id: funds.id,
    });
    expect(node.node).toEqual({ code: 'ASSISTANCE_FUNDS_YUAN' });
    expect(indicators.find((i) => i.code === 'DIBAO_RURAL')).toMatchObject({ unit: 'PERSONS', timeAggregation: 'STOCK', nameZh: '农村低保对象' });
    // The catalogue table agrees with the code.
    const table = await db<{ code: string; unit: string; time_aggregation: string }>('select code, unit, time_aggregation from indicator order by sort_order');
    expect(table.map((r) => [r.code, r.unit, r.time_aggregation])).toEqual(indicators.map((i) => [i.code, i.unit, i.timeAggregation]));
  });
});

describe('demo data', () => {
  it('covers every village for 12 months, deterministically, marked DEMO, and is seeded once', async () => {
    const [row] = await db<{ villages: number; months: number; n: number; demo: number }>(
      `select count(distinct area_code)::int as villages, count(distinct period_month)::int as months, count(*)::int as n,
              count(*) filter (where source = 'DEMO')::int as demo from observation`,
    );
    expect(row).toEqual({ villages: 367, months: 12, n: 367 * 12 * 11, demo: 367 * 12 * 11 });
    expect(await seedDemoStatistics(app.orm, '511921')).toBe(0);
    const village = villagesOf.get(townships[0])![0];
    const kind = (await db<{ kind: string }>('select kind from area where code = ?', [village]))[0].kind;
    const figures = demoFigures(village, kind, PREV.key);
    const data = await app.query(
      AreaObservationsDocument,
      { code: village, period: PREV.key, indicators: ['ELDERLY_60_PLUS', 'ASSISTANCE_FUNDS_YUAN'] },
      { token: ADMIN },
    );
    expect(data.area!.observations).toEqual([
      { indicator: { code: 'ELDERLY_60_PLUS' }, period: PREV.key, persons: Number(figures.get('ELDERLY_60_PLUS')), amount: null, source: 'DEMO', version: 1 },
      {
        indicator: { code: 'ASSISTANCE_FUNDS_YUAN' },
        period: PREV.key,
        persons: null,
        amount: figures.get('ASSISTANCE_FUNDS_YUAN'),
        source: 'DEMO',
        version: 1,
      },
    ]);
    // Plausible: communities are bigger than villages; elderly are a fifth to a third of the people.
    expect(Number(figures.get('ELDERLY_60_PLUS'))).toBeGreaterThan(100);
  });
});

describe('roll-ups', () => {
  const indicators = ['ELDERLY_60_PLUS', 'DIBAO_RURAL', 'ASSISTANCE_FUNDS_YUAN'];

  it.each([
    ['month', () => PREV],
    ['quarter', () => QUARTER],
    ['year', () => YEAR],
  ])('equal the sum of the leaves at county, township and village level for a %s (stock: latest month, flow: sum)', async (_, periodOf) => {
    const period = periodOf();
    const data = await app.query(StatsTreeDocument, { code: '511921', period: period.key, indicators }, { token: ADMIN });
    const county = data.area!;
    const nodes: { code: string; level: AreaLevel; stats: StatFieldsFragment[] }[] = [{ code: county.code, level: AreaLevel.COUNTY, stats: county.stats }];
    for (const t of county.children.nodes) {
      nodes.push({ code: t.code, level: AreaLevel.TOWNSHIP, stats: t.stats });
      for (const v of t.children.nodes) nodes.push({ code: v.code, level: AreaLevel.VILLAGE, stats: v.stats });
    }
    expect(nodes).toHaveLength(1 + 33 + 367);
    for (const node of nodes.filter((_, i) => i < 40 || i % 17 === 0)) {
      for (const stat of node.stats) {
        const expected = await expectedFromLeaves(node.code, node.level, period, stat.indicator.code);
        expect([node.code, stat.indicator.code, valueCents(stat), stat.reportedAreas]).toEqual([
          node.code,
          stat.indicator.code,
          expected.total,
          expected.reported,
        ]);
      }
    }
    // Every level adds up: the county is the sum of its townships, each township of its villages.
    for (const [i, code] of indicators.entries()) {
      const townshipSum = county.children.nodes.reduce((sum, t) => sum + valueCents(t.stats[i]), 0);
      expect([code, valueCents(county.stats[i])]).toEqual([code, townshipSum]);
      for (const t of county.children.nodes) {
        expect(valueCents(t.stats[i])).toBe(t.children.nodes.reduce((sum, v) => sum + valueCents(v.stats[i]), 0));
      }
    }
    expect(county.stats[0]).toMatchObject({ expectedAreas: 367, reportedAreas: 367, demoAreas: 367, period: period.key });
  });

  it('treats stocks and flows differently over a quarter', async () => {
    const village = villagesOf.get(townships[0])![1];
    const months = [parsePeriod(QUARTER.startMonth.slice(0, 7))];
    months.push(nextPeriod(months[0]), nextPeriod(nextPeriod(months[0])));
    const monthly = await Promise.all(
      months.map((m) =>
        app.query(AreaStatsDocument, { code: village, period: m.key, indicators: ['ELDERLY_60_PLUS', 'ASSISTANCE_FUNDS_YUAN'] }, { token: ADMIN }),
      ),
    );
    const quarter = await app.query(
      AreaStatsDocument,
      { code: village, period: QUARTER.key, indicators: ['ELDERLY_60_PLUS', 'ASSISTANCE_FUNDS_YUAN'] },
      { token: ADMIN },
    );
    expect(quarter.area!.stats[0].persons).toBe(monthly[2].area!.stats[0].persons);
    const sum = monthly.reduce((s, m) => s + Math.round(Number(m.area!.stats[1].amount) * 100), 0);
    expect(Math.round(Number(quarter.area!.stats[1].amount) * 100)).toBe(sum);
  });

  it('keeps a constant number of statements for the county → township → village tree with stats on every node', async () => {
    const vars = { period: PREV.key, indicators: ['ELDERLY_60_PLUS', 'ASSISTANCE_FUNDS_YUAN'] };
    const county = await app.measure(() => app.query(StatsTreeDocument, { code: '511921', ...vars }, { token: ADMIN }));
    const township = await app.measure(() => app.query(StatsTreeDocument, { code: townships[0], ...vars }, { token: ADMIN }));
    expect(county.result.area!.children.nodes).toHaveLength(33);
    // The tree in one statement (the area tree read), then one read of the subtree's figures for
    // every node: 33 townships and 367 villages cost what one township and its villages cost.
    expect(county.count, county.statements.join('\n---\n')).toBe(2);
    expect(county.statements[0]).toMatch(/^select row_to_json\(q\)/);
    expect(township.result.area!.children.nodes[0].children.nodes).toEqual([]);
    expect(township.count, township.statements.join('\n---\n')).toBe(2);
    // A quarter is aggregated in SQL: one roll-up statement for the nodes of every level at once.
    const quarter = await app.measure(() => app.query(StatsTreeDocument, { code: '511921', ...vars, period: QUARTER.key }, { token: ADMIN }));
    expect(quarter.count, quarter.statements.join('\n---\n')).toBe(2);
    const all = await app.measure(() => app.query(StatsTreeDocument, { code: '511921', period: PREV.key }, { token: ADMIN }));
    expect(all.count).toBe(county.count);
  });

  it('serves statsTable: one row per child summing to the total, in 3 statements whatever the number of children', async () => {
    const county = await app.measure(() => app.query(StatsTableDocument, { parent: '511921', period: QUARTER.key }, { token: ADMIN }));
    const table = county.result.statsTable;
    expect(table.rows).toHaveLength(33);
    expect(table.indicators).toHaveLength(11);
    table.total.forEach((total, i) => {
      expect(valueCents(total)).toBe(table.rows.reduce((sum, row) => sum + valueCents(row.values[i]), 0));
    });
    expect(county.count, county.statements.join('\n---\n')).toBe(3);
    const township = await app.measure(() => app.query(StatsTableDocument, { parent: townships[0], period: QUARTER.key }, { token: ADMIN }));
    expect(township.result.statsTable.rows.length).toBe(villagesOf.get(townships[0])!.length);
    expect(township.count).toBe(3);
  });

  it('serves a time series, one point per period, equal to the single-period values', async () => {
    const from = shift(NOW, -11);
    const data = await app.query(StatsSeriesDocument, { code: '511921', indicator: 'ASSISTANCE_FUNDS_YUAN', from: from.key, to: NOW.key }, { token: ADMIN });
    const series = data.area!.statsSeries;
    expect(series.map((p) => p.period)).toHaveLength(12);
    expect(series[0].period).toBe(from.key);
    const single = await app.query(AreaStatsDocument, { code: '511921', period: series[5].period, indicators: ['ASSISTANCE_FUNDS_YUAN'] }, { token: ADMIN });
    expect(single.area!.stats[0].amount).toBe(series[5].amount);
    const bad = await app.request(StatsSeriesDocument, { code: '511921', indicator: 'ASSISTANCE_FUNDS_YUAN', from: '2026', to: '2026-05' }, { token: ADMIN });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('offers rolledUpValues to other features: the same figures for a list of areas in one statement', async () => {
    const sql = sqlFor(app.orm.em.fork());
    const areas = [{ code: COUNTY, level: AreaLevel.COUNTY }, ...townships.slice(0, 5).map((code) => ({ code, level: AreaLevel.TOWNSHIP }))];
    const { result, count } = await app.measure(() => rolledUpValues(sql, areas, PREV, indicatorsOf(['ELDERLY_60_PLUS', 'ASSISTANCE_FUNDS_YUAN'])));
    expect(count).toBe(1);
    for (const area of areas) {
      const api = await app.query(
        AreaStatsDocument,
        { code: area.code, period: PREV.key, indicators: ['ELDERLY_60_PLUS', 'ASSISTANCE_FUNDS_YUAN'] },
        { token: ADMIN },
      );
      expect(result.get(area.code)!.map((v) => [v.persons, v.amount, v.reportedAreas])).toEqual(
        api.area!.stats.map((v) => [v.persons, v.amount, v.reportedAreas]),
      );
    }
  });

  it('validates and normalises the Period scalar', async () => {
    const ok = await app.query(
      AreaStatsDocument,
      { code: '511921', period: `${PREV.key.slice(0, 5)}${Number(PREV.key.slice(5))}`, indicators: ['ORPHANS'] },
      { token: ADMIN },
    );
    expect(ok.area!.stats[0].period).toBe(PREV.key);
    for (const bad of ['2026Q5', '2026-13', '26-05', '2026-00']) {
      const result = await app.request(AreaStatsDocument, { code: '511921', period: bad }, { token: ADMIN });
      expect([bad, result.errors?.[0]?.extensions?.code]).toEqual([bad, 'BAD_USER_INPUT']);
    }
  });
});

describe('reportObservations', () => {
  const township = () => townships[3];
  const village = () => villagesOf.get(township())![0];
  const input = (overrides: Record<string, unknown> = {}) => ({
    area: village(),
    period: PREV.key,
    values: [
      { indicator: 'DIBAO_RURAL', value: '37' },
      { indicator: 'ASSISTANCE_FUNDS_YUAN', value: '15230.50' },
    ],
    ...overrides,
  });

  it('replaces demo figures, audits each change and appends one event', async () => {
    const events = await eventCount();
    const token = await app.token('VILLAGE_OPERATOR', village());
    const first = await app.query(ReportObservationsDocument, { input: input() }, { token });
    expect(first.reportObservations.userErrors).toEqual([]);
    expect(first.reportObservations.observations).toEqual([
      { indicator: { code: 'DIBAO_RURAL' }, period: PREV.key, persons: 37, amount: null, source: 'REPORT', version: 2 },
      { indicator: { code: 'ASSISTANCE_FUNDS_YUAN' }, period: PREV.key, persons: null, amount: '15230.50', source: 'REPORT', version: 2 },
    ]);
    expect(await eventCount()).toBe(events + 1);
    const [event] = await db<{ subject_kind: string; action: string; area_code: string; actor_role: string }>(
      'select subject_kind, action, area_code, actor_role from progress_update order by sequence desc limit 1',
    );
    expect(event).toEqual({ subject_kind: 'OBSERVATION', action: 'REPORTED', area_code: village(), actor_role: 'VILLAGE_OPERATOR' });

    await app.query(
      ReportObservationsDocument,
      { input: input({ values: [{ indicator: 'DIBAO_RURAL', value: '38' }] }) },
      { token: await app.token('TOWNSHIP_OPERATOR', township()) },
    );
    const history = await app.query(ObservationHistoryDocument, { code: village(), indicator: 'DIBAO_RURAL', period: PREV.key }, { token: ADMIN });
    expect(history.area!.observationHistory).toMatchObject([
      { oldValue: '37.00', newValue: '38.00', oldSource: 'REPORT', newSource: 'REPORT', reason: 'REPORT', actor: { role: 'TOWNSHIP_OPERATOR' } },
      { oldSource: 'DEMO', newValue: '37.00', newSource: 'REPORT', reason: 'REPORT', actor: { role: 'VILLAGE_OPERATOR' } },
    ]);
    const stats = await app.query(AreaStatsDocument, { code: township(), period: PREV.key, indicators: ['DIBAO_RURAL'] }, { token: ADMIN });
    const expected = await expectedFromLeaves(township(), AreaLevel.TOWNSHIP, PREV, 'DIBAO_RURAL');
    expect(valueCents(stats.area!.stats[0])).toBe(expected.total);
    expect(stats.area!.stats[0].demoAreas).toBe(stats.area!.stats[0].reportedAreas - 1);
  });

  it('rejects a stale version with CONFLICT and writes nothing', async () => {
    const v = villagesOf.get(township())![2];
    const ok = await app.query(
      ReportObservationsDocument,
      { input: input({ area: v, values: [{ indicator: 'ORPHANS', value: '4', version: 1 }] }) },
      { token: ADMIN },
    );
    expect(ok.reportObservations.observations![0].version).toBe(2);
    const before = await snapshot();
    const stale = await app.query(
      ReportObservationsDocument,
      {
        input: input({
          area: v,
          values: [
            { indicator: 'DIBAO_RURAL', value: '9' },
            { indicator: 'ORPHANS', value: '5', version: 1 },
          ],
        }),
      },
      { token: ADMIN },
    );
    expect(stale.reportObservations.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'values', '1', 'version'] })]);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['a negative count', { values: [{ indicator: 'ORPHANS', value: '-1' }] }, 'BAD_USER_INPUT', ['input', 'values', '0', 'value']],
    ['fractional persons', { values: [{ indicator: 'ORPHANS', value: '1.5' }] }, 'BAD_USER_INPUT', ['input', 'values', '0', 'value']],
    [
      'money with 3 decimals',
      {
        values: [
          { indicator: 'ORPHANS', value: '2' },
          { indicator: 'ASSISTANCE_FUNDS_YUAN', value: '10.005' },
        ],
      },
      'BAD_USER_INPUT',
      ['input', 'values', '1', 'value'],
    ],
    ['negative money', { values: [{ indicator: 'ASSISTANCE_FUNDS_YUAN', value: '-10.00' }] }, 'BAD_USER_INPUT', ['input', 'values', '0', 'value']],
    [
      'an unknown indicator',
      {
        values: [
          { indicator: 'ORPHANS', value: '2' },
          { indicator: 'WIDOWS', value: '2' },
        ],
      },
      'BAD_USER_INPUT',
      ['input', 'values', '1', 'indicator'],
    ],
    [
      'an indicator twice',
      {
        values: [
          { indicator: 'ORPHANS', value: '2' },
          { indicator: 'ORPHANS', value: '3' },
        ],
      },
      'BAD_USER_INPUT',
      ['input', 'values', '1', 'indicator'],
    ],
    ['quarter 5', { period: '2026Q5' }, 'BAD_USER_INPUT', ['input', 'period']],
    ['month 13', { period: '2026-13' }, 'BAD_USER_INPUT', ['input', 'period']],
    ['a quarter (reports are monthly)', { period: '2026Q1' }, 'BAD_USER_INPUT', ['input', 'period']],
    ['a future month', { period: shift(NOW, 1).key }, 'BAD_USER_INPUT', ['input', 'period']],
    ['a township (not a leaf)', { area: '511921101' }, 'BAD_USER_INPUT', ['input', 'area']],
    ['an unknown area', { area: '511921101999' }, 'NOT_FOUND', ['input', 'area']],
    ['a malformed area code', { area: '5119' }, 'BAD_USER_INPUT', ['input', 'area']],
  ])('rejects %s with a specific userError and writes nothing', async (_, overrides, code, field) => {
    const before = await snapshot();
    const result = await app.query(ReportObservationsDocument, { input: input(overrides) }, { token: ADMIN });
    expect(result.reportObservations.observations).toBeNull();
    expect(result.reportObservations.userErrors).toEqual([expect.objectContaining({ code, field })]);
    expect(await snapshot()).toEqual(before);
  });

  it('returns every problem at once', async () => {
    const result = await app.query(
      ReportObservationsDocument,
      {
        input: input({
          period: '2026Q5',
          values: [
            { indicator: 'ORPHANS', value: '-1' },
            { indicator: 'NOPE', value: '1' },
          ],
        }),
      },
      { token: ADMIN },
    );
    expect(result.reportObservations.userErrors.map((e) => e.field!.join('.'))).toEqual(['input.period', 'input.values.0.value', 'input.values.1.indicator']);
  });

  it('lets only reporters inside their area report', async () => {
    const before = await snapshot();
    const other = villagesOf.get(township())![1];
    const elsewhere = villagesOf.get(townships[4])![0];
    const cases: [string | undefined, string][] = [
      [undefined, 'UNAUTHENTICATED'],
      [await app.token('VIEWER', '511921'), 'FORBIDDEN'],
      [await app.token('SECTION_STAFF', '511921', { section: '社会救助股' }), 'FORBIDDEN'],
      [await app.token('VILLAGE_OPERATOR', other), 'FORBIDDEN'],
      [await app.token('TOWNSHIP_OPERATOR', townships[4]), 'FORBIDDEN'],
    ];
    for (const [token, code] of cases) {
      const result = await app.request(ReportObservationsDocument, { input: input() }, { token });
      expect(result.errors?.[0]?.extensions?.code).toBe(code);
    }
    const wrongVillage = await app.request(
      ReportObservationsDocument,
      { input: input({ area: elsewhere }) },
      { token: await app.token('TOWNSHIP_OPERATOR', township()) },
    );
    expect(wrongVillage.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
  });
});

describe('reading permissions', () => {
  it('needs a signed-in viewer inside the subtree', async () => {
    const anonymous = await app.request(AreaStatsDocument, { code: '511921', period: PREV.key });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const outside = await app.request(
      AreaStatsDocument,
      { code: townships[1], period: PREV.key },
      { token: await app.token('TOWNSHIP_OPERATOR', townships[0]) },
    );
    expect(outside.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const table = await app.request(StatsTableDocument, { parent: '511921', period: PREV.key }, { token: await app.token('VIEWER', townships[0]) });
    expect(table.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const inside = await app.query(
      StatsTableDocument,
      { parent: townships[0], period: PREV.key, indicators: ['ORPHANS'] },
      { token: await app.token('VIEWER', townships[0]) },
    );
    expect(inside.statsTable.rows.length).toBeGreaterThan(0);
    const reporting = await app.request(
      ReportingDocument,
      { code: '511921', period: PREV.key },
      { token: await app.token('VILLAGE_OPERATOR', villagesOf.get(townships[0])![0]) },
    );
    expect(reporting.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('reporting completeness', () => {
  it('counts villages that reported, lists the others (paged), and needs every month of a quarter', async () => {
    const township = townships[5];
    const villages = villagesOf.get(township)!;
    const month = EMPTY_MONTH;
    const token = ADMIN;
    const empty = await app.query(ReportingDocument, { code: township, period: month.key, first: 100 }, { token });
    expect(empty.area!.reporting).toMatchObject({ expectedAreas: villages.length, reportedAreas: 0, missingAreas: villages.length });
    for (const v of villages.slice(0, 2)) {
      const r = await app.query(
        ReportObservationsDocument,
        { input: { area: v, period: month.key, values: [{ indicator: 'ORPHANS', value: '1' }] } },
        { token },
      );
      expect(r.reportObservations.userErrors).toEqual([]);
    }
    const after = await app.query(ReportingDocument, { code: township, period: month.key, first: 2 }, { token });
    const reporting = after.area!.reporting;
    expect(reporting).toMatchObject({ expectedAreas: villages.length, reportedAreas: 2, missingAreas: villages.length - 2 });
    expect(reporting.missing.totalCount).toBe(villages.length - 2);
    expect(reporting.missing.nodes.map((n) => n.code)).toEqual(villages.slice(2, 4));
    const next = await app.query(ReportingDocument, { code: township, period: month.key, first: 100, after: reporting.missing.pageInfo.endCursor }, { token });
    expect(next.area!.reporting.missing.nodes.map((n) => n.code)).toEqual(villages.slice(4));

    // The county counts the same two out of all its villages.
    const county = await app.query(ReportingDocument, { code: '511921', period: month.key, first: 0 }, { token });
    expect(county.area!.reporting).toMatchObject({ expectedAreas: 367, reportedAreas: 2 });

    // A quarter is complete only once every month has figures.
    const quarter = parsePeriod(`${month.key.slice(0, 4)}Q${Math.ceil(Number(month.key.slice(5)) / 3)}`);
    const q = await app.query(ReportingDocument, { code: township, period: quarter.key, first: 0 }, { token });
    expect(q.area!.reporting.reportedAreas).toBe(0);
    for (let m = parsePeriod(quarter.startMonth.slice(0, 7)); m.startMonth <= quarter.endMonth; m = nextPeriod(m)) {
      await app.query(ReportObservationsDocument, { input: { area: villages[0], period: m.key, values: [{ indicator: 'ORPHANS', value: '1' }] } }, { token });
    }
    const complete = await app.query(ReportingDocument, { code: township, period: quarter.key, first: 0 }, { token });
    expect(complete.area!.reporting.reportedAreas).toBe(1);

    // With the demo data every village has reported for the last month.
    const demo = await app.query(ReportingDocument, { code: '511921', period: PREV.key, first: 0 }, { token });
    expect(demo.area!.reporting).toMatchObject({ expectedAreas: 367, reportedAreas: 367, missingAreas: 0 });
  });

  it('costs a constant number of statements for every township of the county', async () => {
    const query = `query($p: Period!) { area(code: "511921") { children { nodes { reporting(period: $p) { expectedAreas reportedAreas missing(first: 3) { nodes { code } } approval { status } } } } } }`;
    const { count, result } = await app.measure(() =>
      app.query<{ area: { children: { nodes: unknown[] } } }, { p: string }>(query, { p: EMPTY_MONTH.key }, { token: ADMIN }),
    );
    expect(result.area.children.nodes).toHaveLength(33);
    expect(count).toBeLessThanOrEqual(5);
  });
});

describe('approval and locking', () => {
  const township = () => townships[6];
  const village = () => villagesOf.get(township())![0];
  const report = (token: string) =>
    app.query(ReportObservationsDocument, { input: { area: village(), period: PREV.key, values: [{ indicator: 'ORPHANS', value: '2' }] } }, { token });

  it('goes SUBMITTED → APPROVED (locked) → reopened, and a locked period rejects reports with LOCKED', async () => {
    const townshipToken = await app.token('TOWNSHIP_OPERATOR', township());
    const villageToken = await app.token('VILLAGE_OPERATOR', village());
    let events = await eventCount();

    const submitted = await app.query(SubmitReportingPeriodDocument, { input: { area: township(), period: PREV.key, version: 0 } }, { token: townshipToken });
    expect(submitted.submitReportingPeriod.approval).toMatchObject({ status: 'SUBMITTED', version: 1, locked: false });
    expect(await eventCount()).toBe(++events);
    expect((await report(villageToken)).reportObservations.userErrors).toEqual([]);
    events++;

    const early = await app.query(
      ReviewReportingPeriodDocument,
      { input: { area: township(), period: PREV.key, decision: 'REOPEN', reason: 'x' } },
      { token: ADMIN },
    );
    expect(early.reviewReportingPeriod.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION' })]);

    const approved = await app.query(
      ReviewReportingPeriodDocument,
      { input: { area: township(), period: PREV.key, decision: 'APPROVE', version: 1 } },
      { token: ADMIN },
    );
    expect(approved.reviewReportingPeriod.approval).toMatchObject({ status: 'APPROVED', locked: true, version: 2 });
    expect(await eventCount()).toBe(++events);

    const before = await snapshot();
    const locked = await report(villageToken);
    expect(locked.reportObservations.userErrors).toEqual([
      expect.objectContaining({ code: 'LOCKED', field: ['input', 'period'], message: expect.stringContaining('reopen') }),
    ]);
    expect((await report(ADMIN)).reportObservations.userErrors[0].code).toBe('LOCKED');
    expect(await snapshot()).toEqual(before);
    // Other months and other townships stay open.
    const other = await app.query(
      ReportObservationsDocument,
      { input: { area: villagesOf.get(townships[7])![0], period: PREV.key, values: [{ indicator: 'ORPHANS', value: '2' }] } },
      { token: ADMIN },
    );
    expect(other.reportObservations.userErrors).toEqual([]);
    events++;
    const afterOther = await snapshot();

    const seen = await app.query(AreaApprovalDocument, { code: village(), period: PREV.key }, { token: villageToken });
    expect(seen.area!.approval).toMatchObject({ status: 'APPROVED', locked: true });
    const node = await app.query<{ node: { id: string; status: string } | null }, { id: string }>(
      'query($id: ID!) { node(id: $id) { id ... on ReportingApproval { status } } }',
      { id: seen.area!.approval!.id },
      { token: villageToken },
    );
    expect(node.node).toEqual({ id: seen.area!.approval!.id, status: 'APPROVED' });
    const nodeQuery = 'query($id: ID!) { node(id: $id) { id } }';
    expect((await app.request(nodeQuery, { id: seen.area!.approval!.id })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const stranger = await app.token('VILLAGE_OPERATOR', villagesOf.get(townships[0])![0]);
    expect((await app.request(nodeQuery, { id: seen.area!.approval!.id }, { token: stranger })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const noReason = await app.query(ReviewReportingPeriodDocument, { input: { area: township(), period: PREV.key, decision: 'REOPEN' } }, { token: ADMIN });
    expect(noReason.reviewReportingPeriod.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'reason'] })]);
    const stale = await app.query(
      ReviewReportingPeriodDocument,
      { input: { area: township(), period: PREV.key, decision: 'REOPEN', reason: '更正', version: 1 } },
      { token: ADMIN },
    );
    expect(stale.reviewReportingPeriod.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    expect(await snapshot()).toEqual(afterOther);

    const reopened = await app.query(
      ReviewReportingPeriodDocument,
      { input: { area: township(), period: PREV.key, decision: 'REOPEN', reason: '村里更正孤儿人数' } },
      { token: ADMIN },
    );
    expect(reopened.reviewReportingPeriod.approval).toMatchObject({ status: 'OPEN', locked: false, reason: '村里更正孤儿人数' });
    expect(await eventCount()).toBe(++events);
    expect((await report(villageToken)).reportObservations.userErrors).toEqual([]);
  });

  it('returns a submitted period with a reason; a quarter approval locks its months', async () => {
    const t = townships[8];
    const v = villagesOf.get(t)![0];
    await app.query(SubmitReportingPeriodDocument, { input: { area: t, period: QUARTER.key } }, { token: ADMIN });
    const returned = await app.query(
      ReviewReportingPeriodDocument,
      { input: { area: t, period: QUARTER.key, decision: 'RETURN', reason: '数据不全' } },
      { token: ADMIN },
    );
    expect(returned.reviewReportingPeriod.approval).toMatchObject({ status: 'RETURNED', reason: '数据不全' });
    await app.query(SubmitReportingPeriodDocument, { input: { area: t, period: QUARTER.key } }, { token: ADMIN });
    await app.query(ReviewReportingPeriodDocument, { input: { area: t, period: QUARTER.key, decision: 'APPROVE' } }, { token: ADMIN });
    const again = await app.query(SubmitReportingPeriodDocument, { input: { area: t, period: QUARTER.key } }, { token: ADMIN });
    expect(again.submitReportingPeriod.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION' })]);
    const inside = await app.query(
      ReportObservationsDocument,
      { input: { area: v, period: QUARTER.endMonth.slice(0, 7), values: [{ indicator: 'ORPHANS', value: '1' }] } },
      { token: ADMIN },
    );
    expect(inside.reportObservations.userErrors[0].code).toBe('LOCKED');
  });

  it('lets townships submit and only the county decide; approvals are per township', async () => {
    const before = await snapshot();
    const t = townships[9];
    const submitByVillage = await app.request(
      SubmitReportingPeriodDocument,
      { input: { area: t, period: PREV.key } },
      { token: await app.token('VILLAGE_OPERATOR', villagesOf.get(t)![0]) },
    );
    expect(submitByVillage.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const submitOther = await app.request(
      SubmitReportingPeriodDocument,
      { input: { area: t, period: PREV.key } },
      { token: await app.token('TOWNSHIP_OPERATOR', townships[10]) },
    );
    expect(submitOther.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const approveByTownship = await app.request(
      ReviewReportingPeriodDocument,
      { input: { area: t, period: PREV.key, decision: 'APPROVE' } },
      { token: await app.token('TOWNSHIP_OPERATOR', t) },
    );
    expect(approveByTownship.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const village = await app.query(SubmitReportingPeriodDocument, { input: { area: villagesOf.get(t)![0], period: PREV.key } }, { token: ADMIN });
    expect(village.submitReportingPeriod.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'area'] })]);
    const badPeriod = await app.query(SubmitReportingPeriodDocument, { input: { area: t, period: '2026Q5' } }, { token: ADMIN });
    expect(badPeriod.submitReportingPeriod.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'period'] })]);
    expect(await snapshot()).toEqual(before);
  });
});

describe('area mergers (两项改革)', () => {
  it('keeps past totals, moves current totals to the successor, retires the source', async () => {
    const t1 = townships[11];
    const t2 = townships[12];
    const source = villagesOf.get(t1)![0];
    const target = villagesOf.get(t2)![0];
    const token = ADMIN;
    const ind = ['ELDERLY_60_PLUS', 'ASSISTANCE_FUNDS_YUAN'];
    const read = async (code: string, period: Period) =>
      (await app.query(AreaStatsDocument, { code, period: period.key, indicators: ind }, { token })).area!.stats.map((s) => [
        valueCents(s),
        s.reportedAreas,
        s.expectedAreas,
      ]);
    const codes = ['511921', t1, t2, source, target];
    const pastBefore = await Promise.all(codes.map((c) => read(c, PREV)));
    const quarterBefore = await Promise.all(codes.map((c) => read(c, QUARTER)));
    const yearBefore = await read('511921', YEAR);
    const nowBefore = await Promise.all(codes.map((c) => read(c, NOW)));
    const events = await eventCount();

    const merged = await app.query(MergeAreasDocument, { input: { sources: [source], target, effectiveDate: NOW.startMonth } }, { token });
    expect(merged.mergeAreas.userErrors).toEqual([]);
    expect(merged.mergeAreas.retired).toEqual([
      {
        code: source,
        validTo:
          PREV.endMonth.slice(0, 8) + String(new Date(Date.UTC(Number(NOW.key.slice(0, 4)), Number(NOW.key.slice(5)) - 1, 0)).getUTCDate()).padStart(2, '0'),
        isCurrent: false,
        successor: { code: target },
      },
    ]);
    expect(await eventCount()).toBe(events + 1);
    const [event] = await db<{ subject_kind: string; summary: string }>('select subject_kind, summary from progress_update order by sequence desc limit 1');
    expect(event.subject_kind).toBe('AREA');
    expect(event.summary).toContain('并入');

    // Past periods: every total unchanged, the retired village still counted.
    expect(await Promise.all(codes.map((c) => read(c, PREV)))).toEqual(pastBefore);
    expect(await Promise.all(codes.map((c) => read(c, QUARTER)))).toEqual(quarterBefore);
    // The year spanning the merger: the county's stock is not counted twice (the source's
    // latest month and the target's, which now holds its people), the flow keeps every month.
    const yearAfter = await read('511921', YEAR);
    expect(yearAfter.map(([v]) => v)).toEqual(yearBefore.map(([v]) => v));
    expect(yearAfter[0][2]).toBe(yearBefore[0][2] - 1); // stock: expected at the year's end
    expect(yearAfter[1][2]).toBe(yearBefore[1][2]); // flow: the source reported part of the year
    // The current month: the source's figures now belong to the target.
    const nowAfter = await Promise.all(codes.map((c) => read(c, NOW)));
    expect(nowAfter[0]).toEqual(nowBefore[0].map(([v, r, e]) => [v, r - 1, e - 1]));
    for (const i of [0, 1]) {
      expect(nowAfter[1][i]).toEqual([nowBefore[1][i][0] - nowBefore[3][i][0], nowBefore[1][i][1] - 1, nowBefore[1][i][2] - 1]);
      expect(nowAfter[2][i]).toEqual([nowBefore[2][i][0] + nowBefore[3][i][0], nowBefore[2][i][1], nowBefore[2][i][2]]);
      expect(nowAfter[4][i][0]).toBe(nowBefore[4][i][0] + nowBefore[3][i][0]);
    }
    expect(nowAfter[3]).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);

    // Children show current areas unless includeRetired; the table for the past still lists the source.
    const children = await app.query<{ area: { children: { nodes: { code: string }[] }; all: { nodes: { code: string }[] } } }, { c: string }>(
      `query($c: String!) { area(code: $c) { children { nodes { code } } all: children(includeRetired: true) { nodes { code } } } }`,
      { c: t1 },
    );
    expect(children.area.children.nodes.map((n) => n.code)).not.toContain(source);
    expect(children.area.all.nodes.map((n) => n.code)).toContain(source);
    const pastTable = await app.query(StatsTableDocument, { parent: t1, period: PREV.key, indicators: ['ORPHANS'] }, { token });
    expect(pastTable.statsTable.rows.map((r) => r.area.code)).toContain(source);
    const nowTable = await app.query(StatsTableDocument, { parent: t1, period: NOW.key, indicators: ['ORPHANS'] }, { token });
    expect(nowTable.statsTable.rows.map((r) => r.area.code)).not.toContain(source);

    // The moves are audited; the retired village can no longer report.
    const history = await app.query(ObservationHistoryDocument, { code: target, indicator: 'ELDERLY_60_PLUS', period: NOW.key }, { token });
    expect(history.area!.observationHistory[0]).toMatchObject({ reason: 'MERGE', oldSource: 'DEMO' });
    const before = await snapshot();
    const retiredReport = await app.query(
      ReportObservationsDocument,
      { input: { area: source, period: NOW.key, values: [{ indicator: 'ORPHANS', value: '1' }] } },
      { token },
    );
    expect(retiredReport.reportObservations.userErrors).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'area'], message: expect.stringContaining(target) }),
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    [
      'an effective date that is not the first of a month',
      () => ({ sources: [villagesOf.get(townships[13])![0]], target: villagesOf.get(townships[13])![1], effectiveDate: '2026-05-15' }),
      'BAD_USER_INPUT',
      ['input', 'effectiveDate'],
    ],
    [
      'a township that still has villages',
      () => ({ sources: [townships[13]], target: townships[14], effectiveDate: NOW.startMonth }),
      'BAD_USER_INPUT',
      ['input', 'sources', '0'],
    ],
    [
      'mixed levels',
      () => ({ sources: [villagesOf.get(townships[13])![0]], target: townships[14], effectiveDate: NOW.startMonth }),
      'BAD_USER_INPUT',
      ['input', 'sources', '0'],
    ],
    [
      'an already retired source',
      () => ({ sources: [villagesOf.get(townships[11])![0]], target: villagesOf.get(townships[11])![1], effectiveDate: NOW.startMonth }),
      'BAD_USER_INPUT',
      ['input', 'sources', '0'],
    ],
    [
      'the target among the sources',
      () => ({ sources: [villagesOf.get(townships[13])![0]], target: villagesOf.get(townships[13])![0], effectiveDate: NOW.startMonth }),
      'BAD_USER_INPUT',
      ['input', 'target'],
    ],
    [
      'an unknown target',
      () => ({ sources: [villagesOf.get(townships[13])![0]], target: '511921999999', effectiveDate: NOW.startMonth }),
      'NOT_FOUND',
      ['input', 'target'],
    ],
  ])('rejects %s and writes nothing', async (_, input, code, field) => {
    const before = await snapshot();
    const result = await app.query(MergeAreasDocument, { input: input() }, { token: ADMIN });
    expect(result.mergeAreas.userErrors).toContainEqual(expect.objectContaining({ code, field }));
    expect(result.mergeAreas.retired).toBeNull();
    expect(await snapshot()).toEqual(before);
  });

  it('is for the county only', async () => {
    const before = await snapshot();
    const t = townships[13];
    const result = await app.request(
      MergeAreasDocument,
      { input: { sources: [villagesOf.get(t)![0]], target: villagesOf.get(t)![1], effectiveDate: NOW.startMonth } },
      { token: await app.token('TOWNSHIP_OPERATOR', t) },
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
  });

  it('retires an area without successor only when no later figures would be orphaned', async () => {
    const v = villagesOf.get(townships[15])!.at(-1)!;
    const refused = await app.query(RetireAreaDocument, { input: { area: v, effectiveDate: NOW.startMonth } }, { token: ADMIN });
    expect(refused.retireArea.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'area'] })]);
    const next = nextPeriod(NOW);
    const retired = await app.query(RetireAreaDocument, { input: { area: v, effectiveDate: next.startMonth } }, { token: ADMIN });
    expect(retired.retireArea.userErrors).toEqual([]);
    expect(retired.retireArea.retired![0].code).toBe(v);
  });
});
