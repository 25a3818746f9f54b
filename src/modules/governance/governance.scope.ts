import { DomainError, ErrorCode } from '../../common/errors.js';
import { fromGlobalId } from '../../common/global-id.js';
import type { Sql } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import { AREA_COLUMNS, type Area, type AreaRow } from '../area/area.entity.js';
import type { Range } from './governance.loaders.js';
import { visibleRange } from '../../auth/auth.scope.js';
import { AreaLevel } from '../../common/codes.js';
import { assertCanRead, readRange, requireViewer, Role } from '../../auth/auth.rules.js';

/** Who may record village governance data: the village itself, its township, the county. */
export const GOVERNANCE_WRITERS = [Role.COUNTY_ADMIN, Role.TOWNSHIP_OPERATOR, Role.VILLAGE_OPERATOR];

/**
 * The part of an area's subtree the caller may read, for SQL filters. Throws
 * UNAUTHENTICATED for anonymous callers and FORBIDDEN for an area outside the
 * caller's subtree; the range is cut to {@link readRange} all the same.
 */
export function readableSubtree(ctx: Context, area: Area): Range {
  assertCanRead(ctx.viewer, area.code);
  // Inside the caller's subtree (just checked), so the intersection is never empty.
  const [lo, hi] = visibleRange(ctx.viewer, area, true)!;
  return { lo, hi };
}

/** The caller's whole readable range (lists not tied to one area). */
export function viewerRange(ctx: Context): Range {
  requireViewer(ctx.viewer);
  const [lo, hi] = readRange(ctx.viewer)!;
  return { lo, hi };
}

/** The database key inside a global ID of the expected type; NOT_FOUND otherwise. */
export function keyOf(id: string, type: string, field: string): string {
  const parsed = fromGlobalId(id, field);
  if (parsed.type !== type || !/^\d{1,18}$/.test(parsed.key)) throw new DomainError(ErrorCode.NOT_FOUND, `No ${type} with ID ${id}`, field);
  return parsed.key;
}

/** A current area by code, inside a transaction; NOT_FOUND or BAD_USER_INPUT (wrong level) on `field`. */
export async function currentArea(sql: Sql, code: string, levels: AreaLevel[], field: string): Promise<AreaRow> {
  const [row] = await sql<AreaRow>(`select ${AREA_COLUMNS} from area where code = ?`, [code]);
  if (!row) throw new DomainError(ErrorCode.NOT_FOUND, `No area with code ${code}`, field);
  if (row.valid_to !== null) throw new DomainError(ErrorCode.BAD_USER_INPUT, `${row.name} (${code}) was retired on ${row.valid_to}`, field);
  if (!levels.includes(row.level)) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `${row.name} (${code}) is a ${row.level} area; this needs ${levels.join(' or ')}`, field);
  }
  return row;
}
