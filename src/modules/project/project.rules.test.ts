import { describe, expect, it } from 'vitest';
import { FacilityStatus } from '../facility/facility.rules.js';
import { assertProjectTransition, linkedFacilityMove, missingForStart, planProblems, progressProblems, ProjectStatus as S } from './project.rules.js';

describe('project lifecycle', () => {
  it('allows PLANNED → IN_PROGRESS → COMPLETED and suspending from IN_PROGRESS', () => {
    for (const [from, to] of [
      [S.PLANNED, S.IN_PROGRESS],
      [S.IN_PROGRESS, S.COMPLETED],
      [S.IN_PROGRESS, S.SUSPENDED],
      [S.SUSPENDED, S.IN_PROGRESS],
    ] as const) {
      expect(() => assertProjectTransition(from, to)).not.toThrow();
    }
  });

  it('rejects skipping, reopening and staying put', () => {
    for (const [from, to] of [
      [S.PLANNED, S.COMPLETED],
      [S.COMPLETED, S.IN_PROGRESS],
      [S.SUSPENDED, S.COMPLETED],
      [S.PLANNED, S.SUSPENDED],
      [S.IN_PROGRESS, S.IN_PROGRESS],
    ] as const) {
      expect(() => assertProjectTransition(from, to)).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION', field: 'status' }));
    }
  });
});

describe('一项目一牵头领导、一项目一工作专班、一项目一推进方案', () => {
  const lead = { name: '王强', title: '副县长' };
  const member = { name: '李华', role: '专班组长', unit: '县民政局' };
  const step = { name: '主体完工', dueDate: '2026-10-31', doneDate: null };
  it('names everything a project lacks before it may start', () => {
    expect(missingForStart({ leadOfficial: null, taskForce: [], milestones: [] })).toEqual(['leadOfficial', 'taskForce', 'milestones']);
    expect(missingForStart({ leadOfficial: { name: ' ', title: '' }, taskForce: [member], milestones: [step] })).toEqual(['leadOfficial']);
    expect(missingForStart({ leadOfficial: lead, taskForce: [], milestones: [step] })).toEqual(['taskForce']);
    expect(missingForStart({ leadOfficial: lead, taskForce: [member], milestones: [] })).toEqual(['milestones']);
    expect(missingForStart({ leadOfficial: lead, taskForce: [member], milestones: [step] })).toEqual([]);
  });
});

describe('progress entries', () => {
  const today = '2026-11-28';
  const latest = { percent: 60, note: null, asOf: '2026-10-31' };
  it('accepts a first entry and a rise', () => {
    expect(progressProblems(null, { percent: 0, note: null, asOf: today }, today)).toEqual([]);
    expect(progressProblems(latest, { percent: 70, note: null, asOf: today }, today)).toEqual([]);
    expect(progressProblems(latest, { percent: 60, note: null, asOf: '2026-10-31' }, today)).toEqual([]);
  });
  it('rejects out-of-range percent, a future or earlier asOf', () => {
    expect(progressProblems(null, { percent: 101, note: null, asOf: today }, today).map((p) => p.field)).toEqual(['percent']);
    expect(progressProblems(null, { percent: -1, note: null, asOf: today }, today).map((p) => p.field)).toEqual(['percent']);
    expect(progressProblems(null, { percent: 5, note: null, asOf: '2026-11-29' }, today).map((p) => p.field)).toEqual(['asOf']);
    expect(progressProblems(latest, { percent: 70, note: null, asOf: '2026-10-30' }, today).map((p) => p.field)).toEqual(['asOf']);
  });
  it('lets percent fall only with a note', () => {
    expect(progressProblems(latest, { percent: 50, note: null, asOf: today }, today).map((p) => p.field)).toEqual(['note']);
    expect(progressProblems(latest, { percent: 50, note: '  ', asOf: today }, today).map((p) => p.field)).toEqual(['note']);
    expect(progressProblems(latest, { percent: 50, note: '重新核定工程量', asOf: today }, today)).toEqual([]);
  });
});

describe('linked facility', () => {
  it('goes under construction when the project starts and is built when it completes', () => {
    expect(linkedFacilityMove(S.IN_PROGRESS)).toEqual({ to: FacilityStatus.UNDER_CONSTRUCTION, from: [FacilityStatus.PLANNED] });
    expect(linkedFacilityMove(S.COMPLETED)).toEqual({ to: FacilityStatus.BUILT, from: [FacilityStatus.PLANNED, FacilityStatus.UNDER_CONSTRUCTION] });
    expect(linkedFacilityMove(S.SUSPENDED)).toBeNull();
  });
});

describe('plans', () => {
  it('rejects a milestone name twice', () => {
    expect(
      planProblems([
        { name: 'a', dueDate: '2026-01-01' },
        { name: 'a ', dueDate: '2026-02-01' },
      ]),
    ).toEqual([{ field: 'milestones.1.name', message: expect.stringContaining('twice') }]);
  });
});
