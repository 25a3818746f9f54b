import { preparedName, type Sql } from '../../db/sql.js';
import { Indicator, StatValue } from './stats.entity.js';
import { INDICATOR_BY_CODE, TimeAggregation, type IndicatorDef, type Period } from './stats.rules.js';
import { PREFIX_LENGTH, type AreaLevel } from '../../common/codes.js';

/** The largest subtree read whole: a county (about 400 areas, 2,000 figures for 5 indicators). */
const MAX_SUBTREE = PREFIX_LENGTH.COUNTY;

/** The code-prefix lengths of the levels, shallowest first. */
const LENGTHS = [...new Set(Object.values(PREFIX_LENGTH))].sort((a, b) => a - b);

/**
 * What a code prefix (an area) holds: its expected reporting areas, and per
 * indicator of its subtree's read (by position) the figures summed in cents,
 * how many areas reported and how many of those are demo data.
 */
interface PrefixTotals {
  expectedStock: number;
  expectedFlow: number;
  cents: number[];
  reported: number[];
  demo: number[];
}

/** One month of one subtree's reporting areas, summed onto every area inside it. */
interface Subtree {
  prefix: string;
  month: string;
  reportingLevel: string;
  /** Indicator code → its position in the totals' arrays. */
  indicators: Map<string, number>;
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
  /** As known at this ISO instant (see RollupKey); such keys are rolled up in SQL, not here. */
  knownAt?: string;
}

/**
 * A row of a subtree's read: a reporting area with its figures (`v0`…, one per
 * indicator asked, and `demo`, a bit per indicator whose figure is demo data),
 * or a dated area (`level` set), any level, with its validity.
 */
interface LeafRow {
  code: string;
  undated: boolean;
  demo: number;
  level: string | null;
  valid_from: string | null;
  valid_to: string | null;
  [value: `v${number}`]: string | null;
}

/**
 * A subtree's month, read whole: one row per area with its figures side by side
 * (a village's five figures in one row rather than five), read by index range
 * scans on `observation_month_idx` and `area_undated_level_code_idx`, then the
 * dated areas on `area_dated_code_idx`. `count` indicators: the `v` columns
 * follow the order of the array bound first.
 */
function leaves(count: number): { text: string; prepared: string } {
  let statement = LEAVES[count];
  if (!statement) {
    const text = leavesText(count);
    // Prepared: planning this statement costs PostgreSQL about as much as running it.
    statement = LEAVES[count] = { text, prepared: preparedName('subtree_leaves', text) };
  }
  return statement;
}
const LEAVES: { text: string; prepared: string }[] = [];

function leavesText(count: number): string {
  const values = Array.from({ length: count }, (_, k) => `max(o.value) filter (where o.k = ${k})::text as v${k}`);
  // The figures are read in a CTE of their own so that the month-first index
  // serves them; grouping straight off the scan would rather walk the primary
  // key in code order, through every month and indicator of each village.
  return `
  with o as materialized (
    select o.area_code, array_position(?::text[], o.indicator) - 1 as k, o.value, o.source
      from unnest(?::text[], ?::text[]) as r(lo, hi)
      cross join lateral (
        select o.area_code, o.indicator, o.value, o.source from observation o
         where o.indicator = any(?::text[]) and o.period_month = ?::date and o.area_code between r.lo and r.hi) o)
  select coalesce(u.code, f.code) as code, u.code is not null as undated, coalesce(f.demo, 0) as demo,
         null::text as level, null::text as valid_from, null::text as valid_to, ${values.map((_, k) => `f.v${k}`).join(', ')}
    from (select a.code
            from unnest(?::text[], ?::text[]) as r(lo, hi)
            cross join lateral (
              select a.code from area a
               where a.valid_from is null and a.valid_to is null and a.level = ? and a.code between r.lo and r.hi) a) u
    full join (
      select o.area_code as code, ${values.join(', ')},
             coalesce(bit_or(1 << o.k) filter (where o.source = 'DEMO'), 0) as demo
        from o group by o.area_code) f on f.code = u.code
  union all
  -- Dated areas are few: one range over all the subtrees, the areas between them dropped in JS.
  select a.code, false, 0, a.level, a.valid_from::text, a.valid_to::text${', null'.repeat(count)}
    from area a
   where (a.valid_from is not null or a.valid_to is not null) and a.code between ? and ?`;
}

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
  /** The subtrees read, by their root's code prefix (a request may read many: a page of villages). */
  private readonly subtrees = new Map<string, Subtree[]>();

  constructor(private readonly sql: Sql) {}

  /**
   * Whether a key is one this class answers: a month, a county's subtree or
   * smaller, as the figures are now (a `knownAt` key goes to rollUp's statement).
   */
  static accepts(key: { level: AreaLevel; period: Period; knownAt?: string }): boolean {
    return key.knownAt === undefined && key.period.startMonth === key.period.endMonth && PREFIX_LENGTH[key.level] >= MAX_SUBTREE;
  }

  /**
   * Values for keys that {@link SubtreeRollups.accepts}, in order, one per
   * indicator of each key, reading the subtrees not read yet. Undefined for a
   * key where a sum of cents leaves the exact integer range of a double (money
   * near its 1e12-yuan cap in many villages), for the caller to roll up in SQL.
   */
  async rollUp(keys: readonly AreaStatsKey[]): Promise<(StatValue[] | undefined)[]> {
    const prefixes = keys.map((key) => key.code.slice(0, PREFIX_LENGTH[key.level]));
    // Per key, the subtree serving each of its indicators.
    const found = keys.map((key, i) => this.find(key.period.startMonth, key.indicators, prefixes[i]));
    const missing = keys.filter((_, i) => found[i].includes(undefined));
    if (missing.length > 0) {
      this.read(missing);
      keys.forEach((key, i) => {
        if (found[i].includes(undefined)) found[i] = this.find(key.period.startMonth, key.indicators, prefixes[i]);
      });
    }
    await Promise.all(new Set(found.flatMap((subtrees) => subtrees.map((subtree) => subtree!.ready))));
    return keys.map((key, i) => this.valuesOf(key, prefixes[i], found[i] as Subtree[]));
  }

  /**
   * Per indicator, the subtree read that holds the area (a code prefix) for it and the
   * month: the outermost one, the area's own or an ancestor's; undefined where none does.
   */
  private find(month: string, indicators: readonly IndicatorDef[], prefix: string): (Subtree | undefined)[] {
    const found = new Array<Subtree | undefined>(indicators.length).fill(undefined);
    let left = indicators.length;
    for (const length of LENGTHS) {
      if (length > prefix.length || left === 0) break;
      const subtrees = this.subtrees.get(prefix.slice(0, length));
      if (!subtrees) continue;
      for (let i = 0; i < indicators.length; i++) {
        if (found[i]) continue;
        const indicator = indicators[i];
        const subtree = subtrees.find((s) => s.month === month && s.reportingLevel === indicator.reportingLevel && s.indicators.has(indicator.code));
        if (subtree) {
          found[i] = subtree;
          left--;
        }
      }
    }
    return found;
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
        if (!batch)
          batches.set(id, (batch = { month: key.period.startMonth, reportingLevel: indicator.reportingLevel, prefixes: new Set(), indicators: new Set() }));
        batch.prefixes.add(key.code.slice(0, PREFIX_LENGTH[key.level]));
        batch.indicators.add(indicator.code);
      }
    }
    for (const batch of batches.values()) {
      // Sorted, an area's descendants follow it: each prefix is kept unless it is inside the last one kept.
      const outermost: string[] = [];
      for (const prefix of [...batch.prefixes].sort()) {
        if (!outermost.length || !prefix.startsWith(outermost.at(-1)!)) outermost.push(prefix);
      }
      const lo = outermost.map((prefix) => prefix.padEnd(12, '0'));
      const hi = outermost.map((prefix) => prefix.padEnd(12, '9'));
      const read: Subtree[] = [];
      const indicators = [...batch.indicators];
      const statement = leaves(indicators.length);
      const ready = this.sql<LeafRow>(
        statement.text,
        [indicators, lo, hi, indicators, batch.month, lo, hi, batch.reportingLevel, lo.reduce(min), hi.reduce(max)],
        { prepared: statement.prepared },
      ).then(
        (rows) => sum(read, indicators, rows),
        (error: unknown) => {
          for (const subtree of read) {
            const kept = this.subtrees.get(subtree.prefix)!.filter((other) => other !== subtree);
            if (kept.length) this.subtrees.set(subtree.prefix, kept);
            else this.subtrees.delete(subtree.prefix);
          }
          throw error;
        },
      );
      const positions = new Map(indicators.map((code, k) => [code, k]));
      for (const prefix of outermost) {
        const subtree: Subtree = { prefix, month: batch.month, reportingLevel: batch.reportingLevel, indicators: positions, totals: new Map(), ready };
        read.push(subtree);
        const same = this.subtrees.get(prefix);
        if (same) same.push(subtree);
        else this.subtrees.set(prefix, [subtree]);
      }
    }
  }

  private valuesOf(key: AreaStatsKey, prefix: string, subtrees: Subtree[]): StatValue[] | undefined {
    const values = new Array<StatValue>(key.indicators.length);
    for (let i = 0; i < key.indicators.length; i++) {
      const indicator = key.indicators[i];
      const subtree = subtrees[i];
      const k = subtree.indicators.get(indicator.code)!;
      const totals = subtree.totals.get(prefix);
      const reported = totals ? totals.reported[k] : 0;
      const cents = reported > 0 ? totals!.cents[k] : 0;
      // Values are never negative, so an inexact running sum leaves an unsafe total.
      if (!Number.isSafeInteger(cents)) return undefined;
      const value = new StatValue();
      value.areaCode = key.code;
      value.indicator = Indicator.of(indicator);
      value.unit = indicator.unit;
      value.period = key.period;
      value.value = reported > 0 ? textOf(cents) : null;
      value.reportedAreas = reported;
      value.expectedAreas = totals ? (indicator.timeAggregation === TimeAggregation.FLOW ? totals.expectedFlow : totals.expectedStock) : 0;
      value.demoAreas = totals ? totals.demo[k] : 0;
      values[i] = value;
    }
    return values;
  }
}

/**
 * Adds each reporting area and each figure onto every prefix above it within
 * its subtree (the subtrees of one read share a month and a reporting level).
 */
function sum(subtrees: Subtree[], indicators: string[], rows: LeafRow[]): void {
  const { month, reportingLevel } = subtrees[0];
  const lastDay = lastDayOf(month);
  const n = indicators.length;
  const columns = indicators.map((_, k) => `v${k}` as const);
  const byPrefix = new Map(subtrees.map((s) => [s.prefix, s]));
  /** The totals an area adds to: its own prefix and each one above it, up to its subtree's root. */
  const chainOf = (code: string): PrefixTotals[] => {
    const subtree = LENGTHS.map((length) => byPrefix.get(code.slice(0, length))).find(Boolean);
    if (!subtree) return [];
    const chain: PrefixTotals[] = [];
    for (const length of LENGTHS) {
      if (length < subtree.prefix.length) continue;
      const prefix = code.slice(0, length);
      let totals = subtree.totals.get(prefix);
      if (!totals) {
        totals = {
          expectedStock: 0,
          expectedFlow: 0,
          cents: new Array<number>(n).fill(0),
          reported: new Array<number>(n).fill(0),
          demo: new Array<number>(n).fill(0),
        };
        subtree.totals.set(prefix, totals);
      }
      chain.push(totals);
    }
    return chain;
  };
  const count = (chain: PrefixTotals[], stock: boolean, flow: boolean) => {
    for (const totals of chain) {
      if (stock) totals.expectedStock += 1;
      if (flow) totals.expectedFlow += 1;
    }
  };
  // Dated areas first: a stock leaves out the figures of those retired before the month's end.
  const retiredBeforeEnd = new Set<string>();
  for (const row of rows) {
    if (row.level === null) continue;
    if (row.valid_to !== null && row.valid_to < lastDay) retiredBeforeEnd.add(row.code);
    if (row.level !== reportingLevel || (row.valid_from !== null && row.valid_from > lastDay)) continue;
    count(chainOf(row.code), row.valid_to === null || row.valid_to >= lastDay, row.valid_to === null || row.valid_to >= month);
  }
  const stock = indicators.map((code) => INDICATOR_BY_CODE.get(code)!.timeAggregation === TimeAggregation.STOCK);
  for (const row of rows) {
    if (row.level !== null) continue;
    const chain = chainOf(row.code);
    if (row.undated) count(chain, true, true);
    const retired = retiredBeforeEnd.has(row.code);
    for (let k = 0; k < n; k++) {
      const value = row[columns[k]];
      if (value === null || (retired && stock[k])) continue;
      const cents = centsOf(value);
      const demo = (row.demo >> k) & 1;
      for (const totals of chain) {
        totals.cents[k] += cents;
        totals.reported[k] += 1;
        totals.demo[k] += demo;
      }
    }
  }
}
