import type { Sql } from '../../db/sql.js';
import type { ProgressAction, SubjectKind } from './progress.entity.js';
import type { Viewer } from '../../auth/auth.rules.js';

/**
 * The write side of the progress stream (the outbox): what every feature that
 * records a change imports, and nothing else of the progress module. It knows
 * nothing of subscribers; the hub (progress.hub.ts) only reads what lands here.
 */

/** The PostgreSQL channel on which each committed event's sequence number is announced. */
export const PROGRESS_CHANNEL = 'civgraph_progress';

export interface NewProgressUpdate {
  subjectKind: SubjectKind;
  /** Global ID of the subject (`toGlobalId('Facility', id)`). */
  subjectId: string;
  /** 12-digit code of the subject's area: decides who sees the event. */
  areaCode: string;
  action: ProgressAction;
  actor: Viewer;
  /** One readable line, in Chinese where the data is. */
  summary: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * Appends one event in the caller's open transaction and announces it on
 * {@link PROGRESS_CHANNEL} (NOTIFY is delivered only if that transaction commits).
 *
 * Call it last, just before commit: taking the next sequence number locks the
 * counter row until the transaction ends, which is what makes sequence order
 * commit order, and the lock should be held briefly. `sql` must belong to the
 * transaction (`sqlFor(em)` inside `em.transactional`).
 */
export async function appendProgressUpdate(sql: Sql, event: NewProgressUpdate): Promise<string> {
  const [row] = await sql<{ sequence: string }>(
    `with next as (update event_sequence set value = value + 1 returning value),
          written as (
            insert into progress_update
              (sequence, subject_kind, subject_id, area_code, action, actor_sub, actor_name, actor_role, summary, before, after)
            select value, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb from next
            returning sequence)
     select sequence::text as sequence, pg_notify(?, sequence::text) from written`,
    [
      event.subjectKind,
      event.subjectId,
      event.areaCode,
      event.action,
      event.actor.sub,
      event.actor.name,
      event.actor.role,
      event.summary,
      event.before == null ? null : JSON.stringify(event.before),
      event.after == null ? null : JSON.stringify(event.after),
      PROGRESS_CHANNEL,
    ],
  );
  return row.sequence;
}
