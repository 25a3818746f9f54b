import { describe, expect, it } from 'vitest';
import { canReview, canTransition, closingProblems, isOverdue, RectificationStatus as S, statusAfterReview } from './rectification.rules.js';

describe('rectification lifecycle', () => {
  it('moves forward one step at a time, back only from RECTIFIED', () => {
    expect(canTransition(S.OPEN, S.RECTIFYING)).toBe(true);
    expect(canTransition(S.RECTIFYING, S.RECTIFIED)).toBe(true);
    expect(canTransition(S.RECTIFIED, S.CLOSED)).toBe(true);
    expect(canTransition(S.RECTIFIED, S.RECTIFYING)).toBe(true);
    expect(canTransition(S.OPEN, S.RECTIFIED)).toBe(false);
    expect(canTransition(S.OPEN, S.CLOSED)).toBe(false);
    expect(canTransition(S.CLOSED, S.OPEN)).toBe(false);
    expect(canTransition(S.CLOSED, S.RECTIFYING)).toBe(false);
  });
  it('销号 needs a note and a verifier other than the responsible person', () => {
    expect(closingProblems({ verifier: '李四', note: '已核实' }, '张三')).toEqual([]);
    expect(closingProblems({ verifier: ' 张三 ', note: '已核实' }, '张三').map(([f]) => f)).toEqual(['verifier']);
    expect(closingProblems({ verifier: null, note: '' }, '张三').map(([f]) => f)).toEqual(['verifier', 'note']);
  });
  it('回头看 reviews rectified work; a recurrence reopens to RECTIFYING', () => {
    expect(canReview(S.OPEN)).toBe(false);
    expect(canReview(S.CLOSED)).toBe(true);
    expect(statusAfterReview(S.CLOSED, true)).toBe(S.RECTIFYING);
    expect(statusAfterReview(S.CLOSED, false)).toBe(S.CLOSED);
  });
  it('is overdue only while not rectified and past the deadline', () => {
    expect(isOverdue(S.RECTIFYING, '2026-05-01', '2026-05-02')).toBe(true);
    expect(isOverdue(S.RECTIFYING, '2026-05-01', '2026-05-01')).toBe(false);
    expect(isOverdue(S.RECTIFIED, '2026-05-01', '2026-06-01')).toBe(false);
  });
});
