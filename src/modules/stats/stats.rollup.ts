import type { Sql } from '../../db/sql.js';
import { Indicator, StatValue } from './stats.entity.js';
import type { IndicatorDef, Period } from './stats.rules.js';
import { PREFIX_LENGTH, type AreaLevel } from '../../common/codes.js';

/** One roll-up to compute: an indicator over an area's subtree for a period. */
export interface RollupKey {
  code: string;
  level: AreaLevel;
  period: Period;
  indicator: IndicatorDef;
  /**
   * As known at (issue 28 item 3): the ISO instant of a `knownAt` argument; the
   * figures are then those recorded on or before it. Absent: every figure as it is.
   */
  knownAt?: string;
}

/**
 * The figures as known at an instant (the one `?`, bound three times before the
 * statement's own parameters), with the columns of `observation` that roll-ups
 * read. A figure unchanged since the instant is its row (a write sets
 * `updated_at` and its `observation_change.changed_at` to the same `now()`);
 * any other is rebuilt from its changes: the last change recorded on or before
 * the instant gives its value then, else the first later change's old value
 * (a figure stored without history, e.g. demo data, then overwritten), and a
 * null value (not recorded yet, or moved away by a merger) is no figure.
 * Not materialized: the roll-up's conditions (area range, indicator, month)
 * reach both branches and their indexes.
 */
const KNOWN_OBSERVATION = `known_observation as not materialized (
       select o.area_code, o.indicator, o.period_month, o.value, o.source from observation o where o.updated_at <= ?::timestamptz
       union all
       select c.area_code, c.indicator, c.period_month, c.value, c.source
         from (select distinct on (c.area_code, c.indicator, c.period_month) c.area_code, c.indicator, c.period_month,
                      case when c.changed_at <= ?::timestamptz then c.new_value else c.old_value end as value,
                      case when c.changed_at <= ?::timestamptz then c.new_source else c.old_source end as source
                 from observation_change c
                where not exists (
                  select 1 from observation o
                   where o.area_code = c.area_code and o.indicator = c.indicator and o.period_month = c.period_month and o.updated_at <= ?::timestamptz)
                order by c.area_code, c.indicator, c.period_month, c.changed_at <= ?::timestamptz desc,
                         case when c.changed_at <= ?::timestamptz then -c.id else c.id end) c
        where c.value is not null)`;

/**
 * A month's figures of single reporting areas (a tree's villages, the bulk of
 * its keys): one scan per county window and a hash join on the area code,
 * rather than one index descent per village.
 */
const LEAF_MONTHS = `
       union all
       select g.gn, o.indicator, o.value, 1, (o.source = 'DEMO')::int
         from (select g.m_start, min(g.lo) as lo, max(g.hi) as hi, array_agg(distinct gk.indicator) as indicators
                 from g join gk using (gn) where g.leaf group by g.m_start, left(g.prefix, 6)) w
        cross join lateral (
           select o.area_code, o.indicator, o.value, o.source from observation o
            where o.indicator = any(w.indicators) and o.period_month = w.m_start and o.area_code between w.lo and w.hi
           offset 0) o
         -- Indicators another leaf asked for come along; the final join to the keys drops them.
         join g on g.leaf and g.lo = o.area_code and g.m_start = w.m_start`;

/**
 * A quarter's or a year's figure of single reporting areas: per indicator, the
 * latest month (a stock) or the months summed (a flow), on the primary key.
 */
const LEAF_PERIODS = `
       union all
       select g.gn, gk.indicator, a.v, 1, a.demo::int
         from g join gk on gk.gn = g.gn
        cross join lateral (
           (select o.value as v, o.source = 'DEMO' as demo from observation o
             where gk.agg = 'STOCK' and o.area_code = g.lo and o.indicator = gk.indicator and o.period_month between g.m_start and g.m_end
             order by o.period_month desc limit 1)
           union all
           (select sum(o.value), bool_or(o.source = 'DEMO') from observation o
             where gk.agg = 'FLOW' and o.area_code = g.lo and o.indicator = gk.indicator and o.period_month between g.m_start and g.m_end
            having count(*) > 0)) a
        where g.leaf`;

/**
 * A stock's figure per reporting area over a quarter or a year: its latest month
 * in the period. Reporting areas mostly have the subtree's latest month with
 * figures (`m1`, found by at most one index probe per month), or, while that
 * month is still being reported, the month before (`m2`): those come from one
 * range of the month-first index each, the second less the areas in the first.
 * Only the areas with neither (anti-joins against both ranges) are looked up
 * month by month, one primary-key descent each. Reading every month of every
 * area and keeping the latest took a province's year about 260 ms per indicator.
 */
const LATEST_STOCKS = `
      (select s.* from (
         select m::date as m1, (m - interval '1 month')::date as m2 from generate_series(g.m_end, g.m_start, interval '-1 month') as m
          -- A probe per month (LIMIT keeps it one; as EXISTS it became a scan of every month).
          cross join lateral (
            select 1 from observation o
             where o.indicator = gk.indicator and o.period_month = m::date and o.area_code between g.lo and g.hi limit 1) found
          where gk.agg = 'STOCK'
          order by m desc limit 1) last
        cross join lateral (
          select o.indicator, o.area_code, o.value as v, o.source = 'DEMO' as demo from observation o
           where o.indicator = gk.indicator and o.period_month = last.m1 and o.area_code between g.lo and g.hi
          union all
          select o.indicator, o.area_code, o.value, o.source = 'DEMO' from observation o
           where o.indicator = gk.indicator and o.period_month = last.m2 and last.m2 >= g.m_start and o.area_code between g.lo and g.hi
             and not exists (
               select 1 from observation e
                where e.indicator = gk.indicator and e.period_month = last.m1 and e.area_code between g.lo and g.hi and e.area_code = o.area_code)
          union all
          select gk.indicator, a.code, l.v, l.demo
            from (select a.code from area a
                   where a.valid_from is null and a.valid_to is null and a.level = g.lvl and a.code between g.lo and g.hi
                  union all
                  select a.code from area a
                   where (a.valid_from is not null or a.valid_to is not null) and a.level = g.lvl and a.code between g.lo and g.hi) a
           cross join lateral (
             select o.value as v, o.source = 'DEMO' as demo from observation o
              where o.area_code = a.code and o.indicator = gk.indicator and o.period_month >= g.m_start and o.period_month < last.m2
              order by o.period_month desc limit 1) l
           where not exists (
             select 1 from observation e
              where e.indicator = gk.indicator and e.period_month in (last.m1, last.m2) and e.area_code between g.lo and g.hi and e.area_code = a.code)) s)`;

interface RollupRow {
  n: string;
  value: string | null;
  reported: number;
  demo: number;
  expected: number;
}

/**
 * Rolls up any number of (area, period, indicator) keys in ONE statement, in
 * SQL. Per reporting area a STOCK takes its latest month in the period and a
 * FLOW sums the months; areas are summed. A stock counts only areas that exist
 * at the period's end (a village merged during the year is in its successor's
 * latest figure, not twice); a flow counts every area that existed during the
 * period. `expected` counts the reporting-level areas of the subtree on the
 * same rule, so retired villages count for past periods only.
 *
 * Keys are grouped by subtree (a code range `[lo, hi]`), period and reporting
 * level. A subtree is an index-only range scan (`observation_month_idx` for a
 * month; over a quarter or a year, per indicator: a stock as {@link LATEST_STOCKS},
 * a flow on `observation_rollup_idx`); a single reporting area (a tree's
 * villages) is read by a join on its code.
 * Expected areas are range counts on partial area indexes; retired areas,
 * which are few, are subtracted afterwards. Measured at national scale (3.1
 * million observations): a county's month 2–7 ms, a province's 35–70 ms; with a
 * year of figures for 四川's 34,412 villages, its quarter about 210 ms and its
 * year about 260 ms (most of it the flow, which sums every month of every village).
 *
 * No permission check: callers filter (the resolver path checks the viewer's
 * subtree; the live-progress feature pushes `statsChanged` per subscriber scope).
 */
export async function rollUp(sql: Sql, keys: RollupKey[]): Promise<StatValue[]> {
  if (keys.length === 0) return [];
  const knownAt = keys[0].knownAt;
  if (keys.some((key) => key.knownAt !== knownAt)) {
    // As known at several instants (not one request's question): one statement per instant.
    const instants = [...new Set(keys.map((key) => key.knownAt))];
    const parts = await Promise.all(
      instants.map((at) =>
        rollUp(
          sql,
          keys.filter((key) => key.knownAt === at),
        ),
      ),
    );
    const values = new Array<StatValue>(keys.length);
    instants.forEach((at, j) => {
      let next = 0;
      keys.forEach((key, i) => {
        if (key.knownAt === at) values[i] = parts[j][next++];
      });
    });
    return values;
  }
  // A tree node asks for several indicators at once: each group is one scan
  // for all of them and one count of expected areas.
  const groups = new Map<string, number>();
  const group = { prefix: [] as string[], start: [] as string[], end: [] as string[], level: [] as string[], leaf: [] as boolean[] };
  const keyGroup = keys.map((key) => {
    const prefix = key.code.slice(0, PREFIX_LENGTH[key.level]);
    const id = `${prefix}|${key.period.startMonth}|${key.period.endMonth}|${key.indicator.reportingLevel}`;
    let gn = groups.get(id);
    if (gn === undefined) {
      gn = groups.size + 1;
      groups.set(id, gn);
      group.prefix.push(prefix);
      group.start.push(key.period.startMonth);
      group.end.push(key.period.endMonth);
      group.level.push(key.indicator.reportingLevel);
      // A reporting area itself (a village, for village-reported figures).
      group.leaf.push(prefix.length === PREFIX_LENGTH[key.indicator.reportingLevel as AreaLevel]);
    }
    return gn;
  });
  // A month holds one observation per area and indicator: its values need no
  // per-area step. A batch is one period in practice (a dashboard asks for one),
  // so the statement's shape is chosen per batch.
  const monthsOnly = keys.every((key) => key.period.startMonth === key.period.endMonth);
  // Each reporting area's figure for the period, as (indicator, area_code, v, demo).
  // A month: its observations, for all of a group's indicators in one scan of
  // the month-first index. A quarter or a year: per indicator, a stock's latest
  // month per area and a flow's months summed per area (the slower case at a
  // province's scale: a flow reads every month of every village).
  const subtree = monthsOnly
    ? `select o.indicator, o.area_code, o.value as v, o.source = 'DEMO' as demo from observation o
        where o.indicator = any(gi.indicators) and o.area_code between g.lo and g.hi and o.period_month between g.m_start and g.m_end`
    : `${LATEST_STOCKS}
       union all
       (select o.indicator, o.area_code, sum(o.value), bool_or(o.source = 'DEMO') from observation o
         where gk.agg = 'FLOW' and o.indicator = gk.indicator and o.area_code between g.lo and g.hi and o.period_month between g.m_start and g.m_end
         group by o.indicator, o.area_code)`;
  // What each lateral step iterates over: groups (a month) or group × indicator.
  const over = monthsOnly ? 'g join gi using (gn)' : 'g join gk using (gn)';
  // As known at an instant: the same statement on the figures recorded by then.
  const text = `with g as materialized (
       select g.gn, g.prefix, g.m_start, g.m_end, g.lvl, g.leaf,
              rpad(g.prefix, 12, '0') as lo, rpad(g.prefix, 12, '9') as hi,
              (g.m_end + interval '1 month' - interval '1 day')::date as last_day
         from unnest(?::text[], ?::date[], ?::date[], ?::text[], ?::boolean[]) with ordinality as g(prefix, m_start, m_end, lvl, leaf, gn)),
     k as materialized (
       select k.n, k.gn, k.indicator, k.agg
         from unnest(?::int[], ?::text[], ?::text[]) with ordinality as k(gn, indicator, agg, n)),
     gk as materialized (select distinct k.gn, k.indicator, k.agg, g.leaf from k join g using (gn)),
     gi as materialized (select gn, array_agg(indicator) as indicators from gk where not leaf group by gn),
     -- Every reporting area of the subtree: one index range scan per group.
     total as materialized (
       select g.gn, s.indicator, s.value, s.reported, s.demo
         from ${over} cross join lateral (
           select a.indicator, sum(a.v) as value, count(*)::int as reported, count(*) filter (where a.demo)::int as demo
             from (${subtree}) a group by a.indicator) s
        where not g.leaf${monthsOnly ? LEAF_MONTHS : LEAF_PERIODS}),
     -- A stock leaves out the areas retired before its period's end: their people
     -- are in their successor's latest figure. They are few (a partial index
     -- holds the dated areas), so they are subtracted afterwards rather than
     -- looked up for every observation.
     retired as materialized (
       select r.code, r.valid_to from area r
        -- (the first condition is the partial index's predicate, so that it serves)
        where (r.valid_from is not null or r.valid_to is not null) and r.valid_to is not null
          and r.code between (select min(lo) from g) and (select max(hi) from g)),
     gone as materialized (
       select g.gn, gk.indicator, sum(a.v) as value, count(*)::int as reported, count(*) filter (where a.demo)::int as demo
         from retired r
         join g on r.code between g.lo and g.hi and r.valid_to < g.last_day
         join gk on gk.gn = g.gn and gk.agg = 'STOCK'
        cross join lateral (
           select o.value as v, o.source = 'DEMO' as demo from observation o
            where o.area_code = r.code and o.indicator = gk.indicator and o.period_month between g.m_start and g.m_end
            order by o.period_month desc limit 1) a
        group by g.gn, gk.indicator),
     -- Expected reporting areas: an index-only range count of the undated areas,
     -- plus the few dated ones valid in the period (a stock counts those alive at
     -- its end, a flow those alive at any time in it).
     ec as materialized (
       select g.gn, u.n + d.stock as expected_stock, u.n + d.flow as expected_flow
         from g
        cross join lateral (
           select count(*) as n from area a
            where a.valid_from is null and a.valid_to is null and a.level = g.lvl and a.code between g.lo and g.hi) u
        cross join lateral (
           select count(*) filter (where coalesce(a.valid_to, 'infinity') >= g.last_day) as stock,
                  count(*) filter (where coalesce(a.valid_to, 'infinity') >= g.m_start) as flow
             from area a
            where (a.valid_from is not null or a.valid_to is not null) and a.code between g.lo and g.hi and a.level = g.lvl
              and coalesce(a.valid_from, '-infinity') <= g.last_day) d)
     select k.n::text as n,
            case when coalesce(t.reported, 0) > coalesce(x.reported, 0) then (t.value - coalesce(x.value, 0))::text end as value,
            coalesce(t.reported, 0) - coalesce(x.reported, 0) as reported, coalesce(t.demo, 0) - coalesce(x.demo, 0) as demo,
            (case when k.agg = 'FLOW' then ec.expected_flow else ec.expected_stock end)::int as expected
       from k join ec using (gn)
       left join total t on t.gn = k.gn and t.indicator = k.indicator
       left join gone x on x.gn = k.gn and x.indicator = k.indicator and k.agg = 'STOCK'`;
  const rows = await sql<RollupRow>(
    knownAt === undefined ? text : `with ${KNOWN_OBSERVATION}, ${text.slice('with '.length).replace(/\bobservation ([oe])\b/g, 'known_observation $1')}`,
    [
      ...(knownAt === undefined ? [] : Array<string>(6).fill(knownAt)),
      group.prefix,
      group.start,
      group.end,
      group.level,
      group.leaf,
      keyGroup,
      keys.map((key) => key.indicator.code),
      keys.map((key) => key.indicator.timeAggregation),
    ],
  );
  // Unordered rows (sorting them in SQL costs more than placing them here), one per key.
  const values = new Array<StatValue>(keys.length);
  for (const row of rows) {
    const n = Number(row.n) - 1;
    const key = keys[n];
    values[n] = Object.assign(new StatValue(), {
      areaCode: key.code,
      indicator: Indicator.of(key.indicator),
      unit: key.indicator.unit,
      period: key.period,
      value: row.value,
      reportedAreas: row.reported,
      expectedAreas: row.expected,
      demoAreas: row.demo,
    });
  }
  return values;
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
