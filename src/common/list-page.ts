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
 * A connection page over an append-only history its loader reads whole, oldest or newest first.
 * An entry's cursor is its ordinal from the oldest (0, 1, …), which entries recorded later do
 * not change; like a keyset cursor, `after` continues with the entries past that ordinal in the
 * list's order, whether or not this list holds it (a shorter list as known at an earlier instant).
 */
export function pageOfHistory<T>(items: readonly T[], args: PageArgs, order: 'oldestFirst' | 'newestFirst'): Page<T> {
  const request = pageRequest(args);
  const ordinalAt = (index: number) => (order === 'oldestFirst' ? index : items.length - 1 - index);
  const ordinal = new Map(items.map((item, index) => [item, ordinalAt(index)]));
  const keyOf = (item: T) => String(ordinal.get(item));
  let start = 0;
  if (request.afterKey !== null) {
    if (!/^(0|[1-9]\d{0,8})$/.test(request.afterKey)) throw badInput('after', `"${args.after}" is not a cursor of this history`);
    const after = Number(request.afterKey);
    // Oldest first: the entries with a greater ordinal; newest first: those with a smaller one.
    start = order === 'oldestFirst' ? after + 1 : Math.max(0, items.length - after);
  }
  return toPage(items.slice(start, start + request.first + 1), request, keyOf, items.length);
}
