import DataLoader from 'dataloader';
import { type Page, type PageRequest } from '../../common/connection.js';
import { batchedPages, groupedLoader, lateralPages } from '../../common/loaders.js';
import type { Sql } from '../../db/sql.js';
import {
  PROGRESS_ENTRY_COLUMNS,
  progressEntryFromRow,
  PROJECT_COLUMNS,
  projectFromRow,
  type Project,
  type ProjectProgress,
  type ProjectProgressRow,
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
      const rows = await sql<ProjectRow & { batch_key: string; total: number }>(
        ...lateralPages({
          keys: ['unnest(?::text[], ?::text[]) as p(lo, hi)', [keys.map((k) => k.lo), keys.map((k) => k.hi)]],
          batchKey: 'p.lo || p.hi',
          table: 'project',
          columns: PROJECT_COLUMNS,
          where: [
            `area_code between p.lo and p.hi and (?::text[] is null or status = any(?::text[])) and (?::text is null or owner_section = ?::text)`,
            [statuses, statuses, ownerSection, ownerSection],
          ],
          after: ['id > ?::bigint', [page.afterKey ?? '0']],
          orderBy: 'project.id',
          rowOrder: 'x.id::bigint',
          first: page.first,
        }),
      );
      return batchedPages(
        keys,
        (k) => k.lo + k.hi,
        (k) => k.page,
        rows,
        (row) => row.id !== null,
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
      const rows = await sql<ProjectProgressRow & { batch_key: string; total: number }>(
        ...lateralPages({
          keys: ['unnest(?::bigint[]) as p(id)', [keys.map((k) => k.project)]],
          batchKey: 'p.id::text',
          table: 'project_progress',
          columns: PROGRESS_ENTRY_COLUMNS,
          where: ['project_id = p.id', []],
          after: ['(?::bigint is null or id < ?::bigint)', [page.afterKey, page.afterKey]],
          orderBy: 'project_progress.id desc',
          rowOrder: 'x.id::bigint desc',
          first: page.first,
        }),
      );
      return batchedPages(
        keys,
        (k) => k.project,
        (k) => k.page,
        rows,
        (row) => row.id !== null,
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
