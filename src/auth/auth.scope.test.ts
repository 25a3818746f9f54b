import { describe, expect, it } from 'vitest';
import { todayInChina } from '../common/dates.js';
import { AreaLevel } from '../common/codes.js';
import { Role } from './auth.rules.js';
import { visibleRange } from './auth.scope.js';

const viewer = (areaCode: string) => ({ sub: 's', name: 'n', role: Role.VIEWER, areaCode });
const county = { code: '511921000000', level: AreaLevel.COUNTY };
const township = { code: '511921104000', level: AreaLevel.TOWNSHIP };

describe('visibleRange', () => {
  it("is the area's subtree for a caller above it", () => {
    expect(visibleRange(viewer('511921000000'), township, true)).toEqual(['511921104000', '511921104999']);
    expect(visibleRange(viewer('511921000000'), township, false)).toEqual(['511921104000', '511921104000']);
  });

  it("narrows to the caller's own subtree when the area is above it", () => {
    expect(visibleRange(viewer('511921104000'), county, true)).toEqual(['511921104000', '511921104999']);
    expect(visibleRange(viewer('511921104000'), county, false)).toBeNull();
  });

  it("is empty outside the caller's subtree and for anonymous callers", () => {
    expect(visibleRange(viewer('511921105000'), township, true)).toBeNull();
    expect(visibleRange(null, township, true)).toBeNull();
  });
});

describe('todayInChina', () => {
  it('uses China Standard Time', () => {
    expect(todayInChina(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
    expect(todayInChina(new Date('2026-12-31T15:30:00Z'))).toBe('2026-12-31');
  });
});
