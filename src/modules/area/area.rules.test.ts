import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors.js';
import { AreaKind, kindOf, shortNameOf } from './area.rules.js';
import { AreaLevel, ancestorCodes, normalizeCode, subtreeRange } from '../../common/codes.js';

describe('normalizeCode', () => {
  it.each([
    ['511921', '511921000000'],
    ['511921001', '511921001000'],
    ['511921001001', '511921001001'],
    [' 511921 ', '511921000000'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizeCode(input)).toBe(expected);
  });

  it.each(['', '51', '5119', '5119210', '51192100100', '5119210010011', '51192a', '５１１９２１'])('rejects "%s" naming the field', (input) => {
    expect(() => normalizeCode(input, 'parentCode')).toThrow(DomainError);
    try {
      normalizeCode(input, 'parentCode');
    } catch (error) {
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'parentCode' });
    }
  });
});

describe('subtreeRange', () => {
  it('covers exactly the codes under the area', () => {
    expect(subtreeRange('511921000000', AreaLevel.COUNTY)).toEqual(['511921000000', '511921999999']);
    expect(subtreeRange('511921001000', AreaLevel.TOWNSHIP)).toEqual(['511921001000', '511921001999']);
    expect(subtreeRange('510000000000', AreaLevel.PROVINCE)).toEqual(['510000000000', '519999999999']);
    expect(subtreeRange('511921001001', AreaLevel.VILLAGE)).toEqual(['511921001001', '511921001001']);
  });
});

describe('ancestorCodes', () => {
  it('lists the prefixes root first', () => {
    expect(ancestorCodes('511921001001', AreaLevel.VILLAGE)).toEqual(['510000000000', '511900000000', '511921000000', '511921001000']);
    expect(ancestorCodes('511921000000', AreaLevel.COUNTY)).toEqual(['510000000000', '511900000000']);
    expect(ancestorCodes('510000000000', AreaLevel.PROVINCE)).toEqual([]);
  });

  it('does not list a city twice where it has no counties (东莞)', () => {
    expect(ancestorCodes('441900003000', AreaLevel.TOWNSHIP)).toEqual(['440000000000', '441900000000']);
  });
});

describe('kindOf', () => {
  it.each([
    [AreaLevel.TOWNSHIP, '511921001000', '壁州街道', AreaKind.SUBDISTRICT],
    [AreaLevel.TOWNSHIP, '511921101000', '民胜镇', AreaKind.TOWN],
    [AreaLevel.TOWNSHIP, '511921214000', '松溪乡', AreaKind.TOWNSHIP],
    [AreaLevel.TOWNSHIP, '511921450000', '某某经济开发区', AreaKind.OTHER],
    [AreaLevel.TOWNSHIP, '511921150000', '某某管委会', AreaKind.TOWN],
    [AreaLevel.VILLAGE, '511921001001', '城南社区居民委员会', AreaKind.COMMUNITY],
    [AreaLevel.VILLAGE, '511921101201', '青龙村民委员会', AreaKind.VILLAGE],
    [AreaLevel.VILLAGE, '511921101002', '某某居委会', AreaKind.COMMUNITY],
    [AreaLevel.VILLAGE, '511921101210', '某某委员会', AreaKind.VILLAGE],
    [AreaLevel.COUNTY, '511921000000', '通江县', null],
  ])('%s %s %s is %s', (level, code, name, kind) => {
    expect(kindOf(level, code, name)).toBe(kind);
  });
});

describe('shortNameOf', () => {
  it.each([
    ['城南社区居民委员会', '城南社区'],
    ['青龙村民委员会', '青龙村'],
    ['青龙村村民委员会', '青龙村'],
    ['壁州街道', '壁州街道'],
  ])('%s → %s', (name, short) => {
    expect(shortNameOf(name)).toBe(short);
  });
});
