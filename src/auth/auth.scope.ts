import { subtreeRange, type AreaLevel } from '../common/codes.js';
import { readRange, type Viewer } from './auth.rules.js';

/**
 * The code range of an area's rows that a caller may read: the area itself (or
 * its whole subtree) intersected with the caller's own subtree. Null when that
 * is empty, or when the caller is anonymous (who reads no protected rows).
 */
export function visibleRange(viewer: Viewer | null, area: { code: string; level: AreaLevel }, includeDescendants: boolean): [string, string] | null {
  const readable = readRange(viewer);
  if (!readable) return null;
  const [lo, hi] = includeDescendants ? subtreeRange(area.code, area.level) : [area.code, area.code];
  const from = lo > readable[0] ? lo : readable[0];
  const to = hi < readable[1] ? hi : readable[1];
  return from <= to ? [from, to] : null;
}
