import { DomainError, ErrorCode } from '../../common/errors.js';
import { FacilityStatus } from '../facility/facility.rules.js';

/** 项目状态 — PLANNED → IN_PROGRESS → COMPLETED, and SUSPENDED from (and back to) IN_PROGRESS. */
export enum ProjectStatus {
  PLANNED = 'PLANNED',
  IN_PROGRESS = 'IN_PROGRESS',
  COMPLETED = 'COMPLETED',
  SUSPENDED = 'SUSPENDED',
}

/** 项目类别 — the line of civil-affairs work a project serves. */
export enum ProjectCategory {
  ELDERLY_CARE = 'ELDERLY_CARE',
  MINOR_PROTECTION = 'MINOR_PROTECTION',
  SOCIAL_ASSISTANCE = 'SOCIAL_ASSISTANCE',
  SOCIAL_AFFAIRS = 'SOCIAL_AFFAIRS',
  SOCIAL_GOVERNANCE = 'SOCIAL_GOVERNANCE',
  OTHER = 'OTHER',
}

export const PROJECT_STATUS_LABEL: Record<ProjectStatus, string> = {
  PLANNED: '谋划',
  IN_PROGRESS: '推进中',
  COMPLETED: '完成',
  SUSPENDED: '暂停',
};

export const PROJECT_TRANSITIONS: Readonly<Record<ProjectStatus, readonly ProjectStatus[]>> = {
  PLANNED: [ProjectStatus.IN_PROGRESS],
  IN_PROGRESS: [ProjectStatus.COMPLETED, ProjectStatus.SUSPENDED],
  SUSPENDED: [ProjectStatus.IN_PROGRESS],
  COMPLETED: [],
};

export function assertProjectTransition(from: ProjectStatus, to: ProjectStatus): void {
  if (!PROJECT_TRANSITIONS[from].includes(to)) {
    const allowed = PROJECT_TRANSITIONS[from];
    throw new DomainError(
      ErrorCode.INVALID_TRANSITION,
      `A project cannot go from ${from} (${PROJECT_STATUS_LABEL[from]}) to ${to} (${PROJECT_STATUS_LABEL[to]})${allowed.length ? `; from ${from} it may go to ${allowed.join(', ')}` : `; ${from} is final`}`,
      'status',
    );
  }
}

export interface LeadOfficialValue {
  name: string;
  title: string;
}
export interface TaskForceMemberValue {
  name: string;
  role: string;
  unit: string;
}
export interface MilestoneValue {
  name: string;
  dueDate: string;
  doneDate: string | null;
}

/**
 * 一项目一牵头领导、一项目一工作专班、一项目一推进方案: what a project still lacks
 * before it may start (move to IN_PROGRESS), as input field names; empty when ready.
 */
export function missingForStart(p: { leadOfficial: LeadOfficialValue | null; taskForce: TaskForceMemberValue[]; milestones: MilestoneValue[] }): string[] {
  const missing: string[] = [];
  if (!p.leadOfficial?.name?.trim()) missing.push('leadOfficial');
  if (!p.taskForce.length) missing.push('taskForce');
  if (!p.milestones.length) missing.push('milestones');
  return missing;
}

export const MISSING_LABEL: Record<string, string> = {
  leadOfficial: '牵头领导 (leadOfficial)',
  taskForce: '工作专班 (taskForce)',
  milestones: '推进方案 (milestones)',
};

/** A progress entry to append, checked against the latest one. */
export interface ProgressEntryValue {
  percent: number;
  note: string | null;
  asOf: string;
}

/**
 * Rules for appending progress (the history is never rewritten):
 * - `percent` is an integer 0–100;
 * - `asOf` is not in the future and not before the latest entry's `asOf`
 *   (entries are appended in time order, so "latest" is unambiguous);
 * - `percent` may fall below the latest entry's only when a `note` explains why
 *   (a re-assessment is legitimate, a silent regression is a typo).
 */
export function progressProblems(
  latest: ProgressEntryValue | null,
  next: ProgressEntryValue,
  today: string,
): { field: string; message: string; messageZh: string }[] {
  const problems: { field: string; message: string; messageZh: string }[] = [];
  if (!Number.isInteger(next.percent) || next.percent < 0 || next.percent > 100) {
    problems.push({
      field: 'percent',
      message: `percent must be a whole number from 0 to 100, got ${next.percent}`,
      messageZh: `完成比例应为 0 到 100 之间的整数，收到 ${next.percent}`,
    });
  }
  if (next.asOf > today) {
    problems.push({
      field: 'asOf',
      message: `asOf (${next.asOf}) cannot be in the future (today is ${today})`,
      messageZh: `截至日期 ${next.asOf} 晚于今天（${today}），不能填报以后的进度`,
    });
  }
  if (latest && next.asOf < latest.asOf) {
    problems.push({
      field: 'asOf',
      message: `asOf (${next.asOf}) is before the latest progress entry (${latest.asOf}); progress is appended in time order`,
      messageZh: `截至日期 ${next.asOf} 早于上次填报的日期（${latest.asOf}），进度须按日期先后填报`,
    });
  }
  if (latest && next.percent < latest.percent && !next.note?.trim()) {
    problems.push({
      field: 'note',
      message: `percent ${next.percent} is below the latest ${latest.percent}: explain the re-assessment in a note`,
      messageZh: `完成比例 ${next.percent}% 低于上次的 ${latest.percent}%，请在说明中写明重新核定的原因`,
    });
  }
  return problems;
}

/**
 * How a linked facility moves when its project changes status: a started project
 * puts a PLANNED facility under construction; a completed one makes it BUILT
 * (from PLANNED or UNDER_CONSTRUCTION: completion certifies construction). A
 * facility already further along does not move.
 */
export function linkedFacilityMove(projectTo: ProjectStatus): { to: FacilityStatus; from: FacilityStatus[] } | null {
  if (projectTo === ProjectStatus.IN_PROGRESS) return { to: FacilityStatus.UNDER_CONSTRUCTION, from: [FacilityStatus.PLANNED] };
  if (projectTo === ProjectStatus.COMPLETED) return { to: FacilityStatus.BUILT, from: [FacilityStatus.PLANNED, FacilityStatus.UNDER_CONSTRUCTION] };
  return null;
}

/** Milestone names are unique within a plan (they name the steps in reports). */
export function planProblems(milestones: { name: string; dueDate: string; doneDate?: string | null }[]): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const seen = new Set<string>();
  milestones.forEach((m, i) => {
    const name = m.name.trim();
    if (seen.has(name)) problems.push({ field: `milestones.${i}.name`, message: `Milestone "${name}" appears twice in the plan` });
    seen.add(name);
  });
  return problems;
}
