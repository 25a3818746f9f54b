import { createHash } from 'node:crypto';
import { ArgsType, Field, InputType, ObjectType } from 'type-graphql';
import { MaxLength } from 'class-validator';
import { PageArgs, pageRequest, toPage, type Page } from '../../common/connection.js';
import { monthRange, todayInChina } from '../../common/dates.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import { PayloadErrors, userError, UserError, validateInput } from '../../common/payload.js';
import { codeRange, normalizeCode } from '../../common/codes.js';
import { sqlFor, type Sql } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import type { Download } from '../../common/download.js';
import { isoTimestamp } from '../../graphql/scalars.js';
import { assertCanRead, assertCanWrite, readRange, requireSensitiveReader, Role, SENSITIVE_READERS } from '../../auth/auth.rules.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import { STATUS_LABEL } from '../rectification/rectification.service.js';
import type { RectificationStatus } from '../rectification/rectification.rules.js';
import { ACCOUNTABILITY_LABEL, type AccountabilityKind } from '../supervision/supervision.lifecycle.js';
import { IssuedMonthlyReport, IssuedReportFile, MonthlyReportLateEntry, type IssuedFormat, type MonthlyReport } from './report.entity.js';
import { renderCsv } from './report.render.js';

/**
 * 报送 (issue 28, item 4): a month's report as issued is kept — the Markdown and
 * CSV as rendered and the canonical JSON they are rendered from, each with its
 * SHA-256 — with who issued it and when. Issued once per area and month (a
 * second issue is CONFLICT; the first stays). The content is the report as
 * known at the instant of issue (`monthlyReport(knownAt: issuedAt)` renders the
 * same Markdown), so later back-dated entries never change it; the live report
 * lists them in its 补录 section.
 *
 * Who issues: COUNTY_ADMIN for any area of the county, TOWNSHIP_OPERATOR for
 * its own township's subtree (the roles that write the month's work; the report
 * reads, LEADER and SECTION_STAFF included, stay as they are). Who downloads:
 * whoever may read the live report of that area (the sensitive readers).
 */

/** Roles that may issue a monthly report, inside their own subtree. */
export const ISSUERS: Role[] = [Role.COUNTY_ADMIN, Role.TOWNSHIP_OPERATOR];

export const ISSUED_CONTENT_TYPE: Record<IssuedFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

const FORMATS: IssuedFormat[] = ['md', 'csv', 'json'];

@InputType({ description: '报送 — which month of which area to issue.' })
export class IssueMonthlyReportInput {
  @Field({ description: 'Area code (6, 9 or 12 digits): the county, or a township for its own report.' })
  @MaxLength(12)
  area!: string;

  @Field({ description: '月份 — a finished month, "2026-05".' })
  @MaxLength(7)
  month!: string;
}

@ObjectType({ description: 'Result of `issueMonthlyReport`.' })
export class IssueMonthlyReportPayload {
  @Field(() => IssuedMonthlyReport, { nullable: true, description: 'The issued report; null when nothing was issued.' })
  issuedMonthlyReport?: IssuedMonthlyReport | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors!: UserError[];
}

@ArgsType()
export class IssuedMonthlyReportArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Area code (default: the caller's area): the reports issued for this area and the areas below it." })
  area?: string | null;
}

interface IssuedRow {
  id: string;
  area_code: string;
  month: string;
  issued_at: Date | string;
  issued_by_name: string;
  issued_by_role: string;
  item_count: number;
  markdown_sha256: string;
  csv_sha256: string;
  json_sha256: string;
  markdown_size: number;
  csv_size: number;
  json_size: number;
}

const ISSUED_COLUMNS = `i.id::text as id, i.area_code, i.month, i.issued_at, i.issued_by_name, i.issued_by_role, i.item_count,
  i.markdown_sha256, i.csv_sha256, i.json_sha256, length(i.markdown) as markdown_size, length(i.csv) as csv_size, length(i.json) as json_size`;

function issuedFromRow(row: IssuedRow): IssuedMonthlyReport {
  const file = (format: IssuedFormat, size: number, sha256: string) =>
    Object.assign(new IssuedReportFile(), {
      format,
      contentType: ISSUED_CONTENT_TYPE[format],
      size,
      sha256,
      url: `/reports/monthly/${row.month}/issued.${format}?area=${row.area_code}`,
    });
  return Object.assign(new IssuedMonthlyReport(), {
    key: row.id,
    areaCode: row.area_code,
    month: row.month,
    issuedAt: toDate(row.issued_at),
    issuedBy: row.issued_by_name,
    issuedByRole: row.issued_by_role,
    itemCount: row.item_count,
    sha256: row.markdown_sha256,
    files: [file('md', row.markdown_size, row.markdown_sha256), file('csv', row.csv_size, row.csv_sha256), file('json', row.json_size, row.json_sha256)],
  });
}

/** A timestamp as plain-SQL rows carry it (PostgreSQL's text form) or a Date, as a Date. */
function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(isoTimestamp(value) as string | Date);
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The canonical JSON of a report: its fields in a fixed order, the sections as the query returns them. */
export function canonicalJson(report: MonthlyReport): string {
  const { month, areaCode, areaName, asOf, projectProgress, milestonesDue, milestonesDone, laggingTasks, overdueTasks } = report;
  const { rectificationsOpened, rectificationsClosed, rectificationsOverdue, supervisionIssued, supervisionOutcomes } = report;
  const sections = {
    projectProgress,
    milestonesDue,
    milestonesDone,
    laggingTasks,
    overdueTasks,
    rectificationsOpened,
    rectificationsClosed,
    rectificationsOverdue,
    supervisionIssued,
    supervisionOutcomes,
  };
  const items = Object.fromEntries(
    Object.entries(sections).map(([key, list]) => [
      key,
      list.map((i) => ({ subjectId: i.subjectId, title: i.title, areaName: i.areaName, owner: i.owner, date: i.date, health: i.health, detail: i.detail })),
    ]),
  );
  return `${JSON.stringify({ month, areaCode, areaName, asOf, ...items }, null, 2)}\n`;
}

/**
 * The issued report of an area and month as known at a bound: issued before it (strictly, so the report as known
 * at the very instant of issue is what was issued, byte for byte, without a 补录 section); null when none.
 */
export async function issuedAsKnownAt(sql: Sql, areaCode: string, month: string, knownAt: string): Promise<IssuedMonthlyReport | null> {
  const [row] = await sql<IssuedRow>(
    `select ${ISSUED_COLUMNS} from issued_monthly_report i where i.area_code = ? and i.month = ? and i.issued_at < ?::timestamptz`,
    [areaCode, month, knownAt],
  );
  return row ? issuedFromRow(row) : null;
}

/** base64url global ID of `<type>:<id expression>`, in SQL (as toGlobalId does), for joining progress events. */
const gid = (type: string, idExpr: string) => `translate(rtrim(encode(convert_to('${type}:' || ${idExpr}, 'UTF8'), 'base64'), '='), '+/', '-_')`;

/** Business date of a project event (as the report reads it). */
const EVENT_DAY = `coalesce(substr(p.after->>'asOf', 1, 10), to_char(p.occurred_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD'))`;

/**
 * 补录: entries recorded after the issue (and on or before the known-at bound) that change the month's report:
 * task progress dated on or before month end, tasks begun by month end, project events the report reads,
 * findings registered and status changes dated by month end, supervision issued in the month, 问责 outcomes
 * decided in the month, and deadline extensions (延期) approved on or before month end (of tasks begun by then
 * and of rectifications), which change the deadline in force at month end.
 */
export async function lateEntries(sql: Sql, range: [string, string], month: string, issuedAt: Date, knownAt: string): Promise<MonthlyReportLateEntry[]> {
  const [first, last] = monthRange(month);
  const [lo, hi] = range;
  const after = issuedAt.toISOString();
  const rows = await sql<{
    kind: string;
    subject_type: string;
    subject_key: string;
    title: string;
    area_name: string;
    day: string;
    recorded_at: Date | string;
    recorded_by: string;
    a: string | null;
    b: string | null;
    c: string | null;
  }>(
    `select * from (
       select '任务进度' as kind, 'Task' as subject_type, t.id::text as subject_key, t.title, ar.name as area_name, tp.as_of::text as day,
              tp.recorded_at, tp.recorded_by, tp.done::text as a, x.target::text || t.unit as b, null as c
         from task_progress tp join task_assignment x on x.id = tp.assignment_id join task t on t.id = tp.task_id join area ar on ar.code = x.area_code
        where x.area_code between ? and ? and tp.as_of <= ?::date and tp.recorded_at > ?::timestamptz and tp.recorded_at <= ?::timestamptz
       union all
       select '新建重点工作', 'Task', t.id::text, t.title, ar.name, t.start_date::text, t.created_at,
              coalesce((select p.actor_name from progress_update p where p.subject_kind = 'TASK' and p.action = 'CREATED' and p.subject_id = ${gid('Task', 't.id')}
                         order by p.sequence limit 1), '—'),
              t.deadline::text, t.target::text || t.unit, null
         from task t join area ar on ar.code = t.area_code
        where (t.area_code between ? and ? or exists (select 1 from task_assignment x where x.task_id = t.id and x.area_code between ? and ?))
          and t.start_date <= ?::date and t.created_at > ?::timestamptz and t.created_at <= ?::timestamptz
       union all
       select '项目进展', 'Project', p.subject_id, coalesce(p.after->>'name', '项目'), ar.name, ${EVENT_DAY}, p.occurred_at, p.actor_name, p.summary, null, null
         from progress_update p join area ar on ar.code = p.area_code
        where p.subject_kind = 'PROJECT' and p.area_code between ? and ? and ${EVENT_DAY} <= ?
          and ((p.action = 'PROGRESS_RECORDED' and ${EVENT_DAY} >= ?) or jsonb_typeof(p.after->'milestones') = 'array')
          and p.occurred_at > ?::timestamptz and p.occurred_at <= ?::timestamptz
       union all
       select case when tr.from_status is null then '新交办整改' else '整改状态' end, 'Rectification', r.id::text, r.finding, ar.name, tr.on_date::text,
              tr.occurred_at, tr.actor_name, tr.from_status, tr.to_status, r.deadline::text
         from rectification_transition tr join rectification r on r.id = tr.rectification_id join area ar on ar.code = r.area_code
        where r.area_code between ? and ? and tr.on_date <= ?::date and tr.occurred_at > ?::timestamptz and tr.occurred_at <= ?::timestamptz
       union all
       select '督办', 'SupervisionAction', s.id::text, s.target_label, ar.name, s.issued_on::text, s.created_at, s.recorded_by, s.issuer, s.target_unit, null
         from supervision_action s join area ar on ar.code = s.area_code
        where s.area_code between ? and ? and s.issued_on between ?::date and ?::date and s.created_at > ?::timestamptz and s.created_at <= ?::timestamptz
       union all
       select '问责', 'SupervisionAction', so.action_id::text, s.target_label, ar.name, so.decided_on::text, so.recorded_at, so.recorded_by, so.kind, so.name, null
         from supervision_outcome so join supervision_action s on s.id = so.action_id join area ar on ar.code = so.area_code
        where so.area_code between ? and ? and so.decided_on between ?::date and ?::date and so.recorded_at > ?::timestamptz and so.recorded_at <= ?::timestamptz
       union all
       select '延期审批', case x.item_kind when 'TASK' then 'Task' else 'Rectification' end, x.item_id::text, coalesce(t.title, r.finding), ar.name,
              x.decided_on::text, x.decided_at, x.decided_by_name, x.previous_deadline::text, x.requested_deadline::text, null
         from deadline_extension x
         left join task t on x.item_kind = 'TASK' and t.id = x.item_id
         left join rectification r on x.item_kind = 'RECTIFICATION' and r.id = x.item_id
         join area ar on ar.code = coalesce(t.area_code, r.area_code)
        where x.state = 'APPROVED' and x.decided_on <= ?::date and x.decided_at > ?::timestamptz and x.decided_at <= ?::timestamptz
          and (r.area_code between ? and ?
               or (t.start_date <= ?::date
                   and (t.area_code between ? and ? or exists (select 1 from task_assignment y where y.task_id = t.id and y.area_code between ? and ?))))
     ) e order by recorded_at, kind, subject_key, day`,
    [
      ...[lo, hi, last, after, knownAt],
      ...[lo, hi, lo, hi, last, after, knownAt],
      ...[lo, hi, last, first, after, knownAt],
      ...[lo, hi, last, after, knownAt],
      ...[lo, hi, first, last, after, knownAt],
      ...[lo, hi, first, last, after, knownAt],
      ...[last, after, knownAt, lo, hi, last, lo, hi, lo, hi],
    ],
  );
  return rows.map((row) => {
    const status = (value: string | null) => (value ? (STATUS_LABEL[value as RectificationStatus] ?? value) : '—');
    const detail =
      row.kind === '任务进度'
        ? `完成 ${row.a}/${row.b}(截至 ${row.day})`
        : row.kind === '新建重点工作'
          ? `目标 ${row.b},${row.day} 开始,${row.a} 前完成`
          : row.kind === '项目进展'
            ? (row.a ?? '')
            : row.kind === '新交办整改'
              ? `${row.day} 交办,${row.c} 前整改`
              : row.kind === '整改状态'
                ? `${row.day} ${status(row.a)} → ${status(row.b)}`
                : row.kind === '问责'
                  ? `${row.day} ${ACCOUNTABILITY_LABEL[row.a as AccountabilityKind] ?? row.a}:${row.b}`
                  : row.kind === '延期审批'
                    ? `${row.day} 批准延期:${row.a} → ${row.b}`
                    : `${row.day} ${row.a} 督办 ${row.b}`;
    return Object.assign(new MonthlyReportLateEntry(), {
      kind: row.kind,
      subjectId: row.subject_type === 'Project' ? row.subject_key : toGlobalId(row.subject_type, row.subject_key),
      title: row.title,
      areaName: row.area_name,
      date: row.day,
      recordedAt: toDate(row.recorded_at),
      recordedBy: row.recorded_by,
      detail,
    });
  });
}

/** Builds the report as known at an instant; the report service provides it (no import cycle). */
export type ReportAt = (ctx: Context, month: string, areaCode: string, knownAt: string) => Promise<MonthlyReport>;

export class IssuedReportService {
  /** 报送: stores the month's report of an area as known now, once; audited by the mutation wrapper, one progress event. */
  async issue(ctx: Context, input: IssueMonthlyReportInput, reportAt: ReportAt): Promise<{ issuedMonthlyReport: IssuedMonthlyReport }> {
    const invalid = await validateInput(input);
    if (invalid.length) throw new PayloadErrors(invalid);
    const areaCode = normalizeCode(input.area, 'area');
    const viewer = assertCanWrite(ctx.viewer, areaCode, ISSUERS);
    const [, last] = monthRange(input.month, 'month');
    const today = todayInChina();
    if (last >= today) {
      throw new PayloadErrors([
        userError(
          ErrorCode.BAD_USER_INPUT,
          `${input.month} has not ended yet (today is ${today}): only a finished month is issued`,
          'month',
          `${input.month} 尚未结束，月末之后才能报送`,
        ),
      ]);
    }
    const [area] = await ctx.sql<{ name: string }>('select name from area where code = ?', [areaCode]);
    if (!area) throw new PayloadErrors([userError(ErrorCode.NOT_FOUND, `No area ${areaCode}`, 'area', `没有代码为 ${areaCode} 的区划`)]);

    const key = await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      // One issue per area and month, also under concurrent calls: the lock is the (area, month) pair.
      await sql('select pg_advisory_xact_lock(hashtext(?))', [`issued_monthly_report:${areaCode}:${input.month}`]);
      const [existing] = await sql<{ issued_at: Date | string; issued_by_name: string }>(
        'select issued_at, issued_by_name from issued_monthly_report where area_code = ? and month = ?',
        [areaCode, input.month],
      );
      if (existing) {
        throw new PayloadErrors([
          userError(
            ErrorCode.CONFLICT,
            `${input.month} of ${areaCode} was issued already (${toDate(existing.issued_at).toISOString()} by ${existing.issued_by_name}); an issued report is kept as issued`,
            'month',
            `${area.name} ${input.month} 月报已于 ${toDate(existing.issued_at).toISOString()} 由 ${existing.issued_by_name} 报送，不能重复报送`,
          ),
        ]);
      }
      const issuedAt = new Date();
      const report = await reportAt(ctx, input.month, areaCode, issuedAt.toISOString());
      const markdown = Buffer.from(report.markdown, 'utf8');
      const csv = Buffer.from(renderCsv(report), 'utf8');
      const json = Buffer.from(canonicalJson(report), 'utf8');
      const [row] = await sql<{ id: string }>(
        `insert into issued_monthly_report (area_code, month, issued_at, issued_by_sub, issued_by_name, issued_by_role,
           markdown, markdown_sha256, csv, csv_sha256, json, json_sha256, item_count)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id::text as id`,
        [
          areaCode,
          input.month,
          issuedAt,
          viewer.sub,
          viewer.name,
          viewer.role,
          markdown,
          sha256Hex(markdown),
          csv,
          sha256Hex(csv),
          json,
          sha256Hex(json),
          report.itemCount,
        ],
      );
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.MONTHLY_REPORT,
        subjectId: toGlobalId('IssuedMonthlyReport', row.id),
        areaCode,
        action: ProgressAction.CREATED,
        actor: viewer,
        summary: `报送 ${area.name} ${input.month} 月报(${report.itemCount} 项)`,
        before: null,
        after: { area: areaCode, month: input.month, issuedAt: issuedAt.toISOString(), itemCount: report.itemCount, sha256: sha256Hex(markdown) },
      });
      return row.id;
    });
    const [row] = await ctx.sql<IssuedRow>(`select ${ISSUED_COLUMNS} from issued_monthly_report i where i.id = ?`, [key]);
    return { issuedMonthlyReport: issuedFromRow(row) };
  }

  /** Reports issued for an area's subtree (default: the caller's area), newest issue first; sensitive readers only. */
  async list(ctx: Context, args: IssuedMonthlyReportArgs): Promise<Page<IssuedMonthlyReport>> {
    const viewer = requireSensitiveReader(ctx.viewer);
    const page = pageRequest(args);
    const areaCode = args.area == null ? viewer.areaCode : normalizeCode(args.area, 'area');
    assertCanRead(viewer, areaCode, SENSITIVE_READERS);
    const [lo, hi] = codeRange(areaCode);
    const [vlo, vhi] = readRange(viewer)!;
    const range: [string, string] = [lo > vlo ? lo : vlo, hi < vhi ? hi : vhi];
    const rows = await ctx.sql<IssuedRow & { total: number }>(
      `select ${ISSUED_COLUMNS}, count(*) over ()::int as total from issued_monthly_report i
        where i.area_code between ? and ?
        order by i.id desc`,
      [range[0], range[1]],
    );
    const total = rows.length;
    const after = page.afterKey === null ? null : BigInt(page.afterKey);
    const rest = after === null ? rows : rows.filter((row) => BigInt(row.id) < after);
    return toPage(rest.slice(0, page.first + 1).map(issuedFromRow), page, (r) => r.key, total);
  }

  /** The stored bytes of an issued report, as issued; NOT_FOUND when the month was not issued for the area. */
  async download(ctx: Context, month: string, areaArg: string | null | undefined, format: IssuedFormat): Promise<Download & { sha256: string }> {
    const viewer = requireSensitiveReader(ctx.viewer);
    monthRange(month);
    if (!FORMATS.includes(format)) throw new DomainError(ErrorCode.BAD_USER_INPUT, `Unknown format ${format}`, 'format');
    const areaCode = areaArg == null ? viewer.areaCode : normalizeCode(areaArg, 'area');
    assertCanRead(viewer, areaCode, SENSITIVE_READERS);
    const column = format === 'md' ? 'markdown' : format;
    const [row] = await ctx.sql<{ body: Buffer; sha256: string; item_count: number }>(
      `select ${column} as body, ${column}_sha256 as sha256, item_count from issued_monthly_report where area_code = ? and month = ?`,
      [areaCode, month],
    );
    if (!row) throw new DomainError(ErrorCode.NOT_FOUND, `${month} of ${areaCode} has not been issued`, 'month');
    return {
      fileName: `monthly-report-${month}-${areaCode}-issued.${format}`,
      contentType: ISSUED_CONTENT_TYPE[format],
      body: row.body,
      rows: row.item_count,
      sha256: row.sha256,
    };
  }
}

export const issuedReportService = new IssuedReportService();

/** The 补录 section's Markdown (appended to a report of an issued month). */
export function lateEntriesMarkdown(issued: IssuedMonthlyReport, entries: MonthlyReportLateEntry[]): string {
  const lines = [
    '## 十一、补录(报送后录入)',
    '',
    `本月报已于 ${issued.issuedAt.toISOString()} 由 ${issued.issuedBy} 报送(SHA-256 ${issued.sha256});以下事项在报送后录入,改变了本报告。`,
    '',
  ];
  if (!entries.length) lines.push('无。');
  entries.forEach((e, i) => lines.push(`${i + 1}. 【${e.kind}】${e.title}(${e.areaName}):${e.detail};${e.recordedBy} 于 ${e.recordedAt.toISOString()} 录入。`));
  lines.push('');
  return lines.join('\n');
}
