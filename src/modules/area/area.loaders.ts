import DataLoader from 'dataloader';
import type { Page, PageRequest } from '../../common/connection.js';
import { batchedPages, groupedLoader } from '../../common/loaders.js';
import type { Sql } from '../../db/sql.js';
import { AREA_COLUMNS, areaFromRow, type Area, type AreaRow } from './area.entity.js';
import { subtreeRange, type AreaLevel } from '../../common/codes.js';

/** What the children's own `children` selection asks: its page size and whether retired areas count. */
export interface GrandchildrenRequest {
  first: number;
  includeRetired: boolean;
}

/** A list of areas below one area, with page arguments. */
export interface AreaListKey {
  code: string;
  level: AreaLevel;
  /** Only this level (descendants). */
  onlyLevel: AreaLevel | null;
  includeRetired: boolean;
  page: PageRequest;
  /** Children only: also read each child's children (first page, this size) in the same statement. */
  withGrandchildren?: GrandchildrenRequest;
}

/** The key AreaService.children loads for a first page: property order matters (the cache key is its JSON). */
function childrenKey(code: string, level: AreaLevel, request: GrandchildrenRequest): AreaListKey {
  return { code, level, onlyLevel: null, includeRetired: request.includeRetired, page: { first: request.first, afterKey: null } };
}

type PagedRow = AreaRow & { batch_key: string; total: number };

const codeOf = (area: Area) => area.code;

function pagesFrom(keys: AreaListKey[], rows: PagedRow[]): Page<Area>[] {
  return batchedPages(
    keys,
    (key) => key.code,
    (key) => key.page,
    rows,
    (row) => row.code !== null,
    areaFromRow,
    codeOf,
  );
}

/**
 * Per-request loaders for the area hierarchy. Each batch is one SQL statement,
 * whatever the number of areas in the request.
 */
export function createAreaLoaders(sql: Sql) {
  const byCode = new DataLoader<string, Area | null>(async (codes) => {
    const rows = await sql<AreaRow>(`select ${AREA_COLUMNS} from area where code = any(?::text[])`, [codes]);
    const found = new Map(rows.map((row) => [row.code, areaFromRow(row)]));
    return codes.map((code) => found.get(code) ?? null);
  });

  const listGroup = (key: AreaListKey) => JSON.stringify([key.onlyLevel, key.includeRetired, key.page.first, key.page.afterKey, key.withGrandchildren ?? null]);

  // Children and their total in one statement: the lateral count runs once per
  // parent on the (parent_code, code) index, the page once per parent with LIMIT.
  // Keys marked `withGrandchildren` (the selection asks each child's `children` with
  // default arguments: look-ahead in the resolver) read the next level in the same
  // statement, by the same two laterals, and prime those children's pages.
  const children = groupedLoader<AreaListKey, Page<Area>>(listGroup, async (keys) => {
    const { includeRetired, page, withGrandchildren } = keys[0];
    const level1 = `select p.code as batch_key, t.total, c.*
         from unnest(?::text[]) as p(code)
         cross join lateral (
           select count(*)::int as total from area
            where parent_code = p.code and (?::boolean or valid_to is null)) t
         left join lateral (
           select ${AREA_COLUMNS} from area
            where parent_code = p.code and (?::boolean or valid_to is null)
              and (?::text is null or code > ?::text)
            order by code limit ?) c on true`;
    const params = [keys.map((key) => key.code), includeRetired, includeRetired, page.afterKey, page.afterKey, page.first + 1];
    if (!withGrandchildren) {
      const rows = await sql<PagedRow>(`${level1} order by p.code, c.code`, params);
      return pagesFrom(keys, rows);
    }
    const rows = await sql<PagedRow & { depth: number }>(
      `with level1 as (${level1})
       select 1 as depth, level1.* from level1
       union all
       select 2 as depth, p.code as batch_key, t.total, g.*
         from level1 p
         cross join lateral (
           select count(*)::int as total from area where parent_code = p.code and (?::boolean or valid_to is null)) t
         left join lateral (
           select ${AREA_COLUMNS} from area
            where parent_code = p.code and (?::boolean or valid_to is null)
            order by code limit ?) g on true
        where p.code is not null
        order by depth, batch_key, code`,
      [...params, withGrandchildren.includeRetired, withGrandchildren.includeRetired, withGrandchildren.first + 1],
    );
    const parents = rows.filter((row) => row.depth === 1);
    const pages = pagesFrom(keys, parents);
    const childKeys = parents.filter((row) => row.code !== null).map((row) => childrenKey(row.code, row.level, withGrandchildren));
    pagesFrom(
      childKeys,
      rows.filter((row) => row.depth === 2),
    ).forEach((childPage, i) => {
      // Primed without look-ahead: a child whose selection asks further down loads its own key.
      children.prime(childKeys[i], childPage);
    });
    return pages;
  });

  const descendants = groupedLoader<AreaListKey, Page<Area>>(listGroup, async (keys) => {
    const { onlyLevel, includeRetired, page } = keys[0];
    const ranges = keys.map((key) => subtreeRange(key.code, key.level));
    const rows = await sql<PagedRow>(
      `select p.code as batch_key, t.total, d.*
         from unnest(?::text[], ?::text[]) as p(code, hi)
         cross join lateral (
           select count(*)::int as total from area
            where code > p.code and code <= p.hi
              and (?::text is null or level = ?::text) and (?::boolean or valid_to is null)) t
         left join lateral (
           select ${AREA_COLUMNS} from area
            where code > greatest(p.code, ?::text) and code <= p.hi
              and (?::text is null or level = ?::text) and (?::boolean or valid_to is null)
            order by code limit ?) d on true
        order by p.code, d.code`,
      [
        keys.map((key) => key.code),
        ranges.map(([, hi]) => hi),
        onlyLevel,
        onlyLevel,
        includeRetired,
        page.afterKey ?? '',
        onlyLevel,
        onlyLevel,
        includeRetired,
        page.first + 1,
      ],
    );
    return pagesFrom(keys, rows);
  });

  const childCount = new DataLoader<string, number>(async (codes) => {
    const rows = await sql<{ parent_code: string; n: number }>(
      `select parent_code, count(*)::int as n from area
        where parent_code = any(?::text[]) and valid_to is null group by parent_code`,
      [codes],
    );
    const counts = new Map(rows.map((row) => [row.parent_code, row.n]));
    return codes.map((code) => counts.get(code) ?? 0);
  });

  const descendantCount = groupedLoader<{ code: string; level: AreaLevel; onlyLevel: AreaLevel | null }, number>(
    (key) => String(key.onlyLevel),
    async (keys) => {
      const onlyLevel = keys[0].onlyLevel;
      const rows = await sql<{ code: string; n: number }>(
        `select p.code, t.n
           from unnest(?::text[], ?::text[]) as p(code, hi)
           cross join lateral (
             select count(*)::int as n from area
              where code > p.code and code <= p.hi
                and (?::text is null or level = ?::text) and valid_to is null) t`,
        [keys.map((key) => key.code), keys.map((key) => subtreeRange(key.code, key.level)[1]), onlyLevel, onlyLevel],
      );
      const counts = new Map(rows.map((row) => [row.code, row.n]));
      return keys.map((key) => counts.get(key.code) ?? 0);
    },
  );

  return { byCode, children, descendants, childCount, descendantCount };
}

export type AreaLoaders = ReturnType<typeof createAreaLoaders>;

declare module '../../graphql/context.js' {
  interface Loaders {
    area: AreaLoaders;
  }
}
