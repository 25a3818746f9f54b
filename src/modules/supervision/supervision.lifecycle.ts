import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { addDays } from '../../common/dates.js';
import { toGlobalId } from '../../common/global-id.js';

/** 办理阶段 — where a supervision action stands: 交办 → 签收 → 办理 → 反馈 → 办结. */
export enum SupervisionStage {
  ASSIGNED = 'ASSIGNED',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  IN_PROGRESS = 'IN_PROGRESS',
  RESPONDED = 'RESPONDED',
  CLOSED = 'CLOSED',
}

registerEnumType(SupervisionStage, {
  name: 'SupervisionStage',
  description: '办理阶段 — the stage of a supervision action (督办闭环).',
  valuesConfig: {
    ASSIGNED: { description: '交办 — issued to the supervised unit, not yet signed for' },
    ACKNOWLEDGED: { description: '签收 — signed for by the supervised unit' },
    IN_PROGRESS: { description: '办理 — being worked on (also after a response was returned)' },
    RESPONDED: { description: '反馈 — the unit has responded; the supervising side closes or returns it' },
    CLOSED: { description: '办结 — closed by the supervising side' },
  },
});

/** 流转 — one step of the lifecycle, named by what it makes of the action. */
export enum SupervisionStep {
  ASSIGNED = 'ASSIGNED',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  IN_PROGRESS = 'IN_PROGRESS',
  RESPONDED = 'RESPONDED',
  RETURNED = 'RETURNED',
  CLOSED = 'CLOSED',
}

registerEnumType(SupervisionStep, {
  name: 'SupervisionStep',
  description: '流转步骤 — a step of the supervision lifecycle and who takes it.',
  valuesConfig: {
    ASSIGNED: { description: '交办 — the action is issued (`issueSupervision`; the supervising side)' },
    ACKNOWLEDGED: { description: '签收 — ASSIGNED → ACKNOWLEDGED (the supervised side)' },
    IN_PROGRESS: { description: '办理 — ACKNOWLEDGED → IN_PROGRESS (the supervised side)' },
    RESPONDED: { description: '反馈 — ACKNOWLEDGED or IN_PROGRESS → RESPONDED, with the response as note (the supervised side)' },
    RETURNED: { description: '退回 — RESPONDED → IN_PROGRESS, with the reason as note (the supervising side)' },
    CLOSED: { description: '办结 — RESPONDED → CLOSED (the supervising side)' },
  },
});

/** Which side takes a step: the supervised unit (被督办方) or the supervising one (督办方). */
export type SupervisionSide = 'SUPERVISED' | 'SUPERVISING';

/** The steps a caller may take with `advanceSupervision`: from which stages, to which, by which side. */
export const STEP_RULES: Record<
  Exclude<SupervisionStep, SupervisionStep.ASSIGNED>,
  { from: SupervisionStage[]; to: SupervisionStage; side: SupervisionSide }
> = {
  [SupervisionStep.ACKNOWLEDGED]: { from: [SupervisionStage.ASSIGNED], to: SupervisionStage.ACKNOWLEDGED, side: 'SUPERVISED' },
  [SupervisionStep.IN_PROGRESS]: { from: [SupervisionStage.ACKNOWLEDGED], to: SupervisionStage.IN_PROGRESS, side: 'SUPERVISED' },
  [SupervisionStep.RESPONDED]: { from: [SupervisionStage.ACKNOWLEDGED, SupervisionStage.IN_PROGRESS], to: SupervisionStage.RESPONDED, side: 'SUPERVISED' },
  [SupervisionStep.RETURNED]: { from: [SupervisionStage.RESPONDED], to: SupervisionStage.IN_PROGRESS, side: 'SUPERVISING' },
  [SupervisionStep.CLOSED]: { from: [SupervisionStage.RESPONDED], to: SupervisionStage.CLOSED, side: 'SUPERVISING' },
};

export const STAGE_LABEL: Record<SupervisionStage, string> = {
  ASSIGNED: '交办',
  ACKNOWLEDGED: '签收',
  IN_PROGRESS: '办理',
  RESPONDED: '反馈',
  CLOSED: '办结',
};

export const STEP_LABEL: Record<SupervisionStep, string> = {
  ASSIGNED: '交办',
  ACKNOWLEDGED: '签收',
  IN_PROGRESS: '办理',
  RESPONDED: '反馈',
  RETURNED: '退回',
  CLOSED: '办结',
};

/** 时限状态 — how a supervision action's response due date stands on a date. */
export enum DueState {
  GREEN = 'GREEN',
  YELLOW = 'YELLOW',
  RED = 'RED',
}

registerEnumType(DueState, {
  name: 'DueState',
  description: '时限状态 — a response due date on a date: green, yellow (three days or fewer left) or red (past it).',
  valuesConfig: {
    GREEN: { description: '绿 — more than three days left, or responded on time' },
    YELLOW: { description: '黄 — not responded, three days or fewer left (the due date itself included)' },
    RED: { description: '红 — not responded by the due date, or responded after it' },
  },
});

/** Days before the due date from which an unanswered action is YELLOW. */
export const YELLOW_DAYS = 3;

/**
 * The due state of an action on `asOf`: a response that came on or before `asOf`
 * (`respondedOn`, null when none is known) is GREEN when on time and RED when late;
 * unanswered, RED after the due date, YELLOW from three days before it, else GREEN.
 */
export function dueState(responseDue: string, respondedOn: string | null, asOf: string): DueState {
  if (respondedOn !== null && respondedOn <= asOf) return respondedOn <= responseDue ? DueState.GREEN : DueState.RED;
  if (asOf > responseDue) return DueState.RED;
  if (asOf >= addDays(responseDue, -YELLOW_DAYS)) return DueState.YELLOW;
  return DueState.GREEN;
}

/** 问责方式 — what a supervision led to. */
export enum AccountabilityKind {
  INTERVIEW = 'INTERVIEW',
  CIRCULATED_CRITICISM = 'CIRCULATED_CRITICISM',
  ORDERED_RECTIFICATION = 'ORDERED_RECTIFICATION',
  ADMONISHMENT = 'ADMONISHMENT',
  WRITTEN_SELF_CRITICISM = 'WRITTEN_SELF_CRITICISM',
  DISCIPLINARY_REFERRAL = 'DISCIPLINARY_REFERRAL',
  OTHER = 'OTHER',
}

export const ACCOUNTABILITY_LABEL: Record<AccountabilityKind, string> = {
  INTERVIEW: '约谈',
  CIRCULATED_CRITICISM: '通报批评',
  ORDERED_RECTIFICATION: '责令整改',
  ADMONISHMENT: '诫勉',
  WRITTEN_SELF_CRITICISM: '责令书面检查',
  DISCIPLINARY_REFERRAL: '移送纪检监察',
  OTHER: '其他',
};

registerEnumType(AccountabilityKind, {
  name: 'AccountabilityKind',
  description: '问责方式 — what a supervision action led to.',
  valuesConfig: {
    INTERVIEW: { description: '约谈 — interview of the person responsible' },
    CIRCULATED_CRITICISM: { description: '通报批评 — criticism circulated in a notice' },
    ORDERED_RECTIFICATION: { description: '责令整改 — ordered to rectify within a time limit' },
    ADMONISHMENT: { description: '诫勉 — admonishment' },
    WRITTEN_SELF_CRITICISM: { description: '责令书面检查 — ordered to submit a written self-criticism' },
    DISCIPLINARY_REFERRAL: { description: '移送纪检监察 — referred to the discipline inspection and supervision organs' },
    OTHER: { description: '其他 — another measure, described in the note' },
  },
});

/** 流转记录 — one step of a supervision action. */
@ObjectType('SupervisionTransition', {
  description: '流转记录 — one step of a supervision action (交办、签收、办理、反馈、退回、办结): when, by whom, with what note.',
})
export class SupervisionTransition {
  @Field(() => SupervisionStep, { description: '步骤 — the step taken.' })
  step!: SupervisionStep;

  @Field(() => SupervisionStage, { nullable: true, description: '原阶段 — the stage before; null for 交办.' })
  fromStage!: SupervisionStage | null;

  @Field(() => SupervisionStage, { description: '新阶段 — the stage after.' })
  toStage!: SupervisionStage;

  @Field(() => LocalDateResolver, { description: '日期 — the day the step happened.' })
  on!: string;

  @Field(() => String, { nullable: true, description: '说明 — the response of a 反馈, the reason of a 退回, or a note; null when none.' })
  note!: string | null;

  @Field({ description: '办理人 — who took the step (their name as signed in).' })
  by!: string;

  @Field({ description: "办理人角色 — the role of who took the step (a Role's name)." })
  byRole!: string;

  @Field({ description: '录入时间 — when the step was recorded in civgraph (server clock).' })
  recordedAt!: Date;
}

/** 问责 — an accountability outcome of a supervision action. */
@ObjectType('SupervisionOutcome', { description: '问责 — what a supervision action led to: the measure, against whom, when decided.' })
export class SupervisionOutcome {
  key!: string;
  actionKey!: string;
  areaCode!: string;
  accountKey!: string | null;

  @Field(() => ID, { description: 'The supervision action (global ID).' })
  get supervisionActionId(): string {
    return toGlobalId('SupervisionAction', this.actionKey);
  }

  @Field(() => AccountabilityKind, { description: '问责方式 — the measure.' })
  kind!: AccountabilityKind;

  @Field(() => ID, { nullable: true, description: '问责对象账号 — global ID of the account of the person held to account; null for a named person.' })
  get account(): string | null {
    return this.accountKey === null ? null : toGlobalId('Account', this.accountKey);
  }

  @Field({ description: '问责对象 — name of the person held to account.' })
  name!: string;

  @Field(() => String, { nullable: true, description: '职务 — their title, e.g. 副镇长; null when not given.' })
  title!: string | null;

  @Field(() => String, { nullable: true, description: '单位 — their unit; null when not given.' })
  unit!: string | null;

  @Field(() => String, { nullable: true, description: '说明 — note; null when none.' })
  note!: string | null;

  @Field(() => LocalDateResolver, { description: '决定日期 — the day the measure was decided.' })
  decidedOn!: string;

  @Field({ description: '录入人 — who recorded it.' })
  recordedBy!: string;

  @Field({ description: '录入时间 — when it was recorded in civgraph (server clock).' })
  recordedAt!: Date;
}

export interface TransitionRow {
  action_id: string;
  step: SupervisionStep;
  from_stage: SupervisionStage | null;
  to_stage: SupervisionStage;
  on_date: string;
  note: string | null;
  actor_name: string;
  actor_role: string;
  recorded_at: Date;
}

export const TRANSITION_COLUMNS =
  'st.action_id::text as action_id, st.step, st.from_stage, st.to_stage, st.on_date::text as on_date, st.note, st.actor_name, st.actor_role, st.recorded_at';

export function transitionFromRow(row: TransitionRow): SupervisionTransition {
  return Object.assign(new SupervisionTransition(), {
    step: row.step,
    fromStage: row.from_stage,
    toStage: row.to_stage,
    on: row.on_date,
    note: row.note,
    by: row.actor_name,
    byRole: row.actor_role,
    recordedAt: row.recorded_at,
  });
}

export interface OutcomeRow {
  id: string;
  action_id: string;
  area_code: string;
  kind: AccountabilityKind;
  account_id: string | null;
  name: string;
  title: string | null;
  unit: string | null;
  note: string | null;
  decided_on: string;
  recorded_by: string;
  recorded_at: Date;
}

export const OUTCOME_COLUMNS =
  'so.id::text as id, so.action_id::text as action_id, so.area_code, so.kind, so.account_id::text as account_id, so.name, so.title, so.unit, so.note, so.decided_on::text as decided_on, so.recorded_by, so.recorded_at';

export function outcomeFromRow(row: OutcomeRow): SupervisionOutcome {
  return Object.assign(new SupervisionOutcome(), {
    key: row.id,
    actionKey: row.action_id,
    areaCode: row.area_code,
    accountKey: row.account_id,
    kind: row.kind,
    name: row.name,
    title: row.title,
    unit: row.unit,
    note: row.note,
    decidedOn: row.decided_on,
    recordedBy: row.recorded_by,
    recordedAt: row.recorded_at,
  });
}
