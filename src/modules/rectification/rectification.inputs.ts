import { IsOptional, MaxLength, MinLength } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { UserError } from '../../common/payload.js';
import { Rectification } from './rectification.entity.js';
import { RectificationCategory, RectificationStatus } from './rectification.rules.js';

@InputType({ description: 'A new audit finding to rectify.' })
export class CreateRectificationInput {
  @Field({ description: '问题 — the finding.' })
  @MinLength(1)
  @MaxLength(1000)
  finding!: string;

  @Field({ description: 'Area (6, 9 or 12 digits) where the finding lies.' })
  area!: string;

  @Field(() => RectificationCategory, { description: '问题类别 — category.' })
  category!: RectificationCategory;

  @Field({ description: '责任人 — the person responsible.' })
  @MinLength(1)
  @MaxLength(50)
  responsiblePerson!: string;

  @Field(() => LocalDateResolver, { description: '整改时限 — deadline (on or after `openedOn`).' })
  deadline!: string;

  @Field(() => LocalDateResolver, { nullable: true, description: '交办日期 — registration date (default today; not in the future).' })
  openedOn?: string | null;
}

@InputType({ description: 'A status change of a rectification. CLOSED (销号) needs `verifier` (not the responsible person) and `note`.' })
export class TransitionRectificationInput {
  @Field(() => ID, { description: 'The rectification.' })
  id!: string;

  @Field(() => Int, { description: 'The version you read; a stale one gives CONFLICT.' })
  version!: number;

  @Field(() => RectificationStatus, { description: 'The new status.' })
  to!: RectificationStatus;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: 'Business date of the change (default today; not before the last change, not in the future).',
  })
  on?: string | null;

  @Field(() => String, { nullable: true, description: '说明 — note (required for CLOSED).' })
  @IsOptional()
  @MaxLength(1000)
  note?: string | null;

  @Field(() => String, { nullable: true, description: '核验人 — verifier (required for CLOSED; must differ from the responsible person).' })
  @IsOptional()
  @MaxLength(50)
  verifier?: string | null;
}

@InputType({ description: '回头看 — a follow-up review of a RECTIFIED or CLOSED item.' })
export class RecordFollowUpReviewInput {
  @Field(() => ID, { description: 'The rectification.' })
  id!: string;

  @Field(() => Int, { description: 'The version you read; a stale one gives CONFLICT.' })
  version!: number;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Date of the review (default today).' })
  reviewedOn?: string | null;

  @Field({ description: '检查人 — reviewer.' })
  @MinLength(1)
  @MaxLength(50)
  reviewer!: string;

  @Field({ description: '是否反弹 — whether the problem recurred; true reopens the item to RECTIFYING.' })
  recurred!: boolean;

  @Field(() => String, { nullable: true, description: '说明 — note.' })
  @IsOptional()
  @MaxLength(1000)
  note?: string | null;
}

@InputType({ description: 'Filters for rectification lists.' })
export class RectificationFilter {
  @Field(() => [RectificationStatus], { nullable: true, description: 'Only these statuses (as of `asOf`).' })
  status?: RectificationStatus[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Only overdue (true) or not overdue (false) items, as of `asOf`.' })
  overdue?: boolean | null;

  @Field(() => RectificationCategory, { nullable: true, description: 'Only this category.' })
  category?: RectificationCategory | null;

  @Field(() => String, { nullable: true, description: "Only this area's subtree." })
  area?: string | null;
}

@ArgsType()
export class RectificationListArgs extends PageArgs {
  @Field(() => RectificationFilter, { nullable: true, description: 'Filters.' })
  filter?: RectificationFilter | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Date statuses and overdue flags are as of (default today).' })
  asOf?: string | null;
}

@ObjectType({ description: 'Result of a rectification mutation.' })
export class RectificationPayload {
  @Field(() => Rectification, { nullable: true, description: 'The rectification after the change; null when nothing was written.' })
  rectification?: Rectification | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors!: UserError[];
}
