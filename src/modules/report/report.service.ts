import { monthRange } from '../../common/dates.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import type { Context } from '../../graphql/context.js';
import { SUPERVISION_LABEL, type SupervisionKind } from '../supervision/supervision.entity.js';
import { ACCOUNTABILITY_LABEL, type AccountabilityKind } from '../supervision/supervision.lifecycle.js';
import { deadlineInForce, taskHealth, TaskHealth, type ApprovedExtension } from '../task/task.rules.js';
import { APPROVED_EXTENSIONS } from '../task/task.entity.js';
import { MonthlyReport, MonthlyReportItem } from './report.entity.js';
import { renderCsv, renderMarkdown } from './report.render.js';
import type { Download } from '../../common/download.js';
import { codeRange, normalizeCode } from '../../common/codes.js';
import { assertCanRead, readRange, requireSensitiveReader, SENSITIVE_READERS } from '../../auth/auth.rules.js';
import { DONE_AS_OF, TARGET_IN, TASK_KNOWN, type TaskInView } from '../task/task.sql.js';
import { knownAtBound } from '../../common/known-at.js';
import { DEADLINE_IN_FORCE, STATUS_KNOWN_AS_OF } from '../rectification/rectification.entity.js';
import { issuedAsKnownAt, lateEntries, lateEntriesMarkdown } from './report.issued.js';

/** The report's file formats: Markdown (the `markdown` field) and CSV, one line per item. */
export type ReportFormat = 'md' | 'csv';

export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'csv'];

const REPORT_CONTENT_TYPE: Record<ReportFormat, string> = { md: 'text/markdown; charset=utf-8', csv: 'text/csv; charset=utf-8' };

/** Business date of an event: `after.asOf` when the change carried one, else the day it was written (China time). */
const EVENT_DAY = `coalesce(substr(p.after->>'asOf', 1, 10), to_char(p.occurred_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD'))`;

function item(fields: Partial<MonthlyReportItem> & Pick<MonthlyReportItem, 'subjectId' | 'title' | 'areaName' | 'detail'>): MonthlyReportItem {
  return Object.assign(new MonthlyReportItem(), { owner: null, date: null, health: null, ...fields });
}

interface Milestone {
  name?: string;
  dueDate?: string;
  due?: string;
  doneDate?: string | null;
  done?: string | null;
}

/**
 * 每月条理式报告. Every section is read from dated history only — PROJECT
 * events in `progress_update` (so it works whatever the project tables look
 * like), task progress entries, rectification transitions and supervision
 * issue dates — bounded by the month, so a past month is reproducible.
 * Sensitive (it lists rectifications): COUNTY_ADMIN, LEADER, SECTION_STAFF and
 * TOWNSHIP_OPERATOR inside their subtree.
 *
 * With `knownAt`, every section reads only what had been recorded at that
 * instant (events, tasks, progress entries, registrations, transitions and
 * supervision actions recorded later are left out), so the same month asked
 * with the same `knownAt` reads the same, byte for byte, however much is
 * back-dated later.
 */
export class ReportService {
  async monthly(ctx: Context, month: string, areaArg: string | null | undefined, knownAtArg?: Date | null): Promise<MonthlyReport> {
    return this.monthlyKnownAt(ctx, month, areaArg, knownAtBound(knownAtArg));
  }

  /** The monthly report as known at a bound (common/known-at.ts: an ISO instant, or 'infinity' for everything recorded). */
  async monthlyKnownAt(ctx: Context, month: string, areaArg: string | null | undefined, knownAt: string): Promise<MonthlyReport> {
    const viewer = requireSensitiveReader(ctx.viewer);
    const [first, last] = monthRange(month);
    const areaCode = areaArg == null ? viewer.areaCode : normalizeCode(areaArg, 'area');
    assertCanRead(viewer, areaCode, SENSITIVE_READERS);
    const [area] = await ctx.sql<{ name: string }>('select name from area where code = ?', [areaCode]);
    if (!area) throw new DomainError(ErrorCode.NOT_FOUND, `No area ${areaCode}`, 'area');
    const [lo, hi] = codeRange(areaCode);

    // Project events carry the project's name and 责任股室 in `after` (events older than the section carry no section).
    const progress = await ctx.sql<{ subject_id: string; summary: string; name: string | null; owner: string | null; area_name: string; day: string }>(
      `select p.subject_id, p.summary, p.after->>'name' as name, p.after->>'ownerSection' as owner, a.name as area_name, ${EVENT_DAY} as day
         from progress_update p join area a on a.code = p.area_code
        where p.subject_kind = 'PROJECT' and p.action = 'PROGRESS_RECORDED' and p.area_code between ? and ?
          and ${EVENT_DAY} between ? and ? and p.occurred_at <= ?::timestamptz
        order by day, p.sequence`,
      [lo, hi, first, last, knownAt],
    );

    const plans = await ctx.sql<{ subject_id: string; milestones: Milestone[]; name: string | null; owner: string | null; area_name: string }>(
      `select distinct on (p.subject_id) p.subject_id, p.after->'milestones' as milestones, p.after->>'name' as name, p.after->>'ownerSection' as owner, a.name as area_name
         from progress_update p join area a on a.code = p.area_code
        where p.subject_kind = 'PROJECT' and jsonb_typeof(p.after->'milestones') = 'array' and p.area_code between ? and ?
          and ${EVENT_DAY} <= ? and p.occurred_at <= ?::timestamptz
        order by p.subject_id, p.sequence desc`,
      [lo, hi, last, knownAt],
    );
    const milestonesDue: MonthlyReportItem[] = [];
    const milestonesDone: MonthlyReportItem[] = [];
    for (const plan of plans) {
      for (const milestone of plan.milestones) {
        const due = milestone.dueDate ?? milestone.due ?? null;
        const done = milestone.doneDate ?? milestone.done ?? null;
        const base = { subjectId: plan.subject_id, title: `${plan.name ?? '项目'}:${milestone.name ?? '节点'}`, areaName: plan.area_name, owner: plan.owner };
        if (due && due >= first && due <= last) {
          milestonesDue.push(item({ ...base, date: due, detail: done && done <= last ? `${due} 到期,${done} 已完成` : `${due} 到期,未完成` }));
        }
        if (done && done >= first && done <= last) milestonesDone.push(item({ ...base, date: done, detail: `${done} 完成(计划 ${due ?? '—'})` }));
      }
    }

    // Target and done as the caller sees them (a township's share of a county task), as in `tasks`.
    const [vlo, vhi] = readRange(viewer)!;
    const tasks = await ctx.sql<TaskInView & { area_name: string; extensions: ApprovedExtension[] }>(
      `select t.id::text as id, t.title, t.owner_section, ${TARGET_IN} as target, t.unit, t.start_date, t.deadline, ${DONE_AS_OF} as done, a.name as area_name,
              ${APPROVED_EXTENSIONS} as extensions
         from task t join area a on a.code = t.area_code
        where t.start_date <= ?::date and ${TASK_KNOWN}
          and (t.area_code between ? and ? or exists (select 1 from task_assignment x where x.task_id = t.id and x.area_code between ? and ?))
        order by t.deadline, t.id`,
      [vlo, vhi, vlo, vhi, last, knownAt, vlo, vhi, last, knownAt, lo, hi, lo, hi],
    );
    const laggingTasks: MonthlyReportItem[] = [];
    const overdueTasks: MonthlyReportItem[] = [];
    for (const task of tasks) {
      // The deadline in force at the month's as-of date (延期申请), as known at the bound; the line says when it was extended.
      const deadline = deadlineInForce(task.deadline, task.extensions, last, knownAt);
      const health = taskHealth({ target: task.target, done: task.done, startDate: task.start_date, deadline, asOf: last });
      if (health !== TaskHealth.LAGGING && health !== TaskHealth.OVERDUE) continue;
      const limit = deadline === task.deadline ? deadline : `已延期至 ${deadline},原定 ${task.deadline}`;
      const entry = item({
        subjectId: toGlobalId('Task', task.id),
        title: task.title,
        areaName: task.area_name,
        owner: task.owner_section,
        date: deadline,
        health,
        detail: `完成 ${task.done}/${task.target}${task.unit}(${Math.round((task.done / task.target) * 100)}%),时限 ${limit}${health === TaskHealth.OVERDUE ? ',已逾期' : ',进度滞后'}`,
      });
      (health === TaskHealth.LAGGING ? laggingTasks : overdueTasks).push(entry);
    }

    type RectRow = {
      id: string;
      finding: string;
      responsible_person: string;
      deadline: string;
      opened_on: string;
      area_name: string;
      day: string | null;
      note: string | null;
    };
    const opened = await ctx.sql<RectRow>(
      `select r.id::text as id, r.finding, r.responsible_person, r.deadline, r.opened_on, a.name as area_name, r.opened_on::text as day, null as note
         from rectification r join area a on a.code = r.area_code
        where r.area_code between ? and ? and r.opened_on between ? and ? and r.created_at <= ?::timestamptz order by r.opened_on, r.id`,
      [lo, hi, first, last, knownAt],
    );
    const closed = await ctx.sql<RectRow>(
      `select r.id::text as id, r.finding, r.responsible_person, r.deadline, r.opened_on, a.name as area_name, tr.on_date::text as day, tr.note
         from rectification_transition tr join rectification r on r.id = tr.rectification_id join area a on a.code = r.area_code
        where r.area_code between ? and ? and tr.to_status = 'CLOSED' and tr.on_date between ? and ? and tr.occurred_at <= ?::timestamptz
        order by tr.on_date, tr.id`,
      [lo, hi, first, last, knownAt],
    );
    // Overdue on the deadline in force at month end (延期申请), as known at the bound; `original` is the registered one.
    const overdue = await ctx.sql<RectRow & { status: string; original: string }>(
      `select * from (
         select r.id::text as id, r.finding, r.responsible_person, d.deadline, r.deadline as original, r.opened_on, a.name as area_name, null as day, null as note,
                ${STATUS_KNOWN_AS_OF} as status
           from rectification r join area a on a.code = r.area_code
           cross join lateral (select ${DEADLINE_IN_FORCE} as deadline) d
          where r.area_code between ? and ? and d.deadline < ?::date) x
        where status in ('OPEN', 'RECTIFYING') order by deadline, id`,
      [last, knownAt, last, knownAt, lo, hi, last],
    );
    const rect = (row: RectRow, detail: string, date: string | null) =>
      item({ subjectId: toGlobalId('Rectification', row.id), title: row.finding, areaName: row.area_name, owner: row.responsible_person, date, detail });

    const supervision = await ctx.sql<{
      id: string;
      kind: SupervisionKind;
      target_label: string;
      target_unit: string;
      issuer: string;
      issued_on: string;
      response_due: string;
      area_name: string;
    }>(
      `select s.id::text as id, s.kind, s.target_label, s.target_unit, s.issuer, s.issued_on, s.response_due, a.name as area_name
         from supervision_action s join area a on a.code = s.area_code
        where s.area_code between ? and ? and s.issued_on between ? and ? and s.created_at <= ?::timestamptz order by s.issued_on, s.id`,
      [lo, hi, first, last, knownAt],
    );

    // 问责: outcomes decided in the month, against whom (issue 31 item 3).
    const outcomes = await ctx.sql<{
      action_id: string;
      kind: AccountabilityKind;
      name: string;
      title: string | null;
      unit: string | null;
      note: string | null;
      decided_on: string;
      target_label: string;
      area_name: string;
    }>(
      `select so.action_id::text as action_id, so.kind, so.name, so.title, so.unit, so.note, so.decided_on, s.target_label, a.name as area_name
         from supervision_outcome so join supervision_action s on s.id = so.action_id join area a on a.code = so.area_code
        where so.area_code between ? and ? and so.decided_on between ? and ? and so.recorded_at <= ?::timestamptz order by so.decided_on, so.id`,
      [lo, hi, first, last, knownAt],
    );

    const report = Object.assign(new MonthlyReport(), {
      month,
      areaCode,
      areaName: area.name,
      asOf: last,
      projectProgress: progress.map((row) =>
        item({ subjectId: row.subject_id, title: row.name ?? '项目', areaName: row.area_name, owner: row.owner, date: row.day, detail: row.summary }),
      ),
      milestonesDue,
      milestonesDone,
      laggingTasks,
      overdueTasks,
      rectificationsOpened: opened.map((row) => rect(row, `${row.opened_on} 交办,${row.deadline} 前整改`, row.opened_on)),
      rectificationsClosed: closed.map((row) => rect(row, `${row.day} 销号${row.note ? `(${row.note})` : ''}`, row.day)),
      rectificationsOverdue: overdue.map((row) =>
        rect(
          row,
          `整改时限 ${row.deadline === row.original ? row.deadline : `已延期至 ${row.deadline},原定 ${row.original}`},至月末仍${row.status === 'OPEN' ? '未启动整改' : '在整改中'}`,
          row.deadline,
        ),
      ),
      supervisionIssued: supervision.map((row) =>
        item({
          subjectId: toGlobalId('SupervisionAction', row.id),
          title: row.target_label,
          areaName: row.area_name,
          owner: row.target_unit,
          date: row.issued_on,
          detail: `${row.issued_on} ${row.issuer}${SUPERVISION_LABEL[row.kind]},${row.response_due} 前回复`,
        }),
      ),
      supervisionOutcomes: outcomes.map((row) =>
        item({
          subjectId: toGlobalId('SupervisionAction', row.action_id),
          title: row.target_label,
          areaName: row.area_name,
          owner: [row.name, row.title, row.unit].filter(Boolean).join(','),
          date: row.decided_on,
          detail: `${row.decided_on} ${ACCOUNTABILITY_LABEL[row.kind]}:${row.name}${row.note ? `(${row.note})` : ''}`,
        }),
      ),
    });
    // 报送: the issued version as known at the bound, and what was recorded after it (补录), in its own section.
    report.issued = await issuedAsKnownAt(ctx.sql, areaCode, month, knownAt);
    report.lateEntries = report.issued ? await lateEntries(ctx.sql, [lo, hi], month, report.issued.issuedAt, knownAt) : [];
    report.markdown = renderMarkdown(report) + (report.issued ? `\n${lateEntriesMarkdown(report.issued, report.lateEntries)}` : '');
    return report;
  }

  /** The report as the file `GET /reports/monthly/<month>.md|.csv` sends and `civgraph export monthly` writes. */
  async download(ctx: Context, month: string, areaArg: string | null | undefined, format: ReportFormat): Promise<Download> {
    const report = await this.monthly(ctx, month, areaArg);
    return {
      fileName: `monthly-report-${report.month}-${report.areaCode}.${format}`,
      contentType: REPORT_CONTENT_TYPE[format],
      body: Buffer.from(format === 'md' ? report.markdown : renderCsv(report), 'utf8'),
      rows: report.itemCount,
    };
  }
}

export const reportService = new ReportService();
