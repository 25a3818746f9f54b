import type { Sql } from '../../db/sql.js';
import { PREFIX_LENGTH } from '../area/area.rules.js';
import { Indicator, StatValue } from './stats.entity.js';
import type { AreaLevel } from '../area/area.rules.js';
import { INDICATOR_BY_CODE, TimeAggregation, type IndicatorDef, type Period } from './stats.rules.js';

/** The largest subtree read whole: a county (about 400 areas, 2,000 figures for 5 indicators). */
const MAX_SUBTREE = PREFIX_LENGTH.COUNTY;

/** The code-prefix lengths of the levels, shallowest first. */
const LENGTHS = [...new Set(Object.values(PREFIX_LENGTH))].sort((a, b) => a - b);

/** One indicator summed over the reporting areas under a code prefix. */
interface Sum {
  cents: number;
  reported: number;
  demo: number;
}

/** What a code prefix (an area) holds: its expected reporting areas and its sums per indicator. */
interface PrefixTotals {
  expectedStock: number;
  expectedFlow: number;
  sums: Map<string, Sum>;
}

/** One month of one subtree's reporting areas, summed onto every area inside it. */
interface Subtree {
  prefix: string;
  month: string;
  reportingLevel: string;
  indicators: Set<string>;
  totals: Map<string, PrefixTotals>;
  /** Settles when the totals are filled: a read in flight serves the keys that arrive meanwhile. */
  ready: Promise<void>;
}

/** An area's figures for a period: several indicators at once. */
export interface AreaStatsKey {
  code: string;
  level: AreaLevel;
  period: Period;
  indicators: readonly IndicatorDef[];
}

interface LeafRow {
  /** `o`: an observation; `u`: an undated reporting area; `d`: a dated area (any level). */
  kind: 'o' | 'u' | 'd';
  code: string;
  indicator: string | null;
  value: string | null;
  demo: boolean | null;
  level: string | null;
  valid_from: string | null;
  valid_to: string | null;
}

/**
 * A subtree's month, read whole: its observations for the indicators, its
 * undated reporting areas and its dated areas, each by an index range scan
 * (`observation_month_idx`, `area_undated_level_code_idx`, `area_dated_code_idx`).
 */
const LEAVES = `
  select 'o' as kind, o.area_code as code, o.indicator, o.value::text as value, o.source = 'DEMO' as demo,
         null::text as level, null::text as valid_from, null::text as valid_to
    from unnest(?::text[], ?::text[]) as r(lo, hi)
    cross join lateral (
      select o.area_code, o.indicator, o.value, o.source from observation o
       where o.indicator = any(?::text[]) and o.period_month = ?::date and o.area_code between r.lo and r.hi) o
  union all
  select 'u', a.code, null, null, null, null, null, null
    from unnest(?::text[], ?::text[]) as r(lo, hi)
    cross join lateral (
      select a.code from area a
       where a.valid_from is null and a.valid_to is null and a.level = ? and a.code between r.lo and r.hi) a
  union all
  -- Dated areas are few: one range over all the subtrees, the areas between them dropped in JS.
  select 'd', a.code, null, null, null, a.level, a.valid_from::text, a.valid_to::text
    from area a
   where (a.valid_from is not null or a.valid_to is not null) and a.code between ? and ?`;

const min = (a: string, b: string) => (a < b ? a : b);
const max = (a: string, b: string) => (a > b ? a : b);

/** `YYYY-MM-01` → the month's last day, `YYYY-MM-DD`. */
function lastDayOf(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, m, 0)).toISOString().slice(0, 10);
}

/** `numeric(14, 2)` text (always two decimals) → integer cents, exact. */
const centsOf = (value: string) => Number(value.slice(0, -3) + value.slice(-2));

/** Integer cents → `numeric(14, 2)` text, as PostgreSQL prints a sum. */
const textOf = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/**
 * Roll-ups inside small subtrees, computed in the process from their reporting
 * areas' figures, each subtree read once per request.
 *
 * A tree query with figures at every node (a county, its townships, its
 * villages) would otherwise run a roll-up statement per level, each reading the
 * same villages' figures again. Here the first level's batch reads the
 * county's villages once (the figures, as the raw-SQL floor reads them) and
 * every roll-up inside the county, at any level, comes from that read.
 *
 * It answers a month's keys of a county or smaller; larger subtrees (a city,
 * a province: up to 34,000 villages) and quarters or years stay with the
 * aggregating statement of {@link rollUp}. The rules are rollUp's (a stock
 * leaves out areas retired before the month's end; expected areas are the
 * reporting areas alive at the end for a stock, during the month for a flow),
 * and a test compares the two on every key of a county with merged villages.
 *
 * Per request: it lives in the request's loaders and is never shared.
 */
export class SubtreeRollups {
  private readonly subtrees: Subtree[] = [];

  constructor(private readonly sql: Sql) {}

  /** Whether a key is one this class answers: a month, a county's subtree or smaller. */
  static accepts(key: { level: AreaLevel; period: Period }): boolean {
    return key.period.startMonth === key.period.endMonth && PREFIX_LENGTH[key.level] >= MAX_SUBTREE;
  }

  /**
   * Values for keys that {@link SubtreeRollups.accepts}, in order, one per
   * indicator of each key, reading the subtrees not read yet. Undefined for a
   * key where a sum of cents leaves the exact integer range of a double (money
   * near its 1e12-yuan cap in many villages), for the caller to roll up in SQL.
   */
  async rollUp(keys: readonly AreaStatsKey[]): Promise<(StatValue[] | undefined)[]> {
    const missing = keys.filter((key) => key.indicators.some((indicator) => !this.find(key, indicator)));
    if (missing.length > 0) this.read(missing);
    const reads = new Set<Promise<void>>();
    for (const key of keys) for (const indicator of key.indicators) reads.add(this.find(key, indicator)!.ready);
    await Promise.all(reads);
    return keys.map((key) => this.valuesOf(key));
  }

  /** The subtree read that holds the key's area for the indicator and month. */
  private find(key: AreaStatsKey, indicator: IndicatorDef, prefix = key.code.slice(0, PREFIX_LENGTH[key.level])): Subtree | undefined {
    for (const subtree of this.subtrees) {
      if (
        subtree.month === key.period.startMonth &&
        subtree.reportingLevel === indicator.reportingLevel &&
        subtree.indicators.has(indicator.code) &&
        prefix.startsWith(subtree.prefix)
      ) {
        return subtree;
      }
    }
    return undefined;
  }

  /**
   * Starts reading the outermost subtrees of the keys, one statement per month
   * and reporting level, and registers them at once (a failed read is dropped).
   */
  private read(keys: AreaStatsKey[]): void {
    const batches = new Map<string, { month: string; reportingLevel: string; prefixes: Set<string>; indicators: Set<string> }>();
    for (const key of keys) {
      for (const indicator of key.indicators) {
        const id = `${key.period.startMonth}|${indicator.reportingLevel}`;
        let batch = batches.get(id);
        if (!batch) batches.set(id, (batch = { month: key.period.startMonth, reportingLevel: indicator.reportingLevel, prefixes: new Set(), indicators: new Set() }));
        batch.prefixes.add(key.code.slice(0, PREFIX_LENGTH[key.level]));
        batch.indicators.add(indicator.code);
      }
    }
    for (const batch of batches.values()) {
      const all = [...batch.prefixes];
      const outermost = all.filter((prefix) => !all.some((other) => other !== prefix && prefix.startsWith(other)));
      const lo = outermost.map((prefix) => prefix.padEnd(12, '0'));
      const hi = outermost.map((prefix) => prefix.padEnd(12, '9'));
      const read: Subtree[] = [];
      const ready = this.sql<LeafRow>(LEAVES, [lo, hi, [...batch.indicators], batch.month, lo, hi, batch.reportingLevel, lo.reduce(min), hi.reduce(max)]).then(
        (rows) => sum(read, rows),
        (error: unknown) => {
          this.subtrees.splice(0, this.subtrees.length, ...this.subtrees.filter((subtree) => !read.includes(subtree)));
          throw error;
        },
      );
      for (const prefix of outermost) {
        read.push({ prefix, month: batch.month, reportingLevel: batch.reportingLevel, indicators: batch.indicators, totals: new Map(), ready });
      }
      this.subtrees.push(...read);
    }
  }

  private valuesOf(key: AreaStatsKey): StatValue[] | undefined {
    const prefix = key.code.slice(0, PREFIX_LENGTH[key.level]);
    const values = new Array<StatValue>(key.indicators.length);
    for (let i = 0; i < key.indicators.length; i++) {
      const indicator = key.indicators[i]!;
      const totals = this.find(key, indicator, prefix)!.totals.get(prefix);
      const sum = totals?.sums.get(indicator.code);
      // Values are never negative, so an inexact running sum leaves an unsafe total.
      if (sum && !Number.isSafeInteger(sum.cents)) return undefined;
      const value = new StatValue();
      value.areaCode = key.code;
      value.indicator = Indicator.of(indicator);
      value.unit = indicator.unit;
      value.period = key.period;
      value.value = sum ? textOf(sum.cents) : null;
      value.reportedAreas = sum?.reported ?? 0;
      value.expectedAreas = (indicator.timeAggregation === TimeAggregation.FLOW ? totals?.expectedFlow : totals?.expectedStock) ?? 0;
      value.demoAreas = sum?.demo ?? 0;
      values[i] = value;
    }
    return values;
  }
}

/**
 * Adds each reporting area and each figure onto every prefix above it within
 * its subtree (the subtrees of one read share a month and a reporting level).
 */
function sum(subtrees: Subtree[], rows: LeafRow[]): void {
  const { month, reportingLevel } = subtrees[0]!;
  const lastDay = lastDayOf(month);
  const byPrefix = new Map(subtrees.map((s) => [s.prefix, s]));
  // The totals an area adds to: its own prefix and each one above it, up to its subtree's root.
  const chains = new Map<string, PrefixTotals[] | null>();
  const chainOf = (code: string): PrefixTotals[] | null => {
    let chain = chains.get(code);
    if (chain !== undefined) return chain;
    chain = null;
    const subtree = LENGTHS.map((length) => byPrefix.get(code.slice(0, length))).find(Boolean);
    if (subtree) {
      chain = [];
      for (const length of LENGTHS) {
        if (length < subtree.prefix.length) continue;
        const prefix = code.slice(0, length);
        let totals = subtree.totals.get(prefix);
        if (!totals) subtree.totals.set(prefix, (totals = { expectedStock: 0, expectedFlow: 0, sums: new Map() }));
        chain.push(totals);
      }
    }
    chains.set(code, chain);
    return chain;
  };
  const addArea = (code: string, stock: boolean, flow: boolean) => {
    for (const totals of chainOf(code) ?? []) {
      if (stock) totals.expectedStock += 1;
      if (flow) totals.expectedFlow += 1;
    }
  };
  // Retired areas are few; a stock leaves out those retired before the month's end.
  const retiredBeforeEnd = new Set<string>();
  for (const row of rows) {
    if (row.kind === 'u') addArea(row.code, true, true);
    else if (row.kind === 'd') {
      if (row.valid_to !== null && row.valid_to < lastDay) retiredBeforeEnd.add(row.code);
      if (row.level !== reportingLevel || (row.valid_from !== null && row.valid_from > lastDay)) continue;
      addArea(row.code, row.valid_to === null || row.valid_to >= lastDay, row.valid_to === null || row.valid_to >= month);
    }
  }
  for (const row of rows) {
    if (row.kind !== 'o') continue;
    const indicator = row.indicator!;
    if (retiredBeforeEnd.has(row.code) && INDICATOR_BY_CODE.get(indicator)!.timeAggregation === TimeAggregation.STOCK) continue;
    const cents = centsOf(row.value!);
    for (const totals of chainOf(row.code)!) {
      let sum = totals.sums.get(indicator);
      if (!sum) totals.sums.set(indicator, (sum = { cents: 0, reported: 0, demo: 0 }));
      sum.cents += cents;
      sum.reported += 1;
      if (row.demo) sum.demo += 1;
    }
  }
}
