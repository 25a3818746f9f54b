import { describe, expect, it } from 'vitest';
import { ProgressAction, SubjectKind, progressUpdateFromRow, type ProgressUpdate } from './progress.entity.js';
import { progressScope } from './progress.rules.js';
import { QUEUE_FULL_MESSAGE, Subscriber } from './progress.subscriber.js';
import { Role, type Viewer } from '../../auth/auth.rules.js';

const viewer: Viewer = { sub: 'u', name: 'u', role: Role.COUNTY_ADMIN, areaCode: '511921000000' };
const scope = progressScope('511921000000', ['511921000000', '511921999999'], true, null);

function event(sequence: number): ProgressUpdate {
  return progressUpdateFromRow({
    sequence: String(sequence),
    subject_kind: SubjectKind.FACILITY,
    subject_id: 'RmFjaWxpdHk6MQ',
    area_code: '511921001001',
    action: ProgressAction.STATUS_CHANGED,
    actor_sub: 'system',
    actor_name: 'system',
    actor_role: null,
    summary: `event ${sequence}`,
    before: null,
    after: null,
    occurred_at: new Date(0),
  });
}

function subscriber(maxQueued: number) {
  const closed: Subscriber[] = [];
  const s = new Subscriber(viewer, scope, 0n, (gone) => closed.push(gone), maxQueued);
  return { s, closed };
}

const sequenceOf = async (s: Subscriber) => {
  const result = await s.next();
  return result.done ? 'done' : result.value.sequence;
};

describe('Subscriber queue', () => {
  it('hands events to a waiting next() at once and queues the rest in order', async () => {
    const { s } = subscriber(3);
    const pending = s.next();
    s.push(event(1));
    expect(await pending).toMatchObject({ done: false, value: { sequence: '1' } });
    s.push(event(2));
    s.push(event(3));
    s.push(event(4)); // exactly maxQueued (3) queued: still fine
    expect([await sequenceOf(s), await sequenceOf(s), await sequenceOf(s)]).toEqual(['2', '3', '4']);
    expect(s.closed).toBe(false);
  });

  it('fails a slow subscriber whose queue is full: the queue is dropped, the next next() rejects once, then it is closed', async () => {
    const { s, closed } = subscriber(3);
    for (const n of [1, 2, 3]) s.push(event(n));
    s.push(event(4)); // the fourth finds the queue full
    // Nothing queued before the overflow is delivered: the error comes first.
    await expect(s.next()).rejects.toThrow(QUEUE_FULL_MESSAGE);
    expect(s.closed).toBe(true);
    expect(closed).toEqual([s]);
    expect(await s.next()).toEqual({ value: undefined, done: true });
  });

  it('delivers nothing pushed after the overflow, so resuming from the last cursor received misses nothing', async () => {
    const { s } = subscriber(2);
    s.push(event(1));
    expect(await sequenceOf(s)).toBe('1'); // the client's last cursor: 1
    for (const n of [2, 3, 4]) s.push(event(n)); // 4 overflows: 2 and 3 are dropped
    s.push(event(5));
    s.push(event(6));
    await expect(s.next()).rejects.toThrow(QUEUE_FULL_MESSAGE);
    expect(await s.next()).toEqual({ value: undefined, done: true });
  });

  it('rejects a pending next() at once when failed while waiting', async () => {
    const { s, closed } = subscriber(2);
    const pending = s.next();
    s.fail(new Error('listener gone'));
    await expect(pending).rejects.toThrow('listener gone');
    expect(closed).toEqual([s]);
    s.push(event(1));
    expect(await s.next()).toEqual({ value: undefined, done: true });
  });

  it('ends at once on return(), even while next() is pending, and reports its close once', async () => {
    const { s, closed } = subscriber(2);
    const pending = s.next();
    expect(await s.return()).toEqual({ value: undefined, done: true });
    expect(await pending).toEqual({ value: undefined, done: true });
    await s.return();
    expect(closed).toEqual([s]);
  });
});
