import DataLoader from 'dataloader';
import { toPage, type Page, type PageRequest } from '../../common/connection.js';
import { groupedLoader, rowsByKey } from '../../common/loaders.js';
import type { Sql } from '../../db/sql.js';
import { AREA_COLUMNS, areaFromRow, type Area, type AreaRow } from '../area/area.entity.js';
import {
  Indicator,
  MissingVillageReason,
  Observation,
  ObservationChange,
  ObservationSource,
  ReportingApproval,
  ReportingCompletenessSetting,
  type StatValue,
} from './stats.entity.js';
import { rollUp, type RollupKey } from './stats.rollup.js';
import { SubtreeRollups, type AreaStatsKey } from './stats.subtree.js';
import {
  ApprovalStatus,
  DEFAULT_MIN_REPORTED_PERCENT,
  INDICATOR_BY_CODE,
  monthOf,
  parsePeriod,
  type IndicatorDef,
  type MissingVillage,
  type Period,
} from './stats.rules.js';
import { ProgressActor } from '../progress/progress.entity.js';
import { subtreeRange, type AreaLevel } from '../../common/codes.js';

/** An area's subtree and a period. */
export interface AreaPeriodKey {
  code: string;
  level: AreaLevel;
  period: Period;
}

export interface CompletenessCounts {
  expected: number;
  reported: number;
}

/**
 * Per village of the key's subtree that existed during the period: how many
 * months it had to report (the period's months within its validity, up to the
 * current month) and how many it has figures for. `k` is the key relation with
 * lo, hi, m_start, m_end; `?` binds the current month.
 */
const VILLAGE_STATUS = `
  select v.code, w.needed,
         (select count(distinct o.period_month)::int from observation o
           where o.area_code = v.code and o.period_month between w.from_m and w.to_m) as got
    from area v
    cross join lateral (
      select f.from_m, f.to_m,
             ((date_part('year', f.to_m) - date_part('year', f.from_m)) * 12
               + date_part('month', f.to_m) - date_part('month', f.from_m) + 1)::int as needed
        from (select greatest(k.m_start, date_trunc('month', coalesce(v.valid_from, k.m_start))::date) as from_m,
                     least(k.m_end, date_trunc('month', coalesce(v.valid_to, k.m_end))::date, ?::date) as to_m) f) w
   where v.level = 'VILLAGE' and v.code between k.lo and k.hi
     and (v.valid_from is null or v.valid_from < k.m_end + interval '1 month')
     and (v.valid_to is null or v.valid_to >= k.m_start)`;

const keyArrays = (keys: AreaPeriodKey[]) => {
  const ranges = keys.map((key) => subtreeRange(key.code, key.level));
  return [ranges.map(([lo]) => lo), ranges.map(([, hi]) => hi), keys.map((k) => k.period.startMonth), keys.map((k) => k.period.endMonth)];
};

/**
 * The villages of one township (or any subtree) expected for a period and those
 * of them that have not reported (未报村, in code order), read as the
 * `reporting` field counts them. One statement.
 */
export async function missingVillagesOf(sql: Sql, key: AreaPeriodKey): Promise<{ expected: number; missing: MissingVillage[] }> {
  const [lo, hi] = subtreeRange(key.code, key.level);
  const rows = await sql<{ code: string; name: string; reported: boolean }>(
    `select s.code, v.name, (s.needed > 0 and s.got >= s.needed) as reported
       from (select ?::text as lo, ?::text as hi, ?::date as m_start, ?::date as m_end) k
       cross join lateral (${VILLAGE_STATUS}) s
       join area v on v.code = s.code
      order by s.code`,
    [lo, hi, key.period.startMonth, key.period.endMonth, monthOf(new Date()).startMonth],
  );
  return { expected: rows.length, missing: rows.filter((r) => !r.reported).map((r) => ({ code: r.code, name: r.name })) };
}

/** What the approval loader reads of a `reporting_approval` row. */
export interface ApprovalRecord {
  status: ApprovalStatus;
  reason: string | null;
  version: number;
  updated_at: Date;
  submitted_at: Date | null;
  submitted_by: string | null;
  submitted_by_name: string | null;
  submitted_by_role: string | null;
  submitted_expected: number | null;
  submitted_reported: number | null;
}

/** The columns of {@link ApprovalRecord}, for `returning` and `select`. */
export const APPROVAL_COLUMNS =
  'status, reason, version, updated_at, submitted_at, submitted_by, submitted_by_name, submitted_by_role, submitted_expected, submitted_reported';

export function approvalFromRecord(areaCode: string, period: Period, row: ApprovalRecord | undefined): ReportingApproval {
  return Object.assign(new ReportingApproval(), {
    areaCode,
    period,
    status: row?.status ?? ApprovalStatus.OPEN,
    reason: row?.reason ?? null,
    version: row?.version ?? 0,
    updatedAt: row?.updated_at ?? null,
    submittedAt: row?.submitted_at ?? null,
    submittedBy: row?.submitted_by
      ? Object.assign(new ProgressActor(), { sub: row.submitted_by, name: row.submitted_by_name ?? row.submitted_by, role: row.submitted_by_role })
      : null,
    expectedAreasAtSubmission: row?.submitted_expected ?? null,
    reportedAreasAtSubmission: row?.submitted_reported ?? null,
  });
}

const periodKey = (key: AreaPeriodKey) => JSON.stringify([key.code, key.period.key]);

interface ObservationRow {
  n: string;
  area_code: string;
  indicator: string;
  period_month: string;
  value: string;
  source: ObservationSource;
  version: number;
  updated_at: Date;
}

/** `YYYY-MM-01` → the month period. */
export const monthPeriod = (date: string) => parsePeriod(date.slice(0, 7));

export function observationFromRow(row: Omit<ObservationRow, 'n'>): Observation {
  const def = INDICATOR_BY_CODE.get(row.indicator)!;
  return Object.assign(new Observation(), {
    areaCode: row.area_code,
    indicator: Indicator.of(def),
    unit: def.unit,
    period: monthPeriod(row.period_month),
    value: row.value,
    source: row.source,
    version: row.version,
    updatedAt: row.updated_at,
  });
}

/**
 * Per-request loaders for statistics. Each batch is ONE statement, whatever the
 * number of areas: a tree query with stats on every node costs one roll-up
 * statement per level of the tree.
 */
export function createStatsLoaders(sql: Sql) {
  // A month's roll-ups of a county or smaller come from the subtree's figures,
  // read once per request; the others (and any sum too large to add exactly in
  // a double) are aggregated in SQL.
  const subtrees = new SubtreeRollups(sql);
  const rollup = new DataLoader<RollupKey, StatValue, string>(
    async (keys) => {
      const values = new Array<StatValue | undefined>(keys.length);
      const small = keys.flatMap((key, i) => (SubtreeRollups.accepts(key) ? [i] : []));
      const fromSubtrees = await subtrees.rollUp(small.map((i) => ({ ...keys[i], indicators: [keys[i].indicator] })));
      small.forEach((i, j) => (values[i] = fromSubtrees[j]?.[0]));
      const rest = keys.flatMap((_, i) => (values[i] ? [] : [i]));
      if (rest.length > 0) {
        const aggregated = await rollUp(
          sql,
          rest.map((i) => keys[i]),
        );
        rest.forEach((i, j) => (values[i] = aggregated[j]));
      }
      return values as StatValue[];
    },
    { cacheKeyFn: (key) => `${key.code}|${key.period.key}|${key.indicator.code}${key.knownAt === undefined ? '' : `|${key.knownAt}`}` },
  );

  // An area's figures for several indicators: what a tree asks of each node.
  // One load per area rather than per value.
  const loadAreaStats = async (keys: readonly AreaStatsKey[]): Promise<StatValue[][]> => {
    const aggregate = (key: AreaStatsKey) =>
      rollup
        .loadMany(key.indicators.map((indicator) => ({ code: key.code, level: key.level, period: key.period, indicator, knownAt: key.knownAt })))
        .then((loaded) => {
          const failed = loaded.find((value) => value instanceof Error);
          if (failed) throw failed;
          return loaded as StatValue[];
        });
    const small: number[] = [];
    const large: number[] = [];
    keys.forEach((key, i) => (SubtreeRollups.accepts(key) ? small : large).push(i));
    // Loaded before the first await, so that callers in the same tick (a tree's fills) share one roll-up batch.
    const [fromSubtrees, aggregated] = await Promise.all([subtrees.rollUp(small.map((i) => keys[i])), Promise.all(large.map((i) => aggregate(keys[i])))]);
    const values = new Array<StatValue[] | undefined>(keys.length);
    small.forEach((i, j) => (values[i] = fromSubtrees[j]));
    large.forEach((i, j) => (values[i] = aggregated[j]));
    // A sum too large to add exactly in a double: aggregated in SQL.
    const unsafe = small.filter((i) => !values[i]);
    if (unsafe.length) (await Promise.all(unsafe.map((i) => aggregate(keys[i])))).forEach((found, j) => (values[unsafe[j]] = found));
    return values as StatValue[][];
  };
  // Whole lists of keys, one load per caller: the lists asked in one tick (a tree's fills, one per `stats` field) are read together.
  const areaStatsLists = new DataLoader<readonly AreaStatsKey[], StatValue[][]>(
    async (lists) => {
      const values = await loadAreaStats(lists.flat());
      let at = 0;
      return lists.map((keys) => values.slice(at, (at += keys.length)));
    },
    { cache: false },
  );
  const areaStatsOf = (keys: readonly AreaStatsKey[]) => areaStatsLists.load(keys);
  const areaStats = new DataLoader<AreaStatsKey, StatValue[], string>(loadAreaStats, {
    cacheKeyFn: (key) =>
      `${key.code}|${key.period.key}|${key.indicators.map((indicator) => indicator.code).join(',')}${key.knownAt === undefined ? '' : `|${key.knownAt}`}`,
  });

  const completeness = new DataLoader<AreaPeriodKey, CompletenessCounts, string>(
    async (keys) => {
      const rows = await sql<{ n: string; expected: number; reported: number }>(
        `select k.n::text as n, count(s.code)::int as expected,
                count(s.code) filter (where s.needed > 0 and s.got >= s.needed)::int as reported
           from unnest(?::text[], ?::text[], ?::date[], ?::date[]) with ordinality as k(lo, hi, m_start, m_end, n)
           left join lateral (${VILLAGE_STATUS}) s on true
          group by k.n order by k.n`,
        [...keyArrays([...keys]), monthOf(new Date()).startMonth],
      );
      return rows.map((row) => ({ expected: row.expected, reported: row.reported }));
    },
    { cacheKeyFn: periodKey },
  );

  // Villages not yet reported, keyset-paged on the code; one statement per page shape.
  const missing = groupedLoader<AreaPeriodKey & { page: PageRequest }, Page<Area>>(
    (key) => JSON.stringify([key.page.first, key.page.afterKey]),
    async (keys) => {
      const { page } = keys[0];
      const rows = await sql<AreaRow & { n: string }>(
        `select k.n::text as n, a.*
           from unnest(?::text[], ?::text[], ?::date[], ?::date[]) with ordinality as k(lo, hi, m_start, m_end, n)
           cross join lateral (
             select ${AREA_COLUMNS.split(', ')
               .map((c) => `v.${c}`)
               .join(', ')}
               from (${VILLAGE_STATUS}) s join area v on v.code = s.code
              where not (s.needed > 0 and s.got >= s.needed) and s.code > ?::text
              order by s.code limit ?) a
          order by k.n, a.code`,
        [...keyArrays(keys), monthOf(new Date()).startMonth, page.afterKey ?? '', page.first + 1],
      );
      const byKey = rowsByKey(
        keys.map((_, i) => String(i + 1)),
        rows,
        (row) => row.n,
      );
      return keys.map((key, i) =>
        toPage(
          byKey.get(String(i + 1))!.map(areaFromRow),
          key.page,
          (area) => area.code,
          async () => (await completeness.load(key)).expected - (await completeness.load(key)).reported,
        ),
      );
    },
  );

  const approval = new DataLoader<{ code: string; period: Period }, ReportingApproval, string>(
    async (keys) => {
      const rows = await sql<ApprovalRecord & { area_code: string; period: string }>(
        `select r.area_code, r.period, ${APPROVAL_COLUMNS.split(', ')
          .map((c) => `r.${c}`)
          .join(', ')}
           from unnest(?::text[], ?::text[]) as k(code, period)
           join reporting_approval r on r.area_code = k.code and r.period = k.period`,
        [keys.map((k) => k.code), keys.map((k) => k.period.key)],
      );
      const found = new Map(rows.map((row) => [`${row.area_code}:${row.period}`, row]));
      return keys.map((key) => approvalFromRecord(key.code, key.period, found.get(`${key.code}:${key.period.key}`)));
    },
    { cacheKeyFn: (key) => `${key.code}:${key.period.key}` },
  );

  // The villages missing at a township's last submission of a period, with their reasons, in code order.
  const missingReasons = new DataLoader<{ code: string; period: Period }, MissingVillageReason[], string>(
    async (keys) => {
      const rows = await sql<{ n: string; village_code: string; reason: string | null }>(
        `select k.n::text as n, m.village_code, m.reason
           from unnest(?::text[], ?::text[]) with ordinality as k(code, period, n)
           join reporting_missing_reason m on m.area_code = k.code and m.period = k.period
          order by k.n, m.village_code`,
        [keys.map((k) => k.code), keys.map((k) => k.period.key)],
      );
      const byKey = rowsByKey(
        keys.map((_, i) => String(i + 1)),
        rows,
        (row) => row.n,
      );
      return keys.map((_, i) =>
        byKey.get(String(i + 1))!.map((row) => Object.assign(new MissingVillageReason(), { villageCode: row.village_code, reason: row.reason })),
      );
    },
    { cacheKeyFn: (key) => `${key.code}:${key.period.key}` },
  );

  // A county's 上报完整率 threshold (the default when it has set none).
  const completenessSetting = new DataLoader<string, ReportingCompletenessSetting>(async (counties) => {
    const rows = await sql<{ county_code: string; min_reported_percent: number; version: number; updated_at: Date }>(
      'select county_code, min_reported_percent, version, updated_at from reporting_completeness_setting where county_code = any(?::text[])',
      [[...counties]],
    );
    const found = new Map(rows.map((row) => [row.county_code, row]));
    return counties.map((county) => {
      const row = found.get(county);
      return Object.assign(new ReportingCompletenessSetting(), {
        countyCode: county,
        minReportedPercent: row?.min_reported_percent ?? DEFAULT_MIN_REPORTED_PERCENT,
        version: row?.version ?? 0,
        updatedAt: row?.updated_at ?? null,
      });
    });
  });

  // Stored monthly figures of one area (a village) for a period.
  const observations = groupedLoader<{ code: string; period: Period; indicators: IndicatorDef[] }, Observation[]>(
    (key) => key.indicators.map((i) => i.code).join(','),
    async (keys) => {
      const rows = await sql<ObservationRow>(
        `select k.n::text as n, o.area_code, o.indicator, o.period_month::text as period_month, o.value::text as value, o.source, o.version, o.updated_at
           from unnest(?::text[], ?::date[], ?::date[]) with ordinality as k(code, m_start, m_end, n)
           join observation o on o.area_code = k.code and o.indicator = any(?::text[]) and o.period_month between k.m_start and k.m_end
          order by k.n, o.period_month, o.indicator`,
        [keys.map((k) => k.code), keys.map((k) => k.period.startMonth), keys.map((k) => k.period.endMonth), keys[0].indicators.map((i) => i.code)],
      );
      const byKey = rowsByKey(
        keys.map((_, i) => String(i + 1)),
        rows,
        (row) => row.n,
      );
      const order = new Map(keys[0].indicators.map((def, i) => [def.code, i]));
      return keys.map((_, i) =>
        byKey
          .get(String(i + 1))!
          .sort((a, b) => a.period_month.localeCompare(b.period_month) || order.get(a.indicator)! - order.get(b.indicator)!)
          .map(observationFromRow),
      );
    },
  );

  // Audit trail of one area's figures for an indicator and period, newest first (at most 200 per area),
  // as known at a bound (common/known-at.ts): changes recorded after it are left out.
  const history = groupedLoader<{ code: string; period: Period; indicator: IndicatorDef; knownAt: string }, ObservationChange[]>(
    (key) => `${key.indicator.code}:${key.knownAt}`,
    async (keys) => {
      const rows = await sql<{
        n: string;
        area_code: string;
        period_month: string;
        old_value: string | null;
        new_value: string | null;
        old_source: ObservationSource | null;
        new_source: ObservationSource | null;
        reason: string;
        actor_sub: string;
        actor_name: string;
        actor_role: string | null;
        changed_at: Date;
      }>(
        `select k.n::text as n, c.*
           from unnest(?::text[], ?::date[], ?::date[]) with ordinality as k(code, m_start, m_end, n)
           cross join lateral (
             select area_code, period_month::text as period_month, old_value::text as old_value, new_value::text as new_value,
                    old_source, new_source, reason, actor_sub, actor_name, actor_role, changed_at
               from observation_change
              where area_code = k.code and indicator = ? and period_month between k.m_start and k.m_end and changed_at <= ?::timestamptz
              order by id desc limit 200) c
          order by k.n`,
        [keys.map((k) => k.code), keys.map((k) => k.period.startMonth), keys.map((k) => k.period.endMonth), keys[0].indicator.code, keys[0].knownAt],
      );
      const byKey = rowsByKey(
        keys.map((_, i) => String(i + 1)),
        rows,
        (row) => row.n,
      );
      return keys.map((_, i) =>
        byKey.get(String(i + 1))!.map((row) =>
          Object.assign(new ObservationChange(), {
            areaCode: row.area_code,
            period: monthPeriod(row.period_month),
            oldValue: row.old_value,
            newValue: row.new_value,
            oldSource: row.old_source,
            newSource: row.new_source,
            reason: row.reason,
            actor: Object.assign(new ProgressActor(), { sub: row.actor_sub, name: row.actor_name, role: row.actor_role }),
            changedAt: row.changed_at,
          }),
        ),
      );
    },
  );

  return {
    rollup,
    areaStats,
    /**
     * What `areaStats` loads, for many areas at once without its cache (a tree read
     * asks once for all its nodes, without a load per area). Rejects when any key fails.
     */
    areaStatsOf,
    completeness,
    missing,
    approval,
    missingReasons,
    completenessSetting,
    observations,
    history,
  };
}

export type StatsLoaders = ReturnType<typeof createStatsLoaders>;

declare module '../../graphql/context.js' {
  interface Loaders {
    stats: StatsLoaders;
  }
}
