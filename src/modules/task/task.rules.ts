import { daysBetween } from '../../common/dates.js';

/** 重点工作类别 — the speech's six lines of work. */
export enum TaskCategory {
  TWO_REFORMS_FOLLOW_UP = 'TWO_REFORMS_FOLLOW_UP',
  ELDERLY_CARE = 'ELDERLY_CARE',
  MINOR_PROTECTION = 'MINOR_PROTECTION',
  SOCIAL_ASSISTANCE = 'SOCIAL_ASSISTANCE',
  SOCIAL_AFFAIRS = 'SOCIAL_AFFAIRS',
  SOCIAL_GOVERNANCE = 'SOCIAL_GOVERNANCE',
}

/** 进度状态 — a task's health as of a date; derived, never stored. */
export enum TaskHealth {
  DONE = 'DONE',
  OVERDUE = 'OVERDUE',
  LAGGING = 'LAGGING',
  DUE_SOON = 'DUE_SOON',
  ON_TRACK = 'ON_TRACK',
}

/** Percentage points the done share may trail the elapsed-time share before a task is LAGGING (进度滞后). */
/** 进度状态 as people read it (exports, the monthly report's CSV). */
export const TASK_HEALTH_LABEL: Record<TaskHealth, string> = {
  DONE: '已完成',
  OVERDUE: '逾期',
  LAGGING: '进度滞后',
  DUE_SOON: '临期',
  ON_TRACK: '正常',
};

export const LAG_TOLERANCE_POINTS = 10;
/** Days before the deadline at which a task shows DUE_SOON (the yellow light). */
export const DUE_SOON_DAYS = 3;

export interface HealthInput {
  target: number;
  /** Done quantity as of `asOf` (from the progress history). */
  done: number;
  startDate: string;
  deadline: string;
  asOf: string;
}

/** Share of a task's time that has passed on `asOf`, 0..1 (the deadline day counts as the last day). */
export function elapsedShare(startDate: string, deadline: string, asOf: string): number {
  const span = daysBetween(startDate, deadline) + 1;
  const passed = daysBetween(startDate, asOf) + 1;
  return Math.min(1, Math.max(0, passed / span));
}

/**
 * A task's health on a date. In order of precedence: DONE (target reached),
 * OVERDUE (past the deadline and not done), LAGGING (done share behind the
 * elapsed-time share by more than {@link LAG_TOLERANCE_POINTS}), DUE_SOON
 * (deadline within {@link DUE_SOON_DAYS} days), ON_TRACK. LAGGING outranks
 * DUE_SOON: a task that is both needs supervision, not just a reminder.
 */
export function taskHealth(input: HealthInput, tolerance = LAG_TOLERANCE_POINTS): TaskHealth {
  if (input.done >= input.target) return TaskHealth.DONE;
  if (input.asOf > input.deadline) return TaskHealth.OVERDUE;
  const doneShare = input.done / input.target;
  const timeShare = elapsedShare(input.startDate, input.deadline, input.asOf);
  if ((timeShare - doneShare) * 100 > tolerance) return TaskHealth.LAGGING;
  if (daysBetween(input.asOf, input.deadline) <= DUE_SOON_DAYS) return TaskHealth.DUE_SOON;
  return TaskHealth.ON_TRACK;
}

/** Health values that call for supervision (督办). */
export const NEEDS_SUPERVISION = new Set([TaskHealth.LAGGING, TaskHealth.OVERDUE]);

/**
 * Problems with a progress entry, as [field, message, 中文提示] triples: progress is
 * dated, never in the future, never before the assignment's last entry (so a
 * later entry cannot rewrite what a past report showed), and never above the
 * assignment's target.
 */
export function progressProblems(
  entry: { asOf: string; done: number },
  assignment: { target: number; lastAsOf: string | null },
  today: string,
): [field: string, message: string, messageZh: string][] {
  const problems: [string, string, string][] = [];
  if (entry.asOf > today) {
    problems.push(['asOf', `asOf ${entry.asOf} is in the future (today is ${today})`, `截至日期 ${entry.asOf} 晚于今天（${today}），不能填报以后的进度`]);
  }
  if (assignment.lastAsOf && entry.asOf < assignment.lastAsOf) {
    problems.push([
      'asOf',
      `asOf ${entry.asOf} precedes the last recorded progress (${assignment.lastAsOf}); progress is appended in date order`,
      `截至日期 ${entry.asOf} 早于上次填报的日期（${assignment.lastAsOf}），进度须按日期先后填报`,
    ]);
  }
  if (entry.done > assignment.target) {
    problems.push([
      'done',
      `done ${entry.done} exceeds the assignment's target ${assignment.target}`,
      `累计完成 ${entry.done} 超过了分解目标 ${assignment.target}`,
    ]);
  }
  return problems;
}

/** An approved deadline extension (延期) of a task: the new deadline, and when it was decided (China date and instant, ms). */
export interface ApprovedExtension {
  deadline: string;
  decidedOn: string;
  decidedAtMs: number;
}

/**
 * 在用期限 — the deadline in force on `asOf`, as known at `knownAt` (an ISO instant, or none: everything
 * recorded): the last approved extension decided on or before `asOf` (and recorded by `knownAt`), else
 * the original deadline. An extension approved on D applies to as-of dates on or after D.
 */
export function deadlineInForce(original: string, extensions: readonly ApprovedExtension[], asOf: string, knownAt?: string | null): string {
  const parsed = knownAt ? Date.parse(knownAt) : NaN; // 'infinity' (KNOWN_NOW) parses as NaN: no bound
  const bound = Number.isNaN(parsed) ? Number.POSITIVE_INFINITY : parsed;
  let deadline = original;
  let last = -Infinity;
  for (const e of extensions) {
    if (e.decidedOn <= asOf && e.decidedAtMs <= bound && e.decidedAtMs >= last) {
      deadline = e.deadline;
      last = e.decidedAtMs;
    }
  }
  return deadline;
}
