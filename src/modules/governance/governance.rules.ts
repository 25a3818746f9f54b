import { badInput, DomainError, ErrorCode } from '../../common/errors.js';

/** 基层自治组织类别 — the self-governance bodies the speech names. */
export enum BodyType {
  /** 红白理事会 — oversees weddings and funerals, curbs extravagance (大操大办). */
  WEDDINGS_FUNERALS_COUNCIL = 'WEDDINGS_FUNERALS_COUNCIL',
  /** 议(说)事会 — villagers' deliberation council. */
  DELIBERATION_COUNCIL = 'DELIBERATION_COUNCIL',
}

export const BODY_TYPE_NAME: Record<BodyType, string> = {
  WEDDINGS_FUNERALS_COUNCIL: '红白理事会',
  DELIBERATION_COUNCIL: '议事会',
};

/** Who runs a demonstration programme (示范创建级别). */
export enum ProgrammeLevel {
  COUNTY = 'COUNTY',
  CITY = 'CITY',
  PROVINCE = 'PROVINCE',
}

/** Where an enrolled area stands in a demonstration programme. */
export enum EnrolmentStatus {
  APPLIED = 'APPLIED',
  CREATING = 'CREATING',
  ASSESSED = 'ASSESSED',
  AWARDED = 'AWARDED',
  DROPPED = 'DROPPED',
}

export const ENROLMENT_STATUS_NAME: Record<EnrolmentStatus, string> = {
  APPLIED: '申报',
  CREATING: '创建中',
  ASSESSED: '已评估',
  AWARDED: '命名授牌',
  DROPPED: '退出',
};

/** 公开形式 — how a village published an openness item. */
export enum PublicationForm {
  NOTICE_BOARD = 'NOTICE_BOARD',
  ONLINE = 'ONLINE',
  BOTH = 'BOTH',
}

/**
 * The enrolment lifecycle: APPLIED → CREATING → ASSESSED → AWARDED, one step at a
 * time; DROPPED from any state that is not final. AWARDED and DROPPED are final.
 */
const NEXT: Record<EnrolmentStatus, EnrolmentStatus[]> = {
  APPLIED: [EnrolmentStatus.CREATING, EnrolmentStatus.DROPPED],
  CREATING: [EnrolmentStatus.ASSESSED, EnrolmentStatus.DROPPED],
  ASSESSED: [EnrolmentStatus.AWARDED, EnrolmentStatus.DROPPED],
  AWARDED: [],
  DROPPED: [],
};

export function allowedTransitions(from: EnrolmentStatus): EnrolmentStatus[] {
  return NEXT[from];
}

/** Throws INVALID_TRANSITION (on `status`) unless `from → to` is a step of the lifecycle. */
export function assertTransition(from: EnrolmentStatus, to: EnrolmentStatus): void {
  if (!NEXT[from].includes(to)) {
    const allowed = NEXT[from].length ? NEXT[from].join(', ') : 'none (final)';
    throw new DomainError(ErrorCode.INVALID_TRANSITION, `An enrolment cannot go from ${from} to ${to}; allowed from ${from}: ${allowed}`, 'status');
  }
}

/** A calendar quarter such as 2026Q3 (季度). */
export interface Quarter {
  text: string;
  year: number;
  quarter: 1 | 2 | 3 | 4;
  /** First day, ISO date. */
  start: string;
  /** Last day, ISO date. */
  end: string;
}

const QUARTER_END = ['03-31', '06-30', '09-30', '12-31'];

function quarterOf(year: number, quarter: number): Quarter {
  const startMonth = String((quarter - 1) * 3 + 1).padStart(2, '0');
  return {
    text: `${year}Q${quarter}`,
    year,
    quarter: quarter as Quarter['quarter'],
    start: `${year}-${startMonth}-01`,
    end: `${year}-${QUARTER_END[quarter - 1]}`,
  };
}

/** Parses `2026Q3` (also `2026q3`); anything else is a BAD_USER_INPUT on `field`. */
export function parseQuarter(input: string, field = 'quarter'): Quarter {
  const match = /^(\d{4})[Qq]([1-4])$/.exec(input.trim());
  if (!match || Number(match[1]) < 2000) {
    throw badInput(field, `${field} must be a quarter such as 2026Q3 (year from 2000, quarter 1–4), got "${input}"`);
  }
  return quarterOf(Number(match[1]), Number(match[2]));
}

/** The quarter a date (ISO) falls in. */
export function quarterOfDate(date: string): Quarter {
  return quarterOf(Number(date.slice(0, 4)), Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1);
}

/** The quarter `steps` quarters before `quarter`. */
export function previousQuarter(quarter: Quarter, steps = 1): Quarter {
  const index = quarter.year * 4 + (quarter.quarter - 1) - steps;
  return quarterOf(Math.floor(index / 4), (index % 4) + 1);
}

export { todayInChina } from '../../common/dates.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `text` is a real calendar date in ISO form. */
export function isIsoDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** One problem with an input, before it becomes a UserError. */
export interface Problem {
  code: ErrorCode;
  field: string;
  message: string;
}

/** A self-governance body's members (成员) and chair (会长/主任). */
export interface Member {
  name: string;
  role: string;
}

/** Rules for a body's details: not established in the future, chair is a member, no duplicate members. */
export function checkBody(body: { establishedOn: string; chair: string | null; members: Member[] }, today: string): Problem[] {
  const problems: Problem[] = [];
  if (!isIsoDate(body.establishedOn)) {
    problems.push({
      code: ErrorCode.BAD_USER_INPUT,
      field: 'establishedOn',
      message: `establishedOn must be a date such as 2024-03-01, got "${body.establishedOn}"`,
    });
  } else if (body.establishedOn > today) {
    problems.push({
      code: ErrorCode.BAD_USER_INPUT,
      field: 'establishedOn',
      message: `establishedOn ${body.establishedOn} is in the future (today is ${today})`,
    });
  }
  const seen = new Set<string>();
  body.members.forEach((member, index) => {
    if (seen.has(member.name)) problems.push({ code: ErrorCode.BAD_USER_INPUT, field: `members.${index}.name`, message: `${member.name} is listed twice` });
    seen.add(member.name);
  });
  if (body.chair && !seen.has(body.chair)) {
    problems.push({ code: ErrorCode.BAD_USER_INPUT, field: 'chair', message: `The chair ${body.chair} must be one of the members` });
  }
  return problems;
}

/** One checklist item's record for a village and quarter, as a client sends it. */
export interface OpennessEntryInput {
  itemCode: string;
  published: boolean;
  form?: PublicationForm | null;
  publishedOn?: string | null;
  checkedBy?: string | null;
}

/**
 * Rules for a village's openness records of one quarter: the quarter is not in the
 * future, every item code is on the checklist and active, no item twice, a
 * published item has its form and a date inside the quarter and not after today,
 * an unpublished one has neither.
 */
export function checkOpennessEntries(quarter: Quarter, entries: OpennessEntryInput[], checklist: Map<string, { active: boolean }>, today: string): Problem[] {
  const problems: Problem[] = [];
  const current = quarterOfDate(today);
  if (quarter.text > current.text) {
    problems.push({ code: ErrorCode.BAD_USER_INPUT, field: 'quarter', message: `${quarter.text} is in the future (the current quarter is ${current.text})` });
  }
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const at = (name: string) => `entries.${index}.${name}`;
    const item = checklist.get(entry.itemCode);
    if (!item) {
      problems.push({
        code: ErrorCode.BAD_USER_INPUT,
        field: at('itemCode'),
        message: `"${entry.itemCode}" is not an item of the openness checklist (${[...checklist.keys()].join(', ')})`,
      });
    } else if (!item.active) {
      problems.push({ code: ErrorCode.BAD_USER_INPUT, field: at('itemCode'), message: `Checklist item ${entry.itemCode} is no longer active` });
    }
    if (seen.has(entry.itemCode)) problems.push({ code: ErrorCode.BAD_USER_INPUT, field: at('itemCode'), message: `${entry.itemCode} appears twice` });
    seen.add(entry.itemCode);
    if (entry.published) {
      if (!entry.form)
        problems.push({ code: ErrorCode.BAD_USER_INPUT, field: at('form'), message: 'A published item needs its form (NOTICE_BOARD, ONLINE or BOTH)' });
      if (!entry.publishedOn) {
        problems.push({ code: ErrorCode.BAD_USER_INPUT, field: at('publishedOn'), message: 'A published item needs its publication date' });
      } else if (!isIsoDate(entry.publishedOn)) {
        problems.push({
          code: ErrorCode.BAD_USER_INPUT,
          field: at('publishedOn'),
          message: `publishedOn must be a date such as ${quarter.start}, got "${entry.publishedOn}"`,
        });
      } else if (entry.publishedOn < quarter.start || entry.publishedOn > quarter.end) {
        problems.push({
          code: ErrorCode.BAD_USER_INPUT,
          field: at('publishedOn'),
          message: `publishedOn ${entry.publishedOn} is outside ${quarter.text} (${quarter.start} – ${quarter.end})`,
        });
      } else if (entry.publishedOn > today) {
        problems.push({
          code: ErrorCode.BAD_USER_INPUT,
          field: at('publishedOn'),
          message: `publishedOn ${entry.publishedOn} is in the future (today is ${today})`,
        });
      }
    } else {
      if (entry.form) problems.push({ code: ErrorCode.BAD_USER_INPUT, field: at('form'), message: 'An unpublished item has no form' });
      if (entry.publishedOn)
        problems.push({ code: ErrorCode.BAD_USER_INPUT, field: at('publishedOn'), message: 'An unpublished item has no publication date' });
    }
  });
  return problems;
}

/** Share as a fraction 0–1 with 4 decimals; 0 when there is nothing to count. */
export function share(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}
