import { describe, expect, it } from 'vitest';
import { ProgressAction } from '../progress/progress.entity.js';
import { coalesceDelay, isStatusChange } from './live.rules.js';

describe('coalesceDelay', () => {
  it('waits out the rest of the interval after the last message', () => {
    expect(coalesceDelay(1_000, 1_200)).toBe(800);
    expect(coalesceDelay(1_000, 1_000, 500)).toBe(500);
  });
  it('sends at once when the interval has passed', () => {
    expect(coalesceDelay(1_000, 2_000)).toBe(0);
    expect(coalesceDelay(1_000, 9_000)).toBe(0);
  });
});

describe('isStatusChange', () => {
  it('accepts only status transitions', () => {
    expect(isStatusChange(ProgressAction.STATUS_CHANGED)).toBe(true);
    expect(isStatusChange(ProgressAction.UPDATED)).toBe(false);
    expect(isStatusChange(ProgressAction.CREATED)).toBe(false);
  });
});
