import DataLoader from 'dataloader';
import { toPage, type Page, type PageRequest } from '../../common/connection.js';
import { groupedLoader, rowsByKey } from '../../common/loaders.js';
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
        `select p.n::text as batch_key, t.total, x.*
           from unnest(?::text[], ?::text[]) with ordinality as p(lo, hi, n)
           cross join lateral (
             select count(*)::int as total from project
              where area_code between p.lo and p.hi and (?::text[] is null or status = any(?::text[]))
                and (?::text is null or owner_section = ?::text)) t
           left join lateral (
             select ${PROJECT_COLUMNS} from project
              where area_code between p.lo and p.hi and (?::text[] is null or status = any(?::text[]))
                and (?::text is null or owner_section = ?::text)
                and id > ?::bigint
              order by project.id limit ?) x on true
          order by p.n, x.id::bigint`,
        [
          keys.map((k) => k.lo),
          keys.map((k) => k.hi),
          statuses,
          statuses,
          ownerSection,
          ownerSection,
          statuses,
          statuses,
          ownerSection,
          ownerSection,
          page.afterKey ?? '0',
          page.first + 1,
        ],
      );
      const byKey = rowsByKey(
        keys.map((_, i) => String(i + 1)),
        rows,
        (row) => row.batch_key,
      );
      return keys.map((key, i) => {
        const group = byKey.get(String(i + 1))!;
        return toPage(group.filter((row) => row.id !== null).map(projectFromRow), key.page, (p) => p.key, group[0]?.total ?? 0);
      });
    },
  );

  // Newest first: the cursor is the entry id, and the next page holds older ones.
  const progress = groupedLoader<ProgressHistoryKey, Page<ProjectProgress>>(
    (key) => JSON.stringify(key.page),
    async (keys) => {
      const { page } = keys[0];
      const rows = await sql<ProjectProgressRow & { batch_key: string; total: number }>(
        `select p.id::text as batch_key, t.total, e.*
           from unnest(?::bigint[]) as p(id)
           cross join lateral (select count(*)::int as total from project_progress where project_id = p.id) t
           left join lateral (
             select ${PROGRESS_ENTRY_COLUMNS} from project_progress
              where project_id = p.id and (?::bigint is null or id < ?::bigint)
              order by project_progress.id desc limit ?) e on true
          order by p.id, e.id::bigint desc`,
        [keys.map((k) => k.project), page.afterKey, page.afterKey, page.first + 1],
      );
      const byKey = rowsByKey(
        keys.map((k) => k.project),
        rows,
        (row) => row.batch_key,
      );
      return keys.map((key) => {
        const group = byKey.get(key.project)!;
        return toPage(group.filter((row) => row.id !== null).map(progressEntryFromRow), key.page, (e) => e.key, group[0]?.total ?? 0);
      });
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
