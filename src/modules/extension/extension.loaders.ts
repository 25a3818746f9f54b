import DataLoader from 'dataloader';
import { rowsByKey } from '../../common/loaders.js';
import type { Sql } from '../../db/sql.js';
import { EXTENSION_COLUMNS, type ExtensionItemKind, type ExtensionRow } from './extension.entity.js';

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
  return { ofTask: of('TASK'), ofRectification: of('RECTIFICATION') };
}

export type ExtensionLoaders = ReturnType<typeof createExtensionLoaders>;

declare module '../../graphql/context.js' {
  interface Loaders {
    extension: ExtensionLoaders;
  }
}
