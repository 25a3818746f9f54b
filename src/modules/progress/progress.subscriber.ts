import type { ProgressUpdate } from './progress.entity.js';
import type { ProgressScope } from './progress.rules.js';
import type { Viewer } from '../../auth/auth.rules.js';
import type { PushSource } from '../../graphql/shared-subscribe.js';

/** The message a subscriber whose queue overflowed ends with. */
export const QUEUE_FULL_MESSAGE = 'Too many undelivered progress updates: resubscribe with after set to the last cursor received';

/**
 * One live subscriber: an async iterator of events in sequence order. `position`
 * is the sequence up to which it has been served everything in its scope; the
 * hub only ever delivers an event whose sequence is above it, then raises it —
 * so nothing is delivered twice, and since sequences follow commit order,
 * nothing committed later can fall below it.
 */
export class Subscriber implements PushSource<ProgressUpdate> {
  private queue: ProgressUpdate[] = [];
  /** Set by {@link listen}: events go to it as they are pushed, and are never queued. */
  private listener: ((update: ProgressUpdate) => void) | null = null;
  private waiting: { resolve: (r: IteratorResult<ProgressUpdate, undefined>) => void; reject: (e: unknown) => void } | null = null;
  private failure: unknown = null;
  closed = false;

  constructor(
    readonly viewer: Viewer,
    readonly scope: ProgressScope,
    public position: bigint,
    private readonly onClose: (subscriber: Subscriber) => void,
    private readonly maxQueued: number,
  ) {}

  /**
   * Hands over one event: to a pending next() at once, else into the queue. A
   * queue already holding `maxQueued` events fails the subscription instead: the
   * queue is dropped and the next next() rejects, telling the client to
   * resubscribe after the last cursor it received. Events pushed after that
   * failure are dropped too, so the client's last cursor stays below every event
   * it missed and resuming from it loses nothing.
   */
  push(update: ProgressUpdate): void {
    if (this.closed || this.failure) return;
    if (this.listener) {
      this.listener(update);
    } else if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value: update, done: false });
    } else if (this.queue.length >= this.maxQueued) {
      this.overflow();
    } else {
      this.queue.push(update);
    }
  }

  /**
   * Push mode (the graphql-ws transport writes each event to its socket as it
   * comes): the events queued so far, then every pushed one, go to `listener`;
   * next() settles only at the end or on failure.
   */
  listen(listener: (update: ProgressUpdate) => void): void {
    this.listener = listener;
    const queued = this.queue;
    this.queue = [];
    for (const update of queued) {
      if (this.closed || this.failure) return;
      listener(update);
    }
  }

  /** The consumer cannot keep up (its connection's buffer is full): fails as a full queue does. */
  overflow(): void {
    this.fail(new Error(QUEUE_FULL_MESSAGE));
  }

  /** Ends the subscription with `error`: the next next() (or a pending one) rejects with it. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = error;
    this.queue = [];
    if (this.waiting) {
      const { reject } = this.waiting;
      this.waiting = null;
      // Handed over here: later next() calls just see the end.
      this.failure = null;
      this.finish();
      reject(error);
    }
  }

  next(): Promise<IteratorResult<ProgressUpdate, undefined>> {
    const update = this.queue.shift();
    if (update) return Promise.resolve({ value: update, done: false });
    if (this.failure) {
      const error = this.failure;
      this.failure = null;
      this.finish();
      return Promise.reject(error);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  // Unlike an `async function*`, ending here takes effect at once, even while
  // next() is pending: graphql-ws awaits it when a socket closes.
  return(): Promise<IteratorResult<ProgressUpdate, undefined>> {
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<ProgressUpdate, undefined>> {
    this.finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.onClose(this);
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value: undefined, done: true });
    }
  }
}
