import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../common/global-id.js';
import { Node } from '../../common/node.js';
import { TaskHealth } from '../task/task.rules.js';
import { SupervisionStage } from './supervision.lifecycle.js';

/** 督办方式 — the speech's supervision measures. */
export enum SupervisionKind {
  LISTED_SUPERVISION = 'LISTED_SUPERVISION',
  WARNING_INTERVIEW = 'WARNING_INTERVIEW',
  CIRCULATED_NOTICE = 'CIRCULATED_NOTICE',
  UNANNOUNCED_INSPECTION = 'UNANNOUNCED_INSPECTION',
  SUPERVISION_LETTERS = 'SUPERVISION_LETTERS',
}

export const SUPERVISION_LABEL: Record<SupervisionKind, string> = {
  LISTED_SUPERVISION: '挂牌督办',
  WARNING_INTERVIEW: '警示约谈',
  CIRCULATED_NOTICE: '通报',
  UNANNOUNCED_INSPECTION: '四不两直',
  SUPERVISION_LETTERS: '两书一函',
};

registerEnumType(SupervisionKind, {
  name: 'SupervisionKind',
  description: '督办方式 — how work is supervised.',
  valuesConfig: {
    LISTED_SUPERVISION: { description: '挂牌督办 — listed supervision' },
    WARNING_INTERVIEW: { description: '警示约谈 — warning interview' },
    CIRCULATED_NOTICE: { description: '通报 — circulated notice' },
    UNANNOUNCED_INSPECTION: { description: '四不两直 — unannounced inspection' },
    SUPERVISION_LETTERS: { description: '两书一函 — supervision letters' },
  },
});

/**
 * 督办 — a supervision action against any supervisable Node (task,
 * rectification, project …), stored as the target's kind, key and global ID so
 * types added later are accepted without a schema change here. Sensitive.
 */
@ObjectType('SupervisionAction', {
  implements: Node,
  description:
    "督办 — a supervision action against a task, project or rectification. Sensitive: visible to COUNTY_ADMIN, LEADER, SECTION_STAFF and the township's TOWNSHIP_OPERATOR only.",
})
export class SupervisionAction {
  key!: string;
  areaCode!: string;
  targetId!: string;
  source!: string;

  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('SupervisionAction', this.key);
  }

  @Field({ description: 'Type name of the target (Task, Rectification, Project …).' })
  targetKind!: string;

  @Field(() => SupervisionKind, { description: '督办方式 — kind.' })
  kind!: SupervisionKind;

  @Field(() => LocalDateResolver, { description: '督办日期 — date issued.' })
  issuedOn!: string;

  @Field({ description: '督办单位/人 — issuer.' })
  issuer!: string;

  @Field({ description: '被督办单位 — the unit supervised.' })
  targetUnit!: string;

  @Field(() => LocalDateResolver, { description: '回复时限 — response due date.' })
  responseDue!: string;

  @Field(() => String, { nullable: true, description: "回复 — the unit's response; null until recorded." })
  response!: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '回复日期 — when the response came.' })
  respondedOn!: string | null;

  @Field({ description: '录入时间 — when the action was recorded in civgraph (server clock; `issuedOn` is when it was issued).' })
  recordedAt!: Date;

  @Field({ description: '录入人 — who recorded the action in civgraph.' })
  recordedBy!: string;

  @Field(() => Date, {
    nullable: true,
    description: '回复录入时间 — when the response was recorded in civgraph (server clock; `respondedOn` is when it came); null until answered.',
  })
  responseRecordedAt!: Date | null;

  @Field(() => SupervisionStage, { description: '办理阶段 — where the action stands: 交办, 签收, 办理, 反馈 or 办结.' })
  stage!: SupervisionStage;

  @Field(() => Int, { description: 'Optimistic-concurrency version: send it back with a change.' })
  version!: number;
}

/** Something lagging or overdue that is not yet under supervision. */
@ObjectType('SupervisionCandidate', { description: '待督办 — a lagging or overdue task, or an overdue rectification, with no supervision action issued yet.' })
export class SupervisionCandidate {
  targetKey!: string;
  areaCode!: string;

  @Field(() => ID, { description: 'Global ID of the target; pass it to `issueSupervision`.' })
  targetId!: string;

  @Field({ description: 'Type name of the target (Task or Rectification).' })
  targetKind!: string;

  @Field({ description: '事项 — title of the task or the finding.' })
  title!: string;

  @Field({ description: '责任 — owning section of a task, responsible person of a rectification.' })
  owner!: string;

  @Field(() => LocalDateResolver, { description: '时限 — the deadline in force on the as-of date (延期 included, as known at `knownAt`).' })
  deadline!: string;

  @Field(() => TaskHealth, { nullable: true, description: "A task's health (LAGGING or OVERDUE); null for rectifications." })
  health!: TaskHealth | null;

  @Field({ description: '原因 — why it needs supervision, e.g. 进度滞后 3/10 or 逾期 12 天.' })
  reason!: string;
}

export interface SupervisionRow {
  id: string;
  target_kind: string;
  target_id: string;
  area_code: string;
  kind: SupervisionKind;
  issued_on: string;
  issuer: string;
  target_unit: string;
  response_due: string;
  response: string | null;
  responded_on: string | null;
  version: number;
  source: string;
  created_at: Date;
  recorded_by: string;
  responded_at: Date | null;
  stage: SupervisionStage;
}

export const SUPERVISION_COLUMNS =
  's.id::text as id, s.target_kind, s.target_id, s.area_code, s.kind, s.issued_on, s.issuer, s.target_unit, s.response_due, s.response, s.responded_on, s.version, s.source, s.created_at, s.recorded_by, s.responded_at, s.stage';

export function supervisionFromRow(row: SupervisionRow): SupervisionAction {
  return Object.assign(new SupervisionAction(), {
    key: row.id,
    targetKind: row.target_kind,
    targetId: row.target_id,
    areaCode: row.area_code,
    kind: row.kind,
    issuedOn: row.issued_on,
    issuer: row.issuer,
    targetUnit: row.target_unit,
    responseDue: row.response_due,
    response: row.response,
    respondedOn: row.responded_on,
    version: row.version,
    source: row.source,
    recordedAt: row.created_at,
    recordedBy: row.recorded_by,
    responseRecordedAt: row.responded_at,
    stage: row.stage,
  });
}
