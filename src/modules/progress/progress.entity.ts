import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../common/global-id.js';
import { Node } from '../../common/node.js';
import type { SharedEvent } from '../../graphql/shared-subscribe.js';

/** What an event is about. Features add their kinds here. */
export enum SubjectKind {
  PROJECT = 'PROJECT',
  TASK = 'TASK',
  TASK_ASSIGNMENT = 'TASK_ASSIGNMENT',
  FACILITY = 'FACILITY',
  RECTIFICATION = 'RECTIFICATION',
  SUPERVISION = 'SUPERVISION',
  OBSERVATION = 'OBSERVATION',
  REPORTING_PERIOD = 'REPORTING_PERIOD',
  AREA = 'AREA',
  GOVERNANCE_BODY = 'GOVERNANCE_BODY',
  DEMONSTRATION = 'DEMONSTRATION',
  OPENNESS = 'OPENNESS',
  WEBHOOK = 'WEBHOOK',
  MONTHLY_REPORT = 'MONTHLY_REPORT',
}

registerEnumType(SubjectKind, {
  name: 'SubjectKind',
  description: 'What a progress update is about.',
  valuesConfig: {
    PROJECT: { description: '民政项目 — a capital project' },
    TASK: { description: '重点工作 — a key task' },
    TASK_ASSIGNMENT: { description: "任务分解 — a key task's share for one area" },
    FACILITY: { description: '服务站点 — a service facility' },
    RECTIFICATION: { description: '审计整改 — an audit finding under rectification' },
    SUPERVISION: { description: '督办 — a supervision action' },
    OBSERVATION: { description: '统计数据 — reported statistics' },
    REPORTING_PERIOD: { description: '报送审核 — submission and approval of a reporting period' },
    AREA: { description: '区划调整 — an area merged or retired (两项改革)' },
    GOVERNANCE_BODY: { description: '红白理事会/议事会 — a village self-governance body' },
    DEMONSTRATION: { description: '示范创建 — a demonstration programme enrolment' },
    OPENNESS: { description: '村务公开 — a village-affairs openness record' },
    WEBHOOK: { description: '外部推送 — a webhook registration (its address host only; never its secret)' },
    MONTHLY_REPORT: { description: '报送 — a monthly report issued (issueMonthlyReport); sensitive, as the report is' },
  },
});

/** What kind of change an event records. */
export enum ProgressAction {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  PROGRESS_RECORDED = 'PROGRESS_RECORDED',
  STATUS_CHANGED = 'STATUS_CHANGED',
  REPORTED = 'REPORTED',
  REVIEWED = 'REVIEWED',
  DELETED = 'DELETED',
  ALERTED = 'ALERTED',
}

registerEnumType(ProgressAction, {
  name: 'ProgressAction',
  description: 'What kind of change a progress update records.',
  valuesConfig: {
    CREATED: { description: '新建 — the subject was created' },
    UPDATED: { description: '修改 — fields of the subject changed' },
    PROGRESS_RECORDED: { description: '进度 — progress was recorded' },
    STATUS_CHANGED: { description: '状态变更 — the lifecycle status changed' },
    REPORTED: { description: '上报 — figures were reported' },
    REVIEWED: { description: '审核/回头看 — a review or approval decision' },
    DELETED: { description: '删除 — the subject was removed' },
    ALERTED: {
      description:
        '提醒 — a date-driven notice, not a change: the subject turned lagging, is overdue, or falls due within 3 days (or its supervision response does); made once per state and deadline in force by the system (actor `system:alerts`, 系统提醒)',
    },
  },
});

@ObjectType('ProgressActor', { description: '操作人 — who made a change, as their token named them.' })
export class ProgressActor {
  @Field({
    description: 'Subject (user id) from the token; `system` for server jobs; `system:alerts` (系统提醒, no role) for the date sweep’s notices (ALERTED).',
  })
  sub!: string;

  @Field({ description: '姓名 — name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: '角色 — role at the time.' })
  role!: string | null;
}

/**
 * 进度动态 — one recorded change, append-only. Written in the same transaction as
 * the change it records; its sequence follows commit order.
 */
@ObjectType('ProgressUpdate', {
  implements: Node,
  description: '进度动态 — one recorded change of a project, task, facility, rectification or figures; append-only, in commit order.',
})
export class ProgressUpdate implements SharedEvent {
  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('ProgressUpdate', this.sequence);
  }

  /** One event object reaches every subscriber of its scope: graphql-ws may execute it once per selection and viewer. */
  get sharedEvent(): true {
    return true;
  }

  @Field({ description: '序号 — position in the stream (decimal digits, strictly increasing in commit order). Use as a resume cursor.' })
  sequence!: string;

  @Field(() => SubjectKind, { description: 'What the change is about.' })
  subjectKind!: SubjectKind;

  @Field(() => ID, { description: 'Global ID of the subject.' })
  subjectId!: string;

  /** 12-digit code of the area the subject belongs to. */
  areaCode!: string;

  @Field(() => ProgressAction, { description: 'What kind of change.' })
  action!: ProgressAction;

  @Field(() => ProgressActor, { description: '操作人 — who made it.' })
  actor!: ProgressActor;

  @Field({ description: '摘要 — one readable line, e.g. "铁佛镇敬老院 状态 在建 → 建成".' })
  summary!: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The changed fields before the change; null on creation.' })
  before!: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The changed fields after the change.' })
  after!: Record<string, unknown> | null;

  @Field({ description: '时间 — when the change was made.' })
  occurredAt!: Date;
}

/** Row shape of `progress_update`. */
export interface ProgressUpdateRow {
  sequence: string;
  subject_kind: SubjectKind;
  subject_id: string;
  area_code: string;
  action: ProgressAction;
  actor_sub: string;
  actor_name: string;
  actor_role: string | null;
  summary: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  occurred_at: Date | string;
}

export const PROGRESS_COLUMNS =
  'sequence::text as sequence, subject_kind, subject_id, area_code, action, actor_sub, actor_name, actor_role, summary, before, after, occurred_at';

export function progressUpdateFromRow(row: ProgressUpdateRow): ProgressUpdate {
  const update = new ProgressUpdate();
  update.sequence = row.sequence;
  update.subjectKind = row.subject_kind;
  update.subjectId = row.subject_id;
  update.areaCode = row.area_code;
  update.action = row.action;
  update.actor = Object.assign(new ProgressActor(), { sub: row.actor_sub, name: row.actor_name, role: row.actor_role });
  update.summary = row.summary;
  update.before = row.before;
  update.after = row.after;
  // MikroORM's driver hands timestamptz back as text ("2026-11-27 21:07:10.55+00").
  update.occurredAt = row.occurred_at instanceof Date ? row.occurred_at : new Date(row.occurred_at);
  return update;
}
