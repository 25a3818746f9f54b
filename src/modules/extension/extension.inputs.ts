import { IsOptional, MaxLength } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { UserError } from '../../common/payload.js';
import { DeadlineExtension, ExtensionState } from './extension.entity.js';

@InputType({ description: '延期申请 — a request to extend a key task’s or a rectification’s (审计整改) deadline.' })
export class RequestDeadlineExtensionInput {
  @Field(() => ID, { description: '事项 — the global ID of the Task or the Rectification.' })
  item!: string;

  @Field(() => LocalDateResolver, { description: '申请延期至 — the new deadline; later than the one in force.' })
  newDeadline!: string;

  @Field({ description: '延期理由 — why (1–500 characters).' })
  reason!: string;
}

@InputType({ description: '延期审批 — approve or refuse a pending deadline-extension request.' })
export class DecideDeadlineExtensionInput {
  @Field(() => ID, { description: '延期申请 — the DeadlineExtension’s global ID.' })
  request!: string;

  @Field({ description: '批准 — true approves (the new deadline is in force from `decidedOn`), false refuses.' })
  approve!: boolean;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description:
      '审批日期 — the day the decision was made (default: today); earlier for a decision made on paper and entered later (补录), not before the day of the request nor in the future.',
  })
  @IsOptional()
  decidedOn?: string | null;

  @Field(() => String, { nullable: true, description: '审批意见 — note (up to 500 characters).' })
  @IsOptional()
  @MaxLength(500)
  note?: string | null;
}

@ObjectType({ description: 'Result of `requestDeadlineExtension` and `decideDeadlineExtension`.' })
export class DeadlineExtensionPayload {
  @Field(() => DeadlineExtension, { nullable: true, description: '延期申请 — the request as it now stands; null when nothing was written.' })
  extension?: DeadlineExtension | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors!: UserError[];
}

@ArgsType()
export class DeadlineExtensionListArgs extends PageArgs {
  @Field(() => ExtensionState, { nullable: true, description: '状态 — only requests in this state (PENDING: 待审批); all when omitted.' })
  state?: ExtensionState | null;

  @Field(() => String, {
    nullable: true,
    description:
      '区划 — only requests whose item touches this area’s subtree (a task of the area or assigned into it; a rectification in it); 6, 9 or 12 digits, inside your own subtree. Default: your whole subtree.',
  })
  area?: string | null;
}
