import { readRange, type Viewer } from '../modules/auth/auth.rules.js';
import { subtreeRange, type AreaLevel } from '../modules/area/area.rules.js';

/**
 * The code range of an area's rows that a caller may read: the area itself (or
 * its whole subtree) intersected with the caller's own subtree. Null when that
 * is empty, or when the caller is anonymous (who reads no protected rows).
 */
export function visibleRange(
  viewer: Viewer | null,
  area: { code: string; level: AreaLevel },
  includeDescendants: boolean,
): [string, string] | null {
  const readable = readRange(viewer);
  if (!readable) return null;
  const [lo, hi] = includeDescendants ? subtreeRange(area.code, area.level) : [area.code, area.code];
  const from = lo > readable[0] ? lo : readable[0];
  const to = hi < readable[1] ? hi : readable[1];
  return from <= to ? [from, to] : null;
}

/** Today's calendar date in the county's time zone (China Standard Time), as 'YYYY-MM-DD'. */
export function todayInChina(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
