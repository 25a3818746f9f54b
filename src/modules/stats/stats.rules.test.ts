import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors.js';
import {
  ApprovalStatus,
  INDICATORS,
  PeriodKind,
  ReviewDecision,
  TimeAggregation,
  checkMissingReasons,
  checkThreshold,
  checkValue,
  indicatorOf,
  thresholdMet,
  unexplainedVillages,
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

describe('approval knows completeness (缺报说明, 上报完整率)', () => {
  const TOWNSHIP = '511921001';
  const villages = Array.from({ length: 17 }, (_, i) => ({ code: `${TOWNSHIP}${String(i + 1).padStart(3, '0')}`, name: `第${i + 1}村` }));
  const missing = villages.slice(1); // 1 of 17 reported
  const check = (reasons: { area: string; reason: string }[], minReportedPercent = 100) =>
    checkMissingReasons({ townshipPrefix: TOWNSHIP, expected: 17, missing, reasons, minReportedPercent });
  const all = missing.map((v) => ({ area: v.code, reason: '村委换届，数据延后' }));

  it('refuses a submission with missing villages and no reasons, naming how many and which', () => {
    const { problems } = check([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: 'missingReasons' });
    expect(problems[0]!.message).toMatch(/^还有 16 个村未报：第2村（511921001002）、第3村/);
    expect(problems[0]!.message).toContain('请逐村说明原因');
    expect(problems[0]!.message).toContain('已报 1/17');
  });

  it('accepts a reason for every missing village, trimmed', () => {
    const { problems, reasons } = check(all.map((r, i) => (i === 0 ? { ...r, reason: '  外出务工，联系不上  ' } : r)));
    expect(problems).toEqual([]);
    expect(reasons.size).toBe(16);
    expect(reasons.get('511921001002')).toBe('外出务工，联系不上');
  });

  it('names only the villages still without a reason', () => {
    const { problems } = check(all.slice(0, 15));
    expect(problems).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'missingReasons' })]);
    expect(problems[0]!.message).toMatch(/^还有 1 个未报村没有缺报说明：第17村（511921001017）/);
  });

  it('needs no reasons when the reported share reaches the county threshold', () => {
    expect(check([], 5).problems).toEqual([]); // 1/17 ≈ 5.9 %
    expect(check([], 6).problems).toHaveLength(1);
    expect(check([], 0).problems).toEqual([]);
    expect(thresholdMet(17, 16, 5)).toBe(true);
    expect(thresholdMet(17, 16, 6)).toBe(false);
    expect(thresholdMet(0, 0, 100)).toBe(true);
    expect(thresholdMet(10, 0, 100)).toBe(true);
    expect(unexplainedVillages(17, missing, new Set(), 5)).toEqual([]);
    expect(unexplainedVillages(17, missing, new Set([missing[0]!.code]), 100)).toHaveLength(15);
  });

  it('refuses reasons for villages that reported, of another township, malformed, repeated, empty or too long', () => {
    const { problems } = check([
      ...all.slice(2),
      { area: villages[0]!.code, reason: '已报了' },
      { area: '511921002001', reason: '别的乡镇' },
      { area: '5119', reason: '坏代码' },
      { area: missing[0]!.code, reason: '第一次' },
      { area: missing[0]!.code, reason: '第二次' },
      { area: missing[1]!.code, reason: '   ' },
    ]);
    const at = (field: string) => problems.filter((p) => p.field === field);
    expect(at('missingReasons.14.area')).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', message: expect.stringContaining('已上报') })]);
    expect(at('missingReasons.15.area')).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', message: expect.stringContaining('不是本乡镇的村') })]);
    expect(at('missingReasons.16.area')).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT' })]);
    expect(at('missingReasons.17.area')).toEqual([]);
    expect(at('missingReasons.18.area')).toEqual([expect.objectContaining({ message: expect.stringContaining('重复') })]);
    expect(at('missingReasons.19.reason')).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', message: '缺报说明不能为空' })]);
    // 第3村's reason was blank: it is still unexplained.
    expect(at('missingReasons')[0]!.message).toMatch(/^还有 1 个未报村没有缺报说明：第3村/);
    const long = check(all.map((r, i) => (i === 0 ? { ...r, reason: '很'.repeat(201) } : r)));
    expect(long.problems).toEqual([
      expect.objectContaining({ field: 'missingReasons.0.reason', message: '缺报说明最多 200 字，收到 201 字' }),
      expect.objectContaining({ field: 'missingReasons' }),
    ]);
    expect(check(all.map((r, i) => (i === 0 ? { ...r, reason: '很'.repeat(200) } : r))).problems).toEqual([]);
    // A reason for a village of the township that reported is refused even when nothing is missing.
    expect(
      checkMissingReasons({ townshipPrefix: TOWNSHIP, expected: 17, missing: [], reasons: [{ area: villages[0]!.code, reason: 'x' }], minReportedPercent: 100 })
        .problems,
    ).toEqual([expect.objectContaining({ field: 'missingReasons.0.area' })]);
  });

  it('takes a threshold of 0–100 whole percent', () => {
    expect(checkThreshold(0)).toBe(0);
    expect(checkThreshold(100)).toBe(100);
    for (const bad of [-1, 101, 50.5]) expect(codeOf(() => checkThreshold(bad))).toEqual(['BAD_USER_INPUT', 'minReportedPercent']);
  });
});
