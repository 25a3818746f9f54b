import { badInput } from '../../common/errors.js';

/** Levels of the hierarchy, top down. 省 → 市 → 县 → 乡/镇/街道 → 村/社区. */
export enum AreaLevel {
  PROVINCE = 'PROVINCE',
  CITY = 'CITY',
  COUNTY = 'COUNTY',
  TOWNSHIP = 'TOWNSHIP',
  VILLAGE = 'VILLAGE',
}

/** What kind of township- or village-level area this is. */
export enum AreaKind {
  SUBDISTRICT = 'SUBDISTRICT',
  TOWN = 'TOWN',
  TOWNSHIP = 'TOWNSHIP',
  COMMUNITY = 'COMMUNITY',
  VILLAGE = 'VILLAGE',
  OTHER = 'OTHER',
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
 * Kind of a township- or village-level area, from its name and, where the name
 * does not say, the code's last triplet as the statistical standard assigns it:
 * townships 001–099 街道, 100–199 镇, 200–399 乡; villages 001–199 居委会 (社区),
 * 200–399 村委会. `null` above township level.
 */
export function kindOf(level: AreaLevel, code: string, name: string): AreaKind | null {
  if (level === AreaLevel.TOWNSHIP) {
    if (name.endsWith('街道') || name.endsWith('街道办事处')) return AreaKind.SUBDISTRICT;
    if (name.endsWith('镇')) return AreaKind.TOWN;
    if (name.endsWith('乡') || name.endsWith('苏木')) return AreaKind.TOWNSHIP;
    const n = Number(code.slice(6, 9));
    if (n >= 1 && n <= 99) return AreaKind.SUBDISTRICT;
    if (n >= 100 && n <= 199) return AreaKind.TOWN;
    if (n >= 200 && n <= 399) return AreaKind.TOWNSHIP;
    return AreaKind.OTHER;
  }
  if (level === AreaLevel.VILLAGE) {
    if (name.includes('社区') || name.includes('居民委员会') || name.endsWith('居委会')) return AreaKind.COMMUNITY;
    if (name.includes('村')) return AreaKind.VILLAGE;
    const n = Number(code.slice(9, 12));
    if (n >= 1 && n <= 199) return AreaKind.COMMUNITY;
    if (n >= 200 && n <= 399) return AreaKind.VILLAGE;
    return AreaKind.OTHER;
  }
  return null;
}

/** The everyday name: 城南社区 for 城南社区居民委员会, 青龙村 for 青龙村民委员会. */
export function shortNameOf(name: string): string {
  return name
    .replace(/居民委员会$/, '')
    .replace(/村民委员会$/, '村')
    .replace(/(居委会|委员会)$/, '')
    .replace(/村村$/, '村');
}
