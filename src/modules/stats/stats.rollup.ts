import type { Sql } from '../../db/sql.js';
import { PREFIX_LENGTH, type AreaLevel } from '../area/area.rules.js';
import { Indicator, StatValue } from './stats.entity.js';
import type { IndicatorDef, Period } from './stats.rules.js';

/** One roll-up to compute: an indicator over an area's subtree for a period. */
export interface RollupKey {
  code: string;
  level: AreaLevel;
  period: Period;
  indicator: IndicatorDef;
}

interface RollupRow {
  n: string;
  value: string | null;
  reported: number;
  demo: number;
  expected: number;
}

/**
 * Rolls up any number of (area, period, indicator) keys in ONE statement, in
 * SQL: each key's subtree is a code range `[lo, hi]` scanned on
 * `observation_rollup_idx (indicator, area_code, period_month)`; per reporting
 * area a STOCK takes its latest month in the period and a FLOW sums the months;
 * areas are summed. A stock counts only areas that exist at the period's end
 * (a village merged during the year is in its successor's latest figure, not
 * twice); a flow counts every area that existed during the period. `expected`
 * counts the reporting-level areas of the subtree on the same rule, so retired
 * villages count for past periods only.
 *
 * No permission check: callers filter (the resolver path checks the viewer's
 * subtree; the live-progress feature pushes `statsChanged` per subscriber scope).
 */
export async function rollUp(sql: Sql, keys: RollupKey[]): Promise<StatValue[]> {
  if (keys.length === 0) return [];
  // A month holds one observation per area and indicator: its values need no
  // per-area step. A batch is one period in practice (a dashboard asks for one),
  // so the statement's shape is chosen per batch.
  const monthsOnly = keys.every((key) => key.period.startMonth === key.period.endMonth);
  const perArea = (lo: string, hi: string) =>
    monthsOnly
      ? `select o.area_code, o.value as v, o.source = 'DEMO' as demo from observation o
          where o.indicator = k.indicator and o.area_code between ${lo} and ${hi} and o.period_month between k.m_start and k.m_end`
      : // A stock's latest month per area: a backward index-only scan, no sort.
        `select * from (
           select distinct on (o.area_code) o.area_code, o.value as v, o.source = 'DEMO' as demo from observation o
            where k.agg = 'STOCK' and o.indicator = k.indicator and o.area_code between ${lo} and ${hi} and o.period_month between k.m_start and k.m_end
            order by o.area_code desc, o.period_month desc) latest
         union all
         select o.area_code, sum(o.value), bool_or(o.source = 'DEMO') from observation o
          where k.agg = 'FLOW' and o.indicator = k.indicator and o.area_code between ${lo} and ${hi} and o.period_month between k.m_start and k.m_end
          group by o.area_code`;
  const rows = await sql<RollupRow>(
    `with k as materialized (
       select k.n, k.prefix, k.m_start, k.m_end, k.indicator, k.agg, k.lvl,
              rpad(k.prefix, 12, '0') as lo, rpad(k.prefix, 12, '9') as hi,
              (k.m_end + interval '1 month' - interval '1 day')::date as last_day
         from unnest(?::text[], ?::date[], ?::date[], ?::text[], ?::text[], ?::text[])
              with ordinality as k(prefix, m_start, m_end, indicator, agg, lvl, n)),
     -- Every reporting area of the subtree: one index range scan per key
     -- (observation_rollup_idx, index-only).
     total as materialized (
       select k.n, s.value, s.reported, s.demo
         from k cross join lateral (
           select sum(a.v) as value, count(*)::int as reported, count(*) filter (where a.demo)::int as demo
             from (${perArea('k.lo', 'k.hi')}) a) s),
     -- A stock leaves out the areas retired before its period's end: their people
     -- are in their successor's latest figure. They are few (a partial index
     -- holds the dated areas), so they are subtracted afterwards rather than
     -- looked up for every observation.
     gone as materialized (
       select k.n, s.value, s.reported, s.demo
         from k cross join lateral (
           select sum(a.v) as value, count(*)::int as reported, count(*) filter (where a.demo)::int as demo
             from area g cross join lateral (${perArea('g.code', 'g.code')}) a
            where (g.valid_from is not null or g.valid_to is not null) and g.code between k.lo and k.hi and g.valid_to < k.last_day) s
        where k.agg = 'STOCK' and s.reported > 0),
     -- Expected reporting areas, once per subtree and validity rule (the
     -- indicators of a key share them): an index-only range count of the undated
     -- areas, plus the few dated ones valid in the period.
     ek as (
       select distinct lvl, lo, hi, last_day, case when agg = 'FLOW' then m_start else last_day end as alive_on from k),
     ec as materialized (
       select ek.lvl, ek.lo, ek.last_day, ek.alive_on,
              (select count(*) from area a
                where a.valid_from is null and a.valid_to is null and a.level = ek.lvl and a.code between ek.lo and ek.hi)
            + (select count(*) from area a
                where (a.valid_from is not null or a.valid_to is not null) and a.code between ek.lo and ek.hi and a.level = ek.lvl
                  and coalesce(a.valid_from, '-infinity') <= ek.last_day and coalesce(a.valid_to, 'infinity') >= ek.alive_on) as expected
         from ek)
     select k.n::text as n,
            case when t.reported > coalesce(g.reported, 0) then (t.value - coalesce(g.value, 0))::text end as value,
            t.reported - coalesce(g.reported, 0) as reported, t.demo - coalesce(g.demo, 0) as demo, ec.expected::int as expected
       from k join total t using (n) left join gone g using (n)
       join ec on ec.lvl = k.lvl and ec.lo = k.lo and ec.last_day = k.last_day
        and ec.alive_on = case when k.agg = 'FLOW' then k.m_start else k.last_day end
      order by k.n`,
    [
      keys.map((key) => key.code.slice(0, PREFIX_LENGTH[key.level])),
      keys.map((key) => key.period.startMonth),
      keys.map((key) => key.period.endMonth),
      keys.map((key) => key.indicator.code),
      keys.map((key) => key.indicator.timeAggregation),
      keys.map((key) => key.indicator.reportingLevel),
    ],
  );
  return rows.map((row) => {
    const key = keys[Number(row.n) - 1]!;
    return Object.assign(new StatValue(), {
      areaCode: key.code,
      indicator: Indicator.of(key.indicator),
      unit: key.indicator.unit,
      period: key.period,
      value: row.value,
      reportedAreas: row.reported,
      expectedAreas: row.expected,
      demoAreas: row.demo,
    });
  });
}

/**
 * Rolled-up values for a list of areas, one period, several indicators: one
 * statement. For other features (live progress pushes `statsChanged` with it).
 * Result: per area, in the order given, one value per indicator.
 */
export async function rolledUpValues(
  sql: Sql,
  areas: { code: string; level: AreaLevel }[],
  period: Period,
  indicators: IndicatorDef[],
): Promise<Map<string, StatValue[]>> {
  const keys = areas.flatMap((area) => indicators.map((indicator) => ({ code: area.code, level: area.level, period, indicator })));
  const values = await rollUp(sql, keys);
  const out = new Map<string, StatValue[]>(areas.map((area) => [area.code, []]));
  for (const value of values) out.get(value.areaCode)!.push(value);
  return out;
}
