import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../common/global-id.js';

/** 延期申请状态 — where a deadline-extension request stands. */
export enum ExtensionState {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REFUSED = 'REFUSED',
}

registerEnumType(ExtensionState, {
  name: 'DeadlineExtensionState',
  description: '延期申请状态 — where a deadline-extension request stands.',
  valuesConfig: {
    PENDING: { description: '待审批 — waiting for a county admin or leader' },
    APPROVED: { description: '已批准 — the requested deadline is in force from the day of the decision' },
    REFUSED: { description: '不予批准 — refused; the deadline is unchanged' },
  },
});

/** Which table an extension's item is in (`deadline_extension.item_kind`). */
export type ExtensionItemKind = 'TASK' | 'RECTIFICATION';

/** The Node type of each item kind. */
export const ITEM_TYPE: Record<ExtensionItemKind, 'Task' | 'Rectification'> = { TASK: 'Task', RECTIFICATION: 'Rectification' };

/** 延期申请 — one request to extend a key task's or a rectification's deadline, and its decision. */
@ObjectType('DeadlineExtension', {
  description:
    '延期申请 — a request to extend a key task’s or a rectification’s (审计整改) deadline, with its reason and the decision of a county admin or leader.',
})
export class DeadlineExtension {
  key!: string;
  itemKind!: ExtensionItemKind;
  itemKey!: string;
  /** 事项名称, when the statement that read the request also read it (`deadlineExtensions`); else `itemTitle` loads it. */
  itemTitleRead?: string;

  @Field(() => ID, { description: 'Global ID; pass it to `decideDeadlineExtension`.' })
  get id(): string {
    return toGlobalId('DeadlineExtension', this.key);
  }

  @Field(() => ID, { description: '事项 — the global ID of the item whose deadline it extends (a Task or a Rectification).' })
  get item(): string {
    return toGlobalId(ITEM_TYPE[this.itemKind], this.itemKey);
  }

  @Field(() => LocalDateResolver, { description: '原期限 — the deadline in force when it was requested.' })
  previousDeadline!: string;

  @Field(() => LocalDateResolver, { description: '申请延期至 — the deadline requested.' })
  requestedDeadline!: string;

  @Field(() => LocalDateResolver, { nullable: true, description: '批准期限 — the deadline approved (the requested one); null unless APPROVED.' })
  get approvedDeadline(): string | null {
    return this.state === ExtensionState.APPROVED ? this.requestedDeadline : null;
  }

  @Field({ description: '延期理由 — why.' })
  reason!: string;

  @Field(() => ExtensionState, { description: '状态 — PENDING, APPROVED or REFUSED.' })
  state!: ExtensionState;

  @Field({ description: '申请人 — who requested it.' })
  requestedBy!: string;

  @Field({ description: '申请时间 — when it was requested (server clock).' })
  requestedAt!: Date;

  @Field(() => String, { nullable: true, description: '审批人 — who decided it; null while PENDING.' })
  decidedBy!: string | null;

  @Field(() => Date, { nullable: true, description: '审批时间 — when the decision was recorded (server clock); null while PENDING.' })
  decidedAt!: Date | null;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: '审批日期 — the day the decision was made (an approved deadline is in force from it); null while PENDING.',
  })
  decidedOn!: string | null;

  @Field(() => String, { nullable: true, description: '审批意见 — the decider’s note.' })
  note!: string | null;
}

export interface ExtensionRow {
  id: string;
  item_kind: ExtensionItemKind;
  item_id: string;
  previous_deadline: string;
  requested_deadline: string;
  reason: string;
  state: ExtensionState;
  requested_by_name: string;
  requested_by_sub: string;
  requested_at: Date;
  decided_by_name: string | null;
  decided_at: Date | null;
  decided_on: string | null;
  note: string | null;
}

export const EXTENSION_COLUMNS = `e.id::text as id, e.item_kind, e.item_id::text as item_id, e.previous_deadline, e.requested_deadline, e.reason, e.state,
  e.requested_by_name, e.requested_by_sub, e.requested_at, e.decided_by_name, e.decided_at, e.decided_on, e.note`;

export function extensionFromRow(row: ExtensionRow): DeadlineExtension {
  return Object.assign(new DeadlineExtension(), {
    key: row.id,
    itemKind: row.item_kind,
    itemKey: row.item_id,
    previousDeadline: row.previous_deadline,
    requestedDeadline: row.requested_deadline,
    reason: row.reason,
    state: row.state,
    requestedBy: row.requested_by_name,
    requestedAt: row.requested_at,
    decidedBy: row.decided_by_name,
    decidedAt: row.decided_at,
    decidedOn: row.decided_on,
    note: row.note,
  });
}

/**
 * The item a request (`e`) extends, whatever its kind: its task (`t`) or its rectification (`r`),
 * one of them null. Used by the list across items and by `itemTitle`.
 */
export const ITEM_JOINS = `left join task t on e.item_kind = 'TASK' and t.id = e.item_id
  left join rectification r on e.item_kind = 'RECTIFICATION' and r.id = e.item_id`;

/** 事项名称 over {@link ITEM_JOINS}: the task's title, or the rectification's finding. */
export const ITEM_TITLE = `coalesce(t.title, r.finding, '')`;
