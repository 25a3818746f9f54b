import { describe, expect, it } from 'vitest';
import { DateTimeISO, isoTimestamp } from './scalars.js';

describe('DateTimeISO', () => {
  it("serializes PostgreSQL's timestamptz text as ISO 8601 in UTC", () => {
    expect(DateTimeISO.serialize('2026-12-07 16:02:13.831017+00')).toBe('2026-12-07T16:02:13.831Z');
    expect(DateTimeISO.serialize('2026-12-07 16:02:13+08')).toBe('2026-12-07T08:02:13.000Z');
    expect(DateTimeISO.serialize('2026-12-07 16:02:13.5+05:30')).toBe('2026-12-07T10:32:13.500Z');
    expect(DateTimeISO.serialize('1900-01-01 00:00:00+08:05:43')).toBe('1899-12-31T15:54:17.000Z');
  });

  it('serializes Dates and ISO strings as before, and still refuses what is not a time', () => {
    expect(DateTimeISO.serialize(new Date('2026-05-01T00:00:00Z'))).toBe('2026-05-01T00:00:00.000Z');
    expect(DateTimeISO.serialize('2026-05-01T08:00:00+08:00')).toBe('2026-05-01T00:00:00.000Z');
    expect(() => DateTimeISO.serialize('yesterday')).toThrow(/DateTime cannot represent/);
    expect(isoTimestamp('2026-13-45 99:00:00+00')).toBe('2026-13-45T99:00:00+00:00');
    expect(() => DateTimeISO.serialize('2026-13-45 99:00:00+00')).toThrow();
  });

  it('keeps the name and description type-graphql gives it, so the SDL is unchanged', () => {
    expect(DateTimeISO.name).toBe('DateTimeISO');
    expect(DateTimeISO.description).toMatch(/^A date-time string at UTC/);
  });
});
