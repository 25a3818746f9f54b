import { pageRequest, type Page, type PageArgs } from '../../common/connection.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import { knownAtBound } from '../../common/known-at.js';
import { PayloadErrors, assertVersion, throwProblems, userError, versionConflict, type UserError } from '../../common/payload.js';
import { sqlFor } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import { AREA_COLUMNS, areaFromRow, type Area, type AreaRow } from '../area/area.entity.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import type { Replayable } from '../../graphql/idempotency.service.js';
import { versionedUpdate } from '../progress/progress.write.js';
import {
  Indicator,
  ReportingApproval,
  ReportingCompleteness,
  ReportingCompletenessSetting,
  StatsRow,
  StatsTable,
  type MissingVillageReason,
  type Observation,
  type ObservationChange,
  type StatValue,
} from './stats.entity.js';
import { APPROVAL_COLUMNS, approvalFromRecord, missingVillagesOf, observationFromRow, type ApprovalRecord } from './stats.loaders.js';
import type {
  ReportObservationsInput,
  ReviewReportingPeriodInput,
  SetReportingCompletenessThresholdInput,
  SubmitReportingPeriodInput,
} from './stats.inputs.js';
import {
  ApprovalStatus,
  PeriodKind,
  DEFAULT_MIN_REPORTED_PERCENT,
  ReviewDecision,
  checkMissingReasons,
  checkThreshold,
  checkValue,
  indicatorOf,
  indicatorsOf,
  monthOf,
  parsePeriod,
  periodRange,
  reviewTransition,
  missingMessage,
  submitTransition,
  unexplainedVillages,
  type IndicatorDef,
  type Period,
} from './stats.rules.js';
import { AreaLevel, ancestorCodes, normalizeCode } from '../../common/codes.js';
import type { Sql } from '../../db/sql.js';
import { Role, assertCanRead, assertCanWrite, requireViewer } from '../../auth/auth.rules.js';

const REPORTERS = [Role.VILLAGE_OPERATOR, Role.TOWNSHIP_OPERATOR, Role.COUNTY_ADMIN];
const SUBMITTERS = [Role.TOWNSHIP_OPERATOR, Role.COUNTY_ADMIN];
const REVIEWERS = [Role.COUNTY_ADMIN];
const THRESHOLD_SETTERS = [Role.COUNTY_ADMIN];

/** Runs `parse` and records its DomainError as a userError instead of throwing. */
function collect<T>(errors: UserError[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof DomainError && error.code !== ErrorCode.FORBIDDEN && error.code !== ErrorCode.UNAUTHENTICATED) {
      errors.push(userError(error.code, error.message, error.field ?? null, error.messageZh));
      return undefined;
    }
    throw error;
  }
}

/** The township whose approvals govern an area (itself when it is one); null above township level. */
export function townshipOf(area: { code: string; level: AreaLevel }): string | null {
  if (area.level === AreaLevel.TOWNSHIP) return area.code;
  if (area.level === AreaLevel.VILLAGE) return `${area.code.slice(0, 9)}000`;
  return null;
}

/** What a submission records beside the transition: who, the counts and the 缺报说明 of every missing village. */
interface Submission {
  expected: number;
  reported: number;
  /** Every village missing at submission, with its reason (null when the threshold allowed it without one). */
  missing: { code: string; reason: string | null }[];
}

/** The county whose 上报完整率 threshold governs a township. */
const countyOf = (township: string) => `${township.slice(0, 6)}000000`;

/** The 上报完整率 threshold of a county, read in the caller's transaction (the default when none is set). */
async function thresholdOf(sql: Sql, county: string): Promise<number> {
  const [row] = await sql<{ min_reported_percent: number }>('select min_reported_percent from reporting_completeness_setting where county_code = ?', [county]);
  return row?.min_reported_percent ?? DEFAULT_MIN_REPORTED_PERCENT;
}

/**
 * Statistics (统计): roll-ups, completeness, reporting, approval and audit.
 *
 * Reads need a signed-in viewer and are limited to the viewer's subtree
 * (anonymous callers get UNAUTHENTICATED, other subtrees FORBIDDEN): figures
 * on 低保 and orphans are not public. Roll-ups run in SQL via
 * {@link rollUp}, batched per request by the stats loaders.
 */
export class StatsService {
  // Not async: a tree calls it once per node, and the loader's promise is the answer.
  // With `knownAt`, the figures as recorded by then (issue 28 item 3): rolled up in SQL, a statement per batch.
  stats(ctx: Context, area: Area, period: Period, indicators: string[] | null | undefined, knownAt?: Date | null): Promise<StatValue[]> {
    assertCanRead(ctx.viewer, area.code);
    const defs = indicatorsOf(indicators);
    if (knownAt == null) return ctx.loaders.stats.areaStats.load({ code: area.code, level: area.level, period, indicators: defs });
    return ctx.loaders.stats.areaStats.load({ code: area.code, level: area.level, period, indicators: defs, knownAt: knownAtBound(knownAt) });
  }

  async series(ctx: Context, area: Area, indicator: string, from: Period, to: Period, knownAt?: Date | null): Promise<StatValue[]> {
    assertCanRead(ctx.viewer, area.code);
    const def = indicatorOf(indicator);
    const periods = periodRange(from, to);
    const bound = knownAt == null ? undefined : knownAtBound(knownAt);
    return Promise.all(periods.map((period) => ctx.loaders.stats.rollup.load({ code: area.code, level: area.level, period, indicator: def, knownAt: bound })));
  }

  /**
   * The drill-down table: one row per child of `parent` that existed during the
   * period (current children for current periods; retired ones for the periods
   * they lived in). Three statements whatever the number of children. With
   * `knownAt`, the figures as recorded by then (the children are those of the period).
   */
  async table(ctx: Context, parentCode: string, period: Period, indicators: string[] | null | undefined, knownAt?: Date | null): Promise<StatsTable> {
    const code = normalizeCode(parentCode, 'parent');
    assertCanRead(ctx.viewer, code);
    const defs = indicatorsOf(indicators);
    const bound = knownAt == null ? undefined : knownAtBound(knownAt);
    const parent = await ctx.loaders.area.byCode.load(code);
    if (!parent) throw new DomainError(ErrorCode.NOT_FOUND, `No area with code ${code}`, 'parent');
    const children = await ctx.sql<AreaRow>(
      `select ${AREA_COLUMNS} from area
        where parent_code = ? and (valid_from is null or valid_from < ?::date + interval '1 month')
          and (valid_to is null or valid_to >= ?::date)
        order by code`,
      [code, period.endMonth, period.startMonth],
    );
    const areas = [parent, ...children.map(areaFromRow)];
    // The rows' `area` fields then resolve without another statement.
    for (const area of areas) ctx.loaders.area.byCode.prime(area.code, area);
    const values = await ctx.loaders.stats.rollup.loadMany(
      areas.flatMap((area) => defs.map((indicator) => ({ code: area.code, level: area.level, period, indicator, knownAt: bound }))),
    );
    const failed = values.find((value) => value instanceof Error);
    if (failed) throw failed;
    const rows = areas.map((area, i) =>
      Object.assign(new StatsRow(), { areaCode: area.code, values: values.slice(i * defs.length, (i + 1) * defs.length) as StatValue[] }),
    );
    return Object.assign(new StatsTable(), {
      parentCode: code,
      period,
      indicators: defs.map((def) => Indicator.of(def)),
      rows: rows.slice(1),
      total: rows[0].values,
    });
  }

  async reporting(ctx: Context, area: Area, period: Period): Promise<ReportingCompleteness> {
    assertCanRead(ctx.viewer, area.code);
    const counts = await ctx.loaders.stats.completeness.load({ code: area.code, level: area.level, period });
    return Object.assign(new ReportingCompleteness(), {
      areaCode: area.code,
      areaLevel: area.level,
      period,
      expectedAreas: counts.expected,
      reportedAreas: counts.reported,
    });
  }

  async missing(ctx: Context, completeness: ReportingCompleteness, args: PageArgs): Promise<Page<Area>> {
    return ctx.loaders.stats.missing.load({
      code: completeness.areaCode,
      level: completeness.areaLevel,
      period: completeness.period,
      page: pageRequest(args),
    });
  }

  /**
   * The approval governing an area's figures: its township's; null at county
   * level and above. Readable through an area of the viewer's subtree and, since
   * it decides whether they may report, by the villages of the township when
   * asked of the township itself. Never through a sibling village: a village
   * operator asking for another village's approval gets FORBIDDEN, as for that
   * village's other figures.
   */
  async approval(ctx: Context, area: { code: string; level: AreaLevel }, period: Period): Promise<ReportingApproval | null> {
    const township = townshipOf(area);
    if (!township) return null;
    const viewer = requireViewer(ctx.viewer);
    const ownTownship = area.code === township && viewer.areaCode.startsWith(township.slice(0, 9));
    if (!ownTownship) assertCanRead(viewer, area.code);
    return ctx.loaders.stats.approval.load({ code: township, period });
  }

  async observations(ctx: Context, area: Area, period: Period, indicators: string[] | null | undefined): Promise<Observation[]> {
    assertCanRead(ctx.viewer, area.code);
    return ctx.loaders.stats.observations.load({ code: area.code, period, indicators: indicatorsOf(indicators) });
  }

  /** The changes of an area's figures, newest first; with `knownAt`, only those recorded on or before that instant. */
  async history(ctx: Context, area: Area, indicator: string, period: Period, knownAt?: Date | null): Promise<ObservationChange[]> {
    assertCanRead(ctx.viewer, area.code);
    return ctx.loaders.stats.history.load({ code: area.code, period, indicator: indicatorOf(indicator), knownAt: knownAtBound(knownAt) });
  }

  /**
   * 上报: writes one reporting area's figures for one month, all or nothing.
   * Every input problem comes back at once as userErrors and nothing is written;
   * a period its township has had APPROVED is LOCKED until the county reopens it.
   * Each changed figure gets an audit row; the report gets one progress event.
   */
  async report(ctx: Context, input: ReportObservationsInput): Promise<{ area: Area; observations: Observation[] }> {
    const code = normalizeCode(input.area, 'area');
    const viewer = assertCanWrite(ctx.viewer, code, REPORTERS);
    const errors: UserError[] = [];
    const period = collect(errors, () => parsePeriod(input.period, 'period'));
    if (period && period.kind !== PeriodKind.MONTH) {
      errors.push(
        userError(
          ErrorCode.BAD_USER_INPUT,
          `Figures are reported per month (e.g. 2026-05); ${period.key} is a ${period.kind.toLowerCase()}`,
          'period',
          '统计数据按月填报，请选择月份（如 2026-05）',
        ),
      );
    } else if (period && period.startMonth > monthOf(new Date()).startMonth) {
      errors.push(userError(ErrorCode.BAD_USER_INPUT, `${period.key} lies in the future`, 'period', `${period.key} 还没到，不能填报以后月份的数据`));
    }
    const values: { def: IndicatorDef; value: string; version: number | null; index: number }[] = [];
    input.values.forEach((entry, i) => {
      const def = collect(errors, () => indicatorOf(entry.indicator, `values.${i}.indicator`));
      if (!def) return;
      if (values.some((v) => v.def === def)) {
        errors.push(userError(ErrorCode.BAD_USER_INPUT, `${def.code} is given twice`, `values.${i}.indicator`, `「${def.nameZh}」填了两次`));
        return;
      }
      const value = collect(errors, () => checkValue(def, entry.value, `values.${i}.value`));
      if (value !== undefined) values.push({ def, value, version: entry.version ?? null, index: i });
    });
    const area = await ctx.loaders.area.byCode.load(code);
    if (!area) {
      errors.push(userError(ErrorCode.NOT_FOUND, `No area with code ${code}`, 'area', `没有代码为 ${code} 的区划`));
    } else if (area.level !== AreaLevel.VILLAGE) {
      errors.push(
        userError(
          ErrorCode.BAD_USER_INPUT,
          `${area.name} is a ${area.level.toLowerCase()}: figures are reported by villages (leaf areas) and rolled up`,
          'area',
          `${area.name}不是村（社区）：统计数据由村填报，逐级汇总`,
        ),
      );
    } else if (area.validTo !== null) {
      const successor = area.successorCode ? `; its successor ${area.successorCode} reports now` : '';
      const successorZh = area.successorCode ? `，现由 ${area.successorCode} 填报` : '';
      errors.push(
        userError(
          ErrorCode.BAD_USER_INPUT,
          `${area.name} was retired on ${area.validTo}${successor}`,
          'area',
          `${area.name}已于 ${area.validTo} 撤销${successorZh}`,
        ),
      );
    }
    if (errors.length) throw new PayloadErrors(errors);
    const month = period!.startMonth;

    const rows = await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      // Share-lock the approvals covering the month, so an approval cannot commit
      // between this check and the write.
      const approvals = await sql<{ area_code: string; period: string; status: ApprovalStatus }>(
        `select area_code, period, status from reporting_approval
          where area_code = any(?::text[]) and start_month <= ?::date and end_month >= ?::date
          for share`,
        [[...ancestorCodes(code, AreaLevel.VILLAGE), code], month, month],
      );
      const locked = approvals.find((a) => a.status === ApprovalStatus.APPROVED);
      if (locked) {
        throw new DomainError(
          ErrorCode.LOCKED,
          `${period!.key} is locked: ${locked.area_code} ${locked.period} was approved by the county (已审核); ask the county to reopen it before reporting`,
          'period',
          `${period!.key} 已审核锁定，需县里重新开放后才能修改`,
        );
      }
      const written = await sql<{
        indicator: string;
        value: string;
        old_value: string | null;
        source: 'REPORT';
        version: number;
        updated_at: Date;
        period_month: string;
        area_code: string;
      }>(
        `with incoming (indicator, value) as (select * from unnest(?::text[], ?::numeric[])),
              old as (select o.indicator, o.value, o.source from observation o
                       where o.area_code = ? and o.period_month = ?::date and o.indicator in (select indicator from incoming)),
              up as (
                insert into observation (area_code, indicator, period_month, value, source, updated_by)
                select ?, indicator, ?::date, value, 'REPORT', ? from incoming
                on conflict (area_code, indicator, period_month) do update
                   set value = excluded.value, source = 'REPORT', version = observation.version + 1,
                       updated_at = now(), updated_by = excluded.updated_by
                 where (observation.value, observation.source) is distinct from (excluded.value, excluded.source)
                returning area_code, indicator, period_month, value, source, version, updated_at),
              audit as (
                insert into observation_change (area_code, indicator, period_month, old_value, new_value, old_source, new_source, reason, actor_sub, actor_name, actor_role)
                select up.area_code, up.indicator, up.period_month, old.value, up.value, old.source, up.source, 'REPORT', ?, ?, ?
                  from up left join old using (indicator))
         select up.area_code, up.indicator, up.period_month::text as period_month, up.value::text as value, old.value::text as old_value,
                up.source, up.version, up.updated_at
           from up left join old using (indicator)`,
        [values.map((v) => v.def.code), values.map((v) => v.value), code, month, code, month, viewer.sub, viewer.sub, viewer.name, viewer.role],
      );
      // Optimistic concurrency: a written row's version is its previous one + 1, so
      // anything else means someone changed it since the caller read it.
      const stale = written.flatMap((row) => {
        const sent = values.find((v) => v.def.code === row.indicator)!;
        return sent.version !== null && row.version !== sent.version + 1
          ? [
              userError(
                ErrorCode.CONFLICT,
                `${row.indicator} ${period!.key} was changed by someone else (version ${row.version - 1}, you sent ${sent.version}); reload and retry`,
                `values.${sent.index}.version`,
                `「${sent.def.nameZh}」已被他人修改，请刷新后重新填报`,
              ),
            ]
          : [];
      });
      if (stale.length) throw new PayloadErrors(stale);
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      for (const row of written) {
        before[row.indicator] = row.old_value;
        after[row.indicator] = row.value;
      }
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.OBSERVATION,
        subjectId: toGlobalId('Area', code),
        areaCode: code,
        action: ProgressAction.REPORTED,
        actor: viewer,
        summary: `${area!.name} ${period!.key} 上报 ${values.length} 项指标（${written.length} 项有变化）`,
        before,
        after,
      });
      return sql<Parameters<typeof observationFromRow>[0]>(
        `select area_code, indicator, period_month::text as period_month, value::text as value, source, version, updated_at
           from observation where area_code = ? and period_month = ?::date and indicator = any(?::text[])`,
        [code, month, values.map((v) => v.def.code)],
      );
    });
    const order = new Map(values.map((v, i) => [v.def.code, i]));
    return { area: area!, observations: rows.map(observationFromRow).sort((a, b) => order.get(a.indicator.code)! - order.get(b.indicator.code)!) };
  }

  /**
   * A replayed report (same 幂等键, same input): the area and the figures it
   * wrote, read again as they now are; nothing is written.
   */
  readonly reportReplay: Replayable<{ area: Area; observations: Observation[] }, { area: string; month: string; indicators: string[] }> = {
    ref: (result) => ({
      area: result.area.code,
      month: result.observations[0]?.period.startMonth ?? '',
      indicators: result.observations.map((o) => o.indicator.code),
    }),
    replay: async (ctx, ref) => {
      const rows = await ctx.sql<Parameters<typeof observationFromRow>[0]>(
        `select area_code, indicator, period_month::text as period_month, value::text as value, source, version, updated_at
           from observation where area_code = ? and period_month = ?::date and indicator = any(?::text[])`,
        [ref.area, ref.month, ref.indicators],
      );
      const order = new Map(ref.indicators.map((code, i) => [code, i]));
      return {
        area: (await ctx.loaders.area.byCode.load(ref.area))!,
        observations: rows.map(observationFromRow).sort((a, b) => order.get(a.indicator.code)! - order.get(b.indicator.code)!),
      };
    },
  };

  /** Loads a township for an approval step; throws userErrors for the wrong kind of area. */
  private async township(ctx: Context, input: { area: string; period: string }, roles: Role[]) {
    const code = normalizeCode(input.area, 'area');
    assertCanWrite(ctx.viewer, code, roles);
    const errors: UserError[] = [];
    const period = collect(errors, () => parsePeriod(input.period, 'period'));
    const area = await ctx.loaders.area.byCode.load(code);
    if (!area) errors.push(userError(ErrorCode.NOT_FOUND, `No area with code ${code}`, 'area'));
    else if (area.level !== AreaLevel.TOWNSHIP) {
      errors.push(
        userError(ErrorCode.BAD_USER_INPUT, `${area.name} is a ${area.level.toLowerCase()}: periods are submitted and approved per township`, 'area'),
      );
    }
    if (errors.length) throw new PayloadErrors(errors);
    return { area: area!, period: period! };
  }

  /**
   * Moves one approval to `next` in a transaction with its event (the versioned-write
   * template); `decide` checks the transition, then `check` (in the transaction, the
   * row locked) the period's completeness: a submission's snapshot to record, or none.
   */
  private async transition(
    ctx: Context,
    area: Area,
    period: Period,
    version: number | null | undefined,
    decide: (current: ApprovalStatus) => ApprovalStatus,
    reason: string | null,
    verb: string,
    check: (sql: Sql, next: ApprovalStatus) => Promise<Submission | null>,
  ): Promise<ReportingApproval> {
    const viewer = ctx.viewer!;
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const [row] = await sql<{ status: ApprovalStatus; version: number }>(
        'select status, version from reporting_approval where area_code = ? and period = ? for update',
        [area.code, period.key],
      );
      const current = row?.status ?? ApprovalStatus.OPEN;
      const what = `The approval of ${area.name} ${period.key}`;
      if (version != null) assertVersion(row?.version ?? 0, version, what);
      const next = decide(current);
      const submission = await check(sql, next);
      const explained = submission?.missing.filter((m) => m.reason !== null).length ?? 0;
      // An upsert, so no lockRow: a period nobody has submitted has no row yet (OPEN, version 0).
      // A submission replaces the submitter, the counts and the snapshot of missing villages; other steps keep them.
      const saved = await versionedUpdate<ApprovalRecord>(sql, {
        update: `insert into reporting_approval (area_code, period, start_month, end_month, status, reason, updated_by,
                   submitted_at, submitted_by, submitted_by_name, submitted_by_role, submitted_expected, submitted_reported)
         values (?, ?, ?::date, ?::date, ?, ?, ?, case when ?::boolean then now() end, ?, ?, ?, ?::int, ?::int)
         on conflict (area_code, period) do update
            set status = excluded.status, reason = excluded.reason, version = reporting_approval.version + 1,
                updated_at = now(), updated_by = excluded.updated_by,
                submitted_at = case when ?::boolean then excluded.submitted_at else reporting_approval.submitted_at end,
                submitted_by = case when ?::boolean then excluded.submitted_by else reporting_approval.submitted_by end,
                submitted_by_name = case when ?::boolean then excluded.submitted_by_name else reporting_approval.submitted_by_name end,
                submitted_by_role = case when ?::boolean then excluded.submitted_by_role else reporting_approval.submitted_by_role end,
                submitted_expected = case when ?::boolean then excluded.submitted_expected else reporting_approval.submitted_expected end,
                submitted_reported = case when ?::boolean then excluded.submitted_reported else reporting_approval.submitted_reported end
          where reporting_approval.version = ?
         returning ${APPROVAL_COLUMNS}`,
        params: [
          area.code,
          period.key,
          period.startMonth,
          period.endMonth,
          next,
          reason,
          viewer.sub,
          !!submission,
          submission ? viewer.sub : null,
          submission ? viewer.name : null,
          submission ? viewer.role : null,
          submission?.expected ?? null,
          submission?.reported ?? null,
          ...Array<boolean>(6).fill(!!submission),
          row?.version ?? 0,
        ],
        lostRace: () => versionConflict(-1, row?.version ?? 0, what),
        alsoWrite: async () => {
          if (!submission) return;
          await sql('delete from reporting_missing_reason where area_code = ? and period = ?', [area.code, period.key]);
          if (submission.missing.length) {
            await sql(
              `insert into reporting_missing_reason (area_code, period, village_code, reason)
               select ?, ?, v, r from unnest(?::text[], ?::text[]) as t(v, r)`,
              [area.code, period.key, submission.missing.map((m) => m.code), submission.missing.map((m) => m.reason)],
            );
          }
        },
        event: (written) => ({
          subjectKind: SubjectKind.REPORTING_PERIOD,
          subjectId: approvalFromRecord(area.code, period, written).id,
          areaCode: area.code,
          action: verb === '报送' ? ProgressAction.STATUS_CHANGED : ProgressAction.REVIEWED,
          actor: viewer,
          summary: `${area.name} ${period.key} ${verb}：${current} → ${next}${reason ? `（${reason}）` : ''}${
            submission && submission.missing.length ? `，已报 ${submission.reported}/${submission.expected}，缺报说明 ${explained} 条` : ''
          }`,
          before: { status: current },
          after: submission
            ? { status: next, reason, reported: submission.reported, expected: submission.expected, missingReasons: explained }
            : { status: next, reason },
        }),
      });
      return approvalFromRecord(area.code, period, saved);
    });
  }

  /**
   * 报送: a township (or the county for it) submits a period: OPEN/RETURNED → SUBMITTED.
   * Knows completeness: every village of the township that has not reported for the
   * period needs a 缺报说明 in `missingReasons`, unless the share that did report
   * reaches the county's 上报完整率 threshold. The missing villages and their reasons
   * are recorded with the submission (a snapshot), all in one transaction.
   */
  async submit(ctx: Context, input: SubmitReportingPeriodInput): Promise<ReportingApproval> {
    const { area, period } = await this.township(ctx, input, SUBMITTERS);
    return this.transition(ctx, area, period, input.version, submitTransition, null, '报送', async (sql) => {
      const { expected, missing } = await missingVillagesOf(sql, { code: area.code, level: area.level, period });
      const minReportedPercent = await thresholdOf(sql, countyOf(area.code));
      const { problems, reasons } = checkMissingReasons({
        townshipPrefix: area.code.slice(0, 9),
        expected,
        missing,
        reasons: input.missingReasons ?? [],
        minReportedPercent,
      });
      throwProblems(problems);
      return { expected, reported: expected - missing.length, missing: missing.map((v) => ({ code: v.code, reason: reasons.get(v.code) ?? null })) };
    });
  }

  /**
   * 审核: the county approves (locks), returns (with a reason) or reopens (unlocks, with a reason).
   * APPROVE re-counts the period: a village missing now (figures moved away by a merger since,
   * or never reported) without a 缺报说明 recorded at submission, while the county's threshold
   * is not met, refuses the approval (BAD_USER_INPUT): the county returns the period for reasons.
   */
  async review(ctx: Context, input: ReviewReportingPeriodInput): Promise<ReportingApproval> {
    const { area, period } = await this.township(ctx, input, REVIEWERS);
    const reason = input.reason?.trim() || null;
    const verb = { APPROVE: '审核通过', RETURN: '退回', REOPEN: '重新开放' }[input.decision];
    return this.transition(
      ctx,
      area,
      period,
      input.version,
      (current) => reviewTransition(current, input.decision, reason),
      reason,
      verb,
      async (sql) => {
        if (input.decision !== ReviewDecision.APPROVE) return null;
        const { expected, missing } = await missingVillagesOf(sql, { code: area.code, level: area.level, period });
        const explained = await sql<{ village_code: string }>(
          'select village_code from reporting_missing_reason where area_code = ? and period = ? and reason is not null',
          [area.code, period.key],
        );
        const minReportedPercent = await thresholdOf(sql, countyOf(area.code));
        const unexplained = unexplainedVillages(expected, missing, new Set(explained.map((r) => r.village_code)), minReportedPercent);
        if (unexplained.length) {
          throw new PayloadErrors([
            userError(
              ErrorCode.BAD_USER_INPUT,
              `不能审核通过：${missingMessage(unexplained, expected, missing.length, minReportedPercent)}；请退回乡镇补充缺报说明后重新报送`,
              'decision',
            ),
          ]);
        }
        return null;
      },
    );
  }

  /** The villages missing at an approval's last submission, with their 缺报说明 (read with the approval: no further check). */
  missingAtSubmission(ctx: Context, approval: ReportingApproval): Promise<MissingVillageReason[]> {
    return ctx.loaders.stats.missingReasons.load({ code: approval.areaCode, period: approval.period });
  }

  /**
   * The 上报完整率 setting of the county an area lies in; null above county level.
   * Readable by anyone who may read the area.
   */
  async completenessSetting(ctx: Context, area: Area): Promise<ReportingCompletenessSetting | null> {
    assertCanRead(ctx.viewer, area.code);
    if (area.level !== AreaLevel.COUNTY && area.level !== AreaLevel.TOWNSHIP && area.level !== AreaLevel.VILLAGE) return null;
    return ctx.loaders.stats.completenessSetting.load(countyOf(area.code));
  }

  /** 上报完整率: the county admin sets the share of villages that must have reported before a township submits without reasons. */
  async setCompletenessThreshold(ctx: Context, input: SetReportingCompletenessThresholdInput): Promise<ReportingCompletenessSetting> {
    const code = normalizeCode(input.county, 'county');
    const viewer = assertCanWrite(ctx.viewer, code, THRESHOLD_SETTERS);
    const errors: UserError[] = [];
    const percent = collect(errors, () => checkThreshold(input.minReportedPercent));
    const county = await ctx.loaders.area.byCode.load(code);
    if (!county) errors.push(userError(ErrorCode.NOT_FOUND, `No area with code ${code}`, 'county'));
    else if (county.level !== AreaLevel.COUNTY) {
      errors.push(userError(ErrorCode.BAD_USER_INPUT, `${county.name} 不是县级区划：上报完整率按县设置`, 'county'));
    }
    if (errors.length) throw new PayloadErrors(errors);
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const [row] = await sql<{ min_reported_percent: number; version: number }>(
        'select min_reported_percent, version from reporting_completeness_setting where county_code = ? for update',
        [code],
      );
      const what = `The 上报完整率 setting of ${county!.name}`;
      if (input.version != null) assertVersion(row?.version ?? 0, input.version, what);
      const before = row?.min_reported_percent ?? DEFAULT_MIN_REPORTED_PERCENT;
      const saved = await versionedUpdate<{ min_reported_percent: number; version: number; updated_at: Date }>(sql, {
        update: `insert into reporting_completeness_setting (county_code, min_reported_percent, updated_by) values (?, ?, ?)
         on conflict (county_code) do update
            set min_reported_percent = excluded.min_reported_percent, version = reporting_completeness_setting.version + 1,
                updated_at = now(), updated_by = excluded.updated_by
          where reporting_completeness_setting.version = ?
         returning min_reported_percent, version, updated_at`,
        params: [code, percent, viewer.sub, row?.version ?? 0],
        lostRace: () => versionConflict(-1, row?.version ?? 0, what),
        event: () => ({
          subjectKind: SubjectKind.AREA,
          subjectId: toGlobalId('Area', code),
          areaCode: code,
          action: ProgressAction.UPDATED,
          actor: viewer,
          summary: `${county!.name} 上报完整率要求：${before}% → ${percent}%`,
          before: { minReportedPercent: before },
          after: { minReportedPercent: percent },
        }),
      });
      return Object.assign(new ReportingCompletenessSetting(), {
        countyCode: code,
        minReportedPercent: saved.min_reported_percent,
        version: saved.version,
        updatedAt: saved.updated_at,
      });
    });
  }
}

export const statsService = new StatsService();
