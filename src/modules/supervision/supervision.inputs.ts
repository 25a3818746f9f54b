import { MaxLength, MinLength } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { UserError } from '../../common/payload.js';
import { SupervisionAction, SupervisionKind } from './supervision.entity.js';

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
