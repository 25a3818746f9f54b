import { describe, expect, it } from 'vitest';
import { matrixAreas, matrixCases, OTHER_SECTION } from './access-matrix.js';

describe('matrixCases', () => {
  it('puts each role inside and next to a village target, plus anonymous', () => {
    const cases = matrixCases({ allowed: ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR', 'VILLAGE_OPERATOR'] });
    expect(cases.map((c) => `${c.role} ${c.scope} ${c.viewerArea} ${c.expect}`)).toEqual([
      'COUNTY_ADMIN inside 511921000000 allowed',
      'COUNTY_ADMIN outside 511922000000 FORBIDDEN',
      'SECTION_STAFF inside 511921000000 FORBIDDEN',
      'SECTION_STAFF outside 511922000000 FORBIDDEN',
      'VIEWER inside 511921000000 FORBIDDEN',
      'VIEWER outside 511922000000 FORBIDDEN',
      'LEADER inside 511921000000 FORBIDDEN',
      'LEADER outside 511922000000 FORBIDDEN',
      'TOWNSHIP_OPERATOR inside 511921101000 allowed',
      'TOWNSHIP_OPERATOR outside 511921001000 FORBIDDEN',
      'VILLAGE_OPERATOR inside 511921101001 allowed',
      'VILLAGE_OPERATOR outside 511921101200 FORBIDDEN',
      'ANONYMOUS - null UNAUTHENTICATED',
    ]);
  });

  it('puts roles below a township target inside its subtree, which is still out of their reach', () => {
    const cases = matrixCases({ allowed: ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR', 'VILLAGE_OPERATOR'], target: '511921101000' });
    expect(cases.find((c) => c.role === 'VILLAGE_OPERATOR')).toEqual({
      role: 'VILLAGE_OPERATOR',
      scope: 'outside',
      viewerArea: '511921101001',
      expect: 'FORBIDDEN',
    });
    expect(cases.filter((c) => c.expect === 'allowed').map((c) => c.role)).toEqual(['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR']);
  });

  it("adds a caller of another section when section staff may act for the row's section", () => {
    const cases = matrixCases({ allowed: ['COUNTY_ADMIN', 'SECTION_STAFF'], target: '511921101000', section: '养老服务股' });
    expect(cases.filter((c) => c.role === 'SECTION_STAFF').map((c) => `${c.scope} ${c.viewerArea} ${c.section ?? '-'} ${c.expect}`)).toEqual([
      'inside 511921000000 - allowed',
      `inside 511921000000 ${OTHER_SECTION} FORBIDDEN`,
      'outside 511922000000 - FORBIDDEN',
    ]);
    expect(matrixCases({ allowed: ['COUNTY_ADMIN'], section: '养老服务股' }).filter((c) => c.section)).toEqual([]);
  });

  it("gives an allowed role no outside case when the mutation acts on the caller's own area", () => {
    const cases = matrixCases({ allowed: ['COUNTY_ADMIN'], target: '511921000000', actsOnCallerArea: true });
    expect(cases.filter((c) => c.scope === 'outside' && c.viewerArea?.endsWith('000000')).map((c) => c.role)).toEqual(['SECTION_STAFF', 'VIEWER', 'LEADER']);
    expect(cases.find((c) => c.role === 'COUNTY_ADMIN' && c.scope === 'inside')?.expect).toBe('allowed');
  });

  it('names every area its tokens carry, once', () => {
    expect(matrixAreas([{ allowed: ['COUNTY_ADMIN'] }, { allowed: ['COUNTY_ADMIN'], target: '511921101000' }])).toEqual([
      '511921000000',
      '511921001000',
      '511921101000',
      '511921101001',
      '511921101200',
      '511922000000',
    ]);
  });
});

describe('matrixCases: public mutations (signIn, refreshSession, signOut)', () => {
  it("expects the anonymous case to succeed only when the row says anonymous: 'allowed'", () => {
    expect(matrixCases({ allowed: ['COUNTY_ADMIN'], actsOnCallerArea: true, anonymous: 'allowed' }).find((c) => c.role === 'ANONYMOUS')?.expect).toBe(
      'allowed',
    );
    expect(matrixCases({ allowed: ['COUNTY_ADMIN'] }).find((c) => c.role === 'ANONYMOUS')?.expect).toBe('UNAUTHENTICATED');
  });
});
