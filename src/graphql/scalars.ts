import { GraphQLScalarType } from 'graphql';
import { GraphQLDateTimeISO } from 'graphql-scalars';

/**
 * PostgreSQL's text form of a `timestamptz` ("2026-12-07 16:02:13.831017+00"), as
 * rows read with plain SQL carry it: MikroORM's PostgreSQL driver makes `pg` return
 * timestamps as text, for every connection of the process.
 */
const POSTGRES_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/;

/** A timestamp in PostgreSQL's text form rewritten as ISO 8601 with an offset; anything else as it is. */
export function isoTimestamp(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = POSTGRES_TIMESTAMP.exec(value);
  if (!match) return value;
  const [, date, time, hours, minutes = '00', seconds] = match;
  // An offset with seconds (only historical local mean times have one) has no ISO form: go through Date.
  if (seconds) {
    const offset = (hours.startsWith('-') ? -1 : 1) * (Math.abs(Number(hours)) * 3600 + Number(minutes) * 60 + Number(seconds));
    return new Date(Date.parse(`${date}T${time}Z`) - offset * 1000);
  }
  return `${date}T${time}${hours}:${minutes}`;
}

/**
 * `DateTimeISO` as type-graphql declares it (graphql-scalars' scalar, same name and
 * description, so the SDL does not change), serializing what plain-SQL rows carry
 * too: PostgreSQL's timestamp text as well as `Date`s and ISO strings. Every
 * timestamp leaves the API as ISO 8601 in UTC (`2026-12-07T16:02:13.831Z`).
 */
export const DateTimeISO = new GraphQLScalarType({
  ...GraphQLDateTimeISO.toConfig(),
  serialize: (value) => GraphQLDateTimeISO.serialize(isoTimestamp(value)),
});
