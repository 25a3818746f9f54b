import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../common/global-id.js';

/** What kind of work item carries a responsible person (责任到人). */
export enum ResponsibleItemKind {
  TASK = 'TASK',
  TASK_ASSIGNMENT = 'TASK_ASSIGNMENT',
  PROJECT = 'PROJECT',
  RECTIFICATION = 'RECTIFICATION',
}

registerEnumType(ResponsibleItemKind, {
  name: 'ResponsibleItemKind',
  description: '责任事项类别 — the kinds of work item that carry a responsible person.',
  valuesConfig: {
    TASK: { description: '重点工作 — a key task' },
    TASK_ASSIGNMENT: { description: '任务分解 — one area’s share of a key task' },
    PROJECT: { description: '民政项目 — a project' },
    RECTIFICATION: { description: '审计整改 — an audit finding under rectification' },
  },
});

/** The global-ID type name of each kind. */
export const ITEM_TYPE: Record<ResponsibleItemKind, string> = {
  TASK: 'Task',
  TASK_ASSIGNMENT: 'TaskAssignment',
  PROJECT: 'Project',
  RECTIFICATION: 'Rectification',
};

/** 责任人 — an account where one exists, else a named person with 职务 and 单位. */
@ObjectType('ResponsiblePerson', {
  description: '责任人 — the person responsible for a work item: an account (账号) where one exists, else a named person with title (职务) and unit (单位).',
})
export class ResponsiblePerson {
  /** Database id of the account, when the person is one. */
  accountKey!: string | null;

  @Field(() => ID, { nullable: true, description: '账号 — global ID of the account when the person has one; null for a named person.' })
  get accountId(): string | null {
    return this.accountKey === null ? null : toGlobalId('Account', this.accountKey);
  }

  @Field({ description: '姓名 — name (an account’s display name as it was when set).' })
  name!: string;

  @Field(() => String, { nullable: true, description: '职务 — title, e.g. 副镇长; null when not given (accounts carry none).' })
  title!: string | null;

  @Field(() => String, { nullable: true, description: '单位 — unit, e.g. 民胜镇人民政府 (an account’s section or area when set).' })
  unit!: string | null;
}

/** 责任人变更 — one row of an item's responsible-person history. */
@ObjectType('ResponsibleChange', {
  description: '责任人变更 — one change of a work item’s responsible person: from whom to whom, by whom, when and why (append-only).',
})
export class ResponsibleChange {
  /** Row id (history order). */
  key!: string;

  @Field(() => ResponsiblePerson, { description: '新责任人 — the person responsible from this change on.' })
  person!: ResponsiblePerson;

  @Field(() => ResponsiblePerson, {
    nullable: true,
    description: '原责任人 — the person responsible before; null for the first one set (a rectification’s first change names its registered 责任人).',
  })
  previous!: ResponsiblePerson | null;

  @Field(() => String, { nullable: true, description: '变更原因 — reason given; null when none.' })
  reason!: string | null;

  @Field({ description: '变更人 — who made the change (their name as signed in).' })
  changedBy!: string;

  @Field({ description: '变更时间 — when the change was recorded.' })
  changedAt!: Date;
}

/** 责任事项 — one item a person is responsible for now, and how it is going. */
@ObjectType('Responsibility', {
  description: '责任事项 — one work item a person is responsible for now, with its deadline and how it is going (as of today).',
})
export class Responsibility {
  @Field(() => ResponsibleItemKind, { description: '类别 — what kind of item.' })
  kind!: ResponsibleItemKind;

  /** Database id of the item. */
  itemKey!: string;

  @Field(() => ID, { description: 'Global ID of the item (Task, TaskAssignment, Project or Rectification); fetch it with `node(id)`.' })
  get itemId(): string {
    return toGlobalId(ITEM_TYPE[this.kind], this.itemKey);
  }

  @Field({ description: '名称 — the item’s title (a task’s title, an assignment’s task title and area, a project’s name, a finding).' })
  title!: string;

  /** 12-digit code of the item's area. */
  areaCode!: string;

  @Field(() => LocalDateResolver, { nullable: true, description: '时限 — deadline (a project’s target date; null when it has none).' })
  deadline!: string | null;

  @Field({
    description:
      '进展 — how it is going today: a TaskHealth value for tasks and assignments (DONE, OVERDUE, LAGGING, DUE_SOON, ON_TRACK), OVERDUE or the ProjectStatus for projects, OVERDUE or the RectificationStatus for rectifications.',
  })
  status!: string;

  @Field({ description: '需关注 — overdue or lagging (逾期或滞后) today.' })
  behind!: boolean;

  @Field({ description: '责任起始 — when this person became responsible for the item.' })
  since!: Date;
}

/** Row shape of `responsible_change`. */
export interface ResponsibleRow {
  id: string;
  item_kind: ResponsibleItemKind;
  item_id: string;
  account_id: string | null;
  name: string;
  title: string | null;
  unit: string | null;
  previous_name: string | null;
  reason: string | null;
  changed_by_name: string;
  changed_at: Date;
}

export const RESPONSIBLE_COLUMNS =
  'c.id::text as id, c.item_kind, c.item_id::text as item_id, c.account_id::text as account_id, c.name, c.title, c.unit, c.previous_name, c.reason, c.changed_by_name, c.changed_at';

export function personFromRow(row: Pick<ResponsibleRow, 'account_id' | 'name' | 'title' | 'unit'>): ResponsiblePerson {
  return Object.assign(new ResponsiblePerson(), { accountKey: row.account_id, name: row.name, title: row.title, unit: row.unit });
}

/** An item's history rows, oldest first, as changes (each with the person before it). */
export function changesFromRows(rows: ResponsibleRow[]): ResponsibleChange[] {
  return rows.map((row, i) =>
    Object.assign(new ResponsibleChange(), {
      key: row.id,
      person: personFromRow(row),
      previous:
        i > 0
          ? personFromRow(rows[i - 1])
          : row.previous_name === null
            ? null
            : personFromRow({ account_id: null, name: row.previous_name, title: null, unit: null }),
      reason: row.reason,
      changedBy: row.changed_by_name,
      changedAt: row.changed_at,
    }),
  );
}
