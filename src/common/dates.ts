import { badInput } from './errors.js';

/**
 * Calendar dates ('YYYY-MM-DD'): business dates of the bureau, in China
 * Standard Time. Plain strings compare in date order.
 */
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Today's calendar date in the county's time zone (China Standard Time), as 'YYYY-MM-DD'. */
export function todayInChina(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function isDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** First and last day of a month given as 'YYYY-MM'; BAD_USER_INPUT naming `field` otherwise. */
export function monthRange(month: string, field = 'month'): [string, string] {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw badInput(field, `${field} must be a month like "2026-05", got "${month}"`);
  const [year, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, m, 0)).toISOString().slice(0, 10);
  return [`${month}-01`, last];
}

/** A date argument, or today (Asia/Shanghai) when absent. */
export function asOfOrToday(asOf: string | null | undefined, field = 'asOf'): string {
  if (asOf == null) return todayInChina();
  if (!isDate(asOf)) throw badInput(field, `${field} must be a date like 2026-05-31`);
  return asOf;
}
