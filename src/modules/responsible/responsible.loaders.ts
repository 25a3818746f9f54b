import DataLoader from 'dataloader';
import { rowsByKey } from '../../common/loaders.js';
import type { Sql } from '../../db/sql.js';
import { RESPONSIBLE_COLUMNS, type ResponsibleRow } from '../../people/responsible.entity.js';

/** Per-request loaders for responsible persons; one statement per batch. */
export function createResponsibleLoaders(sql: Sql) {
  /** An item's history rows (`KIND:id` keys), oldest first. */
  const historyOf = new DataLoader<string, ResponsibleRow[]>(async (keys) => {
    const pairs = keys.map((key) => key.split(':'));
    const rows = await sql<ResponsibleRow>(
      `select ${RESPONSIBLE_COLUMNS} from responsible_change c
        join unnest(?::text[], ?::bigint[]) as k(kind, id) on c.item_kind = k.kind and c.item_id = k.id
        order by c.id`,
      [pairs.map(([kind]) => kind), pairs.map(([, id]) => id)],
    );
    const byKey = rowsByKey([...keys], rows, (row) => `${row.item_kind}:${row.item_id}`);
    return keys.map((key) => byKey.get(key)!);
  });
  return { historyOf };
}

export type ResponsibleLoaders = ReturnType<typeof createResponsibleLoaders>;

declare module '../../graphql/context.js' {
  interface Loaders {
    responsible: ResponsibleLoaders;
  }
}
