import { createHash } from 'node:crypto';

/** How long a key is kept: a retry later than this applies again (an offline queue sends well within it). */
export const KEEP_DAYS = 7;

/** A client-made key: 8–100 letters, digits, `-` or `_` (a UUID fits). */
const KEY = /^[A-Za-z0-9_-]{8,100}$/;

/** Whether `key` has the shape of an idempotency key. */
export function isIdempotencyKey(key: string): boolean {
  return KEY.test(key);
}

/** The value with object keys sorted and null/undefined members left out, so equal inputs serialize alike. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null && v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/**
 * The hash a key is stored with: the operation and its input without the key
 * itself (an omitted optional field and an explicit null count as the same).
 */
export function inputHash(operation: string, input: object): string {
  const { idempotencyKey: _key, ...rest } = input as { idempotencyKey?: unknown };
  return createHash('sha256')
    .update(JSON.stringify([operation, canonical(rest)]))
    .digest('hex');
}

/** The description of the `idempotencyKey` input field of the entry writes. */
export const IDEMPOTENCY_KEY_DESCRIPTION =
  '幂等键 — optional, a client-made UUID (8–100 letters, digits, `-`, `_`). A retry with the same key and the same input returns the first answer and applies nothing again (no second audit row or progress event); the same key with another input is a CONFLICT userError on `idempotencyKey`. A write that failed frees its key. Kept 7 days per caller.';
