import { AreaLevel } from '../../common/codes.js';

/** What kind of township- or village-level area this is. */
export enum AreaKind {
  SUBDISTRICT = 'SUBDISTRICT',
  TOWN = 'TOWN',
  TOWNSHIP = 'TOWNSHIP',
  COMMUNITY = 'COMMUNITY',
  VILLAGE = 'VILLAGE',
  OTHER = 'OTHER',
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
