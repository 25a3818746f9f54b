import { subtreeRange, type AreaLevel } from '../modules/area/area.rules.js';
import { readRange, significantPrefix, type Viewer } from '../modules/auth/auth.rules.js';

/** An inclusive 12-digit code range: a subtree (`area_code between lo and hi`). */
export type CodeRange = [string, string];

/** The subtree range of a 12-digit code (itself included), without a lookup. */
export function codeRange(code: string): CodeRange {
  const prefix = significantPrefix(code);
  return [prefix.padEnd(12, '0'), prefix.padEnd(12, '9')];
}

/**
 * The intersection of two subtree ranges: subtrees nest or are disjoint, so it is
 * the narrower one, or null when they do not overlap.
 */
export function intersectRanges(a: CodeRange, b: CodeRange): CodeRange | null {
  if (a[0] <= b[0] && b[1] <= a[1]) return b;
  if (b[0] <= a[0] && a[1] <= b[1]) return a;
  return null;
}

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
