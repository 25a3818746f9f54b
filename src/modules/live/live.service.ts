import { keyOf } from '../../common/ids.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { renewContext, type Context } from '../../graphql/context.js';
import type { Facility } from '../facility/facility.entity.js';
import { facilityService } from '../facility/facility.service.js';
import { SubjectKind, type ProgressUpdate } from '../progress/progress.entity.js';
import { liveFeedOf, progressService } from '../progress/progress.service.js';
import type { StatValue } from '../stats/stats.entity.js';
import type { Period } from '../stats/stats.rules.js';
import { statsService } from '../stats/stats.service.js';
import type { Task } from '../task/task.entity.js';
import { taskService } from '../task/task.service.js';
import { coalesceDelay, isStatusChange, STATS_KINDS, STATS_MIN_INTERVAL_MS, TASK_KINDS } from './live.rules.js';
import { normalizeCode } from '../../common/codes.js';

type Stream<T> = AsyncGenerator<T, undefined>;
const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * The hub's event stream turned into current objects: each event is mapped
 * (with a fresh per-event context) to what it is about, or skipped (null).
 * Ending it ends the hub subscription at once, even while a read is pending.
 */
class MappedStream<T> implements Stream<T> {
  constructor(
    private readonly source: Stream<ProgressUpdate>,
    private readonly map: (update: ProgressUpdate) => Promise<T | null>,
  ) {}

  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      const event = await this.source.next();
      if (event.done) return DONE;
      const value = await this.map(event.value);
      if (value !== null) return { value, done: false };
    }
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    await this.source.return(undefined);
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<T, undefined>> {
    await this.source.return(undefined);
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.source.return(undefined);
  }
}

/**
 * First `initial`, then, whenever events have arrived, a freshly computed
 * value — at most one per `intervalMs`, however many events came in between,
 * and only when it differs from the last one sent. Events are drained as they
 * come, so a burst costs one recomputation, which reflects all of it.
 */
class CoalescedStream<T> implements Stream<T> {
  private pending = false;
  private ended = false;
  private failure: unknown = null;
  private closed = false;
  private first = true;
  private lastSentAt = 0;
  private lastSent: string;
  private wakeUp: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly source: Stream<ProgressUpdate>,
    private readonly initial: T,
    private readonly compute: () => Promise<T>,
    private readonly intervalMs = STATS_MIN_INTERVAL_MS,
  ) {
    this.lastSent = JSON.stringify(initial);
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const event = await this.source.next();
        if (event.done) break;
        this.pending = true;
        this.wake();
      }
    } catch (error) {
      this.failure = error;
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = null;
    wakeUp?.();
  }

  /** Sleeps until woken (an event, the end, return()) or, with `ms`, until then. */
  private pause(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = () => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        resolve();
      };
      if (ms !== undefined) this.timer = setTimeout(() => this.wake(), ms);
    });
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    if (this.first) {
      this.first = false;
      this.lastSentAt = Date.now();
      return { value: this.initial, done: false };
    }
    for (;;) {
      while (!this.pending && !this.ended && !this.closed) await this.pause();
      if (this.closed) return DONE;
      if (!this.pending) {
        if (this.failure) throw this.failure;
        return DONE;
      }
      const delay = coalesceDelay(this.lastSentAt, Date.now(), this.intervalMs);
      const until = Date.now() + delay;
      // Events arriving meanwhile only wake us early: keep waiting out the interval.
      while (!this.closed && Date.now() < until) await this.pause(until - Date.now());
      if (this.closed) return DONE;
      this.pending = false;
      const value = await this.compute();
      const text = JSON.stringify(value);
      if (text === this.lastSent) continue;
      this.lastSent = text;
      this.lastSentAt = Date.now();
      return { value, done: false };
    }
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake();
    await this.source.return(undefined);
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<T, undefined>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}

/** A subject that vanished or left the viewer's reach since its event: nothing to deliver. */
function skipGone(error: unknown): null {
  if (error instanceof DomainError && (error.code === ErrorCode.NOT_FOUND || error.code === ErrorCode.FORBIDDEN)) return null;
  throw error;
}

/**
 * Derived live subscriptions (派生订阅): thin layers over the context's progress feed.
 * Each checks scope like `progressUpdated` (signed in, area inside the
 * viewer's subtree), listens to the hub for the relevant event kinds, and
 * re-reads the current object through its feature's service with a fresh
 * per-event context, so permissions and current data apply to every message.
 */
export class LiveService {
  /** 设施状态变更 — the facility, as it is now, after each status transition in the subtree. */
  async facilityStatusChanged(ctx: Context, args: { area: string; includeDescendants?: boolean | null }): Promise<Stream<Facility>> {
    const { viewer, scope } = await progressService.scope(ctx, { ...args, kinds: [SubjectKind.FACILITY] });
    const source = await liveFeedOf(ctx).subscribe(viewer, scope, null);
    return new MappedStream(source, async (update) => {
      if (!isStatusChange(update.action)) return null;
      renewContext(ctx);
      return facilityService.byKey(ctx, keyOf(update.subjectId, 'Facility', 'subjectId')).catch(skipGone);
    });
  }

  /** 任务进展 — the task, as it is now, after each change to it or to one of its assignments in the subtree. */
  async taskHealthChanged(ctx: Context, args: { area: string }): Promise<Stream<Task>> {
    const { viewer, scope } = await progressService.scope(ctx, { area: args.area, includeDescendants: true, kinds: TASK_KINDS });
    const source = await liveFeedOf(ctx).subscribe(viewer, scope, null);
    return new MappedStream(source, async (update) => {
      renewContext(ctx);
      try {
        if (update.subjectKind === SubjectKind.TASK) return await taskService.byId(ctx, update.subjectId);
        const assignment = await taskService.assignmentByKey(ctx, keyOf(update.subjectId, 'TaskAssignment', 'subjectId'));
        return assignment ? await taskService.byKey(ctx, assignment.taskKey) : null;
      } catch (error) {
        return skipGone(error);
      }
    });
  }

  /**
   * 统计汇总 (live) — the area's rolled-up values now, then again after
   * reports, period or area changes in its subtree, coalesced to at most one
   * message per second.
   */
  async statsChanged(ctx: Context, args: { area: string; period: Period; indicators?: string[] | null }): Promise<Stream<StatValue[]>> {
    const { viewer, scope } = await progressService.scope(ctx, { area: args.area, includeDescendants: true, kinds: STATS_KINDS });
    const area = (await ctx.loaders.area.byCode.load(normalizeCode(args.area, 'area')))!;
    // Listen first, then read: a report committed in between is seen by both, never by neither.
    const source = await liveFeedOf(ctx).subscribe(viewer, scope, null);
    try {
      const initial = await statsService.stats(ctx, area, args.period, args.indicators);
      return new CoalescedStream(source, initial, async () => {
        renewContext(ctx);
        return statsService.stats(ctx, area, args.period, args.indicators);
      });
    } catch (error) {
      await source.return(undefined);
      throw error;
    }
  }
}

export const liveService = new LiveService();
