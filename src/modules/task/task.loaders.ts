import DataLoader from 'dataloader';
import { toPage, type Page, type PageRequest } from '../../common/connection.js';
import { groupedLoader, rowsByKey } from '../../common/loaders.js';
import type { Sql } from '../../db/sql.js';
import {
  ASSIGNMENT_COLUMNS,
  assignmentFromRow,
  TASK_COLUMNS,
  taskFromRow,
  TaskProgressEntry,
  type AssignmentRow,
  type Task,
  type TaskAssignment,
  type TaskRow,
} from './task.entity.js';
import { taskHealth, type TaskCategory, type TaskHealth } from './task.rules.js';
import type { CodeRange } from '../../common/codes.js';
import { DONE_AS_OF, TARGET_IN, TASK_IN_RANGE, TASK_KNOWN } from './task.sql.js';

/** A filtered list of tasks touching one subtree (own area or an assignment in it). */
export interface TaskListKey {
  range: CodeRange;
  /** The caller's readable range: done and target count the assignments in it only. */
  visible: CodeRange;
  asOf: string;
  /** The known-at bound (common/known-at.ts): tasks and progress recorded after it are left out. */
  knownAt: string;
  health: TaskHealth[] | null;
  category: TaskCategory | null;
  ownerSection: string | null;
  page: PageRequest;
}

type ListRow = TaskRow & { done_as_of: number; visible_target: number; batch_key: string };

/**
 * Per-request loaders for key tasks; each batch is one statement. Lists are
 * filtered by health in code (the rule lives once, in task.rules.ts): a
 * county holds tens to hundreds of tasks, so the candidate rows of one
 * statement are filtered and paged in memory.
 */
export function createTaskLoaders(sql: Sql) {
  const byId = new DataLoader<string, Task | null>(async (ids) => {
    const rows = await sql<TaskRow>(`select ${TASK_COLUMNS} from task t where t.id = any(?::bigint[])`, [ids]);
    const found = new Map(rows.map((row) => [row.id, taskFromRow(row)]));
    return ids.map((id) => found.get(id) ?? null);
  });

  const assignmentById = new DataLoader<string, TaskAssignment | null>(async (ids) => {
    const rows = await sql<AssignmentRow>(`select ${ASSIGNMENT_COLUMNS} from task_assignment a where a.id = any(?::bigint[])`, [ids]);
    const found = new Map(rows.map((row) => [row.id, assignmentFromRow(row)]));
    return ids.map((id) => found.get(id) ?? null);
  });

  const assignmentsOfTask = new DataLoader<string, TaskAssignment[]>(async (taskIds) => {
    const rows = await sql<AssignmentRow>(
      `select ${ASSIGNMENT_COLUMNS} from task_assignment a where a.task_id = any(?::bigint[]) order by a.task_id, a.area_code`,
      [taskIds],
    );
    const byTask = rowsByKey([...taskIds], rows, (row) => row.task_id);
    return taskIds.map((id) => byTask.get(id)!.map(assignmentFromRow));
  });

  /** A task's assignments in a code range (the caller's readable subtree); keys with the same range share one statement. */
  const assignmentsIn = groupedLoader<{ taskId: string; range: CodeRange }, TaskAssignment[]>(
    (key) => key.range.join('-'),
    async (keys) => {
      const [lo, hi] = keys[0].range;
      const taskIds = [...new Set(keys.map((key) => key.taskId))];
      const rows = await sql<AssignmentRow>(
        `select ${ASSIGNMENT_COLUMNS} from task_assignment a
          where a.task_id = any(?::bigint[]) and a.area_code between ? and ? order by a.task_id, a.area_code`,
        [taskIds, lo, hi],
      );
      const byTask = rowsByKey(taskIds, rows, (row) => row.task_id);
      return keys.map((key) => byTask.get(key.taskId)!.map(assignmentFromRow));
    },
  );

  /** Done as of a date (as known at a bound) over the assignments in a range, per task; keys with the same date, bound and range share one statement. */
  const taskDoneAsOf = groupedLoader<{ taskId: string; asOf: string; knownAt: string; range: CodeRange }, number>(
    (key) => `${key.asOf}:${key.knownAt}:${key.range.join('-')}`,
    async (keys) => {
      const [lo, hi] = keys[0].range;
      const rows = await sql<{ id: string; done: number }>(`select t.id::text as id, ${DONE_AS_OF} as done from task t where t.id = any(?::bigint[])`, [
        keys[0].asOf,
        keys[0].knownAt,
        lo,
        hi,
        keys.map((key) => key.taskId),
      ]);
      const found = new Map(rows.map((row) => [row.id, row.done]));
      return keys.map((key) => found.get(key.taskId) ?? 0);
    },
  );

  /** An assignment's done as of a date. */
  const assignmentDoneAsOf = groupedLoader<{ assignmentId: string; asOf: string }, number>(
    (key) => key.asOf,
    async (keys) => {
      const rows = await sql<{ id: string; done: number }>(
        `select a.id::text as id, coalesce(p.done, 0) as done
           from task_assignment a
           left join lateral (
             select tp.done from task_progress tp where tp.assignment_id = a.id and tp.as_of <= ?::date
              order by tp.as_of desc, tp.id desc limit 1) p on true
          where a.id = any(?::bigint[])`,
        [keys[0].asOf, keys.map((key) => key.assignmentId)],
      );
      const found = new Map(rows.map((row) => [row.id, row.done]));
      return keys.map((key) => found.get(key.assignmentId) ?? 0);
    },
  );

  const progressOfAssignment = new DataLoader<string, TaskProgressEntry[]>(async (ids) => {
    const rows = await sql<{ assignment_id: string; as_of: string; done: number; note: string | null; recorded_by: string; recorded_at: Date }>(
      `select assignment_id::text as assignment_id, as_of, done, note, recorded_by, recorded_at
         from task_progress where assignment_id = any(?::bigint[]) order by assignment_id, as_of, id`,
      [ids],
    );
    const byAssignment = rowsByKey([...ids], rows, (row) => row.assignment_id);
    return ids.map((id) =>
      byAssignment
        .get(id)!
        .map((row) =>
          Object.assign(new TaskProgressEntry(), { asOf: row.as_of, done: row.done, note: row.note, recordedBy: row.recorded_by, recordedAt: row.recorded_at }),
        ),
    );
  });

  const listGroup = (key: TaskListKey) => JSON.stringify([key.visible, key.asOf, key.knownAt, key.health, key.category, key.ownerSection, key.page]);

  /** Tasks touching each requested subtree, with done and target as the caller sees them: one statement for every key of a group. */
  const list = groupedLoader<TaskListKey, Page<Task>>(listGroup, async (keys) => {
    const { visible, asOf, knownAt, health, category, ownerSection, page } = keys[0];
    const [vlo, vhi] = visible;
    const rows = await sql<ListRow>(
      `select r.lo || '-' || r.hi as batch_key, ${TASK_COLUMNS}, ${DONE_AS_OF} as done_as_of, ${TARGET_IN} as visible_target
         from unnest(?::text[], ?::text[]) as r(lo, hi)
         join task t on ${TASK_IN_RANGE}
        where ${TASK_KNOWN}
          and (?::text is null or t.category = ?::text)
          and (?::text is null or t.owner_section = ?::text)
        order by r.lo, t.id`,
      [
        asOf,
        knownAt,
        vlo,
        vhi,
        vlo,
        vhi,
        vlo,
        vhi,
        keys.map((key) => key.range[0]),
        keys.map((key) => key.range[1]),
        knownAt,
        category,
        category,
        ownerSection,
        ownerSection,
      ],
    );
    const byRange = rowsByKey(
      keys.map((key) => key.range.join('-')),
      rows,
      (row) => row.batch_key,
    );
    return keys.map((key) => {
      const tasks = byRange.get(key.range.join('-'))!.map((row) => {
        const task = taskFromRow(row);
        task.listDone = row.done_as_of;
        task.listAsOf = asOf;
        task.listKnownAt = knownAt;
        task.visibleTarget = row.visible_target;
        return task;
      });
      const matching = health
        ? tasks.filter((task) =>
            health.includes(
              taskHealth({ startDate: task.startDate, deadline: task.deadlineOn(asOf, knownAt), target: task.visibleTarget!, done: task.listDone!, asOf }),
            ),
          )
        : tasks;
      const after = page.afterKey === null ? null : BigInt(page.afterKey);
      const rest = after === null ? matching : matching.filter((task) => BigInt(task.key) > after);
      return toPage(rest.slice(0, page.first + 1), page, (task) => task.key, matching.length);
    });
  });

  return { byId, assignmentById, assignmentsOfTask, assignmentsIn, taskDoneAsOf, assignmentDoneAsOf, progressOfAssignment, list };
}

export type TaskLoaders = ReturnType<typeof createTaskLoaders>;

declare module '../../graphql/context.js' {
  interface Loaders {
    task: TaskLoaders;
  }
}
