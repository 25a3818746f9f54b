/** The keys of `after` whose values differ from `before` (compared as JSON), in `after`'s order: what a write changed. */
export function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(after).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
}

/** The entries of `record` under `keys`, in that order. */
export function pick(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, record[key]]));
}

/** The fields whose values differ, before and after, for an event's `before` / `after`. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>) {
  const keys = changedKeys(before, after);
  return { before: pick(before, keys), after: pick(after, keys) };
}
