import { badInput } from './errors.js';

/*
 * The statistical division code (统计用区划代码) is the key of the whole hierarchy:
 * 12 digits, 2 province · 2 city · 2 county · 3 township · 3 village. A subtree is
 * every code that starts with its root's significant prefix, so it is one B-tree
 * range scan in C collation. Everything here is arithmetic on codes, no lookups.
 */

/** Levels of the hierarchy, top down. 省 → 市 → 县 → 乡/镇/街道 → 村/社区. */
export enum AreaLevel {
  PROVINCE = 'PROVINCE',
  CITY = 'CITY',
  COUNTY = 'COUNTY',
  TOWNSHIP = 'TOWNSHIP',
  VILLAGE = 'VILLAGE',
}

/** Significant digits of a code at each level: 2 province, 4 city, 6 county, 9 township, 12 village. */
export const PREFIX_LENGTH: Record<AreaLevel, number> = {
  PROVINCE: 2,
  CITY: 4,
  COUNTY: 6,
  TOWNSHIP: 9,
  VILLAGE: 12,
};

/**
 * Normalises a statistical division code (统计用区划代码) to its 12-digit form.
 * The API accepts the 6-digit county form (`511921`), the 9-digit township form
 * (`511921101`) and the full 12 digits; anything else is a BAD_USER_INPUT naming `field`.
 */
export function normalizeCode(input: string, field = 'code'): string {
  const code = input.trim();
  if (!/^\d+$/.test(code) || ![6, 9, 12].includes(code.length)) {
    throw badInput(field, `${field} must be a statistical division code of 6, 9 or 12 digits, got "${input}"`);
  }
  return code.padEnd(12, '0');
}

/**
 * The inclusive code range of an area's subtree (itself included). Every
 * descendant's code starts with the area's significant prefix, so a subtree is one
 * B-tree range scan on the code (C collation).
 */
export function subtreeRange(code: string, level: AreaLevel): [string, string] {
  const prefix = code.slice(0, PREFIX_LENGTH[level]);
  return [prefix.padEnd(12, '0'), prefix.padEnd(12, '9')];
}

/**
 * Candidate ancestor codes, root first: the code cut to each shorter prefix. Some
 * may not exist (a city without counties has no county level, and its padded
 * county code equals its own), so callers keep only the ones found.
 */
export function ancestorCodes(code: string, level: AreaLevel): string[] {
  const own = PREFIX_LENGTH[level];
  const codes = [2, 4, 6, 9]
    .filter((length) => length < own)
    .map((length) => code.slice(0, length).padEnd(12, '0'))
    .filter((candidate) => candidate !== code);
  return [...new Set(codes)];
}

/**
 * The significant prefix of a 12-digit code: what every code in its subtree
 * starts with (`511921` for the county 511921000000, `511921101` for a township).
 */
export function significantPrefix(code: string): string {
  if (code.endsWith('0000000000')) return code.slice(0, 2);
  if (code.endsWith('00000000')) return code.slice(0, 4);
  if (code.endsWith('000000')) return code.slice(0, 6);
  if (code.endsWith('000')) return code.slice(0, 9);
  return code;
}

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
