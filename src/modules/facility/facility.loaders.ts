import DataLoader from 'dataloader';
import { type Page, type PageRequest } from '../../common/connection.js';
import { groupedLoader, loadLateralPages, rangeKeys, rowsByKey } from '../../common/loaders.js';
import type { Sql } from '../../db/sql.js';
import { FACILITY_COLUMNS, facilityFromRow, FacilityCount, FacilitySummary, type Facility, type FacilityRow } from './facility.entity.js';
import type { FacilityStatus, FacilityType, OperatingModel } from './facility.rules.js';

/** Facilities whose area code lies in `[lo, hi]`, filtered, one page. */
export interface FacilityListKey {
  lo: string;
  hi: string;
  types: FacilityType[] | null;
  statuses: FacilityStatus[] | null;
  operatingModels: OperatingModel[] | null;
  page: PageRequest;
}

const keyOf = (facility: Facility) => facility.key;

/**
 * Per-request loaders for facilities. Each batch is one SQL statement, whatever
 * the number of areas or facilities in the request.
 */
export function createFacilityLoaders(sql: Sql) {
  const byId = new DataLoader<string, Facility | null>(async (ids) => {
    const rows = await sql<FacilityRow>(`select ${FACILITY_COLUMNS} from facility where id = any(?::bigint[])`, [ids]);
    const found = new Map(rows.map((row) => [row.id, facilityFromRow(row)]));
    return ids.map((id) => found.get(id) ?? null);
  });

  // One statement for every area asking with the same filters and page: a lateral
  // count and a lateral page per code range.
  const list = groupedLoader<FacilityListKey, Page<Facility>>(
    (key) => JSON.stringify([key.types, key.statuses, key.operatingModels, key.page]),
    async (keys) => {
      const { types, statuses, operatingModels, page } = keys[0];
      const filter = `(?::text[] is null or type = any(?::text[]))
              and (?::text[] is null or status = any(?::text[]))
              and (?::text[] is null or operating_model = any(?::text[]))`;
      const filterParams = [types, types, statuses, statuses, operatingModels, operatingModels];
      return loadLateralPages(
        sql,
        keys,
        {
          by: rangeKeys(keys),
          table: 'facility',
          columns: FACILITY_COLUMNS,
          where: [`area_code between p.lo and p.hi and ${filter}`, filterParams],
          after: ['id > ?::bigint', [page.afterKey ?? '0']],
          orderBy: 'facility.id',
          rowOrder: 'x.id::bigint',
        },
        facilityFromRow,
        keyOf,
      );
    },
  );

  // Counts by type × status × operating model for many code ranges in one statement.
  const summary = new DataLoader<{ lo: string; hi: string }, FacilitySummary, string>(
    async (keys) => {
      const rows = await sql<{
        batch_key: string;
        type: FacilityType;
        status: FacilityStatus;
        operating_model: OperatingModel;
        n: number;
        beds: number;
        occupied: number;
      }>(
        `select p.n::text as batch_key, f.type, f.status, f.operating_model,
                count(*)::int as n, sum(f.beds)::int as beds, sum(f.occupied_beds)::int as occupied
           from unnest(?::text[], ?::text[]) with ordinality as p(lo, hi, n)
           join facility f on f.area_code between p.lo and p.hi
          group by p.n, f.type, f.status, f.operating_model
          order by p.n, f.type, f.status, f.operating_model`,
        [keys.map((k) => k.lo), keys.map((k) => k.hi)],
      );
      const byKey = rowsByKey(
        keys.map((_, i) => String(i + 1)),
        rows,
        (row) => row.batch_key,
      );
      return keys.map((_, i) => summaryFrom(byKey.get(String(i + 1))!));
    },
    { cacheKeyFn: (key) => `${key.lo}:${key.hi}` },
  );

  return { byId, list, summary };
}

function summaryFrom(
  rows: { type: FacilityType; status: FacilityStatus; operating_model: OperatingModel; n: number; beds: number; occupied: number }[],
): FacilitySummary {
  const summary = new FacilitySummary();
  summary.groups = rows.map((row) =>
    Object.assign(new FacilityCount(), {
      type: row.type,
      status: row.status,
      operatingModel: row.operating_model,
      count: row.n,
      beds: row.beds,
      occupiedBeds: row.occupied,
    }),
  );
  summary.total = summary.groups.reduce((sum, g) => sum + g.count, 0);
  summary.beds = summary.groups.reduce((sum, g) => sum + g.beds, 0);
  summary.occupiedBeds = summary.groups.reduce((sum, g) => sum + g.occupiedBeds, 0);
  return summary;
}

/** An empty summary, for callers who may read nothing in the range. */
export const emptyFacilitySummary = () => summaryFrom([]);

export type FacilityLoaders = ReturnType<typeof createFacilityLoaders>;

declare module '../../graphql/context.js' {
  interface Loaders {
    facility: FacilityLoaders;
  }
}
