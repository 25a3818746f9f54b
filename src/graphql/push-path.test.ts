import { GraphQLError, type ExecutionResult } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { pushThrough, sharedAnswers, type DirectSink } from './shared-subscribe.js';
import { Role, type Viewer } from '../auth/auth.rules.js';
import type { ProgressUpdate } from '../modules/progress/progress.entity.js';
import { progressScope } from '../modules/progress/progress.rules.js';
import { QUEUE_FULL_MESSAGE, Subscriber } from '../modules/progress/progress.subscriber.js';

const viewer: Viewer = { sub: 'u', name: 'u', role: Role.COUNTY_ADMIN, areaCode: '511921000000' };
const scope = progressScope('511921000000', ['511921000000', '511921999999'], true, null);

const source = () => new Subscriber(viewer, scope, 0n, () => {}, 100);
const event = (sequence: number) => ({ sequence: String(sequence) }) as unknown as ProgressUpdate;
const sharedEvent = (sequence: number) => Object.assign(event(sequence), { sharedEvent: true });
const answerTo = (payload: unknown): ExecutionResult => ({ data: { progressUpdated: payload as Record<string, unknown> } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const later = <T>(value: T, ms = 20) => sleep(ms).then(() => value);

/** Records every send; `accept` answers whether the socket took it. */
function recordingSink(accept: () => boolean = () => true) {
  const sent: { result: ExecutionResult; json: string | null }[] = [];
  const sink: DirectSink = {
    send(result, json) {
      sent.push({ result, json });
      return accept();
    },
  };
  return { sink, sent, sequences: () => sent.map(({ result }) => (result.data?.progressUpdated as { sequence?: string } | undefined)?.sequence) };
}

/** 'pending' when `promise` has not settled within a short while. */
const state = (promise: Promise<unknown>) =>
  Promise.race([
    promise.then(
      () => 'settled',
      () => 'settled',
    ),
    sleep(20).then(() => 'pending'),
  ]);

/** One push-path subscription on a Subscriber of its own. */
function subscription(key: string | null, own: (payload: unknown) => ExecutionResult | Promise<ExecutionResult> = answerTo, accept?: () => boolean) {
  const s = source();
  const recorded = recordingSink(accept);
  const context = {};
  const ownFn = vi.fn(own);
  const stream = pushThrough(s, recorded.sink, key, context, ownFn);
  return { s, stream, own: ownFn, context, ...recorded };
}

describe('pushThrough (the graphql-ws push path)', () => {
  it('sends events queued before listen and pushed after it in order, as JSON text, and ends only when the source does', async () => {
    const s = source();
    s.push(event(1));
    const { sink, sent, sequences } = recordingSink();
    const stream = pushThrough(s, sink, null, {}, answerTo);
    s.push(event(2));
    s.push(event(3));
    expect(sequences()).toEqual(['1', '2', '3']);
    for (const { result, json } of sent) expect(json).toBe(JSON.stringify(result));
    const next = stream.next();
    expect(await state(next)).toBe('pending');
    await s.return();
    expect(await next).toEqual({ value: undefined, done: true });
  });

  it('keeps each subscription’s order when an earlier answer is still executing', async () => {
    const sub = subscription(null, (payload) => ((payload as { sequence: string }).sequence === '1' ? later(answerTo(payload)) : answerTo(payload)));
    sub.s.push(event(1));
    sub.s.push(event(2));
    expect(sub.sent).toEqual([]);
    await sleep(40);
    expect(sub.sequences()).toEqual(['1', '2']);
  });

  it('executes a shareable event once for every subscription with the same answer key, each sink getting the same JSON', () => {
    const subs = [subscription('k'), subscription('k'), subscription('k')];
    const reused = sharedAnswers.reused;
    const payload = sharedEvent(1);
    for (const { s } of subs) s.push(payload);
    expect(subs.reduce((calls, { own }) => calls + own.mock.calls.length, 0)).toBe(1);
    expect(sharedAnswers.reused - reused).toBe(2);
    const json = JSON.stringify(answerTo(payload));
    for (const { sent } of subs) expect(sent.map((s) => s.json)).toEqual([json]);
  });

  it('resumes every subscription waiting on a shared answer once it settles, each in its own order', async () => {
    const subs = [subscription('k', (p) => later(answerTo(p))), subscription('k', (p) => later(answerTo(p))), subscription('k', (p) => later(answerTo(p)))];
    const payload = sharedEvent(1);
    for (const { s } of subs) s.push(payload);
    // Each subscription's own next event waits behind the shared one.
    for (const { s } of subs) s.push(event(2));
    expect(subs.map(({ own }) => own.mock.calls.length)).toEqual([2, 1, 1]); // the shared event once (by the first), event 2 by each
    expect(subs.flatMap(({ sent }) => sent)).toEqual([]);
    await sleep(60);
    const json = JSON.stringify(answerTo(payload));
    for (const sub of subs) {
      expect(sub.sequences()).toEqual(['1', '2']);
      expect(sub.sent[0]!.json).toBe(json);
    }
    expect(subs[0]!.own.mock.calls.map(([p]) => p)).toEqual([payload, event(2)]);
  });

  it('executes a shareable event for each answer key', () => {
    const subs = [subscription('a'), subscription('b'), subscription('c')];
    const payload = sharedEvent(1);
    for (const { s } of subs) s.push(payload);
    expect(subs.map(({ own }) => own.mock.calls.length)).toEqual([1, 1, 1]);
  });

  it('executes per subscription an event that is not shareable, or any event when there is no answer key', () => {
    const keyed = [subscription('k'), subscription('k')];
    const notShareable = event(1);
    for (const { s } of keyed) s.push(notShareable);
    expect(keyed.map(({ own }) => own.mock.calls.length)).toEqual([1, 1]);

    const unkeyed = [subscription(null), subscription(null)];
    const payload = sharedEvent(2);
    for (const { s } of unkeyed) s.push(payload);
    expect(unkeyed.map(({ own }) => own.mock.calls.length)).toEqual([1, 1]);
  });

  it('does not reuse a shared answer with errors: other subscriptions execute their own, on their own context', () => {
    const failed: ExecutionResult = { data: null, errors: [new GraphQLError('x')] };
    const first = subscription('k', () => failed);
    const others = [subscription('k'), subscription('k')];
    const payload = sharedEvent(1);
    const reused = sharedAnswers.reused;
    for (const { s } of [first, ...others]) s.push(payload);
    expect(sharedAnswers.reused - reused).toBe(0);
    expect(first.sent).toEqual([{ result: failed, json: null }]);
    for (const other of others) {
      expect(other.own).toHaveBeenCalledTimes(1);
      expect(other.sent).toEqual([{ result: answerTo(payload), json: JSON.stringify(answerTo(payload)) }]);
    }
  });

  it('sends nothing more once the sink is full, not even events already waiting, and fails the stream with the queue-full error', async () => {
    const sub = subscription(
      null,
      (p) => ((p as { sequence: string }).sequence === '1' ? later(answerTo(p)) : answerTo(p)),
      () => false,
    );
    sub.s.push(event(1));
    sub.s.push(event(2)); // waits behind event 1
    // Handled from the start: the stream fails while the test waits.
    const failed = expect(sub.stream.next()).rejects.toThrow(QUEUE_FULL_MESSAGE);
    await sleep(40);
    sub.s.push(event(3));
    expect(sub.sequences()).toEqual(['1']);
    await failed;
  });

  it('ends the stream only after the answer still executing when the source ends is sent', async () => {
    const order: string[] = [];
    const s = source();
    const stream = pushThrough(
      s,
      {
        send: () => {
          order.push('sent');
          return true;
        },
      },
      null,
      {},
      (p) => later(answerTo(p)),
    );
    s.push(event(1));
    const next = stream.next().then((result) => {
      order.push('complete');
      return result;
    });
    await s.return();
    expect(await next).toEqual({ value: undefined, done: true });
    expect(order).toEqual(['sent', 'complete']);
  });

  it('sends nothing after return(), not even an answer that was still executing', async () => {
    const sub = subscription(null, (p) => ((p as { sequence: string }).sequence === '1' ? answerTo(p) : later(answerTo(p))));
    sub.s.push(event(1));
    sub.s.push(event(2)); // still executing when the stream is returned
    expect(await sub.stream.return()).toEqual({ value: undefined, done: true });
    expect(sub.s.closed).toBe(true);
    sub.s.push(event(3));
    await sleep(40);
    expect(sub.sequences()).toEqual(['1']);
  });
  it('ends only the subscription whose execution throws while resuming from a shared answer; the others still get theirs', async () => {
    const failed: ExecutionResult = { data: null, errors: [new GraphQLError('x')] };
    const first = subscription('k', () => later(failed, 10));
    const throwing = subscription('k', () => {
      throw new Error('boom');
    });
    const last = subscription('k');
    const rejected = expect(throwing.stream.next()).rejects.toThrow('boom');
    const payload = sharedEvent(1);
    for (const { s } of [first, throwing, last]) s.push(payload);
    await sleep(40);
    await rejected;
    expect(throwing.s.closed).toBe(true);
    expect(throwing.sent).toEqual([]);
    expect(first.sent).toEqual([{ result: failed, json: null }]);
    expect(last.sent).toEqual([{ result: answerTo(payload), json: JSON.stringify(answerTo(payload)) }]);
  });

  it('keeps a sink that throws from the hub: pushing does not throw, and that subscription alone ends with the error', async () => {
    const payload = sharedEvent(1);
    const broken = subscription('k', answerTo, () => {
      throw new Error('socket gone');
    });
    const fine = subscription('k');
    const rejected = expect(broken.stream.next()).rejects.toThrow('socket gone');
    expect(() => broken.s.push(payload)).not.toThrow();
    fine.s.push(payload);
    await rejected;
    broken.s.push(event(2));
    expect(broken.sent).toHaveLength(1);
    expect(fine.sequences()).toEqual(['1']);
  });

  it('ends a subscription whose own execution throws at once, without throwing into the hub', async () => {
    const sub = subscription(null, () => {
      throw new Error('sync');
    });
    const rejected = expect(sub.stream.next()).rejects.toThrow('sync');
    expect(() => sub.s.push(event(1))).not.toThrow();
    await rejected;
    expect(sub.s.closed).toBe(true);
    expect(sub.sent).toEqual([]);
  });
});
