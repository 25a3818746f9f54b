import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { KNOWN_AT_DESCRIPTION } from '../../common/known-at.js';
import { UserError } from '../../common/payload.js';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/idempotency.rules.js';
import { ResponsibleInput } from '../../people/responsible.inputs.js';
import { Task, TaskAssignment } from './task.entity.js';
import { TaskCategory, TaskHealth } from './task.rules.js';

@InputType({ description: "任务分解 — one area's share of a new task." })
export class TaskAssignmentInput {
  @Field({ description: "Area code (6, 9 or 12 digits) inside the task's area, usually a township." })
  area!: string;

  @Field(() => Int, { description: "This area's target (> 0)." })
  @IsInt()
  @Min(1)
  target!: number;
}

@InputType({ description: 'A new key task (重点工作) with its per-area assignments.' })
export class CreateTaskInput {
  @Field({ description: '名称 — title.' })
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;

  @Field(() => TaskCategory, { description: '类别 — line of work.' })
  category!: TaskCategory;

  @Field({ description: 'Area the task is assigned from (usually the county), 6, 9 or 12 digits.' })
  area!: string;

  @Field({ description: '责任股室 — owning section.' })
  @MinLength(1)
  @MaxLength(50)
  @Matches(/\S/, { message: 'ownerSection must not be blank' })
  ownerSection!: string;

  @Field(() => Int, { description: "目标 — target quantity; must equal the sum of the assignments' targets." })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  target!: number;

  @Field({ description: '单位 — unit, e.g. 个, 处.' })
  @MinLength(1)
  @MaxLength(10)
  @Matches(/\S/, { message: 'unit must not be blank' })
  unit!: string;

  @Field(() => LocalDateResolver, { description: '开始日期 — start date.' })
  startDate!: string;

  @Field(() => LocalDateResolver, { description: '完成时限 — deadline (on or after the start date).' })
  deadline!: string;

  @Field(() => [TaskAssignmentInput], { description: '任务分解 — at least one area share; areas distinct.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  assignments!: TaskAssignmentInput[];

  @Field(() => ResponsibleInput, { nullable: true, description: '责任人 — the person responsible (optional; change it later with `assignResponsible`).' })
  @IsOptional()
  @ValidateNested()
  responsible?: ResponsibleInput | null;
}

@InputType({ description: "Changes to a key task's title or owning section." })
export class UpdateTaskInput {
  @Field(() => ID, { description: 'The task.' })
  id!: string;

  @Field(() => Int, { description: 'The version you read; a stale one gives CONFLICT.' })
  version!: number;

  @Field(() => String, { nullable: true, description: 'New title.' })
  @IsOptional()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'title must not be blank' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'New owning section.' })
  @IsOptional()
  @MinLength(1)
  @MaxLength(50)
  @Matches(/\S/, { message: 'ownerSection must not be blank' })
  ownerSection?: string | null;
}

@InputType({ description: 'A progress entry for one assignment: the cumulative done quantity as of a date.' })
export class RecordTaskProgressInput {
  @Field(() => ID, { description: 'The assignment (TaskAssignment global ID).' })
  assignment!: string;

  @Field(() => Int, { description: "The assignment's version you read; a stale one gives CONFLICT." })
  version!: number;

  @Field(() => Int, { description: '累计完成 — done quantity as of `asOf` (cumulative).' })
  @IsInt()
  @Min(0)
  done!: number;

  @Field(() => LocalDateResolver, { description: "截至日期 — not in the future, not before the assignment's last entry." })
  asOf!: string;

  @Field(() => String, { nullable: true, description: '说明 — note.' })
  @IsOptional()
  @MaxLength(500)
  note?: string | null;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  @IsOptional()
  @MaxLength(100)
  idempotencyKey?: string | null;
}

@InputType({ description: 'Filters for key-task lists.' })
export class TaskFilter {
  @Field(() => [TaskHealth], { nullable: true, description: 'Only tasks with one of these health values (as of `asOf`).' })
  health?: TaskHealth[] | null;

  @Field(() => TaskCategory, { nullable: true, description: 'Only this category.' })
  category?: TaskCategory | null;

  @Field(() => String, { nullable: true, description: 'Only tasks of this section (股室).' })
  ownerSection?: string | null;

  @Field(() => String, { nullable: true, description: "Only tasks touching this area's subtree (own area or an assignment in it)." })
  area?: string | null;
}

@ArgsType()
export class TaskListArgs extends PageArgs {
  @Field(() => TaskFilter, { nullable: true, description: 'Filters.' })
  filter?: TaskFilter | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Date the health and done figures are as of (default today).' })
  asOf?: string | null;

  @Field(() => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION })
  knownAt?: Date | null;
}

@ObjectType({ description: 'Result of `createTask`.' })
export class CreateTaskPayload {
  @Field(() => Task, { nullable: true, description: 'The new task; null when nothing was written.' })
  task?: Task | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType({ description: 'Result of `updateTask`.' })
export class UpdateTaskPayload {
  @Field(() => Task, { nullable: true, description: 'The changed task; null when nothing was written.' })
  task?: Task | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType({ description: 'Result of `recordTaskProgress`.' })
export class RecordTaskProgressPayload {
  @Field(() => TaskAssignment, { nullable: true, description: 'The assignment with its new progress; null when nothing was written.' })
  assignment?: TaskAssignment | null;

  @Field(() => Task, { nullable: true, description: "The assignment's task." })
  task?: Task | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors!: UserError[];
}
