import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { todayInChina } from '../../common/dates.js';
import { toGlobalId } from '../../common/global-id.js';
import { DueState } from '../supervision/supervision.lifecycle.js';
import { dueStateOf } from './inbox.rules.js';

/** 提醒类型 — what an inbox item tells its recipient. */
export enum InboxKind {
  ASSIGNED = 'ASSIGNED',
  DUE_SOON = 'DUE_SOON',
  OVERDUE = 'OVERDUE',
  TURNED_LAGGING = 'TURNED_LAGGING',
  EXTENSION_REQUESTED = 'EXTENSION_REQUESTED',
  EXTENSION_DECIDED = 'EXTENSION_DECIDED',
}

/** 提醒类型 as people read it (the dashboard's label). */
export const INBOX_KIND_LABEL: Record<InboxKind, string> = {
  ASSIGNED: '交办给我',
  DUE_SOON: '即将到期',
  OVERDUE: '已逾期',
  TURNED_LAGGING: '进度滞后',
  EXTENSION_REQUESTED: '延期待批',
  EXTENSION_DECIDED: '延期已批复',
};

registerEnumType(InboxKind, {
  name: 'InboxKind',
  description: '提醒类型 — what an inbox item (待办/提醒) tells its recipient.',
  valuesConfig: {
    ASSIGNED: {
      description:
        '交办给我 — you were made responsible (责任人) for a task, assignment, project or rectification; or a supervision action (督办) was issued against work you are responsible for, or against your township (乡镇民政办).',
    },
    DUE_SOON: {
      description:
        '即将到期 — a deadline in force (在用期限: after approved extensions) of something you are responsible for, or a supervision response due date, falls within the next 3 days (the yellow light).',
    },
    OVERDUE: { description: '已逾期 — that deadline or response due date has passed and the work is not done (the red light).' },
    TURNED_LAGGING: { description: '进度滞后 — a key task or assignment you are responsible for turned LAGGING (its done share trails the elapsed time).' },
    EXTENSION_REQUESTED: { description: '延期待批 — a deadline extension (延期申请) in your county awaits your decision (COUNTY_ADMIN, LEADER).' },
    EXTENSION_DECIDED: { description: '延期已批复 — your deadline extension request was approved or refused.' },
  },
});

/** Row shape of `inbox_item`. */
export interface InboxItemRow {
  id: string;
  kind: InboxKind;
  subject_type: string;
  subject_key: string;
  area_code: string;
  title: string;
  summary: string;
  due_date: string | null;
  created_at: Date | string;
  read_at: Date | string | null;
}

export const INBOX_COLUMNS = 'i.id::text as id, i.kind, i.subject_type, i.subject_key, i.area_code, i.title, i.summary, i.due_date, i.created_at, i.read_at';

/**
 * 待办/提醒 — one reminder for one account: what it is about, why, and by when.
 * Only its recipient ever reads it.
 */
@ObjectType('InboxItem', {
  description: '待办/提醒 — one reminder for the signed-in caller: assigned to you, due soon, overdue, turned lagging, an extension to decide or decided.',
})
export class InboxItem {
  /** Database key (decimal digits). */
  key!: string;

  @Field(() => ID, { description: 'Global ID (Relay) of the item.' })
  get id(): string {
    return toGlobalId('InboxItem', this.key);
  }

  @Field(() => InboxKind, { description: '提醒类型 — what the item tells.' })
  kind!: InboxKind;

  @Field({ description: '类型名称 — the kind as people read it, e.g. 即将到期.' })
  get kindLabel(): string {
    return INBOX_KIND_LABEL[this.kind];
  }

  @Field({ description: '事项类型 — the GraphQL type name of the subject: Task, TaskAssignment, Project, Rectification or SupervisionAction.' })
  subjectType!: string;

  /** The subject's key in its own table. */
  subjectKey!: string;

  @Field(() => ID, {
    description: '事项 — global ID of what the item is about (a Task, TaskAssignment, Project, Rectification or SupervisionAction); read it with node(id).',
  })
  get subjectId(): string {
    return toGlobalId(this.subjectType, this.subjectKey);
  }

  /** 12-digit code of the subject's area. */
  areaCode!: string;

  @Field({ description: '标题 — the subject as people name it, e.g. 重点工作「特困供养机构改造」.' })
  title!: string;

  @Field({ description: '摘要 — one Chinese sentence: what happened or what is due, and by when.' })
  summary!: string;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: '到期日 — the deadline in force or response due date the item is about; null when none applies.',
  })
  dueDate!: string | null;

  @Field(() => DueState, {
    nullable: true,
    description: '紧迫程度 — the due date today (China): RED when past, YELLOW within 3 days, else GREEN; null without a due date.',
  })
  get dueState(): DueState | null {
    return this.dueDate ? dueStateOf(this.dueDate, todayInChina()) : null;
  }

  @Field({ description: '生成时间 — when the item was made.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: '已读时间 — when its recipient marked it read; null while unread.' })
  readAt!: Date | null;
}

const asDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

export function inboxItemFromRow(row: InboxItemRow): InboxItem {
  return Object.assign(new InboxItem(), {
    key: row.id,
    kind: row.kind,
    subjectType: row.subject_type,
    subjectKey: row.subject_key,
    areaCode: row.area_code,
    title: row.title,
    summary: row.summary,
    dueDate: row.due_date,
    createdAt: asDate(row.created_at),
    readAt: row.read_at === null ? null : asDate(row.read_at),
  });
}
