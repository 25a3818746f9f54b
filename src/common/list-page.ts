import { type Page, type PageArgs, pageRequest, toPage } from './connection.js';
import { badInput } from './errors.js';

/**
 * A connection page over a list its loader reads whole, for the connection fields that replace
 * plain lists which grow without bound (issue 32): `first` ≤ 100 and `after` as on every
 * connection, so one answer stays bounded. The cursor is the item's key (`keyOf`, unique in
 * the list); an `after` naming no item of the list is bad input on `after`.
 */
export function pageOfList<T>(items: readonly T[], args: PageArgs, keyOf: (item: T) => string): Page<T> {
  const request = pageRequest(args);
  let start = 0;
  if (request.afterKey !== null) {
    const at = items.findIndex((item) => keyOf(item) === request.afterKey);
    if (at < 0) throw badInput('after', `"${args.after}" names no item of this list (it may have left it): start again without \`after\``);
    start = at + 1;
  }
  return toPage(items.slice(start, start + request.first + 1), request, keyOf, items.length);
}

/**
 * {@link pageOfList} over an append-only history, oldest or newest first: an item's cursor is its
 * ordinal from the oldest (0, 1, …), which entries recorded later do not change.
 */
export function pageOfHistory<T>(items: readonly T[], args: PageArgs, order: 'oldestFirst' | 'newestFirst'): Page<T> {
  const ordinal = new Map(items.map((item, i) => [item, order === 'oldestFirst' ? i : items.length - 1 - i]));
  return pageOfList(items, args, (item) => String(ordinal.get(item)));
}
