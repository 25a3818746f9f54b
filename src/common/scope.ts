import { significantPrefix } from '../modules/auth/auth.rules.js';

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
