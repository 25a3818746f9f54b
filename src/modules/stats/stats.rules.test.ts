import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors.js';
import {
  ApprovalStatus,
  INDICATORS,
  PeriodKind,
  ReviewDecision,
  TimeAggregation,
  checkValue,
  indicatorOf,
  indicatorsOf,
  monthOf,
  nextPeriod,
  parsePeriod,
  periodRange,
  reviewTransition,
  submitTransition,
} from './stats.rules.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return [(error as DomainError).code, (error as DomainError).field];
  }
  throw new Error('did not throw');
};

describe('parsePeriod', () => {
  it.each([
    ['2026', PeriodKind.YEAR, '2026', '2026-01-01', '2026-12-01'],
    ['2026Q2', PeriodKind.QUARTER, '2026Q2', '2026-04-01', '2026-06-01'],
    ['2026q4', PeriodKind.QUARTER, '2026Q4', '2026-10-01', '2026-12-01'],
    ['2026-Q1', PeriodKind.QUARTER, '2026Q1', '2026-01-01', '2026-03-01'],
    ['2026-05', PeriodKind.MONTH, '2026-05', '2026-05-01', '2026-05-01'],
    [' 2026-5 ', PeriodKind.MONTH, '2026-05', '2026-05-01', '2026-05-01'],
  ])('%s → %s %s', (input, kind, key, startMonth, endMonth) => {
    expect(parsePeriod(input)).toEqual({ kind, key, startMonth, endMonth });
  });

  it.each(['2026Q5', '2026Q0', '2026-13', '2026-00', '26-05', '2026/05', '1999', '2100', '', 'Q2 2026'])('rejects "%s" naming the field', (input) => {
    expect(codeOf(() => parsePeriod(input, 'period'))).toEqual(['BAD_USER_INPUT', 'period']);
  });

  it('steps to the next period across year ends', () => {
    expect(nextPeriod(parsePeriod('2026-12')).key).toBe('2027-01');
    expect(nextPeriod(parsePeriod('2026Q4')).key).toBe('2027Q1');
    expect(nextPeriod(parsePeriod('2026')).key).toBe('2027');
    expect(monthOf(new Date('2026-05-31T23:59:59Z')).key).toBe('2026-05');
  });

  it('builds ranges of one kind, bounded', () => {
    expect(periodRange(parsePeriod('2025Q4'), parsePeriod('2026Q2')).map((p) => p.key)).toEqual(['2025Q4', '2026Q1', '2026Q2']);
    expect(codeOf(() => periodRange(parsePeriod('2026'), parsePeriod('2026-05')))).toEqual(['BAD_USER_INPUT', 'to']);
    expect(codeOf(() => periodRange(parsePeriod('2026-05'), parsePeriod('2026-01')))).toEqual(['BAD_USER_INPUT', 'to']);
    expect(codeOf(() => periodRange(parsePeriod('2000-01'), parsePeriod('2020-01')))).toEqual(['BAD_USER_INPUT', 'to']);
  });
});

describe('indicator catalogue', () => {
  it('has the glossary codes; money flows, persons are stocks', () => {
    expect(INDICATORS).toHaveLength(11);
    for (const def of INDICATORS) {
      expect(def.timeAggregation).toBe(def.code === 'ASSISTANCE_FUNDS_YUAN' ? TimeAggregation.FLOW : TimeAggregation.STOCK);
    }
    expect(indicatorOf(' dibao_rural ').code).toBe('DIBAO_RURAL');
    expect(codeOf(() => indicatorOf('WIDOWS', 'values.1.indicator'))).toEqual(['BAD_USER_INPUT', 'values.1.indicator']);
    expect(indicatorsOf(['ORPHANS', 'ORPHANS', 'ELDERLY_60_PLUS']).map((d) => d.code)).toEqual(['ORPHANS', 'ELDERLY_60_PLUS']);
    expect(indicatorsOf(null)).toHaveLength(11);
  });
});

describe('checkValue', () => {
  const persons = indicatorOf('ORPHANS');
  const money = indicatorOf('ASSISTANCE_FUNDS_YUAN');

  it('normalises valid values', () => {
    expect(checkValue(persons, '007')).toBe('7');
    expect(checkValue(persons, '0')).toBe('0');
    expect(checkValue(money, '1250.5')).toBe('1250.50');
    expect(checkValue(money, '3')).toBe('3.00');
  });

  it.each([
    [persons, '-1'],
    [persons, '1.5'],
    [persons, '1.0'],
    [persons, 'ten'],
    [persons, ''],
    [money, '10.005'],
    [money, '-0.01'],
    [money, '1e5'],
    [money, '9999999999999.00'],
  ])('rejects %#', (def, value) => {
    expect(codeOf(() => checkValue(def, value, 'values.0.value'))).toEqual(['BAD_USER_INPUT', 'values.0.value']);
  });
});

describe('approval transitions', () => {
  it('submits from OPEN or RETURNED only', () => {
    expect(submitTransition(ApprovalStatus.OPEN)).toBe(ApprovalStatus.SUBMITTED);
    expect(submitTransition(ApprovalStatus.RETURNED)).toBe(ApprovalStatus.SUBMITTED);
    expect(codeOf(() => submitTransition(ApprovalStatus.SUBMITTED))).toEqual(['INVALID_TRANSITION', 'period']);
    expect(codeOf(() => submitTransition(ApprovalStatus.APPROVED))).toEqual(['INVALID_TRANSITION', 'period']);
  });

  it('approves or returns a SUBMITTED period, reopens an APPROVED one, with reasons where needed', () => {
    expect(reviewTransition(ApprovalStatus.SUBMITTED, ReviewDecision.APPROVE, null)).toBe(ApprovalStatus.APPROVED);
    expect(reviewTransition(ApprovalStatus.SUBMITTED, ReviewDecision.RETURN, '不全')).toBe(ApprovalStatus.RETURNED);
    expect(reviewTransition(ApprovalStatus.APPROVED, ReviewDecision.REOPEN, '更正')).toBe(ApprovalStatus.OPEN);
    expect(codeOf(() => reviewTransition(ApprovalStatus.SUBMITTED, ReviewDecision.RETURN, ' '))).toEqual(['BAD_USER_INPUT', 'reason']);
    expect(codeOf(() => reviewTransition(ApprovalStatus.APPROVED, ReviewDecision.REOPEN, null))).toEqual(['BAD_USER_INPUT', 'reason']);
    expect(codeOf(() => reviewTransition(ApprovalStatus.OPEN, ReviewDecision.APPROVE, null))).toEqual(['INVALID_TRANSITION', 'decision']);
    expect(codeOf(() => reviewTransition(ApprovalStatus.SUBMITTED, ReviewDecision.REOPEN, 'x'))).toEqual(['INVALID_TRANSITION', 'decision']);
    expect(codeOf(() => reviewTransition(ApprovalStatus.APPROVED, ReviewDecision.APPROVE, null))).toEqual(['INVALID_TRANSITION', 'decision']);
  });
});
