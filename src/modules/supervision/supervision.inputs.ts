import { IsOptional, MaxLength, MinLength } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { UserError } from '../../common/payload.js';
import { SupervisionAction, SupervisionKind } from './supervision.entity.js';
import { AccountabilityKind, SupervisionOutcome, SupervisionStep } from './supervision.lifecycle.js';

@InputType({ description: 'A new supervision action (督办) against a task, project or rectification.' })
export class IssueSupervisionInput {
  @Field(() => ID, { description: 'Global ID of the target (Task, Rectification, Project …).' })
  target!: string;

  @Field(() => SupervisionKind, { description: '督办方式 — kind.' })
  kind!: SupervisionKind;

  @Field(() => LocalDateResolver, { nullable: true, description: '督办日期 — date issued (default today; not in the future).' })
  issuedOn?: string | null;

  @Field({ description: '督办单位/人 — issuer, e.g. 县民政局.' })
  @MinLength(1)
  @MaxLength(100)
  issuer!: string;

  @Field({ description: '被督办单位 — the unit supervised, e.g. 铁佛镇人民政府.' })
  @MinLength(1)
  @MaxLength(100)
  targetUnit!: string;

  @Field(() => LocalDateResolver, { description: '回复时限 — response due date (on or after the issue date).' })
  responseDue!: string;
}

@InputType({ description: "The supervised unit's response to a supervision action." })
export class RecordSupervisionResponseInput {
  @Field(() => ID, { description: 'The supervision action.' })
  id!: string;

  @Field(() => Int, { description: 'The version you read; a stale one gives CONFLICT.' })
  version!: number;

  @Field({ description: '回复 — the response.' })
  @MinLength(1)
  @MaxLength(2000)
  response!: string;

  @Field(() => LocalDateResolver, { nullable: true, description: '回复日期 — default today.' })
  respondedOn?: string | null;
}

@ArgsType()
export class SupervisionListArgs extends PageArgs {
  @Field(() => SupervisionKind, { nullable: true, description: 'Only this kind.' })
  kind?: SupervisionKind | null;

  @Field(() => ID, { nullable: true, description: 'Only actions against this target (global ID).' })
  target?: string | null;

  @Field(() => String, { nullable: true, description: "Only this area's subtree." })
  area?: string | null;
}

@ObjectType({ description: 'Result of a supervision mutation.' })
export class SupervisionPayload {
  @Field(() => SupervisionAction, { nullable: true, description: 'The supervision action; null when nothing was written.' })
  supervisionAction?: SupervisionAction | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors!: UserError[];
}

@InputType({ description: '督办流转 — one step of a supervision action: 签收, 办理, 反馈 (the supervised side), 退回 or 办结 (the supervising side).' })
export class AdvanceSupervisionInput {
  @Field(() => ID, { description: 'The supervision action.' })
  id!: string;

  @Field(() => Int, { description: 'The version you read; a stale one gives CONFLICT.' })
  version!: number;

  @Field(() => SupervisionStep, { description: '步骤 — the step to take (not ASSIGNED: that is `issueSupervision`).' })
  step!: SupervisionStep;

  @Field(() => LocalDateResolver, { nullable: true, description: '日期 — the day it happened (default today; not before the last step, not in the future).' })
  on?: string | null;

  @Field(() => String, {
    nullable: true,
    description: '说明 — required for 反馈 (the response) and 退回 (the reason); optional otherwise (up to 2000 characters).',
  })
  @IsOptional()
  @MaxLength(2000)
  note?: string | null;
}

@InputType({ description: '问责 — records what a supervision action led to (the supervising side).' })
export class RecordSupervisionOutcomeInput {
  @Field(() => ID, { description: 'The supervision action.' })
  supervisionAction!: string;

  @Field(() => AccountabilityKind, { description: '问责方式 — the measure.' })
  kind!: AccountabilityKind;

  @Field(() => ID, { nullable: true, description: '问责对象账号 — the account of the person held to account (give this or `name`).' })
  account?: string | null;

  @Field(() => String, { nullable: true, description: '问责对象 — name of a person without an account (give this or `account`; 1–50 characters).' })
  @IsOptional()
  @MaxLength(50)
  name?: string | null;

  @Field(() => String, { nullable: true, description: '职务 — their title, e.g. 副镇长 (up to 50 characters).' })
  @IsOptional()
  @MaxLength(50)
  title?: string | null;

  @Field(() => String, { nullable: true, description: '单位 — their unit, e.g. 火炬镇人民政府 (up to 100 characters).' })
  @IsOptional()
  @MaxLength(100)
  unit?: string | null;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: '决定日期 — the day it was decided (default today; not before the action was issued, not in the future).',
  })
  decidedOn?: string | null;

  @Field(() => String, { nullable: true, description: '说明 — note (up to 2000 characters).' })
  @IsOptional()
  @MaxLength(2000)
  note?: string | null;
}

@ObjectType({ description: 'Result of `recordSupervisionOutcome`.' })
export class SupervisionOutcomePayload {
  @Field(() => SupervisionOutcome, { nullable: true, description: '问责 — the outcome recorded; null when nothing was written.' })
  outcome?: SupervisionOutcome | null;

  @Field(() => SupervisionAction, { nullable: true, description: 'The supervision action; null when nothing was written.' })
  supervisionAction?: SupervisionAction | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors!: UserError[];
}
