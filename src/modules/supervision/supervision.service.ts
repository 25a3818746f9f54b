import { pageRequest, type Page } from '../../common/connection.js';
import { daysBetween, isDate, todayInChina, asOfOrToday } from '../../common/dates.js';
import { badInput, DomainError, ErrorCode } from '../../common/errors.js';
import { fromGlobalId, toGlobalId } from '../../common/global-id.js';
import { keyOf } from '../../common/ids.js';
import { assertValidInput, assertVersion, versionConflict } from '../../common/payload.js';
import { sqlFor, type Sql } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import { fetchNode } from '../../graphql/node.resolver.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import { lockRow, versionedUpdate } from '../progress/progress.write.js';
import { deadlineInForce, NEEDS_SUPERVISION, taskHealth, TaskHealth, type ApprovedExtension } from '../task/task.rules.js';
import { SUPERVISION_COLUMNS, SUPERVISION_LABEL, SupervisionCandidate, type SupervisionAction, type SupervisionRow } from './supervision.entity.js';
import type {
  AdvanceSupervisionInput,
  IssueSupervisionInput,
  RecordSupervisionOutcomeInput,
  RecordSupervisionResponseInput,
  SupervisionListArgs,
} from './supervision.inputs.js';
import {
  ACCOUNTABILITY_LABEL,
  OUTCOME_COLUMNS,
  outcomeFromRow,
  STAGE_LABEL,
  STEP_LABEL,
  STEP_RULES,
  SupervisionStage,
  SupervisionStep,
  type OutcomeRow,
  type SupervisionOutcome,
  type SupervisionSide,
} from './supervision.lifecycle.js';
import { codeRange, intersectRanges, normalizeCode } from '../../common/codes.js';
import { assertCanRead, assertCanWrite, readRange, Role, requireSensitiveReader, SENSITIVE_READERS, type Viewer } from '../../auth/auth.rules.js';
import { DONE_AS_OF, TARGET_IN, TASK_KNOWN, type TaskInView } from '../task/task.sql.js';
import { APPROVED_EXTENSIONS, type TaskRow } from '../task/task.entity.js';
import { knownAtBound } from '../../common/known-at.js';
import { DEADLINE_IN_FORCE, STATUS_KNOWN_AS_OF } from '../rectification/rectification.entity.js';

/** Node types that are not work and cannot be supervised. */
const NOT_SUPERVISABLE = new Set(['Area', 'ProgressUpdate', 'SupervisionAction', 'TaskAssignment']);

/**
 * Supervision (督办): issued by COUNTY_ADMIN against any supervisable Node,
 * resolved through the `node` fetchers so types from other modules (projects)
 * are accepted as they appear; answered by the supervised township's operator
 * or the bureau. Sensitive reads. One progress event per change.
 */
export class SupervisionService {
  async byKey(ctx: Context, key: string): Promise<SupervisionAction | null> {
    requireSensitiveReader(ctx.viewer);
    if (!/^[1-9]\d{0,17}$/.test(key)) return null;
    const item = await ctx.loaders.supervision.byId.load(key);
    if (item) assertCanRead(ctx.viewer, item.areaCode, SENSITIVE_READERS);
    return item;
  }

  async byId(ctx: Context, id: string): Promise<SupervisionAction | null> {
    return this.byKey(ctx, keyOf(id, 'SupervisionAction', 'id'));
  }

  async list(ctx: Context, args: SupervisionListArgs): Promise<Page<SupervisionAction>> {
    const viewer = requireSensitiveReader(ctx.viewer);
    const page = pageRequest(args);
    let range = readRange(viewer)!;
    if (args.area != null) range = intersectRanges(range, codeRange(normalizeCode(args.area, 'area'))) ?? ['1', '0'];
    if (args.target != null) fromGlobalId(args.target, 'target');
    return ctx.loaders.supervision.list.load({ range, kind: args.kind ?? null, targetId: args.target ?? null, page });
  }

  /**
   * Lagging or overdue tasks and overdue rectifications as of a date that no supervision action covers: an action
   * covers its target from its issue date to its response due date (both included). After that window the target is
   * a candidate again while it lags or is overdue — whether the response never came (overdue) or came and the work
   * still lags. With `knownAt`, as known at that instant (tasks, progress, transitions and supervision recorded later left out).
   */
  async needsSupervision(
    ctx: Context,
    asOfArg: string | null | undefined,
    area: string | null | undefined,
    knownAtArg?: Date | null,
  ): Promise<SupervisionCandidate[]> {
    const viewer = requireSensitiveReader(ctx.viewer);
    const asOf = asOfOrToday(asOfArg);
    const knownAt = knownAtBound(knownAtArg);
    const [vlo, vhi] = readRange(viewer)!;
    let range: [string, string] = [vlo, vhi];
    if (area != null) range = intersectRanges(range, codeRange(normalizeCode(area, 'area'))) ?? ['1', '0'];
    // Target and done as the caller sees them: a township's share of a county task is judged on its own.
    const tasks = await ctx.sql<TaskInView & Pick<TaskRow, 'area_code'> & { extensions: ApprovedExtension[] }>(
      `select t.id::text as id, t.title, t.area_code, t.owner_section, ${TARGET_IN} as target, t.unit, t.start_date, t.deadline, ${DONE_AS_OF} as done,
              ${APPROVED_EXTENSIONS} as extensions
         from task t, (select ?::text as lo, ?::text as hi) r
        where t.start_date <= ?::date and ${TASK_KNOWN}
          and (t.area_code between r.lo and r.hi or exists (select 1 from task_assignment x where x.task_id = t.id and x.area_code between r.lo and r.hi))
          and not exists (select 1 from supervision_action s where s.target_kind = 'Task' and s.target_key = t.id::text and s.issued_on <= ?::date
                            and s.response_due >= ?::date and s.created_at <= ?::timestamptz)
        order by t.deadline, t.id`,
      [vlo, vhi, vlo, vhi, asOf, knownAt, vlo, vhi, range[0], range[1], asOf, knownAt, asOf, asOf, knownAt],
    );
    const candidates: SupervisionCandidate[] = [];
    for (const task of tasks) {
      // The deadline in force on the as-of date (延期申请), as known at the bound.
      const deadline = deadlineInForce(task.deadline, task.extensions, asOf, knownAt);
      const health = taskHealth({ target: task.target, done: task.done, startDate: task.start_date, deadline, asOf });
      if (!NEEDS_SUPERVISION.has(health)) continue;
      candidates.push(
        Object.assign(new SupervisionCandidate(), {
          targetKey: task.id,
          targetId: toGlobalId('Task', task.id),
          targetKind: 'Task',
          areaCode: task.area_code,
          title: task.title,
          owner: task.owner_section,
          deadline,
          health,
          reason:
            health === TaskHealth.OVERDUE
              ? `逾期 ${daysBetween(deadline, asOf)} 天,完成 ${task.done}/${task.target}${task.unit}`
              : `进度滞后,完成 ${task.done}/${task.target}${task.unit}`,
        }),
      );
    }
    const items = await ctx.sql<{ id: string; finding: string; area_code: string; responsible_person: string; deadline: string }>(
      `select r.id::text as id, r.finding, r.area_code, r.responsible_person, d.deadline
         from rectification r
         cross join lateral (select ${DEADLINE_IN_FORCE} as deadline) d
        where r.area_code between ? and ? and d.deadline < ?::date
          and ${STATUS_KNOWN_AS_OF} in ('OPEN', 'RECTIFYING')
          and not exists (select 1 from supervision_action s where s.target_kind = 'Rectification' and s.target_key = r.id::text and s.issued_on <= ?::date
                            and s.response_due >= ?::date and s.created_at <= ?::timestamptz)
        order by d.deadline, r.id`,
      // The deadline in force on the as-of date (延期申请), as known at the bound.
      [asOf, knownAt, range[0], range[1], asOf, asOf, knownAt, asOf, asOf, knownAt],
    );
    for (const item of items) {
      candidates.push(
        Object.assign(new SupervisionCandidate(), {
          targetKey: item.id,
          targetId: toGlobalId('Rectification', item.id),
          targetKind: 'Rectification',
          areaCode: item.area_code,
          title: item.finding,
          owner: item.responsible_person,
          deadline: item.deadline,
          health: null,
          reason: `整改逾期 ${daysBetween(item.deadline, asOf)} 天`,
        }),
      );
    }
    return candidates;
  }

  async issue(ctx: Context, input: IssueSupervisionInput): Promise<{ supervisionAction: SupervisionAction }> {
    await assertValidInput(input);
    const { type, key: targetKey } = fromGlobalId(input.target, 'target');
    if (NOT_SUPERVISABLE.has(type)) throw badInput('target', `A ${type} cannot be supervised`);
    const target = (await fetchNode(ctx, input.target, 'target')) as { areaCode?: string; title?: string; name?: string; finding?: string } | null;
    if (!target) throw new DomainError(ErrorCode.NOT_FOUND, `No ${type} ${input.target}`, 'target');
    if (typeof target.areaCode !== 'string') throw badInput('target', `A ${type} has no area and cannot be supervised`);
    const viewer = assertCanWrite(ctx.viewer, target.areaCode, [Role.COUNTY_ADMIN]);
    const today = todayInChina();
    const issuedOn = input.issuedOn ?? today;
    if (!isDate(issuedOn)) throw badInput('issuedOn', 'issuedOn must be a date');
    if (issuedOn > today) throw new DomainError(ErrorCode.BAD_USER_INPUT, `issuedOn ${issuedOn} is in the future`, 'issuedOn');
    if (input.responseDue < issuedOn) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'responseDue must not precede issuedOn', 'responseDue');
    const label = target.title ?? target.name ?? target.finding ?? type;
    const key = await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const [row] = await sql<{ id: string }>(
        `insert into supervision_action (target_kind, target_key, target_id, target_label, area_code, kind, issued_on, issuer, target_unit, response_due, recorded_by)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id::text as id`,
        [
          type,
          targetKey,
          input.target,
          label,
          target.areaCode,
          input.kind,
          issuedOn,
          input.issuer.trim(),
          input.targetUnit.trim(),
          input.responseDue,
          viewer.name,
        ],
      );
      await recordStep(sql, row.id, SupervisionStep.ASSIGNED, null, SupervisionStage.ASSIGNED, issuedOn, null, viewer);
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.SUPERVISION,
        subjectId: toGlobalId('SupervisionAction', row.id),
        areaCode: target.areaCode!,
        action: ProgressAction.CREATED,
        actor: viewer,
        summary: `${SUPERVISION_LABEL[input.kind]}「${label}」:${input.issuer.trim()} 督办 ${input.targetUnit.trim()},${input.responseDue} 前回复`,
        before: null,
        after: {
          target: input.target,
          targetKind: type,
          kind: input.kind,
          issuedOn,
          issuer: input.issuer.trim(),
          targetUnit: input.targetUnit.trim(),
          responseDue: input.responseDue,
        },
      });
      return row.id;
    });
    ctx.loaders.supervision.byId.clearAll();
    return { supervisionAction: (await ctx.loaders.supervision.byId.load(key))! };
  }

  /**
   * One step of the lifecycle (签收、办理、反馈、退回、办结): the step must follow from the current stage
   * ({@link STEP_RULES}), be taken by its side, be dated on or after the last step and not in the future;
   * 反馈 and 退回 need a note. The step row, the stage and the event are written in one transaction.
   */
  async advance(ctx: Context, input: AdvanceSupervisionInput): Promise<{ supervisionAction: SupervisionAction }> {
    await assertValidInput(input);
    const key = keyOf(input.id, 'SupervisionAction', 'id');
    if (input.step === SupervisionStep.ASSIGNED) {
      throw new DomainError(
        ErrorCode.INVALID_TRANSITION,
        'ASSIGNED is the step issueSupervision takes',
        'step',
        '交办请使用“督办”(issueSupervision),不能作为流转步骤',
      );
    }
    const rule = STEP_RULES[input.step];
    await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const row = await lockRow<SupervisionRow & { last_on: string }>(
        sql,
        `select ${SUPERVISION_COLUMNS}, (select max(st.on_date)::text from supervision_transition st where st.action_id = s.id) as last_on
           from supervision_action s where s.id = ? for update`,
        [key],
        () => new DomainError(ErrorCode.NOT_FOUND, `No supervision action ${input.id}`, 'id'),
      );
      const viewer = assertMayAct(ctx, rule.side, row.area_code, await ownerSectionOf(ctx, row.target_id));
      assertVersion(row.version, input.version, 'Supervision action');
      if (!rule.from.includes(row.stage)) {
        throw new DomainError(
          ErrorCode.INVALID_TRANSITION,
          `A supervision action cannot take the step ${input.step} from ${row.stage}`,
          'step',
          `督办事项当前处于“${STAGE_LABEL[row.stage]}”阶段,不能${STEP_LABEL[input.step]}`,
        );
      }
      const on = input.on ?? todayInChina();
      const since = row.last_on ?? row.issued_on;
      if (!isDate(on) || on < since || on > todayInChina()) {
        throw new DomainError(ErrorCode.BAD_USER_INPUT, `on must lie between ${since} and today`, 'on', `日期须在 ${since} 至今天之间`);
      }
      const note = input.note?.trim() || null;
      if (note === null && (input.step === SupervisionStep.RESPONDED || input.step === SupervisionStep.RETURNED)) {
        throw new DomainError(
          ErrorCode.BAD_USER_INPUT,
          `${input.step} needs a note`,
          'note',
          input.step === SupervisionStep.RESPONDED ? '反馈须填写办理情况' : '退回须填写退回理由',
        );
      }
      const responded = input.step === SupervisionStep.RESPONDED;
      await versionedUpdate(sql, {
        update: `update supervision_action
                    set stage = ?, version = version + 1,
                        response = case when ? then ? else response end,
                        responded_on = case when ? then ?::date else responded_on end,
                        responded_at = case when ? then now() else responded_at end
                  where id = ? and version = ? returning id`,
        params: [rule.to, responded, note, responded, on, responded, key, input.version],
        lostRace: () => versionConflict(row.version + 1, input.version, 'Supervision action'),
        alsoWrite: () => recordStep(sql, key, input.step, row.stage, rule.to, on, note, viewer),
        event: () => ({
          subjectKind: SubjectKind.SUPERVISION,
          subjectId: toGlobalId('SupervisionAction', key),
          areaCode: row.area_code,
          action: ProgressAction.STATUS_CHANGED,
          actor: viewer,
          summary: `${SUPERVISION_LABEL[row.kind]} ${row.target_unit}:${STEP_LABEL[input.step]}${responded && on > row.response_due ? '(超期)' : ''}`,
          before: { stage: row.stage },
          after: { stage: rule.to, step: input.step, on, note },
        }),
      });
    });
    ctx.loaders.supervision.byId.clearAll();
    ctx.loaders.supervision.transitions.clearAll();
    return { supervisionAction: (await ctx.loaders.supervision.byId.load(key))! };
  }

  /**
   * 问责 — records what an action led to, against an account or a named person (exactly one), by the
   * supervising side; dated between the issue date and today. One row, one event, one transaction.
   */
  async recordOutcome(ctx: Context, input: RecordSupervisionOutcomeInput): Promise<{ outcome: SupervisionOutcome; supervisionAction: SupervisionAction }> {
    await assertValidInput(input);
    const key = keyOf(input.supervisionAction, 'SupervisionAction', 'supervisionAction');
    const name = input.name?.trim() || null;
    if ((input.account == null) === (name === null)) {
      throw new DomainError(ErrorCode.BAD_USER_INPUT, 'Give exactly one of account and name', 'name', '请填写问责对象:账号或姓名(二选一)');
    }
    const accountKey = input.account == null ? null : keyOf(input.account, 'Account', 'account');
    const outcomeKey = await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const row = await lockRow<SupervisionRow>(
        sql,
        `select ${SUPERVISION_COLUMNS} from supervision_action s where s.id = ? for update`,
        [key],
        () => new DomainError(ErrorCode.NOT_FOUND, `No supervision action ${input.supervisionAction}`, 'supervisionAction'),
      );
      const viewer = assertMayAct(ctx, 'SUPERVISING', row.area_code, await ownerSectionOf(ctx, row.target_id));
      const decidedOn = input.decidedOn ?? todayInChina();
      if (!isDate(decidedOn) || decidedOn < row.issued_on || decidedOn > todayInChina()) {
        throw new DomainError(
          ErrorCode.BAD_USER_INPUT,
          'decidedOn must lie between the issue date and today',
          'decidedOn',
          `决定日期须在 ${row.issued_on} 至今天之间`,
        );
      }
      let person = { name: name ?? '', title: input.title?.trim() || null, unit: input.unit?.trim() || null };
      if (accountKey !== null) {
        const [account] = await sql<{ display_name: string; section: string | null; area_name: string }>(
          `select a.display_name, a.section, ar.name as area_name from account a join area ar on ar.code = a.area_code
            where a.id = ? and not a.disabled and a.area_code between ? and ?`,
          [accountKey, ...readRange(viewer)!],
        );
        // Only an enabled account in the caller's own subtree, as for 责任人: others cannot learn names by trying ids.
        if (!account)
          throw new DomainError(ErrorCode.NOT_FOUND, `No enabled account ${input.account} in your area`, 'account', '没有这个账号(或已停用、不在您的辖区内)');
        person = { name: account.display_name, title: person.title, unit: person.unit ?? account.section ?? account.area_name };
      }
      const [outcome] = await sql<{ id: string }>(
        `insert into supervision_outcome (action_id, area_code, kind, account_id, name, title, unit, note, decided_on, recorded_by)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id::text as id`,
        [key, row.area_code, input.kind, accountKey, person.name, person.title, person.unit, input.note?.trim() || null, decidedOn, viewer.name],
      );
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.SUPERVISION,
        subjectId: toGlobalId('SupervisionAction', key),
        areaCode: row.area_code,
        action: ProgressAction.UPDATED,
        actor: viewer,
        summary: `${SUPERVISION_LABEL[row.kind]} ${row.target_unit}:问责 ${ACCOUNTABILITY_LABEL[input.kind]} ${person.name}`,
        before: null,
        after: { outcome: { kind: input.kind, name: person.name, title: person.title, unit: person.unit, decidedOn, account: input.account ?? null } },
      });
      return outcome.id;
    });
    const [outcome] = await ctx.sql<OutcomeRow>(`select ${OUTCOME_COLUMNS} from supervision_outcome so where so.id = ?`, [outcomeKey]);
    ctx.loaders.supervision.byId.clearAll();
    ctx.loaders.supervision.outcomes.clearAll();
    return { outcome: outcomeFromRow(outcome), supervisionAction: (await ctx.loaders.supervision.byId.load(key))! };
  }

  async respond(ctx: Context, input: RecordSupervisionResponseInput): Promise<{ supervisionAction: SupervisionAction }> {
    await assertValidInput(input);
    const key = keyOf(input.id, 'SupervisionAction', 'id');
    await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const row = await lockRow<SupervisionRow>(
        sql,
        `select ${SUPERVISION_COLUMNS} from supervision_action s where s.id = ? for update`,
        [key],
        () => new DomainError(ErrorCode.NOT_FOUND, `No supervision action ${input.id}`, 'id'),
      );
      const viewer = assertCanWrite(ctx.viewer, row.area_code, [Role.COUNTY_ADMIN, Role.TOWNSHIP_OPERATOR]);
      assertVersion(row.version, input.version, 'Supervision action');
      if (row.stage === SupervisionStage.RESPONDED || row.stage === SupervisionStage.CLOSED) {
        throw new DomainError(ErrorCode.INVALID_TRANSITION, 'This supervision action has been answered already', 'id', '该督办事项已反馈,不能再次回复');
      }
      const respondedOn = input.respondedOn ?? todayInChina();
      if (!isDate(respondedOn) || respondedOn < row.issued_on || respondedOn > todayInChina()) {
        throw new DomainError(ErrorCode.BAD_USER_INPUT, 'respondedOn must lie between the issue date and today', 'respondedOn');
      }
      await versionedUpdate(sql, {
        update: `update supervision_action set response = ?, responded_on = ?, responded_at = now(), stage = 'RESPONDED', version = version + 1
                  where id = ? and version = ? returning id`,
        params: [input.response.trim(), respondedOn, key, input.version],
        lostRace: () => versionConflict(row.version + 1, input.version, 'Supervision action'),
        alsoWrite: () => recordStep(sql, key, SupervisionStep.RESPONDED, row.stage, SupervisionStage.RESPONDED, respondedOn, input.response.trim(), viewer),
        event: () => ({
          subjectKind: SubjectKind.SUPERVISION,
          subjectId: toGlobalId('SupervisionAction', key),
          areaCode: row.area_code,
          action: ProgressAction.UPDATED,
          actor: viewer,
          summary: `${SUPERVISION_LABEL[row.kind]} ${row.target_unit} 已回复${respondedOn > row.response_due ? '(超期)' : ''}`,
          before: { response: null },
          after: { response: input.response.trim(), respondedOn },
        }),
      });
    });
    ctx.loaders.supervision.byId.clearAll();
    return { supervisionAction: (await ctx.loaders.supervision.byId.load(key))! };
  }
}

/** Appends one step to an action's 流转记录 (in the caller's transaction). */
async function recordStep(
  sql: Sql,
  actionKey: string,
  step: SupervisionStep,
  from: SupervisionStage | null,
  to: SupervisionStage,
  on: string,
  note: string | null,
  viewer: Viewer,
): Promise<void> {
  await sql(
    `insert into supervision_transition (action_id, step, from_stage, to_stage, on_date, note, actor_sub, actor_name, actor_role)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [actionKey, step, from, to, on, note, viewer.sub, viewer.name, viewer.role],
  );
}

/**
 * Who may take a step for an action in `areaCode` against a target owned by `ownerSection` (null when the
 * target has none, e.g. a rectification). The supervised side (签收、办理、反馈): the target's township
 * operator, or COUNTY_ADMIN recording it on the unit's behalf. The supervising side (退回、办结、问责):
 * COUNTY_ADMIN, or SECTION_STAFF for a target their section owns. LEADER, VIEWER and village operators never.
 */
function assertMayAct(ctx: Context, side: SupervisionSide, areaCode: string, ownerSection: string | null): Viewer {
  if (side === 'SUPERVISED') return assertCanWrite(ctx.viewer, areaCode, [Role.COUNTY_ADMIN, Role.TOWNSHIP_OPERATOR]);
  const viewer = assertCanWrite(ctx.viewer, areaCode, [Role.COUNTY_ADMIN, Role.SECTION_STAFF]);
  if (viewer.role === Role.SECTION_STAFF && (ownerSection === null || viewer.section !== ownerSection)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `Section staff act only on supervision of their own section's work (${viewer.section ?? 'no section'})`);
  }
  return viewer;
}

/** The owning section of an action's target (tasks and projects have one), read as the caller may read it. */
async function ownerSectionOf(ctx: Context, targetId: string): Promise<string | null> {
  if (ctx.viewer?.role !== Role.SECTION_STAFF) return null;
  const target = (await fetchNode(ctx, targetId, 'id').catch(() => null)) as { ownerSection?: unknown } | null;
  return typeof target?.ownerSection === 'string' ? target.ownerSection : null;
}

export const supervisionService = new SupervisionService();
