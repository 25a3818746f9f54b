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
