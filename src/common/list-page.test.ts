import { describe, expect, it } from 'vitest';
import { encodeCursor } from './connection.js';
import { DomainError } from './errors.js';
import { pageOfHistory, pageOfList } from './list-page.js';

const items = ['a', 'b', 'c', 'd', 'e'];
const fieldOf = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return error instanceof DomainError ? [error.code, error.field] : error;
  }
  return null;
};

/** Every page of `size`, following endCursor, as the nodes of each. */
function walk(list: string[], size: number, order: 'oldestFirst' | 'newestFirst'): string[][] {
  const pages: string[][] = [];
  let after: string | null = null;
  for (;;) {
    const page = pageOfHistory(list, { first: size, after }, order);
    pages.push(page.nodes);
    if (!page.pageInfo.hasNextPage) return pages;
    after = page.pageInfo.endCursor;
  }
}

describe('pageOfHistory', () => {
  it('pages a history in its order, oldest or newest first', () => {
    expect(walk(items, 2, 'oldestFirst')).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(walk([...items].reverse(), 2, 'newestFirst')).toEqual([['e', 'd'], ['c', 'b'], ['a']]);
    expect(pageOfHistory(items, {}, 'oldestFirst').totalCount).toBe(5);
  });

  it('keeps a cursor valid when entries are added (the ordinal counts from the oldest)', () => {
    const newestFirst = ['c', 'b', 'a'];
    const first = pageOfHistory(newestFirst, { first: 2 }, 'newestFirst');
    expect(first.nodes).toEqual(['c', 'b']);
    // Two entries recorded since: the page after 'b' still starts at 'a'.
    expect(pageOfHistory(['e', 'd', ...newestFirst], { first: 2, after: first.pageInfo.endCursor }, 'newestFirst').nodes).toEqual(['a']);
    const oldestFirst = pageOfHistory(['a', 'b'], { first: 1 }, 'oldestFirst');
    expect(pageOfHistory(['a', 'b', 'c'], { first: 5, after: oldestFirst.pageInfo.endCursor }, 'oldestFirst').nodes).toEqual(['b', 'c']);
  });

  it("continues past an ordinal this list does not hold, like a keyset cursor (a shorter list, another item's history)", () => {
    expect(pageOfHistory(['a'], { after: encodeCursor('7') }, 'oldestFirst').nodes).toEqual([]);
    expect(pageOfHistory(['b', 'a'], { after: encodeCursor('7') }, 'newestFirst').nodes).toEqual(['b', 'a']);
  });

  it('refuses a page over 100 and a cursor that is not an ordinal (BAD_USER_INPUT)', () => {
    expect(fieldOf(() => pageOfHistory(items, { first: 101 }, 'oldestFirst'))).toEqual(['BAD_USER_INPUT', 'first']);
    expect(fieldOf(() => pageOfHistory(items, { after: encodeCursor('x') }, 'oldestFirst'))).toEqual(['BAD_USER_INPUT', 'after']);
    expect(fieldOf(() => pageOfHistory(items, { after: 'not a cursor' }, 'oldestFirst'))).toEqual(['BAD_USER_INPUT', 'after']);
  });
});

describe('pageOfList', () => {
  it('pages by key, and refuses a key the list does not hold', () => {
    const page = pageOfList(items, { first: 2, after: encodeCursor('b') }, (item) => item);
    expect(page.nodes).toEqual(['c', 'd']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    expect(fieldOf(() => pageOfList(items, { after: encodeCursor('z') }, (item) => item))).toEqual(['BAD_USER_INPUT', 'after']);
  });
});
