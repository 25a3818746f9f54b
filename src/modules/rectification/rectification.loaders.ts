import DataLoader from 'dataloader';
import { toPage, type Page, type PageRequest } from '../../common/connection.js';
import { groupedLoader, rowsByKey } from '../../common/loaders.js';
import type { Sql } from '../../db/sql.js';
import { KNOWN_NOW } from '../../common/known-at.js';
import {
  DEADLINE_IN_FORCE,
  FollowUpReview,
  RECTIFICATION_COLUMNS,
  rectificationFromRow,
  RectificationTransition,
  STATUS_AS_OF,
  STATUS_KNOWN_AS_OF,
  type Rectification,
  type RectificationRow,
} from './rectification.entity.js';
import type { RectificationCategory, RectificationStatus } from './rectification.rules.js';
import type { CodeRange } from '../../common/codes.js';

export interface RectificationListKey {
  range: CodeRange;
  asOf: string;
  status: RectificationStatus[] | null;
  overdue: boolean | null;
  category: RectificationCategory | null;
  page: PageRequest;
}

/** A rectification read for a date: its status then (from the transition history). */
export type DatedRectification = Rectification & { listAsOf?: string; listStatus?: RectificationStatus };

/** Per-request loaders for rectifications; each batch is one statement. */
export function createRectificationLoaders(sql: Sql) {
  const byId = new DataLoader<string, Rectification | null>(async (ids) => {
    const rows = await sql<RectificationRow>(`select ${RECTIFICATION_COLUMNS} from rectification r where r.id = any(?::bigint[])`, [ids]);
    const found = new Map(rows.map((row) => [row.id, rectificationFromRow(row)]));
    return ids.map((id) => found.get(id) ?? null);
  });

  const transitionsOf = new DataLoader<string, RectificationTransition[]>(async (ids) => {
    const rows = await sql<{
      rid: string;
      from_status: RectificationStatus | null;
      to_status: RectificationStatus;
      on_date: string;
      note: string | null;
      actor_name: string;
      occurred_at: Date;
    }>(
      `select rectification_id::text as rid, from_status, to_status, on_date, note, actor_name, occurred_at
         from rectification_transition where rectification_id = any(?::bigint[]) order by rectification_id, on_date, id`,
      [ids],
    );
    const grouped = rowsByKey([...ids], rows, (row) => row.rid);
    return ids.map((id) =>
      grouped.get(id)!.map((row) =>
        Object.assign(new RectificationTransition(), {
          from: row.from_status,
          to: row.to_status,
          on: row.on_date,
          note: row.note,
          actorName: row.actor_name,
          occurredAt: row.occurred_at,
        }),
      ),
    );
  });

  const reviewsOf = new DataLoader<string, FollowUpReview[]>(async (ids) => {
    const rows = await sql<{ rid: string; reviewed_on: string; reviewer: string; recurred: boolean; note: string | null; recorded_at: Date }>(
      `select rectification_id::text as rid, reviewed_on, reviewer, recurred, note, recorded_at
         from rectification_review where rectification_id = any(?::bigint[]) order by rectification_id, reviewed_on, id`,
      [ids],
    );
    const grouped = rowsByKey([...ids], rows, (row) => row.rid);
    return ids.map((id) =>
      grouped.get(id)!.map((row) =>
        Object.assign(new FollowUpReview(), {
          reviewedOn: row.reviewed_on,
          reviewer: row.reviewer,
          recurred: row.recurred,
          note: row.note,
          recordedAt: row.recorded_at,
        }),
      ),
    );
  });

  /** Status as of a date, as known at a bound (common/known-at.ts); keys with the same date and bound share one statement. */
  const statusAsOf = groupedLoader<{ id: string; asOf: string; knownAt: string }, RectificationStatus | null>(
    (key) => `${key.asOf}:${key.knownAt}`,
    async (keys) => {
      const rows = await sql<{ id: string; status: RectificationStatus | null }>(
        `select r.id::text as id, ${STATUS_KNOWN_AS_OF} as status from rectification r where r.id = any(?::bigint[])`,
        [keys[0].asOf, keys[0].knownAt, keys.map((key) => key.id)],
      );
      const found = new Map(rows.map((row) => [row.id, row.status]));
      return keys.map((key) => found.get(key.id) ?? null);
    },
  );

  const listGroup = (key: RectificationListKey) => JSON.stringify([key.asOf, key.status, key.overdue, key.category, key.page]);

  const list = groupedLoader<RectificationListKey, Page<DatedRectification>>(listGroup, async (keys) => {
    const { asOf, status, overdue, category, page } = keys[0];
    const rows = await sql<RectificationRow & { batch_key: string; status_as_of: RectificationStatus }>(
      `select g.lo || '-' || g.hi as batch_key, ${RECTIFICATION_COLUMNS}, s.status_as_of
         from unnest(?::text[], ?::text[]) as g(lo, hi)
         join rectification r on r.area_code between g.lo and g.hi
         cross join lateral (select ${STATUS_AS_OF} as status_as_of) s
        where s.status_as_of is not null
          and (?::text[] is null or s.status_as_of = any(?::text[]))
          and (?::text is null or r.category = ?::text)
          and (?::boolean is null or (s.status_as_of in ('OPEN', 'RECTIFYING') and ${DEADLINE_IN_FORCE} < ?::date) = ?::boolean)
        order by batch_key, r.id`,
      [keys.map((key) => key.range[0]), keys.map((key) => key.range[1]), asOf, status, status, category, category, overdue, asOf, KNOWN_NOW, asOf, overdue],
    );
    const grouped = rowsByKey(
      keys.map((key) => key.range.join('-')),
      rows,
      (row) => row.batch_key,
    );
    return keys.map((key) => {
      const all = grouped
        .get(key.range.join('-'))!
        .map((row) => Object.assign(rectificationFromRow(row), { listAsOf: asOf, listStatus: row.status_as_of }) as DatedRectification);
      const after = page.afterKey === null ? null : BigInt(page.afterKey);
      const rest = after === null ? all : all.filter((item) => BigInt(item.key) > after);
      return toPage(rest.slice(0, page.first + 1), page, (item) => item.key, all.length);
    });
  });

  return { byId, transitionsOf, reviewsOf, statusAsOf, list };
}
export type RectificationLoaders = ReturnType<typeof createRectificationLoaders>;

declare module '../../graphql/context.js' {
  interface Loaders {
    rectification: RectificationLoaders;
  }
}
