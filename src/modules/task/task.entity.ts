import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../common/global-id.js';
import { Node } from '../../common/node.js';
import { todayInChina } from '../../common/dates.js';
import { deadlineInForce, TaskCategory, TaskHealth, type ApprovedExtension } from './task.rules.js';

registerEnumType(TaskCategory, {
  name: 'TaskCategory',
  description: '重点工作类别 — the line of work a key task belongs to.',
  valuesConfig: {
    TWO_REFORMS_FOLLOW_UP: { description: '两项改革"后半篇"文章 — follow-up of the township and village reforms (片区规划 …)' },
    ELDERLY_CARE: { description: '养老服务 — elderly care' },
    MINOR_PROTECTION: { description: '未成年人保护 — minor protection' },
    SOCIAL_ASSISTANCE: { description: '社会救助 — social assistance' },
    SOCIAL_AFFAIRS: { description: '社会事务 — social affairs (婚俗改革, 硬化大墓/活人墓整治 …)' },
    SOCIAL_GOVERNANCE: { description: '社会治理 — social governance (村务公开, 道德银行 …)' },
  },
});

registerEnumType(TaskHealth, {
  name: 'TaskHealth',
  description: "进度状态 — a key task's health as of a date, derived from its dated progress history (never stored).",
  valuesConfig: {
    DONE: { description: '已完成 — the target is reached' },
    OVERDUE: { description: '逾期 — past the deadline and not done' },
    LAGGING: { description: '进度滞后 — the done share trails the share of time passed by more than 10 percentage points' },
    DUE_SOON: { description: '临期 — the deadline is within 3 days (the yellow light)' },
    ON_TRACK: { description: '正常 — on schedule' },
  },
});

/**
 * 重点工作 — a key task: a yearly target quantity with an owning section (股室),
 * a start date and a deadline, split into per-area assignments whose done
 * quantities roll up to the task's. Invariant: the assignments' targets sum to
 * the task's target. Health is derived from the dated progress history.
 */
@ObjectType('Task', {
  implements: Node,
  description: '重点工作 — a key task: a target quantity, an owning section (股室), a deadline, and per-area assignments (任务分解) that roll up.',
})
export class Task {
  /** Database id. */
  key!: string;

  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('Task', this.key);
  }

  @Field({ description: '名称 — title, e.g. 硬化大墓、活人墓整治.' })
  title!: string;

  @Field(() => TaskCategory, { description: '类别 — line of work.' })
  category!: TaskCategory;

  /** 12-digit code of the area the task was assigned from (usually the county). */
  areaCode!: string;

  @Field({ description: '责任股室 — owning section, e.g. 社会事务股.' })
  ownerSection!: string;

  /** The whole target quantity (the sum of every assignment's); exposed as `target` in the caller's view (TaskResolver). */
  target!: number;

  @Field({ description: '单位 — unit of the target, e.g. 个, 处.' })
  unit!: string;

  @Field(() => LocalDateResolver, { description: "开始日期 — start of the task's time (for the elapsed-time share)." })
  startDate!: string;

  /** The original deadline (the `task.deadline` column); see {@link deadlineOn} for the one in force. */
  deadline!: string;

  /** Approved deadline extensions (延期), from the same statement as the row. */
  approvedExtensions: ApprovedExtension[] = [];

  @Field(() => LocalDateResolver, {
    name: 'deadline',
    description: '完成时限 — the deadline in force today: the last approved extension (延期), else `originalDeadline`.',
  })
  get deadlineNow(): string {
    return this.deadlineOn(todayInChina());
  }

  @Field(() => LocalDateResolver, { description: '原定完成时限 — the deadline the task was set with, before any extension (延期).' })
  get originalDeadline(): string {
    return this.deadline;
  }

  /** The deadline in force on a date, as known at an instant (task.rules.ts deadlineInForce). */
  deadlineOn(asOf: string, knownAt?: string | null): string {
    return deadlineInForce(this.deadline, this.approvedExtensions, asOf, knownAt);
  }

  @Field(() => Int, { description: 'Optimistic-concurrency version: send it back with an update.' })
  version!: number;

  @Field({
    description:
      '录入时间 — when the task was recorded in civgraph (server clock; `startDate` is when its time began). A read `knownAt` an earlier instant leaves it out.',
  })
  recordedAt!: Date;

  @Field({ description: '演示数据 — true for demo data seeded at start-up.' })
  get isDemo(): boolean {
    return this.source === 'DEMO';
  }

  source!: string;

  /** Done quantity as of {@link listAsOf}, when the task came from a list query. */
  listDone?: number;
  listAsOf?: string;
  /** The known-at bound of the list query ({@link listDone} is as known at it). */
  listKnownAt?: string;
  /** The target as the list's caller sees it (see TaskService.target), when the task came from a list query. */
  visibleTarget?: number;
}

/** 任务分解 — one area's share of a key task; `done` is the latest recorded progress. */
@ObjectType('TaskAssignment', {
  implements: Node,
  description: "任务分解 — one area's share of a key task (usually a township), with its target and recorded progress.",
})
export class TaskAssignment {
  key!: string;
  taskKey!: string;
  areaCode!: string;

  @Field(() => ID, { description: 'Global ID (Relay); pass it to `recordTaskProgress`.' })
  get id(): string {
    return toGlobalId('TaskAssignment', this.key);
  }

  @Field(() => Int, { description: "分解目标 — this area's target." })
  target!: number;

  /** Latest recorded done quantity. */
  currentDone!: number;

  @Field(() => Int, { description: 'Optimistic-concurrency version: send it back with `recordTaskProgress`.' })
  version!: number;
}

/** 进度记录 — one dated progress entry of an assignment (append-only). */
@ObjectType('TaskProgressEntry', { description: '进度记录 — one dated progress entry of an assignment: the done quantity as of a date (append-only).' })
export class TaskProgressEntry {
  @Field(() => LocalDateResolver, { description: '截至日期 — the date the quantity is as of.' })
  asOf!: string;

  @Field(() => Int, { description: '累计完成 — done quantity as of that date (cumulative, not an increment).' })
  done!: number;

  @Field(() => String, { nullable: true, description: '说明 — note.' })
  note!: string | null;

  @Field({ description: '填报人 — who recorded it.' })
  recordedBy!: string;

  @Field({ description: '填报时间 — when it was recorded.' })
  recordedAt!: Date;
}

export interface TaskRow {
  id: string;
  title: string;
  category: TaskCategory;
  area_code: string;
  owner_section: string;
  target: number;
  unit: string;
  start_date: string;
  deadline: string;
  version: number;
  source: string;
  created_at: Date;
  /** Approved extensions: [{ deadline, decidedOn, decidedAtMs }] (see APPROVED_EXTENSIONS). */
  extensions?: ApprovedExtension[] | null;
}

/** A task's (`t`) approved deadline extensions as JSON, read in the task's own statement (no query per task). */
export const APPROVED_EXTENSIONS = approvedExtensionsOf('TASK', 't.id');

/**
 * An item's approved deadline extensions as JSON, for the item's own statement: `decidedOn` is the decision's
 * business date (审批日期, from which it is in force), `decidedAtMs` when it was recorded (for `knownAt`).
 */
export function approvedExtensionsOf(kind: 'TASK' | 'RECTIFICATION', idExpr: string): string {
  return `(select coalesce(json_agg(json_build_object('deadline', e.requested_deadline, 'decidedOn', e.decided_on,
      'decidedAtMs', floor(extract(epoch from e.decided_at) * 1000)) order by e.decided_at), '[]'::json)
    from deadline_extension e where e.item_kind = '${kind}' and e.item_id = ${idExpr} and e.state = 'APPROVED')`;
}

export const TASK_COLUMNS = `t.id::text as id, t.title, t.category, t.area_code, t.owner_section, t.target, t.unit, t.start_date, t.deadline, t.version, t.source, t.created_at, ${APPROVED_EXTENSIONS} as extensions`;

export function taskFromRow(row: TaskRow): Task {
  return Object.assign(new Task(), {
    key: row.id,
    title: row.title,
    category: row.category,
    areaCode: row.area_code,
    ownerSection: row.owner_section,
    target: row.target,
    unit: row.unit,
    startDate: row.start_date,
    deadline: row.deadline,
    version: row.version,
    source: row.source,
    recordedAt: row.created_at,
    approvedExtensions: row.extensions ?? [],
  });
}

export interface AssignmentRow {
  id: string;
  task_id: string;
  area_code: string;
  target: number;
  done: number;
  version: number;
}

export const ASSIGNMENT_COLUMNS = 'a.id::text as id, a.task_id::text as task_id, a.area_code, a.target, a.done, a.version';

export function assignmentFromRow(row: AssignmentRow): TaskAssignment {
  return Object.assign(new TaskAssignment(), {
    key: row.id,
    taskKey: row.task_id,
    areaCode: row.area_code,
    target: row.target,
    currentDone: row.done,
    version: row.version,
  });
}
