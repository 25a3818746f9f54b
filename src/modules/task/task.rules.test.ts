import { describe, expect, it } from 'vitest';
import { elapsedShare, progressProblems, taskHealth, TaskHealth } from './task.rules.js';

const year = { target: 100, startDate: '2026-01-01', deadline: '2026-12-31' };

describe('taskHealth', () => {
  it('is ON_TRACK when the done share keeps up with time', () => {
    expect(taskHealth({ ...year, done: 20, asOf: '2026-03-31' })).toBe(TaskHealth.ON_TRACK);
  });
  it('is LAGGING beyond the 10-point tolerance, not within it', () => {
    // 2026-06-30: 181/365 = 49.6 % of the time has passed.
    expect(taskHealth({ ...year, done: 40, asOf: '2026-06-30' })).toBe(TaskHealth.ON_TRACK);
    expect(taskHealth({ ...year, done: 39, asOf: '2026-06-30' })).toBe(TaskHealth.LAGGING);
  });
  it('is DUE_SOON within 3 days of the deadline, LAGGING outranking it', () => {
    expect(taskHealth({ ...year, done: 95, asOf: '2026-12-28' })).toBe(TaskHealth.DUE_SOON);
    expect(taskHealth({ ...year, done: 95, asOf: '2026-12-27' })).toBe(TaskHealth.ON_TRACK);
    expect(taskHealth({ ...year, done: 50, asOf: '2026-12-30' })).toBe(TaskHealth.LAGGING);
  });
  it('is OVERDUE after the deadline unless DONE', () => {
    expect(taskHealth({ ...year, done: 99, asOf: '2027-01-01' })).toBe(TaskHealth.OVERDUE);
    expect(taskHealth({ ...year, done: 99, asOf: '2026-12-31' })).toBe(TaskHealth.DUE_SOON);
    expect(taskHealth({ ...year, done: 100, asOf: '2027-01-01' })).toBe(TaskHealth.DONE);
  });
  it('counts no elapsed time before the start', () => {
    expect(elapsedShare('2026-01-01', '2026-12-31', '2025-12-01')).toBe(0);
    expect(taskHealth({ ...year, done: 0, asOf: '2025-12-01' })).toBe(TaskHealth.ON_TRACK);
  });
});

describe('progressProblems', () => {
  it('rejects future dates, entries before the last one, and more than the target', () => {
    expect(progressProblems({ asOf: '2026-05-01', done: 3 }, { target: 5, lastAsOf: '2026-04-30' }, '2026-06-01')).toEqual([]);
    expect(progressProblems({ asOf: '2026-07-01', done: 3 }, { target: 5, lastAsOf: null }, '2026-06-01').map(([f]) => f)).toEqual(['asOf']);
    expect(progressProblems({ asOf: '2026-04-01', done: 3 }, { target: 5, lastAsOf: '2026-04-30' }, '2026-06-01').map(([f]) => f)).toEqual(['asOf']);
    expect(progressProblems({ asOf: '2026-05-01', done: 6 }, { target: 5, lastAsOf: null }, '2026-06-01').map(([f]) => f)).toEqual(['done']);
  });
});
