import { pageRequest, type Page } from '../../common/connection.js';
import { isDate, todayInChina, asOfOrToday } from '../../common/dates.js';
import { KNOWN_NOW, knownAtBound } from '../../common/known-at.js';
import { badInput, DomainError, ErrorCode } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import { keyOf } from '../../common/ids.js';
import { assertValidInput, assertVersion, PayloadErrors, userError, versionConflict, type UserError } from '../../common/payload.js';
import { sqlFor, type Sql } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import { lockRow, versionedUpdate } from '../progress/progress.write.js';
import { RECTIFICATION_COLUMNS, rectificationFromRow, type Rectification, type RectificationRow } from './rectification.entity.js';
import type { CreateRectificationInput, RecordFollowUpReviewInput, RectificationListArgs, TransitionRectificationInput } from './rectification.inputs.js';
import type { DatedRectification } from './rectification.loaders.js';
import { canReview, canTransition, closingProblems, isOverdue, RectificationStatus, statusAfterReview } from './rectification.rules.js';
import { codeRange, intersectRanges, normalizeCode } from '../../common/codes.js';
import { assertCanRead, assertCanWrite, readRange, requireSensitiveReader, Role, SENSITIVE_READERS, type Viewer } from '../../auth/auth.rules.js';

export const STATUS_LABEL: Record<RectificationStatus, string> = {
  OPEN: '已交办',
  RECTIFYING: '整改中',
  RECTIFIED: '已整改',
  CLOSED: '已销号',
};

function fail(errors: UserError[]): never {
  throw new PayloadErrors(errors);
}

/** A business date from input: a real date, not in the future, not before `notBefore`. */
function businessDate(value: string | null | undefined, field: string, notBefore: string | null): string {
  const today = todayInChina();
  const date = value ?? today;
  if (!isDate(date)) throw badInput(field, `${field} must be a date like 2026-05-31`);
  if (date > today) throw new DomainError(ErrorCode.BAD_USER_INPUT, `${field} ${date} is in the future (today is ${today})`, field);
  if (notBefore && date < notBefore)
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `${field} ${date} precedes the last recorded change (${notBefore})`, field);
  return date;
}

/**
 * Audit rectification (审计整改): registered by COUNTY_ADMIN; moved along its
 * lifecycle by COUNTY_ADMIN and by the township's TOWNSHIP_OPERATOR (销号 and
 * 回头看 by COUNTY_ADMIN only: verification is the bureau's). Every change
 * records a transition row (who, when) and appends one progress event.
 */
export class RectificationService {
  async byKey(ctx: Context, key: string): Promise<Rectification | null> {
    requireSensitiveReader(ctx.viewer);
    if (!/^[1-9]\d{0,17}$/.test(key)) return null;
    const item = await ctx.loaders.rectification.byId.load(key);
    if (item) assertCanRead(ctx.viewer, item.areaCode, SENSITIVE_READERS);
    return item;
  }

  async byId(ctx: Context, id: string): Promise<Rectification | null> {
    return this.byKey(ctx, keyOf(id, 'Rectification', 'id'));
  }

  async list(ctx: Context, args: RectificationListArgs, areaCode?: string): Promise<Page<DatedRectification>> {
    const viewer = requireSensitiveReader(ctx.viewer);
    const page = pageRequest(args);
    const asOf = asOfOrToday(args.asOf);
    const filter = args.filter ?? {};
    let range = readRange(viewer)!;
    for (const code of [areaCode, filter.area == null ? undefined : normalizeCode(filter.area, 'filter.area')]) {
      if (code !== undefined) range = intersectRanges(range, codeRange(code)) ?? ['1', '0'];
    }
    return ctx.loaders.rectification.list.load({
      range,
      asOf,
      status: filter.status?.length ? [...filter.status].sort() : null,
      overdue: filter.overdue ?? null,
      category: filter.category ?? null,
      page,
    });
  }

  /**
   * Status on a date, from the transition history; null before registration. With `knownAt`, as known at
   * that instant: transitions recorded later are left out (null when the item itself was recorded later).
   */
  async statusAsOf(ctx: Context, item: DatedRectification, asOf: string | null | undefined, knownAt?: Date | null): Promise<RectificationStatus | null> {
    if (knownAt != null) {
      const date = asOf == null ? (item.listAsOf ?? todayInChina()) : asOfOrToday(asOf);
      return ctx.loaders.rectification.statusAsOf.load({ id: item.key, asOf: date, knownAt: knownAtBound(knownAt) });
    }
    if (asOf == null && item.listAsOf === undefined) return item.status;
    const date = asOf == null ? item.listAsOf! : asOfOrToday(asOf);
    if (date === item.listAsOf && item.listStatus) return item.listStatus;
    return ctx.loaders.rectification.statusAsOf.load({ id: item.key, asOf: date, knownAt: KNOWN_NOW });
  }

  async overdue(ctx: Context, item: DatedRectification, asOf: string | null | undefined, knownAt?: Date | null): Promise<boolean> {
    const date = asOf == null ? (item.listAsOf ?? todayInChina()) : asOfOrToday(asOf);
    const status = await this.statusAsOf(ctx, item, date, knownAt);
    // The deadline in force on that date (延期申请), as known at the bound.
    return status !== null && isOverdue(status, item.deadlineOn(date, knownAtBound(knownAt)), date);
  }

  /** 在用整改时限 — the deadline in force on a date (default: the list's `asOf`, or today), as known at `knownAt`. */
  deadlineInForce(item: DatedRectification, asOf: string | null | undefined, knownAt?: Date | null): string {
    const date = asOf == null ? (item.listAsOf ?? todayInChina()) : asOfOrToday(asOf);
    return item.deadlineOn(date, knownAtBound(knownAt));
  }

  async create(ctx: Context, input: CreateRectificationInput): Promise<{ rectification: Rectification }> {
    await assertValidInput(input);
    const areaCode = normalizeCode(input.area, 'area');
    const viewer = assertCanWrite(ctx.viewer, areaCode, [Role.COUNTY_ADMIN]);
    const openedOn = businessDate(input.openedOn, 'openedOn', null);
    if (!isDate(input.deadline)) throw badInput('deadline', 'deadline must be a date');
    if (input.deadline < openedOn) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'deadline must not precede openedOn', 'deadline');
    const [area] = await ctx.sql<{ name: string }>('select name from area where code = ?', [areaCode]);
    if (!area) throw new DomainError(ErrorCode.NOT_FOUND, `No area ${areaCode}`, 'area');
    const key = await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const [row] = await sql<{ id: string }>(
        `insert into rectification (finding, area_code, category, responsible_person, deadline, opened_on, status, status_since)
         values (?, ?, ?, ?, ?, ?, 'OPEN', ?) returning id::text as id`,
        [input.finding.trim(), areaCode, input.category, input.responsiblePerson.trim(), input.deadline, openedOn, openedOn],
      );
      await this.recordTransition(sql, row.id, null, RectificationStatus.OPEN, openedOn, '交办', viewer);
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.RECTIFICATION,
        subjectId: toGlobalId('Rectification', row.id),
        areaCode,
        action: ProgressAction.CREATED,
        actor: viewer,
        summary: `交办审计整改问题(${area.name}):${input.finding.trim()};责任人 ${input.responsiblePerson.trim()},${input.deadline} 前整改`,
        before: null,
        after: {
          finding: input.finding.trim(),
          category: input.category,
          responsiblePerson: input.responsiblePerson.trim(),
          deadline: input.deadline,
          openedOn,
          status: 'OPEN',
        },
      });
      return row.id;
    });
    return { rectification: (await this.reload(ctx, key))! };
  }

  async transition(ctx: Context, input: TransitionRectificationInput): Promise<{ rectification: Rectification }> {
    await assertValidInput(input);
    const key = keyOf(input.id, 'Rectification', 'id');
    await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const row = await this.lockRow(sql, key, input.id);
      const roles = input.to === RectificationStatus.CLOSED ? [Role.COUNTY_ADMIN] : [Role.COUNTY_ADMIN, Role.TOWNSHIP_OPERATOR];
      const viewer = assertCanWrite(ctx.viewer, row.area_code, roles);
      assertVersion(row.version, input.version, 'Rectification');
      if (!canTransition(row.status, input.to)) {
        throw new DomainError(ErrorCode.INVALID_TRANSITION, `A rectification cannot go from ${row.status} to ${input.to}`, 'to');
      }
      const on = businessDate(input.on, 'on', row.status_since);
      const note = input.note?.trim() || null;
      let verifier: string | null = null;
      if (input.to === RectificationStatus.CLOSED) {
        const problems = closingProblems(input, row.responsible_person);
        if (problems.length) fail(problems.map(([field, message]) => userError(ErrorCode.BAD_USER_INPUT, message, field)));
        verifier = input.verifier!.trim();
      }
      await versionedUpdate(sql, {
        update: `update rectification set status = ?, status_since = ?, verifier = ?, closing_note = ?, version = version + 1
          where id = ? and version = ? returning id`,
        params: [input.to, on, verifier, input.to === RectificationStatus.CLOSED ? note : null, key, input.version],
        lostRace: () => versionConflict(row.version + 1, input.version, 'Rectification'),
        alsoWrite: () => this.recordTransition(sql, key, row.status, input.to, on, verifier ? `核验人 ${verifier}:${note}` : note, viewer),
        event: () => ({
          subjectKind: SubjectKind.RECTIFICATION,
          subjectId: toGlobalId('Rectification', key),
          areaCode: row.area_code,
          action: ProgressAction.STATUS_CHANGED,
          actor: viewer,
          summary: `审计整改「${row.finding}」${STATUS_LABEL[row.status]} → ${STATUS_LABEL[input.to]}${verifier ? `(核验人 ${verifier})` : ''}`,
          before: { status: row.status },
          after: { status: input.to, on, note, ...(verifier ? { verifier } : {}) },
        }),
      });
    });
    return { rectification: (await this.reload(ctx, key))! };
  }

  async review(ctx: Context, input: RecordFollowUpReviewInput): Promise<{ rectification: Rectification }> {
    await assertValidInput(input);
    const key = keyOf(input.id, 'Rectification', 'id');
    await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const row = await this.lockRow(sql, key, input.id);
      const viewer = assertCanWrite(ctx.viewer, row.area_code, [Role.COUNTY_ADMIN]);
      assertVersion(row.version, input.version, 'Rectification');
      if (!canReview(row.status)) {
        throw new DomainError(ErrorCode.INVALID_TRANSITION, `回头看 reviews rectified work; this item is ${row.status}`, 'id');
      }
      const on = businessDate(input.reviewedOn, 'reviewedOn', row.status_since);
      const note = input.note?.trim() || null;
      const next = statusAfterReview(row.status, input.recurred);
      await sql(`insert into rectification_review (rectification_id, reviewed_on, reviewer, recurred, note) values (?, ?, ?, ?, ?)`, [
        key,
        on,
        input.reviewer.trim(),
        input.recurred,
        note,
      ]);
      await versionedUpdate(sql, {
        update: `update rectification set status = ?, status_since = case when status = ? then status_since else ?::date end,
                verifier = case when ? = 'CLOSED' then verifier end, closing_note = case when ? = 'CLOSED' then closing_note end,
                version = version + 1
          where id = ? and version = ? returning id`,
        params: [next, next, on, next, next, key, input.version],
        lostRace: () => versionConflict(row.version + 1, input.version, 'Rectification'),
        alsoWrite: async () => {
          if (next !== row.status)
            await this.recordTransition(sql, key, row.status, next, on, `回头看发现问题反弹(${input.reviewer.trim()})${note ? `:${note}` : ''}`, viewer);
        },
        event: () => ({
          subjectKind: SubjectKind.RECTIFICATION,
          subjectId: toGlobalId('Rectification', key),
          areaCode: row.area_code,
          action: ProgressAction.REVIEWED,
          actor: viewer,
          summary: `审计整改「${row.finding}」回头看(${input.reviewer.trim()}):${input.recurred ? `问题反弹,重新整改(${STATUS_LABEL[row.status]} → ${STATUS_LABEL[next]})` : '未反弹'}`,
          before: { status: row.status },
          after: { status: next, reviewedOn: on, reviewer: input.reviewer.trim(), recurred: input.recurred, note },
        }),
      });
    });
    return { rectification: (await this.reload(ctx, key))! };
  }

  private async lockRow(sql: Sql, key: string, id: string): Promise<RectificationRow> {
    return lockRow<RectificationRow>(
      sql,
      `select ${RECTIFICATION_COLUMNS} from rectification r where r.id = ? for update`,
      [key],
      () => new DomainError(ErrorCode.NOT_FOUND, `No rectification ${id}`, 'id'),
    );
  }

  private async recordTransition(
    sql: Sql,
    key: string,
    from: RectificationStatus | null,
    to: RectificationStatus,
    on: string,
    note: string | null,
    viewer: Viewer,
  ) {
    await sql(
      `insert into rectification_transition (rectification_id, from_status, to_status, on_date, note, actor_sub, actor_name) values (?, ?, ?, ?, ?, ?, ?)`,
      [key, from, to, on, note, viewer.sub, viewer.name],
    );
  }

  private async reload(ctx: Context, key: string): Promise<Rectification | null> {
    ctx.loaders.rectification.byId.clearAll();
    ctx.loaders.rectification.transitionsOf.clearAll();
    ctx.loaders.rectification.reviewsOf.clearAll();
    const [row] = await ctx.sql<RectificationRow>(`select ${RECTIFICATION_COLUMNS} from rectification r where r.id = ?`, [key]);
    return row ? rectificationFromRow(row) : null;
  }
}

export const rectificationService = new RectificationService();
