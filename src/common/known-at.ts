import { badInput } from './errors.js';

/**
 * "As known at" (issue 28, item 3): every dated entry keeps when it happened
 * (its business date) and when it was recorded (the server clock). A read with
 * `knownAt` sees only what had been recorded at that instant, so the same
 * question asked later gives the same answer, byte for byte, whatever was
 * back-dated since.
 *
 * In SQL a known-at bound is a `timestamptz` parameter: the instant, or
 * `'infinity'` when the caller gave none (everything recorded so far).
 */
export const KNOWN_NOW = 'infinity';

/**
 * A `knownAt` argument as the SQL parameter: its ISO instant, or
 * {@link KNOWN_NOW} when absent. An instant in the future is refused
 * (BAD_USER_INPUT on the field): what will have been recorded then is not
 * known yet, so the answer could change, which is what `knownAt` rules out.
 */
export function knownAtBound(knownAt: Date | null | undefined, field = 'knownAt'): string {
  if (knownAt == null) return KNOWN_NOW;
  if (!(knownAt instanceof Date) || Number.isNaN(knownAt.getTime())) throw badInput(field, `${field} 不是有效的时间(${field} must be an ISO 8601 instant)`);
  if (knownAt.getTime() > Date.now()) {
    throw badInput(field, `${field} 不能晚于当前时间(${knownAt.toISOString()} is in the future)`);
  }
  return knownAt.toISOString();
}

/** Description of every `knownAt` argument. */
export const KNOWN_AT_DESCRIPTION =
  '截至录入时间 — as known at this instant: entries recorded after it (back-dated progress, tasks created later, later figures) are left out, so the same question asked later gives the same answer. Default: everything recorded so far. An instant in the future is refused (BAD_USER_INPUT).';
