/*
 * SQL fragments over a task aliased `t`: how much of a task is done and what its
 * target is as seen from a subtree. The task feature's loaders use them, and so
 * do the features that read tasks in their own statements (supervision
 * candidates, the monthly report); the rule is written once, here.
 */

import type { TaskRow } from './task.entity.js';

/**
 * Done quantity of each task (`t`) as of a date, over its assignments in a code
 * range — the caller's readable subtree, so a caller below the task's own area
 * counts only its share: per assignment, the latest entry dated on or before
 * the date and recorded on or before the known-at bound (see common/known-at.ts),
 * summed. Parameters: the date, the known-at bound, then the range (lo, hi).
 * Shared by lists, health, supervision candidates and the monthly report.
 */
export const DONE_AS_OF = `coalesce((
    select sum(p.done)::int from task_assignment a
     cross join lateral (
       select tp.done from task_progress tp
        where tp.assignment_id = a.id and tp.as_of <= ?::date and tp.recorded_at <= ?::timestamptz
        order by tp.as_of desc, tp.id desc limit 1) p
     where a.task_id = t.id and a.area_code between ?::text and ?::text), 0)`;

/**
 * A task's (`t`) target as seen from a code range (the caller's readable
 * subtree): the whole target when the task's own area lies in it, else the sum
 * of its assignments' targets there. Parameters: the range (lo, hi) twice.
 */
export const TARGET_IN = `(case when t.area_code between ?::text and ?::text then t.target
    else coalesce((select sum(x.target)::int from task_assignment x
                    where x.task_id = t.id and x.area_code between ?::text and ?::text), 0) end)`;

/** Whether a task touches the subtree [lo, hi]: its own area or one of its assignments lies in it. */
export const TASK_IN_RANGE = `(t.area_code between r.lo and r.hi
    or exists (select 1 from task_assignment x where x.task_id = t.id and x.area_code between r.lo and r.hi))`;

/** Whether a task (`t`) had been recorded at the known-at bound (one parameter: the bound). */
export const TASK_KNOWN = `t.created_at <= ?::timestamptz`;

/** A task's row as another feature's statement reads it, with `target` (TARGET_IN) and `done` (DONE_AS_OF) as the caller sees them. */
export type TaskInView = Pick<TaskRow, 'id' | 'title' | 'owner_section' | 'target' | 'unit' | 'start_date' | 'deadline'> & { done: number };
