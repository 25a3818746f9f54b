import type { DomainError } from '../../common/errors.js';
import type { Sql } from '../../db/sql.js';
import { appendProgressUpdate, type NewProgressUpdate } from './progress.outbox.js';

/**
 * The versioned-write template every writer follows, inside one transaction:
 *
 * 1. {@link lockRow}: `select … for update` the subject, NOT_FOUND when it is missing;
 * 2. the service checks access, the client's `version` (`assertVersion`) and its rules;
 * 3. {@link versionedUpdate}: the guarded `update … version = version + 1 where … and version = ?`,
 *    a CONFLICT when it matches nothing (another writer committed first), then the
 *    progress event for the written row, in the same transaction;
 * 4. the service re-reads the object for its payload.
 *
 * Step 2 stays in the service because its order is part of the contract (a reader
 * without write access gets FORBIDDEN, not CONFLICT, even with a stale version).
 */

/** Runs `select` (which ends in `for update`) and returns its first row, or throws `missing()`. */
export async function lockRow<Row>(sql: Sql, select: string, params: unknown[], missing: () => DomainError): Promise<Row> {
  const [row] = await sql<Row>(select, params);
  if (!row) throw missing();
  return row;
}

export interface VersionedUpdate<Row> {
  /**
   * `update … set …, version = version + 1 where … and version = ? returning …`, or an
   * upsert whose `on conflict … do update` bumps and guards the version the same way
   * (for a row that may not exist yet: the insert is version 1).
   */
  update: string;
  params: unknown[];
  /** The error when the guarded update matched no row: someone else wrote first. */
  lostRace: () => Error;
  /** Statements that belong with the change (history rows…), run after the update and before the event. */
  alsoWrite?: (row: Row) => Promise<void>;
  /** The event for the written row (the update's `returning` row); it may read more in the transaction. */
  event: (row: Row) => NewProgressUpdate | Promise<NewProgressUpdate>;
}

// `version = version + 1`, or `version = t.version + 1` in an upsert's `on conflict do update`.
const BUMPS_VERSION = /\bversion\s*=\s*(?:\w+\.)?version\s*\+\s*1\b/i;
const GUARDS_VERSION = /\bversion\s*=\s*\?/i;

/**
 * Runs the guarded update and appends its event, both on `sql` (the caller's open
 * transaction), and returns the written row. Two statements (plus `alsoWrite`'s), as by hand.
 * A lost race throws before any event is written; an error after the update
 * (in `event` or later in the caller) rolls both back with the transaction.
 */
export async function versionedUpdate<Row>(sql: Sql, spec: VersionedUpdate<Row>): Promise<Row> {
  if (!BUMPS_VERSION.test(spec.update) || !GUARDS_VERSION.test(spec.update) || !/\breturning\b/i.test(spec.update)) {
    throw new Error('versionedUpdate needs `version = version + 1`, a `version = ?` guard and a `returning` clause');
  }
  const [row] = await sql<Row>(spec.update, spec.params);
  if (!row) throw spec.lostRace();
  await spec.alsoWrite?.(row);
  await appendProgressUpdate(sql, await spec.event(row));
  return row;
}
