import DataLoader from 'dataloader';
import { toPage, type Page, type PageRequest } from '../../common/connection.js';
import { rowsByKey } from '../../common/loaders.js';
import type { Sql } from '../../db/sql.js';
import { SUPERVISION_COLUMNS, supervisionFromRow, type SupervisionAction, type SupervisionKind, type SupervisionRow } from './supervision.entity.js';
import type { CodeRange } from '../../common/codes.js';
import {
  OUTCOME_COLUMNS,
  outcomeFromRow,
  TRANSITION_COLUMNS,
  transitionFromRow,
  type OutcomeRow,
  type SupervisionOutcome,
  type SupervisionTransition,
  type TransitionRow,
} from './supervision.lifecycle.js';

export interface SupervisionListKey {
  range: CodeRange;
  kind: SupervisionKind | null;
  targetId: string | null;
  page: PageRequest;
}

/** Per-request loaders for supervision actions; each batch is one statement. */
export function createSupervisionLoaders(sql: Sql) {
  const byId = new DataLoader<string, SupervisionAction | null>(async (ids) => {
    const rows = await sql<SupervisionRow>(`select ${SUPERVISION_COLUMNS} from supervision_action s where s.id = any(?::bigint[])`, [ids]);
    const found = new Map(rows.map((row) => [row.id, supervisionFromRow(row)]));
    return ids.map((id) => found.get(id) ?? null);
  });

  /** Actions against each target (by the target's global ID), oldest first. */
  const byTarget = new DataLoader<string, SupervisionAction[]>(async (targetIds) => {
    const rows = await sql<SupervisionRow>(
      `select ${SUPERVISION_COLUMNS} from supervision_action s where s.target_id = any(?::text[]) order by s.target_id, s.issued_on, s.id`,
      [targetIds],
    );
    const grouped = rowsByKey([...targetIds], rows, (row) => row.target_id);
    return targetIds.map((id) => grouped.get(id)!.map(supervisionFromRow));
  });

  /** One page of actions in a subtree (one statement: the page and its total). */
  const list = new DataLoader<SupervisionListKey, Page<SupervisionAction>, string>(
    (keys) =>
      Promise.all(
        keys.map(async (key) => {
          const rows = await sql<SupervisionRow & { total: number }>(
            `select ${SUPERVISION_COLUMNS}, count(*) over ()::int as total from supervision_action s
              where s.area_code between ? and ? and (?::text is null or s.kind = ?::text) and (?::text is null or s.target_id = ?::text)
              order by s.id`,
            [key.range[0], key.range[1], key.kind, key.kind, key.targetId, key.targetId],
          );
          const after = key.page.afterKey === null ? null : BigInt(key.page.afterKey);
          const all = rows.map(supervisionFromRow);
          const rest = after === null ? all : all.filter((item) => BigInt(item.key) > after);
          return toPage(rest.slice(0, key.page.first + 1), key.page, (item) => item.key, rows[0]?.total ?? 0);
        }),
      ),
    { cacheKeyFn: (key) => JSON.stringify(key) },
  );

  /** Each action's steps, oldest first (one statement per batch). */
  const transitions = new DataLoader<string, SupervisionTransition[]>(async (keys) => {
    const rows = await sql<TransitionRow>(
      `select ${TRANSITION_COLUMNS} from supervision_transition st where st.action_id = any(?::bigint[]) order by st.action_id, st.id`,
      [keys],
    );
    const grouped = rowsByKey([...keys], rows, (row) => row.action_id);
    return keys.map((key) => grouped.get(key)!.map(transitionFromRow));
  });

  /** Each action's 问责 outcomes, oldest first (one statement per batch). */
  const outcomes = new DataLoader<string, SupervisionOutcome[]>(async (keys) => {
    const rows = await sql<OutcomeRow>(
      `select ${OUTCOME_COLUMNS} from supervision_outcome so where so.action_id = any(?::bigint[]) order by so.action_id, so.decided_on, so.id`,
      [keys],
    );
    const grouped = rowsByKey([...keys], rows, (row) => row.action_id);
    return keys.map((key) => grouped.get(key)!.map(outcomeFromRow));
  });

  return { byId, byTarget, list, transitions, outcomes };
}
export type SupervisionLoaders = ReturnType<typeof createSupervisionLoaders>;

declare module '../../graphql/context.js' {
  interface Loaders {
    supervision: SupervisionLoaders;
  }
}
