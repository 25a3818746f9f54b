import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { codeRange, normalizeCode } from '../../common/codes.js';
import { daysBetween, monthRange, todayInChina } from '../../common/dates.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import { knownAtBound } from '../../common/known-at.js';
import { assertCanRead, readRange, requireViewer, Role } from '../../auth/auth.rules.js';
import type { Context } from '../../graphql/context.js';
import { DEADLINE_IN_FORCE, STATUS_KNOWN_AS_OF } from '../rectification/rectification.entity.js';
import { personFromRow, ResponsiblePerson } from '../../people/responsible.entity.js';
import { deadlineInForce, NEEDS_SUPERVISION, taskHealth, TaskHealth, type ApprovedExtension } from '../task/task.rules.js';
import { APPROVED_EXTENSIONS } from '../task/task.entity.js';
import { DONE_AS_OF, TARGET_IN, TASK_KNOWN, type TaskInView } from '../task/task.sql.js';
import { SupervisionKind } from './supervision.entity.js';
import { dueState, DueState, OUTCOME_COLUMNS, outcomeFromRow, SupervisionOutcome, SupervisionStage, type OutcomeRow } from './supervision.lifecycle.js';

/** Who may read the chain in one read: the bureau's admins and its leaders. */
export const ACCOUNTABILITY_READERS = [Role.COUNTY_ADMIN, Role.LEADER];

@ObjectType('AccountabilityItem', { description: '逾期/滞后事项 — an overdue or lagging task, or an overdue rectification, with its responsible person.' })
export class AccountabilityItem {
  @Field(() => ID, { description: 'Global ID of the task or rectification.' })
  subjectId!: string;

  @Field({ description: 'Type name: Task or Rectification.' })
  subjectKind!: string;

  @Field({ description: '事项 — title of the task or the finding.' })
  title!: string;

  @Field({ description: '区划 — area name.' })
  areaName!: string;

  @Field(() => LocalDateResolver, { description: '时限 — the deadline in force on the as-of date (延期 included, as known at `knownAt`).' })
  deadline!: string;

  @Field(() => TaskHealth, { nullable: true, description: "A task's health (LAGGING or OVERDUE) on the as-of date; null for a rectification." })
  health!: TaskHealth | null;

  @Field({ description: '情况 — one readable line, e.g. 逾期 12 天,完成 0/1个.' })
  reason!: string;

  @Field({ description: '责任单位 — owning section of a task; the responsible person registered with a rectification.' })
  owner!: string;

  @Field(() => ResponsiblePerson, { nullable: true, description: '责任人 — the person responsible (as known at `knownAt`); null when none was set.' })
  responsible!: ResponsiblePerson | null;
}

@ObjectType('AccountabilitySupervision', { description: '在办督办 — a supervision action not closed on the as-of date: its stage and due state then.' })
export class AccountabilitySupervision {
  @Field(() => ID, { description: 'The supervision action (global ID).' })
  supervisionActionId!: string;

  @Field(() => ID, { description: 'Global ID of the supervised task, project or rectification.' })
  targetId!: string;

  @Field({ description: '事项 — what is supervised.' })
  title!: string;

  @Field({ description: '被督办单位 — the unit supervised.' })
  targetUnit!: string;

  @Field({ description: '区划 — area name.' })
  areaName!: string;

  @Field(() => SupervisionKind, { description: '督办方式 — kind.' })
  kind!: SupervisionKind;

  @Field(() => SupervisionStage, { description: '办理阶段 — the stage on the as-of date.' })
  stage!: SupervisionStage;

  @Field(() => LocalDateResolver, { description: '回复时限 — response due date.' })
  responseDue!: string;

  @Field(() => DueState, { description: '时限状态 — on the as-of date.' })
  dueState!: DueState;
}

@ObjectType('Accountability', {
  description:
    '责任落实 — the accountability chain of an area and month in one read: overdue and lagging work with its responsible persons, open supervision, and the 问责 of the month (COUNTY_ADMIN and LEADER).',
})
export class Accountability {
  @Field({ description: '月份 — "2026-11".' })
  month!: string;

  @Field({ description: '区划 — the area read.' })
  areaName!: string;

  @Field(() => LocalDateResolver, { description: 'The as-of date: the last day of the month, or today for the current month.' })
  asOf!: string;

  @Field(() => [AccountabilityItem], {
    description: '逾期/滞后 — overdue and lagging tasks and overdue rectifications on the as-of date, with their responsible persons.',
  })
  items!: AccountabilityItem[];

  @Field(() => [AccountabilitySupervision], { description: '在办督办 — supervision issued by the as-of date and not closed then, oldest first.' })
  openSupervision!: AccountabilitySupervision[];

  @Field(() => [SupervisionOutcome], { description: '问责 — outcomes decided in the month, oldest first.' })
  outcomes!: SupervisionOutcome[];
}

/**
 * The chain in one read, in six statements whatever the size: the area, the tasks, the rectifications,
 * their responsible persons, the open supervision (with its stage as of the date), the month's outcomes.
 * As known at `knownAt` when given (rows recorded later left out).
 */
export async function accountability(
  ctx: Context,
  month: string,
  areaArg: string | null | undefined,
  knownAtArg: Date | null | undefined,
): Promise<Accountability> {
  const viewer = requireViewer(ctx.viewer);
  const [first, last] = monthRange(month);
  const knownAt = knownAtBound(knownAtArg);
  const areaCode = areaArg == null ? viewer.areaCode : normalizeCode(areaArg, 'area');
  assertCanRead(viewer, areaCode, ACCOUNTABILITY_READERS);
  const today = todayInChina();
  const asOf = last < today ? last : today;
  if (first > today) throw new DomainError(ErrorCode.BAD_USER_INPUT, `month ${month} has not begun`, 'month', `${month} 尚未开始`);
  const [area] = await ctx.sql<{ name: string }>('select name from area where code = ?', [areaCode]);
  if (!area) throw new DomainError(ErrorCode.NOT_FOUND, `No area ${areaCode}`, 'area');
  const [lo, hi] = codeRange(areaCode);
  const [vlo, vhi] = readRange(viewer)!;

  const tasks = await ctx.sql<TaskInView & { area_name: string; extensions: ApprovedExtension[] }>(
    `select t.id::text as id, t.title, t.owner_section, ${TARGET_IN} as target, t.unit, t.start_date, t.deadline, ${DONE_AS_OF} as done, a.name as area_name,
            ${APPROVED_EXTENSIONS} as extensions
       from task t join area a on a.code = t.area_code
      where t.start_date <= ?::date and ${TASK_KNOWN}
        and (t.area_code between ? and ? or exists (select 1 from task_assignment x where x.task_id = t.id and x.area_code between ? and ?))
      order by t.deadline, t.id`,
    [vlo, vhi, vlo, vhi, asOf, knownAt, vlo, vhi, asOf, knownAt, lo, hi, lo, hi],
  );
  // Rectifications overdue on the deadline in force on the as-of date (延期申请), as known at the bound.
  const rects = await ctx.sql<{ id: string; finding: string; responsible_person: string; deadline: string; original: string; area_name: string }>(
    `select r.id::text as id, r.finding, r.responsible_person, d.deadline, r.deadline as original, a.name as area_name
       from rectification r join area a on a.code = r.area_code
       cross join lateral (select ${DEADLINE_IN_FORCE} as deadline) d
      where r.area_code between ? and ? and d.deadline < ?::date and r.created_at <= ?::timestamptz
        and ${STATUS_KNOWN_AS_OF} in ('OPEN', 'RECTIFYING')
      order by d.deadline, r.id`,
    [asOf, knownAt, lo, hi, asOf, knownAt, asOf, knownAt],
  );
  const items: AccountabilityItem[] = [];
  /** Each item's key in `responsible_change` (item_kind, item_id), in the order of `items`. */
  const keys: [string, string][] = [];
  for (const task of tasks) {
    // The deadline in force on the as-of date (延期申请), as known at the bound.
    const deadline = deadlineInForce(task.deadline, task.extensions, asOf, knownAt);
    const health = taskHealth({ target: task.target, done: task.done, startDate: task.start_date, deadline, asOf });
    if (!NEEDS_SUPERVISION.has(health)) continue;
    items.push(
      Object.assign(new AccountabilityItem(), {
        subjectId: toGlobalId('Task', task.id),
        subjectKind: 'Task',
        title: task.title,
        areaName: task.area_name,
        deadline,
        health,
        reason:
          health === TaskHealth.OVERDUE
            ? `逾期 ${daysBetween(deadline, asOf)} 天,完成 ${task.done}/${task.target}${task.unit}`
            : `进度滞后,完成 ${task.done}/${task.target}${task.unit}`,
        owner: task.owner_section,
        responsible: null,
      }),
    );
    keys.push(['TASK', task.id]);
  }
  for (const rect of rects) {
    items.push(
      Object.assign(new AccountabilityItem(), {
        subjectId: toGlobalId('Rectification', rect.id),
        subjectKind: 'Rectification',
        title: rect.finding,
        areaName: rect.area_name,
        deadline: rect.deadline,
        health: null,
        reason: `整改逾期 ${daysBetween(rect.deadline, asOf)} 天${rect.deadline === rect.original ? '' : `(已延期至 ${rect.deadline},原定 ${rect.original})`}`,
        owner: rect.responsible_person,
        responsible: null,
      }),
    );
    keys.push(['RECTIFICATION', rect.id]);
  }
  // Each item's responsible person as known at the bound: its latest change recorded by then.
  const people = await ctx.sql<{ item_kind: string; item_id: string; account_id: string | null; name: string; title: string | null; unit: string | null }>(
    `select distinct on (c.item_kind, c.item_id) c.item_kind, c.item_id::text as item_id, c.account_id::text as account_id, c.name, c.title, c.unit
       from responsible_change c
       join unnest(?::text[], ?::bigint[]) as k(kind, id) on k.kind = c.item_kind and k.id = c.item_id
      where c.changed_at <= ?::timestamptz
      order by c.item_kind, c.item_id, c.id desc`,
    [keys.map((k) => k[0]), keys.map((k) => k[1]), knownAt],
  );
  const byItem = new Map(people.map((row) => [`${row.item_kind}:${row.item_id}`, personFromRow(row)]));
  items.forEach((item, i) => (item.responsible = byItem.get(keys[i].join(':')) ?? null));

  const open = await ctx.sql<{
    id: string;
    target_id: string;
    target_label: string;
    target_unit: string;
    area_name: string;
    kind: SupervisionKind;
    response_due: string;
    stage: SupervisionStage;
    responded_on: string | null;
  }>(
    `select * from (
       select s.id::text as id, s.target_id, s.target_label, s.target_unit, a.name as area_name, s.kind, s.response_due,
              coalesce(st.to_stage, 'ASSIGNED') as stage,
              (select max(r.on_date)::text from supervision_transition r
                where r.action_id = s.id and r.step = 'RESPONDED' and r.on_date <= ?::date and r.recorded_at <= ?::timestamptz) as responded_on
         from supervision_action s join area a on a.code = s.area_code
         left join lateral (select x.to_stage from supervision_transition x
                             where x.action_id = s.id and x.on_date <= ?::date and x.recorded_at <= ?::timestamptz
                             order by x.on_date desc, x.id desc limit 1) st on true
        where s.area_code between ? and ? and s.issued_on <= ?::date and s.created_at <= ?::timestamptz) o
      where stage <> 'CLOSED' order by id::bigint`,
    [asOf, knownAt, asOf, knownAt, lo, hi, asOf, knownAt],
  );
  const outcomes = await ctx.sql<OutcomeRow>(
    `select ${OUTCOME_COLUMNS} from supervision_outcome so
      where so.area_code between ? and ? and so.decided_on between ? and ? and so.recorded_at <= ?::timestamptz
      order by so.decided_on, so.id`,
    [lo, hi, first, last, knownAt],
  );
  return Object.assign(new Accountability(), {
    month,
    areaName: area.name,
    asOf,
    items,
    openSupervision: open.map((row) =>
      Object.assign(new AccountabilitySupervision(), {
        supervisionActionId: toGlobalId('SupervisionAction', row.id),
        targetId: row.target_id,
        title: row.target_label,
        targetUnit: row.target_unit,
        areaName: row.area_name,
        kind: row.kind,
        stage: row.stage,
        responseDue: row.response_due,
        dueState: dueState(row.response_due, row.responded_on, asOf),
      }),
    ),
    outcomes: outcomes.map(outcomeFromRow),
  });
}
