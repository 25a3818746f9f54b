import DataLoader from 'dataloader';
import { rowsByKey } from '../../common/loaders.js';
import type { Sql } from '../../db/sql.js';
import { EXTENSION_COLUMNS, ITEM_JOINS, ITEM_TITLE, type ExtensionItemKind, type ExtensionRow } from './extension.entity.js';

/** Per-request loaders for deadline extensions; one statement per batch. */
export function createExtensionLoaders(sql: Sql) {
  /** An item's extension requests, oldest first. */
  const of = (kind: ExtensionItemKind) =>
    new DataLoader<string, ExtensionRow[]>(async (keys) => {
      const rows = await sql<ExtensionRow>(
        `select ${EXTENSION_COLUMNS} from deadline_extension e where e.item_kind = ? and e.item_id = any(?::bigint[]) order by e.id`,
        [kind, keys],
      );
      const byKey = rowsByKey([...keys], rows, (row) => row.item_id);
      return keys.map((key) => byKey.get(key)!);
    });
  /** 事项名称 of each request (by the request's id): the task's title, or a rectification's finding. */
  const itemTitle = new DataLoader<string, string>(async (keys) => {
    const rows = await sql<{ id: string; title: string }>(
      `select e.id::text as id, ${ITEM_TITLE} as title from deadline_extension e ${ITEM_JOINS} where e.id = any(?::bigint[])`,
      [keys],
    );
    const byId = new Map(rows.map((row) => [row.id, row.title]));
    return keys.map((key) => byId.get(key) ?? '');
  });
  return { ofTask: of('TASK'), ofRectification: of('RECTIFICATION'), itemTitle };
}

export type ExtensionLoaders = ReturnType<typeof createExtensionLoaders>;

declare module '../../graphql/context.js' {
  interface Loaders {
    extension: ExtensionLoaders;
  }
}
