import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';

/** The kinds of event after which an area's rolled-up statistics may have changed. */
export const STATS_KINDS: SubjectKind[] = [SubjectKind.OBSERVATION, SubjectKind.REPORTING_PERIOD, SubjectKind.AREA];

/** The kinds of event after which a task (its progress, hence its health) may have changed. */
export const TASK_KINDS: SubjectKind[] = [SubjectKind.TASK, SubjectKind.TASK_ASSIGNMENT];

/** Whether a facility event is a status transition (建设中 → 建成 …), the only kind `facilityStatusChanged` delivers. */
export function isStatusChange(action: ProgressAction): boolean {
  return action === ProgressAction.STATUS_CHANGED;
}

/** Shortest gap between two `statsChanged` messages of one subscription (ms). */
export const STATS_MIN_INTERVAL_MS = 1_000;

/**
 * How long a subscription must still wait before its next message may go out:
 * at most one message per `intervalMs`, and none sooner than `lastSentAt + intervalMs`.
 */
export function coalesceDelay(lastSentAt: number, now: number, intervalMs = STATS_MIN_INTERVAL_MS): number {
  return Math.max(0, lastSentAt + intervalMs - now);
}
