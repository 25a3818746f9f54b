import { pageRequest, type Page } from '../../common/connection.js';
import { asOfOrToday, isDate, todayInChina } from '../../common/dates.js';
import { knownAtBound } from '../../common/known-at.js';
import { badInput, DomainError, ErrorCode } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import { keyOf } from '../../common/ids.js';
import { PayloadErrors, assertValidInput, assertVersion, userError, versionConflict, type UserError } from '../../common/payload.js';
import { sqlFor } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import type { Replayable } from '../../graphql/idempotency.service.js';
import { lockRow, versionedUpdate } from '../progress/progress.write.js';
import { ASSIGNMENT_COLUMNS, TASK_COLUMNS, type AssignmentRow, type Task, type TaskAssignment, type TaskRow } from './task.entity.js';
import type { CreateTaskInput, RecordTaskProgressInput, TaskListArgs, UpdateTaskInput } from './task.inputs.js';
import { progressProblems, taskHealth, type TaskHealth } from './task.rules.js';
import { ResponsibleItemKind } from '../../people/responsible.entity.js';
import { recordResponsibleAtCreation, resolvePerson } from '../../people/responsible.write.js';
import { codeRange, intersectRanges, normalizeCode } from '../../common/codes.js';
import { assertCanRead, assertCanWriteSectionItem, inViewerSubtree, readRange, requireViewer, Role } from '../../auth/auth.rules.js';

function fail(errors: UserError[]): never {
  throw new PayloadErrors(errors);
}

/**
 * Key tasks (重点工作): reads scoped to the caller's subtree, writes by
 * COUNTY_ADMIN and by SECTION_STAFF for their own section's tasks; township
 * operators record progress on their township's assignments. Every change
 * appends exactly one progress event in its transaction.
 *
 * A task is readable by every caller whose subtree it touches (its own area or
 * one of its assignments), but as far as the caller may see it: a caller below
 * the task's own area (a township operator on a county task) sees only the
 * assignments in their subtree, and the task's target, done quantity and
 * health summed over those — never the other townships' shares, nor a total
 * that counts them.
 */
export class TaskService {
  /** Whether the caller may read a task: signed in, and the task's area or one of its assignments in the caller's subtree. */
  async assertCanReadTask(ctx: Context, task: Task): Promise<void> {
    const viewer = requireViewer(ctx.viewer);
    if (inViewerSubtree(viewer, task.areaCode)) return;
    const assignments = await ctx.loaders.task.assignmentsOfTask.load(task.key);
    if (!assignments.some((a) => inViewerSubtree(viewer, a.areaCode))) {
      throw new DomainError(ErrorCode.FORBIDDEN, `Task ${task.key} lies outside your area ${viewer.areaCode}`);
    }
  }

  async byKey(ctx: Context, key: string): Promise<Task | null> {
    if (!/^[1-9]\d{0,17}$/.test(key)) return null;
    const task = await ctx.loaders.task.byId.load(key);
    if (task) await this.assertCanReadTask(ctx, task);
    return task;
  }

  async byId(ctx: Context, id: string): Promise<Task | null> {
    return this.byKey(ctx, keyOf(id, 'Task', 'id'));
  }

  /** One assignment, when it lies in the caller's subtree (another township's share of a task the caller sees is not theirs to read). */
  async assignmentByKey(ctx: Context, key: string): Promise<TaskAssignment | null> {
    requireViewer(ctx.viewer);
    if (!/^[1-9]\d{0,17}$/.test(key)) return null;
    const assignment = await ctx.loaders.task.assignmentById.load(key);
    if (!assignment) return null;
    assertCanRead(ctx.viewer, assignment.areaCode);
    return assignment;
  }

  /** The caller's readable range (the subtree of their area). */
  private visible(ctx: Context): [string, string] {
    return readRange(requireViewer(ctx.viewer))!;
  }

  /** The task's assignments in the caller's subtree, in area-code order. */
  async assignments(ctx: Context, task: Task): Promise<TaskAssignment[]> {
    return ctx.loaders.task.assignmentsIn.load({ taskId: task.key, range: this.visible(ctx) });
  }

  /** The target as the caller sees it: the whole target when they hold the task's area, else the sum of their assignments' targets. */
  async target(ctx: Context, task: Task): Promise<number> {
    if (task.visibleTarget !== undefined) return task.visibleTarget;
    if (inViewerSubtree(requireViewer(ctx.viewer), task.areaCode)) return task.target;
    return (await this.assignments(ctx, task)).reduce((sum, a) => sum + a.target, 0);
  }

  /** Tasks touching `areaCode`'s subtree (default: the caller's area), as of a date, filtered and paged. */
  async list(ctx: Context, args: TaskListArgs, areaCode?: string): Promise<Page<Task>> {
    const viewer = requireViewer(ctx.viewer);
    const page = pageRequest(args);
    const asOf = asOfOrToday(args.asOf);
    const filter = args.filter ?? {};
    const visible = readRange(viewer)!;
    let range = visible;
    for (const code of [areaCode, filter.area == null ? undefined : normalizeCode(filter.area, 'filter.area')]) {
      if (code === undefined) continue;
      range = intersectRanges(range, codeRange(code)) ?? ['1', '0'];
    }
    return ctx.loaders.task.list.load({
      range,
      visible,
      asOf,
      knownAt: knownAtBound(args.knownAt),
      health: filter.health?.length ? [...filter.health].sort() : null,
      category: filter.category ?? null,
      ownerSection: filter.ownerSection ?? null,
      page,
    });
  }

  /**
   * Done as of a date, over the assignments in the caller's subtree; with `knownAt`, as known at that
   * instant (progress recorded later left out). Default bound: the list's, or everything recorded.
   */
  async doneAsOf(ctx: Context, task: Task, asOf: string | null | undefined, knownAt?: Date | null): Promise<number> {
    const date = asOf == null ? (task.listAsOf ?? todayInChina()) : asOfOrToday(asOf);
    const bound = knownAt == null ? (task.listKnownAt ?? knownAtBound(null)) : knownAtBound(knownAt);
    if (task.listAsOf === date && task.listKnownAt === bound && task.listDone !== undefined) return task.listDone;
    return ctx.loaders.task.taskDoneAsOf.load({ taskId: task.key, asOf: date, knownAt: bound, range: this.visible(ctx) });
  }

  /** Health as of a date (and, with `knownAt`, as known at that instant), from the target and done quantity the caller sees. */
  async health(ctx: Context, task: Task, asOf: string | null | undefined, knownAt?: Date | null): Promise<TaskHealth> {
    const date = asOf == null ? (task.listAsOf ?? todayInChina()) : asOfOrToday(asOf);
    const [done, target] = await Promise.all([this.doneAsOf(ctx, task, date, knownAt), this.target(ctx, task)]);
    const bound = knownAt == null ? (task.listKnownAt ?? null) : knownAtBound(knownAt);
    return taskHealth({ target, done, startDate: task.startDate, deadline: task.deadlineOn(date, bound), asOf: date });
  }

  async assignmentDoneAsOf(ctx: Context, assignment: TaskAssignment, asOf: string | null | undefined): Promise<number> {
    if (asOf == null) return assignment.currentDone;
    return ctx.loaders.task.assignmentDoneAsOf.load({ assignmentId: assignment.key, asOf: asOfOrToday(asOf) });
  }

  async create(ctx: Context, input: CreateTaskInput): Promise<{ task: Task }> {
    await assertValidInput(input);
    const areaCode = normalizeCode(input.area, 'area');
    const viewer = assertCanWriteSectionItem(ctx.viewer, areaCode, [Role.COUNTY_ADMIN, Role.SECTION_STAFF], { what: 'task', owner: input.ownerSection.trim() });
    const errors: UserError[] = [];
    if (input.deadline < input.startDate) errors.push(userError(ErrorCode.BAD_USER_INPUT, 'deadline must not precede startDate', 'deadline'));
    const codes = input.assignments.map((a, i) => normalizeCode(a.area, `assignments.${i}.area`));
    const [lo, hi] = codeRange(areaCode);
    codes.forEach((code, i) => {
      if (code < lo || code > hi)
        errors.push(userError(ErrorCode.BAD_USER_INPUT, `Area ${code} is not inside the task's area ${areaCode}`, `assignments.${i}.area`));
      if (codes.indexOf(code) !== i) errors.push(userError(ErrorCode.BAD_USER_INPUT, `Area ${code} is assigned twice`, `assignments.${i}.area`));
    });
    const sum = input.assignments.reduce((total, a) => total + a.target, 0);
    if (sum !== input.target)
      errors.push(userError(ErrorCode.BAD_USER_INPUT, `The assignments' targets sum to ${sum}, not the task's target ${input.target}`, 'assignments'));
    const known = new Set(
      (await ctx.sql<{ code: string }>('select code from area where code = any(?::text[])', [[areaCode, ...codes]])).map((row) => row.code),
    );
    if (!known.has(areaCode)) errors.push(userError(ErrorCode.NOT_FOUND, `No area ${areaCode}`, 'area'));
    codes.forEach((code, i) => {
      if (!known.has(code)) errors.push(userError(ErrorCode.NOT_FOUND, `No area ${code}`, `assignments.${i}.area`));
    });
    const responsible = input.responsible ? await resolvePerson(ctx.sql, viewer, input.responsible, 'responsible.') : null;
    if (responsible) errors.push(...responsible.errors);
    if (errors.length) fail(errors);

    const key = await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const [row] = await sql<{ id: string }>(
        `insert into task (title, category, area_code, owner_section, target, unit, start_date, deadline)
         values (?, ?, ?, ?, ?, ?, ?, ?) returning id::text as id`,
        [input.title.trim(), input.category, areaCode, input.ownerSection.trim(), input.target, input.unit.trim(), input.startDate, input.deadline],
      );
      await sql(`insert into task_assignment (task_id, area_code, target) select ?, * from unnest(?::text[], ?::int[])`, [
        row.id,
        codes,
        input.assignments.map((a) => a.target),
      ]);
      const responsibleAfter = await recordResponsibleAtCreation(sql, { kind: ResponsibleItemKind.TASK, key: row.id, person: responsible?.person, viewer });
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.TASK,
        subjectId: toGlobalId('Task', row.id),
        areaCode,
        action: ProgressAction.CREATED,
        actor: viewer,
        summary: `新建重点工作「${input.title.trim()}」:目标 ${input.target}${input.unit.trim()},${input.deadline} 前完成,责任股室 ${input.ownerSection.trim()}`,
        before: null,
        after: {
          title: input.title.trim(),
          category: input.category,
          ownerSection: input.ownerSection.trim(),
          target: input.target,
          unit: input.unit.trim(),
          startDate: input.startDate,
          deadline: input.deadline,
          assignments: codes.map((code, i) => ({ area: code, target: input.assignments[i].target })),
          ...responsibleAfter,
        },
      });
      return row.id;
    });
    return { task: (await this.reload(ctx, key))! };
  }

  async update(ctx: Context, input: UpdateTaskInput): Promise<{ task: Task }> {
    await assertValidInput(input);
    const key = keyOf(input.id, 'Task', 'id');
    await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const row = await lockRow<TaskRow>(
        sql,
        `select ${TASK_COLUMNS} from task t where t.id = ? for update`,
        [key],
        () => new DomainError(ErrorCode.NOT_FOUND, `No task ${input.id}`, 'id'),
      );
      const title = input.title?.trim() ?? row.title;
      const ownerSection = input.ownerSection?.trim() ?? row.owner_section;
      const viewer = assertCanWriteSectionItem(ctx.viewer, row.area_code, [Role.COUNTY_ADMIN, Role.SECTION_STAFF], {
        what: 'task',
        owner: row.owner_section,
        next: ownerSection,
      });
      assertVersion(row.version, input.version, 'Task');
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      if (title !== row.title) {
        before.title = row.title;
        after.title = title;
      }
      if (ownerSection !== row.owner_section) {
        before.ownerSection = row.owner_section;
        after.ownerSection = ownerSection;
      }
      await versionedUpdate(sql, {
        update: `update task set title = ?, owner_section = ?, version = version + 1 where id = ? and version = ? returning id`,
        params: [title, ownerSection, key, input.version],
        lostRace: () => versionConflict(row.version + 1, input.version, 'Task'),
        event: () => ({
          subjectKind: SubjectKind.TASK,
          subjectId: toGlobalId('Task', key),
          areaCode: row.area_code,
          action: ProgressAction.UPDATED,
          actor: viewer,
          summary: `修改重点工作「${title}」${ownerSection !== row.owner_section ? `:责任股室 ${row.owner_section} → ${ownerSection}` : ''}`,
          before,
          after,
        }),
      });
    });
    return { task: (await this.reload(ctx, key))! };
  }

  async recordProgress(ctx: Context, input: RecordTaskProgressInput): Promise<{ assignment: TaskAssignment; task: Task }> {
    await assertValidInput(input);
    const key = keyOf(input.assignment, 'TaskAssignment', 'assignment');
    if (!isDate(input.asOf)) throw badInput('asOf', 'asOf must be a date like 2026-05-31');
    const taskKey = await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const row = await lockRow<
        AssignmentRow & { title: string; unit: string; owner_section: string; task_area: string; area_name: string; last_as_of: string | null }
      >(
        sql,
        `select ${ASSIGNMENT_COLUMNS}, t.title, t.unit, t.owner_section, t.area_code as task_area, ar.name as area_name,
                (select max(as_of) from task_progress where assignment_id = a.id)::text as last_as_of
           from task_assignment a join task t on t.id = a.task_id join area ar on ar.code = a.area_code
          where a.id = ? for update of a`,
        [key],
        () => new DomainError(ErrorCode.NOT_FOUND, `No assignment ${input.assignment}`, 'assignment'),
      );
      const viewer = assertCanWriteSectionItem(ctx.viewer, row.area_code, [Role.COUNTY_ADMIN, Role.SECTION_STAFF, Role.TOWNSHIP_OPERATOR], {
        what: 'task',
        owner: row.owner_section,
      });
      assertVersion(row.version, input.version, 'Assignment');
      const problems = progressProblems({ asOf: input.asOf, done: input.done }, { target: row.target, lastAsOf: row.last_as_of }, todayInChina());
      if (problems.length) fail(problems.map(([field, message, messageZh]) => userError(ErrorCode.BAD_USER_INPUT, message, field, messageZh)));
      const note = input.note?.trim() || null;
      await sql(`insert into task_progress (assignment_id, task_id, as_of, done, note, recorded_by) values (?, ?, ?, ?, ?, ?)`, [
        key,
        row.task_id,
        input.asOf,
        input.done,
        note,
        viewer.name,
      ]);
      await versionedUpdate(sql, {
        update: `update task_assignment set done = ?, version = version + 1 where id = ? and version = ? returning id`,
        params: [input.done, key, input.version],
        lostRace: () => versionConflict(row.version + 1, input.version, 'Assignment'),
        event: () => ({
          subjectKind: SubjectKind.TASK_ASSIGNMENT,
          subjectId: toGlobalId('TaskAssignment', key),
          areaCode: row.area_code,
          action: ProgressAction.PROGRESS_RECORDED,
          actor: viewer,
          summary: `「${row.title}」${row.area_name} 完成 ${input.done}/${row.target}${row.unit}(截至 ${input.asOf})`,
          before: { done: row.done },
          after: { task: toGlobalId('Task', row.task_id), done: input.done, target: row.target, asOf: input.asOf, note },
        }),
      });
      return row.task_id;
    });
    const fresh = createFreshLoaders(ctx);
    return { assignment: (await fresh.assignmentById.load(key))!, task: (await fresh.byId.load(taskKey))! };
  }

  /** A replayed progress entry (same 幂等键, same input): the assignment and its task read again; nothing is written. */
  readonly progressReplay: Replayable<{ assignment: TaskAssignment; task: Task }, { assignment: string; task: string }> = {
    ref: (result) => ({ assignment: result.assignment.key, task: result.task.key }),
    replay: async (ctx, ref) => {
      const fresh = createFreshLoaders(ctx);
      return { assignment: (await fresh.assignmentById.load(ref.assignment))!, task: (await fresh.byId.load(ref.task))! };
    },
  };

  private async reload(ctx: Context, key: string): Promise<Task | null> {
    return createFreshLoaders(ctx).byId.load(key);
  }
}

/** Loaders that read after a write: the request's cached ones may hold the old row. */
function createFreshLoaders(ctx: Context) {
  ctx.loaders.task.byId.clearAll();
  ctx.loaders.task.assignmentById.clearAll();
  ctx.loaders.task.assignmentsOfTask.clearAll();
  ctx.loaders.task.assignmentsIn.clearAll();
  ctx.loaders.task.taskDoneAsOf.clearAll();
  return ctx.loaders.task;
}

export const taskService = new TaskService();
