import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { todayInChina } from '../../common/dates.js';
import { toGlobalId } from '../../common/global-id.js';
import { Node } from '../../common/node.js';
import { approvedExtensionsOf } from '../task/task.entity.js';
import { deadlineInForce, type ApprovedExtension } from '../task/task.rules.js';
import { RectificationCategory, RectificationStatus } from './rectification.rules.js';

registerEnumType(RectificationStatus, {
  name: 'RectificationStatus',
  description: '整改状态 — OPEN → RECTIFYING → RECTIFIED → CLOSED (销号); a recurring 回头看 sends it back to RECTIFYING.',
  valuesConfig: {
    OPEN: { description: '已交办 — registered, rectification not started' },
    RECTIFYING: { description: '整改中 — being rectified' },
    RECTIFIED: { description: '已整改 — reported rectified, awaiting verification' },
    CLOSED: { description: '已销号 — verified by someone other than the responsible person and closed' },
  },
});

registerEnumType(RectificationCategory, {
  name: 'RectificationCategory',
  description: '问题类别 — what an audit finding is about.',
  valuesConfig: {
    FAVORITISM: { description: '关系保、人情保、优亲厚友 — benefits granted through connections' },
    FUNDS_MISUSE: { description: '套取、截留、挤占、挪用 — diverted or withheld assistance funds' },
    FRAUD: { description: '骗取、侵占救助资金 — fraud or embezzlement of assistance funds' },
    NEGLECT: { description: "漠视困难群众诉求 — ignoring the needy's requests" },
    MANAGEMENT: { description: '制度不健全、管理不规范 — weak rules or management' },
    OTHER: { description: '其他 — other findings' },
  },
});

/**
 * 审计整改 — an audit finding under rectification. Invariants: the status moves
 * only along {@link ALLOWED_TRANSITIONS} (or back to RECTIFYING after a
 * recurring 回头看); CLOSED carries a verifier other than the responsible person
 * and a note; every transition is recorded with who and when.
 */
@ObjectType('Rectification', {
  implements: Node,
  description:
    "审计整改 — an audit finding under rectification: 责任到人, 限时整改, 销号 and 回头看. Sensitive: visible to COUNTY_ADMIN, LEADER, SECTION_STAFF and the township's TOWNSHIP_OPERATOR only.",
})
export class Rectification {
  key!: string;
  areaCode!: string;
  source!: string;

  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('Rectification', this.key);
  }

  @Field({ description: '问题 — the audit finding.' })
  finding!: string;

  @Field(() => RectificationCategory, { description: '问题类别 — category.' })
  category!: RectificationCategory;

  @Field({ description: '责任人 — the person responsible (责任到人).' })
  responsiblePerson!: string;

  /** The original deadline (the `rectification.deadline` column); see {@link deadlineOn} for the one in force. */
  deadline!: string;

  /** Approved deadline extensions (延期), from the same statement as the row. */
  approvedExtensions: ApprovedExtension[] = [];

  @Field(() => LocalDateResolver, {
    name: 'deadline',
    description: '整改时限 — the deadline in force today (限时整改): the last approved extension (延期), else `originalDeadline`.',
  })
  get deadlineNow(): string {
    return this.deadlineOn(todayInChina());
  }

  @Field(() => LocalDateResolver, { description: '原定整改时限 — the deadline the finding was registered with, before any extension (延期).' })
  get originalDeadline(): string {
    return this.deadline;
  }

  /** The deadline in force on a date, as known at an instant (task.rules.ts deadlineInForce). */
  deadlineOn(asOf: string, knownAt?: string | null): string {
    return deadlineInForce(this.deadline, this.approvedExtensions, asOf, knownAt);
  }

  @Field(() => LocalDateResolver, { description: '交办日期 — date the finding was registered.' })
  openedOn!: string;

  @Field(() => RectificationStatus, { description: '状态 — current status.' })
  status!: RectificationStatus;

  @Field(() => LocalDateResolver, { description: 'Date of the last status change.' })
  statusSince!: string;

  @Field(() => String, { nullable: true, description: '核验人 — who verified the closing (销号); null unless CLOSED.' })
  verifier!: string | null;

  @Field(() => String, { nullable: true, description: '销号说明 — the closing note; null unless CLOSED.' })
  closingNote!: string | null;

  @Field(() => Int, { description: 'Optimistic-concurrency version: send it back with a change.' })
  version!: number;

  @Field({
    description:
      '录入时间 — when the finding was recorded in civgraph (server clock; `openedOn` is when it was registered). A read `knownAt` an earlier instant leaves it out.',
  })
  recordedAt!: Date;

  @Field({ description: '演示数据 — true for demo data seeded at start-up.' })
  get isDemo(): boolean {
    return this.source === 'DEMO';
  }
}

/** One recorded status change: who, when, from what to what. */
@ObjectType('RectificationTransition', { description: '状态变更记录 — one status change of a rectification: from, to, the date, who and a note.' })
export class RectificationTransition {
  @Field(() => RectificationStatus, { nullable: true, description: 'Status before; null for the registration.' })
  from!: RectificationStatus | null;

  @Field(() => RectificationStatus, { description: 'Status after.' })
  to!: RectificationStatus;

  @Field(() => LocalDateResolver, { description: '日期 — business date of the change.' })
  on!: string;

  @Field(() => String, { nullable: true, description: '说明 — note.' })
  note!: string | null;

  @Field({ description: '操作人 — who made the change.' })
  actorName!: string;

  @Field({ description: '时间 — when it was recorded (the same instant as `recordedAt`).' })
  occurredAt!: Date;

  @Field({ description: '录入时间 — when the change was recorded in civgraph (server clock; `on` is its business date).' })
  get recordedAt(): Date {
    return this.occurredAt;
  }
}

/** 回头看 — a follow-up review of a rectified item. */
@ObjectType('FollowUpReview', { description: '回头看 — a follow-up review of a rectified item: whether the problem recurred.' })
export class FollowUpReview {
  @Field(() => LocalDateResolver, { description: '日期 — date of the review.' })
  reviewedOn!: string;

  @Field({ description: '检查人 — reviewer.' })
  reviewer!: string;

  @Field({ description: '是否反弹 — whether the problem recurred (which reopened the item to RECTIFYING).' })
  recurred!: boolean;

  @Field(() => String, { nullable: true, description: '说明 — note.' })
  note!: string | null;

  @Field({ description: '录入时间 — when the review was recorded in civgraph (server clock; `reviewedOn` is when it took place).' })
  recordedAt!: Date;
}

export interface RectificationRow {
  id: string;
  finding: string;
  area_code: string;
  category: RectificationCategory;
  responsible_person: string;
  deadline: string;
  opened_on: string;
  status: RectificationStatus;
  status_since: string;
  verifier: string | null;
  closing_note: string | null;
  version: number;
  source: string;
  created_at: Date;
  /** Approved extensions: [{ deadline, decidedOn, decidedAtMs }] (see RECTIFICATION_EXTENSIONS). */
  extensions?: ApprovedExtension[] | null;
}

/** A rectification's (`r`) approved deadline extensions as JSON, read in its own statement (no query per row). */
export const RECTIFICATION_EXTENSIONS = approvedExtensionsOf('RECTIFICATION', 'r.id');

export const RECTIFICATION_COLUMNS = `r.id::text as id, r.finding, r.area_code, r.category, r.responsible_person, r.deadline, r.opened_on, r.status, r.status_since,
  r.verifier, r.closing_note, r.version, r.source, r.created_at, ${RECTIFICATION_EXTENSIONS} as extensions`;

/**
 * A rectification's (`r`) deadline in force on a date, as known at a bound (parameters: the date, then the
 * bound, common/known-at.ts) — in SQL, for filters, what {@link Rectification.deadlineOn} computes: the last
 * extension approved on or before the date (its 审批日期) and recorded by the bound, else `r.deadline`.
 */
export const DEADLINE_IN_FORCE = `coalesce((select e.requested_deadline from deadline_extension e
    where e.item_kind = 'RECTIFICATION' and e.item_id = r.id and e.state = 'APPROVED' and e.decided_on <= ?::date
      and date_trunc('milliseconds', e.decided_at) <= ?::timestamptz
    order by e.decided_at desc, e.id desc limit 1), r.deadline)`;

export function rectificationFromRow(row: RectificationRow): Rectification {
  return Object.assign(new Rectification(), {
    key: row.id,
    finding: row.finding,
    areaCode: row.area_code,
    category: row.category,
    responsiblePerson: row.responsible_person,
    deadline: row.deadline,
    openedOn: row.opened_on,
    status: row.status,
    statusSince: row.status_since,
    verifier: row.verifier,
    closingNote: row.closing_note,
    version: row.version,
    source: row.source,
    recordedAt: row.created_at,
    approvedExtensions: row.extensions ?? [],
  });
}

/**
 * Status of each rectification as of a date (`?::date`): its latest recorded
 * transition dated on or before it; null before it was registered.
 */
export const STATUS_AS_OF = `(select tr.to_status from rectification_transition tr
    where tr.rectification_id = r.id and tr.on_date <= ?::date order by tr.on_date desc, tr.id desc limit 1)`;

/**
 * {@link STATUS_AS_OF} as known at an instant: transitions recorded after the known-at bound
 * (common/known-at.ts) are left out, so an item registered later has no status (null).
 * Parameters: the date, then the bound.
 */
export const STATUS_KNOWN_AS_OF = `(select tr.to_status from rectification_transition tr
    where tr.rectification_id = r.id and tr.on_date <= ?::date and tr.occurred_at <= ?::timestamptz order by tr.on_date desc, tr.id desc limit 1)`;
