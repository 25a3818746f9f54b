import { codeRange, normalizeCode } from '../../common/codes.js';
import { pageRequest, toPage, type Page } from '../../common/connection.js';
import { isDate, todayInChina } from '../../common/dates.js';
import { badInput, DomainError, ErrorCode } from '../../common/errors.js';
import { fromGlobalId, toGlobalId as gid } from '../../common/global-id.js';
import { assertValidInput, PayloadErrors, userError, type UserError } from '../../common/payload.js';
import { keyOf } from '../../common/ids.js';
import { sqlFor, type Sql } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import {
  assertCanRead,
  assertCanWrite,
  assertCanWriteSectionItem,
  readRange,
  requireViewer,
  Role,
  SENSITIVE_READERS,
  type Viewer,
} from '../../auth/auth.rules.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import { RECTIFICATION_COLUMNS, rectificationFromRow, type RectificationRow } from '../rectification/rectification.entity.js';
import { RectificationStatus } from '../rectification/rectification.rules.js';
import { TASK_COLUMNS, taskFromRow, type TaskRow } from '../task/task.entity.js';
import {
  EXTENSION_COLUMNS,
  extensionFromRow,
  ExtensionState,
  ITEM_JOINS,
  ITEM_TITLE,
  ITEM_TYPE,
  type DeadlineExtension,
  type ExtensionItemKind,
  type ExtensionRow,
} from './extension.entity.js';
import type { DeadlineExtensionListArgs, DecideDeadlineExtensionInput, RequestDeadlineExtensionInput } from './extension.inputs.js';

/** Longest reason (延期理由) a request may carry. */
export const MAX_REASON = 500;

/** Roles that request an extension of a key task: those that write it (COUNTY_ADMIN; SECTION_STAFF for their own section’s). */
export const EXTENSION_REQUESTERS = [Role.COUNTY_ADMIN, Role.SECTION_STAFF];
/** Roles that request an extension of a rectification: those that move it along (COUNTY_ADMIN; TOWNSHIP_OPERATOR in their subtree). */
export const RECTIFICATION_EXTENSION_REQUESTERS = [Role.COUNTY_ADMIN, Role.TOWNSHIP_OPERATOR];
/** Roles that decide a request: COUNTY_ADMIN and LEADER (县/局领导) — the one write a LEADER makes. */
export const EXTENSION_DECIDERS = [Role.COUNTY_ADMIN, Role.LEADER];

function fail(errors: UserError[]): never {
  throw new PayloadErrors(errors);
}

/** The item an extension is about, locked in the write's transaction. */
interface LockedItem {
  kind: ExtensionItemKind;
  key: string;
  areaCode: string;
  /** How a progress summary names it, e.g. 重点工作「…」. */
  label: string;
  subjectKind: SubjectKind;
  /** The deadline in force on a date. */
  deadlineOn(date: string): string;
  /** [English, Chinese] when there is nothing to extend (the work is done); null otherwise. */
  finished: [string, string] | null;
  /** Checks the caller may request an extension of it; returns the caller. */
  assertRequester(viewer: Viewer | null): Viewer;
}

/** Locks an item by kind; NOT_FOUND on `item` when there is none. */
async function lockItem(sql: Sql, kind: ExtensionItemKind, key: string, id: string): Promise<LockedItem> {
  const missing = () => new DomainError(ErrorCode.NOT_FOUND, `No ${ITEM_TYPE[kind]} ${id}`, 'item');
  if (kind === 'TASK') {
    const [row] = await sql<TaskRow & { done_now: number }>(
      `select ${TASK_COLUMNS}, (select coalesce(sum(a.done), 0)::int from task_assignment a where a.task_id = t.id) as done_now from task t where t.id = ? for update`,
      [key],
    );
    if (!row) throw missing();
    const task = taskFromRow(row);
    return {
      kind,
      key,
      areaCode: row.area_code,
      label: `重点工作「${row.title}」`,
      subjectKind: SubjectKind.TASK,
      deadlineOn: (date) => task.deadlineOn(date),
      finished: row.done_now >= row.target ? ['the task is done: nothing to extend', '该重点工作已完成，无需延期'] : null,
      assertRequester: (viewer) => assertCanWriteSectionItem(viewer, row.area_code, EXTENSION_REQUESTERS, { what: 'task', owner: row.owner_section }),
    };
  }
  const [row] = await sql<RectificationRow>(`select ${RECTIFICATION_COLUMNS} from rectification r where r.id = ? for update`, [key]);
  if (!row) throw missing();
  const item = rectificationFromRow(row);
  const done = row.status === RectificationStatus.RECTIFIED || row.status === RectificationStatus.CLOSED;
  return {
    kind,
    key,
    areaCode: row.area_code,
    label: `审计整改「${row.finding}」`,
    subjectKind: SubjectKind.RECTIFICATION,
    deadlineOn: (date) => item.deadlineOn(date),
    finished: done ? [`the rectification is ${row.status}: nothing to extend`, '该整改事项已整改或已销号，无需延期'] : null,
    assertRequester: (viewer) => assertCanWrite(viewer, row.area_code, RECTIFICATION_EXTENSION_REQUESTERS),
  };
}

/** The item kind of a global ID passed as `item`: a Task or a Rectification. */
function itemOf(id: string): { kind: ExtensionItemKind; key: string } {
  const { type } = fromGlobalId(id, 'item');
  if (type === 'Rectification') return { kind: 'RECTIFICATION', key: keyOf(id, 'Rectification', 'item') };
  return { kind: 'TASK', key: keyOf(id, 'Task', 'item') };
}

/**
 * 延期申请: a key task's or a rectification's deadline changes only by an
 * approved request. The item's `deadline` column stays the original; the
 * deadline in force on a date is the last extension approved on or before that
 * date (its 审批日期, task.rules.ts deadlineInForce). Each write locks the
 * item, runs in the mutation's transaction with its audit row and appends one
 * progress event on the item.
 */
export class ExtensionService {
  async ofTask(ctx: Context, taskKey: string): Promise<DeadlineExtension[]> {
    return (await ctx.loaders.extension.ofTask.load(taskKey)).map(extensionFromRow);
  }

  async ofRectification(ctx: Context, key: string): Promise<DeadlineExtension[]> {
    return (await ctx.loaders.extension.ofRectification.load(key)).map(extensionFromRow);
  }

  /**
   * 延期审批's list: the requests (of any item kind) in the caller's subtree whose item the caller may
   * read, newest first, optionally of one state. A task's request: every signed-in role whose subtree the
   * task touches (its own area or one of its assignments), as the task itself; a rectification's: the
   * roles that read rectifications (SENSITIVE_READERS) in whose subtree it lies. One statement for the
   * page (with each item's title), one for `totalCount` when asked for. `area` narrows it to the requests
   * whose item touches that area's subtree (an area outside the caller's is FORBIDDEN).
   */
  async list(ctx: Context, args: DeadlineExtensionListArgs): Promise<Page<DeadlineExtension>> {
    const viewer = requireViewer(ctx.viewer);
    const page = pageRequest(args);
    if (page.afterKey !== null && !/^\d{1,18}$/.test(page.afterKey)) throw badInput('after', `"${args.after}" is not a cursor of this connection`);
    let [lo, hi] = readRange(viewer)!;
    if (args.area != null) {
      const code = normalizeCode(args.area, 'area');
      assertCanRead(viewer, code);
      [lo, hi] = codeRange(code);
    }
    const readable = `from deadline_extension e ${ITEM_JOINS}
      where (?::text is null or e.state = ?::text)
        and ((t.id is not null and (t.area_code between ? and ? or exists (select 1 from task_assignment x where x.task_id = t.id and x.area_code between ? and ?)))
          or (?::boolean and r.id is not null and r.area_code between ? and ?))`;
    const params = [args.state ?? null, args.state ?? null, lo, hi, lo, hi, SENSITIVE_READERS.includes(viewer.role), lo, hi];
    const rows = await ctx.sql<ExtensionRow & { item_title: string }>(
      `select ${EXTENSION_COLUMNS}, ${ITEM_TITLE} as item_title ${readable} and (?::bigint is null or e.id < ?::bigint) order by e.id desc limit ?`,
      [...params, page.afterKey, page.afterKey, page.first + 1],
    );
    const total = async () => {
      const [row] = await ctx.sql<{ n: number }>(`select count(*)::int as n ${readable}`, params);
      return row.n;
    };
    const extensions = rows.map((row): DeadlineExtension => Object.assign(extensionFromRow(row), { itemTitleRead: row.item_title }));
    return toPage(extensions, page, (extension) => extension.key, total);
  }

  /** 事项名称 of a request read through an access-checked path (the list, or its task's `extensions`). */
  async itemTitle(ctx: Context, extension: DeadlineExtension): Promise<string> {
    return extension.itemTitleRead ?? ctx.loaders.extension.itemTitle.load(extension.key);
  }

  async request(ctx: Context, input: RequestDeadlineExtensionInput): Promise<{ extension: DeadlineExtension }> {
    requireViewer(ctx.viewer);
    await assertValidInput(input);
    const { kind, key } = itemOf(input.item);
    const reason = input.reason.trim();
    const row = await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const item = await lockItem(sql, kind, key, input.item);
      const viewer = item.assertRequester(ctx.viewer);
      const today = todayInChina();
      const current = item.deadlineOn(today);
      const errors: UserError[] = [];
      if (item.finished) errors.push(userError(ErrorCode.BAD_USER_INPUT, item.finished[0], 'item', item.finished[1]));
      if (!isDate(input.newDeadline)) {
        errors.push(userError(ErrorCode.BAD_USER_INPUT, 'newDeadline must be a date', 'newDeadline', '申请延期至的日期无效'));
      } else if (input.newDeadline <= current) {
        errors.push(
          userError(
            ErrorCode.BAD_USER_INPUT,
            `newDeadline must be later than the deadline in force (${current})`,
            'newDeadline',
            `延期后的期限须晚于现行期限 ${current}`,
          ),
        );
      }
      if (!reason) errors.push(userError(ErrorCode.BAD_USER_INPUT, 'reason must not be empty', 'reason', '请填写延期理由'));
      else if (reason.length > MAX_REASON) {
        errors.push(userError(ErrorCode.BAD_USER_INPUT, `reason is longer than ${MAX_REASON} characters`, 'reason', `延期理由不能超过 ${MAX_REASON} 个字`));
      }
      const [pending] = await sql<{ id: string }>(`select id::text as id from deadline_extension where item_kind = ? and item_id = ? and state = 'PENDING'`, [
        kind,
        key,
      ]);
      if (pending) {
        errors.push(
          userError(
            ErrorCode.BAD_USER_INPUT,
            `the ${ITEM_TYPE[kind]} already has a pending extension request`,
            'item',
            '该事项已有待审批的延期申请，请等待审批',
          ),
        );
      }
      if (errors.length) fail(errors);

      const [inserted] = await sql<ExtensionRow>(
        `insert into deadline_extension as e (item_kind, item_id, previous_deadline, requested_deadline, reason, requested_by_sub, requested_by_name)
         values (?, ?, ?, ?, ?, ?, ?) returning ${EXTENSION_COLUMNS}`,
        [kind, key, current, input.newDeadline, reason, viewer.sub, viewer.name],
      );
      await appendProgressUpdate(sql, {
        subjectKind: item.subjectKind,
        subjectId: gid(ITEM_TYPE[kind], key),
        areaCode: item.areaCode,
        action: ProgressAction.UPDATED,
        actor: viewer,
        summary: `${item.label}申请延期：${current} → ${input.newDeadline}（${reason}）`,
        before: { deadline: current },
        after: { extensionRequested: input.newDeadline, reason },
      });
      return inserted;
    });
    this.clearLoaders(ctx);
    return { extension: extensionFromRow(row) };
  }

  async decide(ctx: Context, input: DecideDeadlineExtensionInput): Promise<{ extension: DeadlineExtension }> {
    requireViewer(ctx.viewer);
    await assertValidInput(input);
    const key = keyOf(input.request, 'DeadlineExtension', 'request');
    const note = input.note?.trim() || null;
    const row = await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const [found] = await sql<ExtensionRow>(`select ${EXTENSION_COLUMNS} from deadline_extension e where e.id = ? for update`, [key]);
      if (!found) throw new DomainError(ErrorCode.NOT_FOUND, `No DeadlineExtension ${input.request}`, 'request');
      const item = await lockItem(sql, found.item_kind, found.item_id, gid(ITEM_TYPE[found.item_kind], found.item_id));
      const viewer = assertCanWrite(ctx.viewer, item.areaCode, EXTENSION_DECIDERS);
      const today = todayInChina();
      const requestedOn = todayInChina(new Date(found.requested_at));
      const decidedOn = input.decidedOn ?? today;
      const errors: UserError[] = [];
      if (found.state !== ExtensionState.PENDING) {
        errors.push(userError(ErrorCode.BAD_USER_INPUT, `the request was already decided (${found.state})`, 'request', '该延期申请已审批，不能重复审批'));
      } else if (found.requested_by_sub === viewer.sub) {
        errors.push(userError(ErrorCode.BAD_USER_INPUT, 'you may not decide your own request', 'request', '不能审批本人提出的延期申请'));
      }
      if (!isDate(decidedOn) || decidedOn < requestedOn || decidedOn > today) {
        errors.push(
          userError(
            ErrorCode.BAD_USER_INPUT,
            `decidedOn must lie between the day of the request (${requestedOn}) and today (${today})`,
            'decidedOn',
            `审批日期须在申请日期 ${requestedOn} 至今天之间`,
          ),
        );
      }
      if (errors.length) fail(errors);

      const state = input.approve ? ExtensionState.APPROVED : ExtensionState.REFUSED;
      const [updated] = await sql<ExtensionRow>(
        `update deadline_extension e set state = ?, decided_by_sub = ?, decided_by_name = ?, decided_at = now(), decided_on = ?, note = ?
          where e.id = ? returning ${EXTENSION_COLUMNS}`,
        [state, viewer.sub, viewer.name, decidedOn, note, key],
      );
      const verdict = input.approve ? `批准延期至 ${found.requested_deadline}` : `不予延期（期限仍为 ${found.previous_deadline}）`;
      await appendProgressUpdate(sql, {
        subjectKind: item.subjectKind,
        subjectId: gid(ITEM_TYPE[found.item_kind], found.item_id),
        areaCode: item.areaCode,
        action: ProgressAction.UPDATED,
        actor: viewer,
        summary: `${item.label}延期申请：${verdict}${decidedOn === today ? '' : `（${decidedOn} 审批）`}${note ? `（${note}）` : ''}`,
        before: { deadline: found.previous_deadline },
        after: { deadline: input.approve ? found.requested_deadline : found.previous_deadline, extension: state, decidedOn, note },
      });
      return updated;
    });
    this.clearLoaders(ctx);
    return { extension: extensionFromRow(row) };
  }

  private clearLoaders(ctx: Context) {
    ctx.loaders.extension.ofTask.clearAll();
    ctx.loaders.extension.ofRectification.clearAll();
    ctx.loaders.task.byId.clearAll();
    ctx.loaders.rectification.byId.clearAll();
  }
}

export const extensionService = new ExtensionService();
