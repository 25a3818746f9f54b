import { describe, expect, it } from 'vitest';
import { encodeCursor, pageRequest, toPage } from './connection.js';
import { fromGlobalId, toGlobalId } from './global-id.js';

describe('pageRequest', () => {
  it('defaults to 100 items from the start', () => {
    expect(pageRequest({})).toEqual({ first: 100, afterKey: null });
  });

  it('decodes its own cursors', () => {
    expect(pageRequest({ first: 5, after: encodeCursor('511921001000') })).toEqual({ first: 5, afterKey: '511921001000' });
  });

  it.each([101, -1, 1.5])('rejects first: %s', (first) => {
    expect(() => pageRequest({ first })).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'first' }));
  });

  it.each(['', 'abc', Buffer.from('x:1').toString('base64url'), encodeCursor('1') + '='])('rejects the cursor "%s"', (after) => {
    expect(() => pageRequest({ after })).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }));
  });
});

describe('toPage', () => {
  const key = (n: number) => String(n);
  it('uses the extra row only to say a next page exists', () => {
    const page = toPage([1, 2, 3], { first: 2, afterKey: null }, key, 10);
    expect(page.nodes).toEqual([1, 2]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: encodeCursor('1'), endCursor: encodeCursor('2') });
    expect(page.edges.map((e) => e.node)).toEqual([1, 2]);
    expect(page.totalCount).toBe(10);
  });

  it('counts lazily when the total is a function', async () => {
    let calls = 0;
    const page = toPage([1], { first: 2, afterKey: '0' }, key, async () => ++calls);
    expect(calls).toBe(0);
    expect(await page.totalCount).toBe(1);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });
});

describe('global IDs', () => {
  it('round-trips type and key', () => {
    expect(fromGlobalId(toGlobalId('Area', '511921000000'))).toEqual({ type: 'Area', key: '511921000000' });
  });

  it.each(['', 'Area', '!!!', Buffer.from('Area:').toString('base64url')])('rejects "%s"', (id) => {
    expect(() => fromGlobalId(id)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'id' }));
  });
});
