import DataLoader from 'dataloader';
import { type Page, type PageRequest } from '../../common/connection.js';
import { groupedLoader, idKeys, loadLateralPages, rangeKeys } from '../../common/loaders.js';
import type { Sql } from '../../db/sql.js';
import {
  PROGRESS_ENTRY_COLUMNS,
  progressEntryFromRow,
  PROJECT_COLUMNS,
  projectFromRow,
  type Project,
  type ProjectProgress,
  type ProjectRow,
} from './project.entity.js';
import type { ProjectStatus } from './project.rules.js';

export interface ProjectListKey {
  lo: string;
  hi: string;
  statuses: ProjectStatus[] | null;
  /** 责任股室 filter; null: every section. */
  ownerSection: string | null;
  page: PageRequest;
}

export interface ProgressHistoryKey {
  project: string;
  page: PageRequest;
}

/** Per-request loaders for projects; each batch is one SQL statement. */
export function createProjectLoaders(sql: Sql) {
  const byId = new DataLoader<string, Project | null>(async (ids) => {
    const rows = await sql<ProjectRow>(`select ${PROJECT_COLUMNS} from project where id = any(?::bigint[])`, [ids]);
    const found = new Map(rows.map((row) => [row.id, projectFromRow(row)]));
    return ids.map((id) => found.get(id) ?? null);
  });

  const list = groupedLoader<ProjectListKey, Page<Project>>(
    (key) => JSON.stringify([key.statuses, key.ownerSection, key.page]),
    async (keys) => {
      const { statuses, ownerSection, page } = keys[0];
      return loadLateralPages(
        sql,
        keys,
        {
          by: rangeKeys(keys),
          table: 'project',
          columns: PROJECT_COLUMNS,
          where: [
            `area_code between p.lo and p.hi and (?::text[] is null or status = any(?::text[])) and (?::text is null or owner_section = ?::text)`,
            [statuses, statuses, ownerSection, ownerSection],
          ],
          after: ['id > ?::bigint', [page.afterKey ?? '0']],
          orderBy: 'project.id',
          rowOrder: 'x.id::bigint',
        },
        projectFromRow,
        (p) => p.key,
      );
    },
  );

  // Newest first: the cursor is the entry id, and the next page holds older ones.
  const progress = groupedLoader<ProgressHistoryKey, Page<ProjectProgress>>(
    (key) => JSON.stringify(key.page),
    async (keys) => {
      const { page } = keys[0];
      return loadLateralPages(
        sql,
        keys,
        {
          by: idKeys(keys, (k) => k.project),
          table: 'project_progress',
          columns: PROGRESS_ENTRY_COLUMNS,
          where: ['project_id = p.id', []],
          after: ['(?::bigint is null or id < ?::bigint)', [page.afterKey, page.afterKey]],
          orderBy: 'project_progress.id desc',
          rowOrder: 'x.id::bigint desc',
        },
        progressEntryFromRow,
        (e) => e.key,
      );
    },
  );

  return { byId, list, progress };
}

export type ProjectLoaders = ReturnType<typeof createProjectLoaders>;

declare module '../../graphql/context.js' {
  interface Loaders {
    project: ProjectLoaders;
  }
}
