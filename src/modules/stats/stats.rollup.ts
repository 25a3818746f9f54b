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
  // Set-based, not one lateral per key: the leaves' values are read once per
  // scan window (indicator × period × province, over the union of the keys'
  // ranges), fanned out to every prefix length, and hash-joined to the keys on
  // their significant prefix. The expected areas are counted the same way.
  const rows = await sql<RollupRow>(
    `with k as (
       select k.n, k.prefix, length(k.prefix) as plen, k.m_start, k.m_end, k.indicator, k.agg, k.lvl,
              rpad(k.prefix, 12, '0') as lo, rpad(k.prefix, 12, '9') as hi,
              (k.m_end + interval '1 month' - interval '1 day')::date as last_day
         from unnest(?::text[], ?::date[], ?::date[], ?::text[], ?::text[], ?::text[])
              with ordinality as k(prefix, m_start, m_end, indicator, agg, lvl, n)),
     -- Only the prefix lengths asked for: a batch of villages fans out once, not five times.
     plens as (select distinct plen from k),
     w as (
       select indicator, agg, m_start, m_end, last_day, min(lo) as lo, max(hi) as hi
         from k group by indicator, agg, m_start, m_end, last_day, left(prefix, 2)),
     leaf as (
       select w.indicator, w.m_start, w.m_end, o.area_code,
              case when w.agg = 'FLOW' then sum(o.value)
                   else (array_agg(o.value order by o.period_month desc))[1] end as v,
              bool_or(o.source = 'DEMO') as demo
         -- LATERAL: a range scan per window, whatever the size of the tables.
         from w cross join lateral (
           select o.area_code, o.period_month, o.value, o.source from observation o
            where o.indicator = w.indicator and o.area_code between w.lo and w.hi and o.period_month between w.m_start and w.m_end
           offset 0) o
        -- A stock counts the areas that exist at the period's end: people of an
        -- area retired during the period are in its successor's latest figure.
        where w.agg = 'FLOW' or not exists (select 1 from area r where r.code = o.area_code and r.valid_to < w.last_day)
        group by w.indicator, w.agg, w.m_start, w.m_end, o.area_code),
     -- Summed per (window, prefix) first: the join to the keys is then one-to-one.
     lp as (
       select leaf.indicator, leaf.m_start, leaf.m_end, p.plen, substr(leaf.area_code, 1, p.plen) as prefix,
              sum(leaf.v) as value, count(*)::int as reported, count(*) filter (where leaf.demo)::int as demo
         from leaf cross join plens p
        group by leaf.indicator, leaf.m_start, leaf.m_end, p.plen, substr(leaf.area_code, 1, p.plen)),
     r as (
       select k.n, l.value, coalesce(l.reported, 0) as reported, coalesce(l.demo, 0) as demo
         from k left join lp l
           on l.indicator = k.indicator and l.m_start = k.m_start and l.m_end = k.m_end and l.plen = k.plen and l.prefix = k.prefix),
     ew as (
       select lvl, agg, m_start, last_day, min(lo) as lo, max(hi) as hi
         from k group by lvl, agg, m_start, last_day, left(prefix, 2)),
     ea as (
       select ew.lvl, ew.agg, ew.m_start, ew.last_day, a.code
         from ew cross join lateral (
           select a.code from area a
            where a.level = ew.lvl and a.code between ew.lo and ew.hi
              and (a.valid_from is null or a.valid_from <= ew.last_day)
              and (a.valid_to is null or a.valid_to >= case when ew.agg = 'FLOW' then ew.m_start else ew.last_day end)
           -- A fence: pulled up into a plain join, the planner hashes the whole area table.
           offset 0) a),
     ep as (
       select ea.lvl, ea.agg, ea.m_start, ea.last_day, p.plen, substr(ea.code, 1, p.plen) as prefix, count(*)::int as expected
         from ea cross join plens p
        group by ea.lvl, ea.agg, ea.m_start, ea.last_day, p.plen, substr(ea.code, 1, p.plen)),
     e as (
       select k.n, coalesce(x.expected, 0) as expected
         from k left join ep x
           on x.lvl = k.lvl and x.agg = k.agg and x.m_start = k.m_start and x.last_day = k.last_day and x.plen = k.plen and x.prefix = k.prefix)
     select k.n::text as n, r.value::text as value, r.reported, r.demo, e.expected
       from k join r using (n) join e using (n)
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
