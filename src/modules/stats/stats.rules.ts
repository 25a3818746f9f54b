import { DomainError, ErrorCode, badInput } from '../../common/errors.js';
import { parseDecimal } from '../../common/money.js';

/** Granularity of a {@link Period}. */
export enum PeriodKind {
  YEAR = 'YEAR',
  QUARTER = 'QUARTER',
  MONTH = 'MONTH',
}

/**
 * A reporting period (统计期): a year `2026`, a quarter `2026Q2` or a month
 * `2026-05`. Observations are monthly; a quarter or year is the months it spans.
 */
export interface Period {
  kind: PeriodKind;
  /** Normalised form: `2026`, `2026Q2`, `2026-05`. */
  key: string;
  /** First day of the first month, `YYYY-MM-01`. */
  startMonth: string;
  /** First day of the last month, `YYYY-MM-01`. */
  endMonth: string;
}

const monthKey = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;
const firstDay = (year: number, month: number) => `${monthKey(year, month)}-01`;

/** Builds a period from its kind, year and quarter or month number (already checked). */
function periodOf(kind: PeriodKind, year: number, n: number): Period {
  if (kind === PeriodKind.YEAR) return { kind, key: String(year), startMonth: firstDay(year, 1), endMonth: firstDay(year, 12) };
  if (kind === PeriodKind.QUARTER) return { kind, key: `${year}Q${n}`, startMonth: firstDay(year, 3 * n - 2), endMonth: firstDay(year, 3 * n) };
  return { kind, key: monthKey(year, n), startMonth: firstDay(year, n), endMonth: firstDay(year, n) };
}

/**
 * Parses and normalises a period: `2026`, `2026Q2` (also `2026q2`, `2026-Q2`),
 * `2026-05` (also `2026-5`). Years 2000–2099. Anything else is a
 * BAD_USER_INPUT naming `field` (`2026Q5`, `2026-13`, `26-05`).
 */
export function parsePeriod(input: string, field = 'period'): Period {
  const text = String(input).trim();
  const bad = () =>
    badInput(
      field,
      `${field} must be a year (2026), a quarter (2026Q2) or a month (2026-05), got "${input}"`,
      `统计期应为年份（如 2026）、季度（如 2026Q2）或月份（如 2026-05）`,
    );
  let match = /^(\d{4})$/.exec(text);
  const year = (y: string) => {
    const n = Number(y);
    if (n < 2000 || n > 2099) throw badInput(field, `${field} must lie in the years 2000–2099, got "${input}"`, `统计期应在 2000 至 2099 年之间，收到 ${n} 年`);
    return n;
  };
  if (match) return periodOf(PeriodKind.YEAR, year(match[1]), 0);
  match = /^(\d{4})-?[Qq](\d)$/.exec(text);
  if (match) {
    const q = Number(match[2]);
    if (q < 1 || q > 4) throw badInput(field, `${field}: a quarter is Q1–Q4, got "${input}"`, `季度应为第 1 至第 4 季度，收到第 ${q} 季度`);
    return periodOf(PeriodKind.QUARTER, year(match[1]), q);
  }
  match = /^(\d{4})-(\d{1,2})$/.exec(text);
  if (match) {
    const m = Number(match[2]);
    if (m < 1 || m > 12) throw badInput(field, `${field}: a month is 01–12, got "${input}"`, `月份应为 1 至 12 月，收到 ${m} 月`);
    return periodOf(PeriodKind.MONTH, year(match[1]), m);
  }
  throw bad();
}

/** The month period containing a date (UTC). */
export function monthOf(date: Date): Period {
  return periodOf(PeriodKind.MONTH, date.getUTCFullYear(), date.getUTCMonth() + 1);
}

/** The period following `period`, of the same kind. */
export function nextPeriod(period: Period): Period {
  const year = Number(period.key.slice(0, 4));
  if (period.kind === PeriodKind.YEAR) return periodOf(PeriodKind.YEAR, year + 1, 0);
  if (period.kind === PeriodKind.QUARTER) {
    const q = Number(period.key.slice(5));
    return q === 4 ? periodOf(PeriodKind.QUARTER, year + 1, 1) : periodOf(PeriodKind.QUARTER, year, q + 1);
  }
  const m = Number(period.key.slice(5, 7));
  return m === 12 ? periodOf(PeriodKind.MONTH, year + 1, 1) : periodOf(PeriodKind.MONTH, year, m + 1);
}

/** Longest time series served in one request. */
export const MAX_SERIES_POINTS = 120;

/** The periods from `from` to `to` inclusive; both of one kind, in order, at most {@link MAX_SERIES_POINTS}. */
export function periodRange(from: Period, to: Period): Period[] {
  if (from.kind !== to.kind) throw badInput('to', `from and to must be of the same kind (${from.kind} vs ${to.kind})`);
  if (to.startMonth < from.startMonth) throw badInput('to', `to (${to.key}) is before from (${from.key})`);
  const out: Period[] = [];
  for (let p = from; p.startMonth <= to.startMonth; p = nextPeriod(p)) {
    out.push(p);
    if (out.length > MAX_SERIES_POINTS) throw badInput('to', `a series holds at most ${MAX_SERIES_POINTS} periods`);
  }
  return out;
}

/** Unit of an indicator's values. */
export enum IndicatorUnit {
  /** 人 — whole persons. */
  PERSONS = 'PERSONS',
  /** 元 — yuan, two decimal places. */
  YUAN = 'YUAN',
}

/** How an indicator's monthly values combine into a quarter or a year (areas always SUM). */
export enum TimeAggregation {
  /** 时点数 — a count at a moment: the latest reported month in the period, per area. */
  STOCK = 'STOCK',
  /** 累计数 — an amount per month: the months of the period are summed. */
  FLOW = 'FLOW',
}

/** One entry of the indicator catalogue (统计指标). */
export interface IndicatorDef {
  code: string;
  nameZh: string;
  nameEn: string;
  unit: IndicatorUnit;
  timeAggregation: TimeAggregation;
  /** Level whose areas report it (roll-ups count these as expected). */
  reportingLevel: 'VILLAGE' | 'TOWNSHIP';
}

const persons = (code: string, nameZh: string, nameEn: string): IndicatorDef => ({
  code,
  nameZh,
  nameEn,
  unit: IndicatorUnit.PERSONS,
  timeAggregation: TimeAggregation.STOCK,
  reportingLevel: 'VILLAGE',
});

/** The catalogue, in display order; the `indicator` table holds the same rows (migration 20261128100000). */
export const INDICATORS: readonly IndicatorDef[] = [
  persons('ELDERLY_60_PLUS', '60岁以上老年人', 'Elderly aged 60 and over'),
  persons('MINORS_0_17', '未成年人(0-17周岁)', 'Minors aged 0-17'),
  persons('DIBAO_URBAN', '城市低保对象', 'Urban minimum living allowance recipients'),
  persons('DIBAO_RURAL', '农村低保对象', 'Rural minimum living allowance recipients'),
  persons('EXTREMELY_POOR_SUPPORTED', '特困供养人员(五保户)', 'Extremely poor persons under state support'),
  persons('DISABLED_LIVING_SUBSIDY', '困难残疾人生活补贴对象', 'Recipients of the living subsidy for disabled people in hardship'),
  persons('SEVERE_DISABLED_CARE_SUBSIDY', '重度残疾人护理补贴对象', 'Recipients of the care subsidy for severely disabled people'),
  persons('ORPHANS', '孤儿', 'Orphans'),
  persons('DE_FACTO_UNSUPPORTED_CHILDREN', '事实无人抚养儿童', 'De facto unsupported children'),
  persons('HIV_AFFECTED_CHILDREN', '艾滋病病毒感染儿童', 'Children living with HIV'),
  {
    code: 'ASSISTANCE_FUNDS_YUAN',
    nameZh: '救助资金(元)',
    nameEn: 'Assistance funds paid (yuan)',
    unit: IndicatorUnit.YUAN,
    timeAggregation: TimeAggregation.FLOW,
    reportingLevel: 'VILLAGE',
  },
];

export const INDICATOR_BY_CODE = new Map(INDICATORS.map((i) => [i.code, i]));

/** The catalogue entry for a code, or a BAD_USER_INPUT naming `field`. */
export function indicatorOf(code: string, field = 'indicator'): IndicatorDef {
  // Codes usually arrive canonical (every node of a tree names the same ones).
  const found = INDICATOR_BY_CODE.get(code) ?? INDICATOR_BY_CODE.get(code.trim().toUpperCase());
  if (!found)
    throw badInput(field, `Unknown indicator "${code}"; known: ${INDICATORS.map((i) => i.code).join(', ')}`, '没有这个统计指标，请刷新页面后重新填报');
  return found;
}

/** Indicators named by a request, defaulting to the whole catalogue; duplicates dropped, order kept. */
export function indicatorsOf(codes: string[] | null | undefined, field = 'indicators'): IndicatorDef[] {
  if (codes == null) return [...INDICATORS];
  const out: IndicatorDef[] = [];
  codes.forEach((code, i) => {
    const def = indicatorOf(code, `${field}.${i}`);
    if (!out.includes(def)) out.push(def);
  });
  return out;
}

/**
 * Checks one reported value against its indicator's unit and returns it in
 * canonical form: persons are whole non-negative numbers ("12"), yuan have at
 * most two decimal places ("1250.50"). Throws BAD_USER_INPUT naming `field`.
 */
export function checkValue(def: IndicatorDef, input: string, field = 'value'): string {
  const text = String(input).trim();
  const name = `「${def.nameZh.replace(/\(元\)$/, '')}」`;
  if (text.startsWith('-')) throw badInput(field, `${def.code}: a value cannot be negative, got "${input}"`, `${name}不能为负数`);
  if (def.unit === IndicatorUnit.PERSONS) {
    if (!/^\d{1,9}$/.test(text)) {
      throw badInput(field, `${def.code} counts persons: a whole number is required, got "${input}"`, `${name}是人数，请填写不超过 9 位的整数`);
    }
    return String(Number(text));
  }
  const parsed = parseDecimal(text, 2);
  if (parsed === null || Number(parsed) >= 1e12) {
    throw badInput(
      field,
      `${def.code} is money in yuan: a decimal with at most 2 places is required, got "${input}"`,
      `${name}是金额（元），请填写最多两位小数的数字，如 1250.50`,
    );
  }
  return parsed;
}

/** 报送审核 status of one area and period. */
export enum ApprovalStatus {
  OPEN = 'OPEN',
  SUBMITTED = 'SUBMITTED',
  APPROVED = 'APPROVED',
  RETURNED = 'RETURNED',
}

/** A county decision on a submitted or approved period. */
export enum ReviewDecision {
  APPROVE = 'APPROVE',
  RETURN = 'RETURN',
  REOPEN = 'REOPEN',
}

/** Township submission: from OPEN or RETURNED only. */
export function submitTransition(current: ApprovalStatus): ApprovalStatus {
  if (current === ApprovalStatus.OPEN || current === ApprovalStatus.RETURNED) return ApprovalStatus.SUBMITTED;
  throw new DomainError(ErrorCode.INVALID_TRANSITION, `A period that is ${current} cannot be submitted`, 'period');
}

/**
 * County review: APPROVE and RETURN act on a SUBMITTED period, REOPEN on an
 * APPROVED one (back to OPEN, unlocking it). RETURN and REOPEN need a reason.
 */
export function reviewTransition(current: ApprovalStatus, decision: ReviewDecision, reason: string | null | undefined): ApprovalStatus {
  const from = decision === ReviewDecision.REOPEN ? ApprovalStatus.APPROVED : ApprovalStatus.SUBMITTED;
  if (current !== from) {
    throw new DomainError(ErrorCode.INVALID_TRANSITION, `${decision} needs a ${from} period; this one is ${current}`, 'decision');
  }
  if (decision !== ReviewDecision.APPROVE && !reason?.trim()) {
    throw badInput('reason', `${decision} needs a reason`);
  }
  return decision === ReviewDecision.APPROVE ? ApprovalStatus.APPROVED : decision === ReviewDecision.RETURN ? ApprovalStatus.RETURNED : ApprovalStatus.OPEN;
}

/** 上报完整率 threshold when a county has set none: every missing village needs a 缺报说明. */
export const DEFAULT_MIN_REPORTED_PERCENT = 100;
/** Longest 缺报说明, in characters. */
export const MAX_MISSING_REASON_LENGTH = 200;
/** Villages named in a message before "等": the message stays readable for a large township. */
const NAMED_IN_MESSAGE = 30;

/** A village that has not reported for a period (未报村). */
export interface MissingVillage {
  code: string;
  name: string;
}

/** One problem of a submission's completeness, with the input field at fault (`missingReasons.2.area`). */
export interface CompletenessProblem {
  code: ErrorCode;
  message: string;
  field: string;
}

/** Whether the reported share `(expected − missing) / expected` reaches `minReportedPercent` (an empty township always does). */
export function thresholdMet(expected: number, missing: number, minReportedPercent: number): boolean {
  return expected === 0 || (expected - missing) * 100 >= minReportedPercent * expected;
}

/**
 * "还有 16 个村未报：甲村（…）、乙村（…），请逐村说明原因（已报 1/17）" for the
 * villages still lacking a reason (`missing` of them in all, the others explained).
 */
export function missingMessage(unexplained: MissingVillage[], expected: number, missing: number, minReportedPercent: number): string {
  const names = unexplained
    .slice(0, NAMED_IN_MESSAGE)
    .map((v) => `${v.name}（${v.code}）`)
    .join('、');
  const more = unexplained.length > NAMED_IN_MESSAGE ? '等' : '';
  const head = unexplained.length === missing ? `还有 ${missing} 个村未报` : `还有 ${unexplained.length} 个未报村没有缺报说明`;
  const threshold = minReportedPercent < 100 ? `，本县要求上报完整率达到 ${minReportedPercent}%` : '';
  return `${head}：${names}${more}，请逐村说明原因（已报 ${expected - missing}/${expected}${threshold}）`;
}

/**
 * Villages that still need a 缺报说明: those of `missing` without one in
 * `explained`, or none at all when the county's threshold (上报完整率,
 * `minReportedPercent`) is met by the villages that did report.
 */
export function unexplainedVillages(expected: number, missing: MissingVillage[], explained: ReadonlySet<string>, minReportedPercent: number): MissingVillage[] {
  if (thresholdMet(expected, missing.length, minReportedPercent)) return [];
  return missing.filter((v) => !explained.has(v.code));
}

/**
 * Checks a township's 缺报说明 against the villages missing for the period
 * (报送 knows completeness, issue 28). Each reason names a missing village of
 * the township (`townshipPrefix`, 9 digits) once, and is 1–200 characters after
 * trimming; every missing village needs one unless the reported share reaches
 * `minReportedPercent`. Returns every problem (fields under `field`) and the
 * reasons by village code, trimmed.
 */
export function checkMissingReasons(args: {
  townshipPrefix: string;
  expected: number;
  missing: MissingVillage[];
  reasons: readonly { area: string; reason: string }[];
  minReportedPercent: number;
  field?: string;
}): { problems: CompletenessProblem[]; reasons: Map<string, string> } {
  const field = args.field ?? 'missingReasons';
  const problems: CompletenessProblem[] = [];
  const reasons = new Map<string, string>();
  const missing = new Map(args.missing.map((v) => [v.code, v]));
  args.reasons.forEach((entry, i) => {
    const text = String(entry.reason ?? '').trim();
    let code: string | null = String(entry.area ?? '').trim();
    if (!/^\d{12}$/.test(code)) {
      problems.push({ code: ErrorCode.BAD_USER_INPUT, message: `缺报说明的村代码应为 12 位数字，收到 "${entry.area}"`, field: `${field}.${i}.area` });
      code = null;
    } else if (!code.startsWith(args.townshipPrefix) || code.endsWith('000')) {
      problems.push({ code: ErrorCode.BAD_USER_INPUT, message: `${code} 不是本乡镇的村，不能为它填写缺报说明`, field: `${field}.${i}.area` });
      code = null;
    } else if (!missing.has(code)) {
      problems.push({ code: ErrorCode.BAD_USER_INPUT, message: `${code} 本期已上报（或不在应报范围内），无需缺报说明`, field: `${field}.${i}.area` });
      code = null;
    } else if (reasons.has(code)) {
      problems.push({ code: ErrorCode.BAD_USER_INPUT, message: `${missing.get(code)!.name}（${code}）的缺报说明重复填写`, field: `${field}.${i}.area` });
      code = null;
    }
    if (!text) {
      problems.push({ code: ErrorCode.BAD_USER_INPUT, message: '缺报说明不能为空', field: `${field}.${i}.reason` });
    } else if ([...text].length > MAX_MISSING_REASON_LENGTH) {
      problems.push({
        code: ErrorCode.BAD_USER_INPUT,
        message: `缺报说明最多 ${MAX_MISSING_REASON_LENGTH} 字，收到 ${[...text].length} 字`,
        field: `${field}.${i}.reason`,
      });
    } else if (code) {
      reasons.set(code, text);
    }
  });
  const unexplained = unexplainedVillages(args.expected, args.missing, new Set(reasons.keys()), args.minReportedPercent);
  if (unexplained.length) {
    problems.push({ code: ErrorCode.BAD_USER_INPUT, message: missingMessage(unexplained, args.expected, args.missing.length, args.minReportedPercent), field });
  }
  return { problems, reasons };
}

/** Checks a 上报完整率 threshold: a whole percentage 0–100. */
export function checkThreshold(percent: number, field = 'minReportedPercent'): number {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `上报完整率应为 0 到 100 之间的整数（百分比），收到 ${percent}`, field);
  }
  return percent;
}
