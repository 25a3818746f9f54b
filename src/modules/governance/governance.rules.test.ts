import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  checkBody,
  checkOpennessEntries,
  EnrolmentStatus as S,
  isIsoDate,
  parseQuarter,
  previousQuarter,
  PublicationForm,
  quarterOfDate,
  share,
  todayInChina,
} from './governance.rules.js';

describe('enrolment lifecycle', () => {
  it.each([
    [S.APPLIED, S.CREATING],
    [S.CREATING, S.ASSESSED],
    [S.ASSESSED, S.AWARDED],
    [S.APPLIED, S.DROPPED],
    [S.CREATING, S.DROPPED],
    [S.ASSESSED, S.DROPPED],
  ])('allows %s → %s', (from, to) => expect(() => assertTransition(from, to)).not.toThrow());

  it.each([
    [S.APPLIED, S.ASSESSED],
    [S.APPLIED, S.AWARDED],
    [S.CREATING, S.APPLIED],
    [S.ASSESSED, S.CREATING],
    [S.AWARDED, S.DROPPED],
    [S.DROPPED, S.APPLIED],
    [S.APPLIED, S.APPLIED],
  ])('rejects %s → %s', (from, to) =>
    expect(() => assertTransition(from, to)).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION', field: 'status' })),
  );
});

describe('quarters', () => {
  it('parses and bounds a quarter', () => {
    expect(parseQuarter('2026Q3')).toEqual({ text: '2026Q3', year: 2026, quarter: 3, start: '2026-07-01', end: '2026-09-30' });
    expect(parseQuarter('2024q1').end).toBe('2024-03-31');
    expect(parseQuarter('2026Q4').end).toBe('2026-12-31');
  });
  it.each(['2026Q5', '2026Q0', '2026-3', 'Q3 2026', '', '1999Q1', '26Q1'])('rejects "%s"', (text) =>
    expect(() => parseQuarter(text, 'quarter')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'quarter' })),
  );
  it('finds the quarter of a date and steps back across years', () => {
    expect(quarterOfDate('2026-11-28').text).toBe('2026Q4');
    expect(quarterOfDate('2026-01-01').text).toBe('2026Q1');
    expect(previousQuarter(parseQuarter('2026Q1')).text).toBe('2025Q4');
    expect(previousQuarter(parseQuarter('2026Q4'), 2).text).toBe('2026Q2');
  });
  it('uses the China calendar day', () => {
    expect(todayInChina(new Date('2026-12-31T17:00:00Z'))).toBe('2027-01-01');
  });
  it('knows real dates', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-30')).toBe(false);
    expect(isIsoDate('2026-2-3')).toBe(false);
  });
});

describe('body rules', () => {
  const members = [
    { name: '张三', role: '会长' },
    { name: '李四', role: '成员' },
  ];
  it('accepts a body whose chair is a member', () => {
    expect(checkBody({ establishedOn: '2024-01-01', chair: '张三', members }, '2026-11-28')).toEqual([]);
  });
  it('names each problem', () => {
    const problems = checkBody({ establishedOn: '2027-01-01', chair: '王五', members: [...members, { name: '张三', role: '成员' }] }, '2026-11-28');
    expect(problems.map((p) => [p.code, p.field])).toEqual([
      ['BAD_USER_INPUT', 'establishedOn'],
      ['BAD_USER_INPUT', 'members.2.name'],
      ['BAD_USER_INPUT', 'chair'],
    ]);
  });
});

describe('openness rules', () => {
  const checklist = new Map([
    ['FINANCES', { active: true }],
    ['PROJECTS', { active: true }],
    ['OLD', { active: false }],
  ]);
  const q3 = parseQuarter('2026Q3');
  const today = '2026-11-28';
  const ok = { itemCode: 'FINANCES', published: true, form: PublicationForm.BOTH, publishedOn: '2026-07-15' };

  it('accepts published and unpublished items', () => {
    expect(checkOpennessEntries(q3, [ok, { itemCode: 'PROJECTS', published: false }], checklist, today)).toEqual([]);
  });
  it('accepts the current quarter up to today', () => {
    expect(checkOpennessEntries(parseQuarter('2026Q4'), [{ ...ok, publishedOn: '2026-11-28' }], checklist, today)).toEqual([]);
  });
  it('rejects a future quarter', () => {
    expect(checkOpennessEntries(parseQuarter('2027Q1'), [], checklist, today)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'quarter' })]);
  });
  it('names every bad entry', () => {
    const problems = checkOpennessEntries(
      q3,
      [
        { ...ok, itemCode: 'NOPE' },
        { ...ok, itemCode: 'OLD' },
        { ...ok, itemCode: 'PROJECTS', publishedOn: '2026-10-01' },
        { ...ok, form: null, publishedOn: null },
        { itemCode: 'FINANCES', published: false, form: PublicationForm.ONLINE, publishedOn: '2026-07-01' },
        { ...ok, itemCode: 'PROJECTS', publishedOn: '2026-13-01' },
      ],
      checklist,
      today,
    );
    expect(problems.map((p) => [p.code, p.field])).toEqual([
      ['BAD_USER_INPUT', 'entries.0.itemCode'],
      ['BAD_USER_INPUT', 'entries.1.itemCode'],
      ['BAD_USER_INPUT', 'entries.2.publishedOn'],
      ['BAD_USER_INPUT', 'entries.3.form'],
      ['BAD_USER_INPUT', 'entries.3.publishedOn'],
      ['BAD_USER_INPUT', 'entries.4.itemCode'],
      ['BAD_USER_INPUT', 'entries.4.form'],
      ['BAD_USER_INPUT', 'entries.4.publishedOn'],
      ['BAD_USER_INPUT', 'entries.5.itemCode'],
      ['BAD_USER_INPUT', 'entries.5.publishedOn'],
    ]);
    expect(problems[0]!.message).toContain('"NOPE" is not an item of the openness checklist');
    expect(problems[2]!.message).toContain('outside 2026Q3 (2026-07-01 – 2026-09-30)');
  });
  it('rejects a publication date after today', () => {
    expect(checkOpennessEntries(parseQuarter('2026Q4'), [{ ...ok, publishedOn: '2026-12-01' }], checklist, today)).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'entries.0.publishedOn' }),
    ]);
  });
});

describe('share', () => {
  it('rounds and guards zero', () => {
    expect(share(1, 3)).toBe(0.3333);
    expect(share(0, 0)).toBe(0);
  });
});
