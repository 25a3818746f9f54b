import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors.js';
import { assertFacilityTransition, canTransitionFacility, FacilityStatus as S, facilityFieldProblems, OperatingModel } from './facility.rules.js';

describe('facility lifecycle', () => {
  it('allows exactly the lifecycle steps', () => {
    const allowed = [
      [S.PLANNED, S.UNDER_CONSTRUCTION],
      [S.UNDER_CONSTRUCTION, S.BUILT],
      [S.BUILT, S.OPERATING],
      [S.OPERATING, S.SUSPENDED],
      [S.SUSPENDED, S.OPERATING],
    ];
    const all = Object.values(S);
    for (const from of all) {
      for (const to of all) {
        const expected = allowed.some(([a, b]) => a === from && b === to);
        expect(canTransitionFacility(from, to), `${from} → ${to}`).toBe(expected);
      }
    }
  });

  it('rejects a skipped stage, a step back and staying put with INVALID_TRANSITION on status', () => {
    for (const [from, to] of [
      [S.PLANNED, S.OPERATING],
      [S.PLANNED, S.BUILT],
      [S.BUILT, S.UNDER_CONSTRUCTION],
      [S.UNDER_CONSTRUCTION, S.SUSPENDED],
      [S.SUSPENDED, S.BUILT],
      [S.OPERATING, S.OPERATING],
    ] as const) {
      let error: unknown;
      try {
        assertFacilityTransition(from, to);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'INVALID_TRANSITION', field: 'status' });
    }
    expect(() => assertFacilityTransition(S.BUILT, S.OPERATING)).not.toThrow();
  });
});

describe('facility fields', () => {
  it('keeps occupied beds within beds', () => {
    expect(facilityFieldProblems({ beds: 40, occupiedBeds: 40, operatingModel: OperatingModel.PUBLIC, operator: null })).toEqual([]);
    expect(facilityFieldProblems({ beds: 40, occupiedBeds: 41, operatingModel: OperatingModel.PUBLIC, operator: null })).toEqual([
      { field: 'occupiedBeds', message: expect.stringContaining('cannot exceed') },
    ]);
  });

  it('needs an operator for 公建民营 only', () => {
    expect(facilityFieldProblems({ beds: 1, occupiedBeds: 0, operatingModel: OperatingModel.PUBLIC_BUILT_PRIVATE_RUN, operator: ' ' })).toEqual([
      { field: 'operator', message: expect.stringContaining('公建民营') },
    ]);
    expect(facilityFieldProblems({ beds: 1, occupiedBeds: 0, operatingModel: OperatingModel.PUBLIC_BUILT_PRIVATE_RUN, operator: '康养公司' })).toEqual([]);
    expect(facilityFieldProblems({ beds: 1, occupiedBeds: 0, operatingModel: OperatingModel.PRIVATE, operator: null })).toEqual([]);
  });
});
