import { pageRequest, type Page } from '../../common/connection.js';
import { daysBetween, isDate, todayInChina, asOfOrToday } from '../../common/dates.js';
import { badInput, DomainError, ErrorCode } from '../../common/errors.js';
import { fromGlobalId, toGlobalId } from '../../common/global-id.js';
import { keyOf } from '../../common/ids.js';
import { assertValidInput, assertVersion, versionConflict } from '../../common/payload.js';
import { sqlFor } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import { fetchNode } from '../../graphql/node.resolver.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import { lockRow, versionedUpdate } from '../progress/progress.write.js';
import { NEEDS_SUPERVISION, taskHealth, TaskHealth } from '../task/task.rules.js';
import { SUPERVISION_COLUMNS, SUPERVISION_LABEL, SupervisionCandidate, type SupervisionAction, type SupervisionRow } from './supervision.entity.js';
import type { IssueSupervisionInput, RecordSupervisionResponseInput, SupervisionListArgs } from './supervision.inputs.js';
import { codeRange, intersectRanges, normalizeCode } from '../../common/codes.js';
import { assertCanRead, assertCanWrite, readRange, Role, requireSensitiveReader, SENSITIVE_READERS } from '../../auth/auth.rules.js';
import { DONE_AS_OF, TARGET_IN, TASK_KNOWN, type TaskInView } from '../task/task.sql.js';
import type { TaskRow } from '../task/task.entity.js';
import { knownAtBound } from '../../common/known-at.js';
import { STATUS_KNOWN_AS_OF } from '../rectification/rectification.entity.js';

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
   * Lagging or overdue tasks and overdue rectifications as of a date with no supervision issued on or before it;
   * with `knownAt`, as known at that instant (tasks, progress, transitions and supervision recorded later left out).
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
    const tasks = await ctx.sql<TaskInView & Pick<TaskRow, 'area_code'>>(
      `select t.id::text as id, t.title, t.area_code, t.owner_section, ${TARGET_IN} as target, t.unit, t.start_date, t.deadline, ${DONE_AS_OF} as done
         from task t, (select ?::text as lo, ?::text as hi) r
        where t.start_date <= ?::date and ${TASK_KNOWN}
          and (t.area_code between r.lo and r.hi or exists (select 1 from task_assignment x where x.task_id = t.id and x.area_code between r.lo and r.hi))
          and not exists (select 1 from supervision_action s where s.target_kind = 'Task' and s.target_key = t.id::text and s.issued_on <= ?::date
                            and s.created_at <= ?::timestamptz)
        order by t.deadline, t.id`,
      [vlo, vhi, vlo, vhi, asOf, knownAt, vlo, vhi, range[0], range[1], asOf, knownAt, asOf, knownAt],
    );
    const candidates: SupervisionCandidate[] = [];
    for (const task of tasks) {
      const health = taskHealth({ target: task.target, done: task.done, startDate: task.start_date, deadline: task.deadline, asOf });
      if (!NEEDS_SUPERVISION.has(health)) continue;
      candidates.push(
        Object.assign(new SupervisionCandidate(), {
          targetKey: task.id,
          targetId: toGlobalId('Task', task.id),
          targetKind: 'Task',
          areaCode: task.area_code,
          title: task.title,
          owner: task.owner_section,
          deadline: task.deadline,
          health,
          reason:
            health === TaskHealth.OVERDUE
              ? `逾期 ${daysBetween(task.deadline, asOf)} 天,完成 ${task.done}/${task.target}${task.unit}`
              : `进度滞后,完成 ${task.done}/${task.target}${task.unit}`,
        }),
      );
    }
    const items = await ctx.sql<{ id: string; finding: string; area_code: string; responsible_person: string; deadline: string }>(
      `select r.id::text as id, r.finding, r.area_code, r.responsible_person, r.deadline
         from rectification r
        where r.area_code between ? and ? and r.deadline < ?::date
          and ${STATUS_KNOWN_AS_OF} in ('OPEN', 'RECTIFYING')
          and not exists (select 1 from supervision_action s where s.target_kind = 'Rectification' and s.target_key = r.id::text and s.issued_on <= ?::date
                            and s.created_at <= ?::timestamptz)
        order by r.deadline, r.id`,
      [range[0], range[1], asOf, asOf, knownAt, asOf, knownAt],
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
      if (row.response !== null) throw new DomainError(ErrorCode.INVALID_TRANSITION, 'This supervision action has been answered already', 'id');
      const respondedOn = input.respondedOn ?? todayInChina();
      if (!isDate(respondedOn) || respondedOn < row.issued_on || respondedOn > todayInChina()) {
        throw new DomainError(ErrorCode.BAD_USER_INPUT, 'respondedOn must lie between the issue date and today', 'respondedOn');
      }
      await versionedUpdate(sql, {
        update: `update supervision_action set response = ?, responded_on = ?, responded_at = now(), version = version + 1 where id = ? and version = ? returning id`,
        params: [input.response.trim(), respondedOn, key, input.version],
        lostRace: () => versionConflict(row.version + 1, input.version, 'Supervision action'),
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

export const supervisionService = new SupervisionService();
