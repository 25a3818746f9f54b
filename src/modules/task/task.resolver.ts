import { LocalDateResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { connectionType, PageArgs, type Page } from '../../common/connection.js';
import { pageOfHistory } from '../../common/list-page.js';
import { KNOWN_AT_DESCRIPTION } from '../../common/known-at.js';
import { asPayload } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { Task, TaskAssignment, TaskProgressEntry } from './task.entity.js';
import {
  CreateTaskInput,
  CreateTaskPayload,
  RecordTaskProgressInput,
  RecordTaskProgressPayload,
  TaskListArgs,
  UpdateTaskInput,
  UpdateTaskPayload,
} from './task.inputs.js';
import { TaskHealth } from './task.rules.js';
import { taskService } from './task.service.js';
import { idempotent } from '../../graphql/idempotency.service.js';

export const TaskConnection = connectionType('Task', Task, 'key task');
export const TaskProgressEntryConnection = connectionType('TaskProgressEntry', TaskProgressEntry, '进度记录 progress entry');

const asOfArg = { nullable: true, description: "As of this date (default: the list's `asOf`, or today)." } as const;
const knownAtArg = { nullable: true, description: `${KNOWN_AT_DESCRIPTION} (Default: the list's \`knownAt\`.)` } as const;

@Resolver(() => Task)
export class TaskResolver {
  @Query(() => Task, { nullable: true, description: '重点工作 — a key task by global ID; null when it does not exist.' })
  task(@Arg('id', () => ID, { description: 'Task global ID.' }) id: string, @Ctx() ctx: Context) {
    return taskService.byId(ctx, id);
  }

  @Query(() => TaskConnection, {
    description: "重点工作 — key tasks touching the caller's subtree, filtered by health (as of a date), category, section and area.",
  })
  tasks(@Args() args: TaskListArgs, @Ctx() ctx: Context): Promise<Page<Task>> {
    return taskService.list(ctx, args);
  }

  @Mutation(() => CreateTaskPayload, {
    description: '新建重点工作 — creates a key task with its per-area assignments (COUNTY_ADMIN, or SECTION_STAFF of the owning section).',
  })
  createTask(@Arg('input', { description: 'The new task.' }) input: CreateTaskInput, @Ctx() ctx: Context) {
    return asPayload(() => taskService.create(ctx, input));
  }

  @Mutation(() => UpdateTaskPayload, { description: "修改重点工作 — changes a task's title or owning section." })
  updateTask(@Arg('input', { description: 'The changes.' }) input: UpdateTaskInput, @Ctx() ctx: Context) {
    return asPayload(() => taskService.update(ctx, input));
  }

  @Mutation(() => RecordTaskProgressPayload, {
    description: '填报进度 — appends a dated progress entry to an assignment (township operators for their township).',
  })
  recordTaskProgress(@Arg('input', { description: 'The progress entry.' }) input: RecordTaskProgressInput, @Ctx() ctx: Context) {
    return asPayload(() => idempotent(ctx, 'recordTaskProgress', input, taskService.progressReplay, () => taskService.recordProgress(ctx, input)));
  }

  @FieldResolver(() => Area, { description: '下达区划 — the area the task was assigned from (usually the county).' })
  area(@Root() task: Task, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(task.areaCode);
  }

  @FieldResolver(() => Int, {
    description:
      "目标 — target quantity: the whole task's for a caller whose area holds the task's own; for a caller below it, the sum of the assignments in their subtree.",
  })
  target(@Root() task: Task, @Ctx() ctx: Context) {
    return taskService.target(ctx, task);
  }

  @FieldResolver(() => Int, {
    description:
      "累计完成 — done quantity as of a date: the latest entries on or before it of the assignments in the caller's subtree, summed (the whole task's for a caller whose area holds the task's own).",
  })
  done(
    @Root() task: Task,
    @Arg('asOf', () => LocalDateResolver, asOfArg) asOf: string | null,
    @Arg('knownAt', () => Date, knownAtArg) knownAt: Date | null,
    @Ctx() ctx: Context,
  ) {
    return taskService.doneAsOf(ctx, task, asOf, knownAt);
  }

  @FieldResolver(() => TaskHealth, {
    description:
      '进度状态 — health as of a date, derived from the progress history (reproducible for any past date), of the `target` and `done` the caller sees.',
  })
  health(
    @Root() task: Task,
    @Arg('asOf', () => LocalDateResolver, asOfArg) asOf: string | null,
    @Arg('knownAt', () => Date, knownAtArg) knownAt: Date | null,
    @Ctx() ctx: Context,
  ) {
    return taskService.health(ctx, task, asOf, knownAt);
  }

  @FieldResolver(() => [TaskAssignment], {
    description: "任务分解 — per-area assignments in the caller's subtree, in area-code order (all of them for a caller whose area holds the task's own).",
  })
  assignments(@Root() task: Task, @Ctx() ctx: Context) {
    return taskService.assignments(ctx, task);
  }
}

@Resolver(() => TaskAssignment)
export class TaskAssignmentResolver {
  @FieldResolver(() => Area, { description: '承担区划 — the area this share is assigned to.' })
  area(@Root() assignment: TaskAssignment, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(assignment.areaCode);
  }

  @FieldResolver(() => Task, { description: 'The task this share belongs to.' })
  task(@Root() assignment: TaskAssignment, @Ctx() ctx: Context) {
    return ctx.loaders.task.byId.load(assignment.taskKey);
  }

  @FieldResolver(() => Int, { description: '完成 — done as of a date (latest entry on or before it); the latest entry when no date is given.' })
  done(
    @Root() assignment: TaskAssignment,
    @Arg('asOf', () => LocalDateResolver, { nullable: true, description: 'As of this date (default: latest).' }) asOf: string | null,
    @Ctx() ctx: Context,
  ) {
    return taskService.assignmentDoneAsOf(ctx, assignment, asOf);
  }

  @FieldResolver(() => [TaskProgressEntry], {
    description: '进度记录 — every dated entry, oldest first.',
    deprecationReason: 'Use `progressConnection` (paged): this list has no bound.',
  })
  progress(@Root() assignment: TaskAssignment, @Ctx() ctx: Context) {
    return ctx.loaders.task.progressOfAssignment.load(assignment.key);
  }

  @FieldResolver(() => TaskProgressEntryConnection, { description: '进度记录 — every dated entry, oldest first. Paged: `first` ≤ 100, `after`.' })
  async progressConnection(@Root() assignment: TaskAssignment, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<TaskProgressEntry>> {
    return pageOfHistory(await ctx.loaders.task.progressOfAssignment.load(assignment.key), page, 'oldestFirst');
  }
}

@Resolver(() => Area)
export class AreaTaskResolver {
  @FieldResolver(() => TaskConnection, { description: "重点工作 — key tasks touching this area's subtree (assigned from it or with an assignment in it)." })
  tasks(@Root() area: Area, @Args() args: TaskListArgs, @Ctx() ctx: Context): Promise<Page<Task>> {
    return taskService.list(ctx, args, area.code);
  }
}
