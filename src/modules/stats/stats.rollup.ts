import type { Sql } from '../../db/sql.js';
import { subtreeRange, type AreaLevel } from '../area/area.rules.js';
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
  const ranges = keys.map((key) => subtreeRange(key.code, key.level));
  const rows = await sql<RollupRow>(
    `select k.n::text as n, r.value::text as value, r.reported, r.demo, e.expected
       from unnest(?::text[], ?::text[], ?::date[], ?::date[], ?::text[], ?::text[], ?::text[])
            with ordinality as k(lo, hi, m_start, m_end, indicator, agg, lvl, n)
       cross join lateral (select (k.m_end + interval '1 month' - interval '1 day')::date as last_day) d
       cross join lateral (
         select sum(per_area.v) as value, count(*)::int as reported, count(*) filter (where per_area.demo)::int as demo
           from (select case when k.agg = 'FLOW' then sum(o.value)
                             else (array_agg(o.value order by o.period_month desc))[1] end as v,
                        bool_or(o.source = 'DEMO') as demo
                   from observation o
                  where o.indicator = k.indicator
                    and o.area_code between k.lo and k.hi
                    and o.period_month between k.m_start and k.m_end
                  group by o.area_code
                  -- A stock counts the areas that exist at the period's end: people of an
                  -- area retired during the period are in its successor's latest figure.
                 having k.agg = 'FLOW'
                     or not exists (select 1 from area r where r.code = o.area_code and r.valid_to < d.last_day)) per_area) r
       cross join lateral (
         select count(*)::int as expected from area a
          where a.level = k.lvl and a.code between k.lo and k.hi
            and (a.valid_from is null or a.valid_from <= d.last_day)
            and (a.valid_to is null or a.valid_to >= case when k.agg = 'FLOW' then k.m_start else d.last_day end)) e
      order by k.n`,
    [
      ranges.map(([lo]) => lo),
      ranges.map(([, hi]) => hi),
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
