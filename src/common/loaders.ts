import DataLoader from 'dataloader';
import { toPage, type Page, type PageRequest } from './connection.js';

/**
 * A DataLoader for keys that carry arguments (`children(first, after)`): keys with
 * the same arguments share one batch call, so a tree query costs one statement
 * per level, not one per parent.
 *
 * `groupOf` names a key's argument group; `batch` answers one group, in key order.
 */
export function groupedLoader<K, V>(groupOf: (key: K) => string, batch: (keys: K[]) => Promise<V[]>): DataLoader<K, V, string> {
  return new DataLoader<K, V, string>(
    async (keys) => {
      const groups = new Map<string, number[]>();
      keys.forEach((key, index) => {
        const group = groupOf(key);
        const members = groups.get(group);
        if (members) members.push(index);
        else groups.set(group, [index]);
      });
      const results = new Array<V>(keys.length);
      await Promise.all(
        [...groups.values()].map(async (indexes) => {
          const values = await batch(indexes.map((index) => keys[index]));
          indexes.forEach((index, position) => (results[index] = values[position]!));
        }),
      );
      return results;
    },
    { cacheKeyFn: (key) => JSON.stringify(key) },
  );
}

/** Groups rows by a key column, keeping every requested key (empty when it has no rows). */
export function rowsByKey<R>(keys: string[], rows: R[], keyOf: (row: R) => string): Map<string, R[]> {
  const map = new Map<string, R[]>(keys.map((key) => [key, []]));
  for (const row of rows) map.get(keyOf(row))?.push(row);
  return map;
}

/**
 * Splits one batch statement's rows (tagged with `batch_key` and the group's
 * `total`; a group with no items comes back as one row whose item columns are
 * null) into a page per key.
 */
export function batchedPages<K, R extends { batch_key: string; total: number }, T>(
  keys: K[],
  keyOf: (key: K) => string,
  pageOf: (key: K) => PageRequest,
  rows: R[],
  present: (row: R) => boolean,
  build: (row: R) => T,
  cursorOf: (node: T) => string,
): Page<T>[] {
  const grouped = rowsByKey(keys.map(keyOf), rows, (row) => row.batch_key);
  return keys.map((key) => {
    const group = grouped.get(keyOf(key))!;
    return toPage(group.filter(present).map(build), pageOf(key), cursorOf, group[0]?.total ?? 0);
  });
}

/** What {@link lateralPages} reads: a page of `table` for each key, and each key's total. */
export interface LateralPages {
  /** One row `p` a key: `unnest(?::text[], ?::text[]) as p(lo, hi)`, with its parameters. */
  keys: [string, unknown[]];
  /** The key's tag on its rows, over `p` (`p.lo || p.hi`); what {@link batchedPages}' `keyOf` gives. */
  batchKey: string;
  table: string;
  /** The selected columns of `table` (they may be expressions). */
  columns: string;
  /** The rows a key counts and pages through (over `table` and `p`), with its parameters. */
  where: [string, unknown[]];
  /** The rows after the page's cursor, with its parameters. */
  after: [string, unknown[]];
  /** The page's order inside `table` (qualify the columns: a bare `id` may be a selected `id::text`). */
  orderBy: string;
  /** The statement's order of the joined rows `x` after the key's (`x.id::bigint`). */
  rowOrder: string;
  /** The page size asked for: one more row is read, to know whether there is a next page. */
  first: number;
}

/**
 * The one statement of a paged loader: for every key of a batch, the count of
 * its rows (a lateral count) and one page of them (a lateral page with LIMIT),
 * as rows tagged `batch_key` and `total`, a key with an empty page as one row
 * whose `x` columns are null. Split them with {@link batchedPages}.
 */
export function lateralPages(spec: LateralPages): [string, unknown[]] {
  const [keys, keyParams] = spec.keys;
  const [where, whereParams] = spec.where;
  const [after, afterParams] = spec.after;
  const text = `select ${spec.batchKey} as batch_key, t.total, x.*
       from ${keys}
       cross join lateral (select count(*)::int as total from ${spec.table} where ${where}) t
       left join lateral (
         select ${spec.columns} from ${spec.table}
          where ${where} and ${after}
          order by ${spec.orderBy} limit ?) x on true
      order by ${spec.batchKey}, ${spec.rowOrder}`;
  return [text, [...keyParams, ...whereParams, ...whereParams, ...afterParams, spec.first + 1]];
}

/** A paged loader's keys in its statement: one row `p` a key (`from`, with `params`), its tag there, and the tag of a key. */
export interface LateralKeys<K> {
  from: string;
  params: unknown[];
  batchKey: string;
  keyOf: (key: K) => string;
}

/** Keys that are code ranges: `p.lo`, `p.hi` in the statement. */
export function rangeKeys<K extends { lo: string; hi: string }>(keys: K[]): LateralKeys<K> {
  return {
    from: 'unnest(?::text[], ?::text[]) as p(lo, hi)',
    params: [keys.map((k) => k.lo), keys.map((k) => k.hi)],
    batchKey: 'p.lo || p.hi',
    keyOf: (k) => k.lo + k.hi,
  };
}

/** Keys that name one row each (a project, a body): `p.id` in the statement. */
export function idKeys<K>(keys: K[], idOf: (key: K) => string): LateralKeys<K> {
  return { from: 'unnest(?::bigint[]) as p(id)', params: [keys.map(idOf)], batchKey: 'p.id::text', keyOf: idOf };
}

/**
 * A paged loader's batch (keys with the same arguments and page, as
 * {@link groupedLoader} hands them over): its {@link lateralPages} statement,
 * run, and split into a page per key ({@link batchedPages}); `build` makes a
 * node of a row, `cursorOf` a node's cursor.
 */
export async function loadLateralPages<K extends { page: PageRequest }, R extends { id: unknown }, T>(
  run: (text: string, params: unknown[]) => Promise<(R & { batch_key: string; total: number })[]>,
  keys: K[],
  spec: Omit<LateralPages, 'keys' | 'batchKey' | 'first'> & { by: LateralKeys<K> },
  build: (row: R) => T,
  cursorOf: (node: T) => string,
): Promise<Page<T>[]> {
  const { by, ...statement } = spec;
  const rows = await run(...lateralPages({ ...statement, keys: [by.from, by.params], batchKey: by.batchKey, first: keys[0].page.first }));
  return batchedPages(
    keys,
    by.keyOf,
    (k) => k.page,
    rows,
    (row) => row.id !== null,
    build,
    cursorOf,
  );
}
