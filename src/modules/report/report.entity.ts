import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../common/global-id.js';
import { TaskHealth } from '../task/task.rules.js';

/** One line of an itemised report section. */
@ObjectType('MonthlyReportItem', { description: '条目 — one item of a monthly report section.' })
export class MonthlyReportItem {
  @Field(() => ID, { description: 'Global ID of the subject (project, task, rectification, supervision action).' })
  subjectId!: string;

  @Field({ description: '事项 — what the item is about.' })
  title!: string;

  @Field({ description: '区划 — area name.' })
  areaName!: string;

  @Field(() => String, { nullable: true, description: '责任 — owning section or responsible person, where there is one.' })
  owner!: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: "日期 — the item's date (progress, due, closing, issue date)." })
  date!: string | null;

  @Field({ description: '情况 — one readable line.' })
  detail!: string;

  @Field(() => TaskHealth, { nullable: true, description: "A task's health at month end; null for other items." })
  health!: TaskHealth | null;
}

/**
 * 每月条理式报告 — the itemised monthly report, rebuilt from the dated history
 * (progress events, task progress, rectification transitions, supervision), so
 * a past month reads the same however often it is asked for.
 */
@ObjectType('MonthlyReport', {
  description: "每月条理式报告 — itemised monthly report for an area's subtree, rebuilt from the dated history (reproducible for past months).",
})
export class MonthlyReport {
  @Field({ description: '月份 — "2026-05".' })
  month!: string;

  /** 12-digit area code. */
  areaCode!: string;

  @Field({ description: '区划 — the area reported on.' })
  areaName!: string;

  @Field(() => LocalDateResolver, { description: "Last day of the month: tasks' health and overdue flags are as of this date." })
  asOf!: string;

  @Field(() => [MonthlyReportItem], { description: "一、项目推进情况 — projects' progress recorded in the month (PROJECT events)." })
  projectProgress!: MonthlyReportItem[];

  @Field(() => [MonthlyReportItem], { description: '二、本月到期节点 — project milestones due in the month.' })
  milestonesDue!: MonthlyReportItem[];

  @Field(() => [MonthlyReportItem], { description: '三、本月完成节点 — project milestones done in the month.' })
  milestonesDone!: MonthlyReportItem[];

  @Field(() => [MonthlyReportItem], { description: '四、进度滞后的重点工作 — lagging tasks at month end, with owners.' })
  laggingTasks!: MonthlyReportItem[];

  @Field(() => [MonthlyReportItem], { description: '五、逾期的重点工作 — overdue tasks at month end, with owners.' })
  overdueTasks!: MonthlyReportItem[];

  @Field(() => [MonthlyReportItem], { description: '六、新交办审计整改问题 — rectifications registered in the month.' })
  rectificationsOpened!: MonthlyReportItem[];

  @Field(() => [MonthlyReportItem], { description: '七、本月销号 — rectifications closed in the month.' })
  rectificationsClosed!: MonthlyReportItem[];

  @Field(() => [MonthlyReportItem], { description: '八、逾期未整改 — rectifications overdue at month end.' })
  rectificationsOverdue!: MonthlyReportItem[];

  @Field(() => [MonthlyReportItem], { description: '九、本月督办 — supervision actions issued in the month.' })
  supervisionIssued!: MonthlyReportItem[];

  @Field(() => [MonthlyReportItem], {
    description: '十、问责情况 — accountability outcomes (问责: 约谈, 通报批评 …) of supervision decided in the month, against whom (`owner`).',
  })
  supervisionOutcomes!: MonthlyReportItem[];

  @Field(() => Int, { description: 'Number of items in all sections.' })
  get itemCount(): number {
    return SECTIONS.reduce((n, [key]) => n + this[key].length, 0);
  }

  @Field({ description: 'The report as Markdown (what `GET /reports/monthly/<month>.md` serves).' })
  markdown!: string;

  @Field(() => IssuedMonthlyReport, {
    nullable: true,
    description:
      '报送 — the issued version of this month and area (`issueMonthlyReport`), when it had been issued (by `knownAt`, if given); null otherwise. Its files are kept as issued.',
  })
  issued!: IssuedMonthlyReport | null;

  @Field(() => [MonthlyReportLateEntry], {
    description:
      '十一、补录 — entries recorded after the month was issued (up to `knownAt`, if given) that change this report: back-dated progress, tasks, project events, findings, status changes, supervision, 问责 outcomes and approved deadline extensions (延期), with who recorded them and when; oldest first. Empty when the month has not been issued. Also the last section of `markdown`.',
  })
  lateEntries!: MonthlyReportLateEntry[];
}

/** 补录 — one entry recorded after the month's report was issued, which changes it. */
@ObjectType('MonthlyReportLateEntry', {
  description: '补录 — an entry recorded after the monthly report was issued that changes it: what, when it happened, who recorded it and when.',
})
export class MonthlyReportLateEntry {
  @Field({
    description:
      '类别 — 任务进度, 新建重点工作, 项目进展, 新交办整改, 整改状态, 督办, 问责 (a supervision outcome) or 延期审批 (an approved deadline extension).',
  })
  kind!: string;

  @Field(() => ID, { description: 'Global ID of the subject (task, project, rectification, supervision action).' })
  subjectId!: string;

  @Field({ description: '事项 — what the entry is about.' })
  title!: string;

  @Field({ description: '区划 — area name.' })
  areaName!: string;

  @Field(() => LocalDateResolver, { description: '日期 — when it happened (its business date).' })
  date!: string;

  @Field({ description: '录入时间 — when it was recorded (server clock), after the issue.' })
  recordedAt!: Date;

  @Field({ description: '录入人 — who recorded it.' })
  recordedBy!: string;

  @Field({ description: '情况 — one readable line.' })
  detail!: string;
}

/** File formats an issued report is kept in. */
export type IssuedFormat = 'md' | 'csv' | 'json';

/** One stored file of an issued report. */
@ObjectType('IssuedReportFile', { description: '报送文件 — one file of an issued monthly report, kept byte for byte as issued.' })
export class IssuedReportFile {
  @Field(() => String, { description: 'Format: md (Markdown), csv, or json (the canonical report the other two are rendered from).' })
  format!: IssuedFormat;

  @Field({ description: 'Content type it is served with.' })
  contentType!: string;

  @Field(() => Int, { description: 'Size in bytes.' })
  size!: number;

  @Field({ description: 'SHA-256 of the stored bytes (hex), as computed when issued.' })
  sha256!: string;

  @Field({ description: 'Download path, relative to the server (same bearer token): `/reports/monthly/<month>/issued.<format>?area=<code>`.' })
  url!: string;
}

/** 报送 — a monthly report as issued. */
@ObjectType('IssuedMonthlyReport', {
  description: '报送 — a monthly report as issued (`issueMonthlyReport`): who issued it, when, and its files, kept byte for byte forever.',
})
export class IssuedMonthlyReport {
  key!: string;
  areaCode!: string;

  @Field(() => ID, { description: 'Global ID.' })
  get id(): string {
    return toGlobalId('IssuedMonthlyReport', this.key);
  }

  @Field({ description: '月份 — "2026-05".' })
  month!: string;

  @Field({ description: '报送时间 — when it was issued (server clock); its content is the report as known at this instant.' })
  issuedAt!: Date;

  @Field({ description: '报送人 — who issued it.' })
  issuedBy!: string;

  @Field({ description: "报送人角色 — the issuer's role." })
  issuedByRole!: string;

  @Field(() => Int, { description: 'Number of items in the issued report.' })
  itemCount!: number;

  @Field({ description: 'SHA-256 (hex) of the issued Markdown; each file has its own in `files`.' })
  sha256!: string;

  @Field(() => [IssuedReportFile], { description: 'The stored files: md, csv and json.' })
  files!: IssuedReportFile[];
}

type SectionKey =
  | 'projectProgress'
  | 'milestonesDue'
  | 'milestonesDone'
  | 'laggingTasks'
  | 'overdueTasks'
  | 'rectificationsOpened'
  | 'rectificationsClosed'
  | 'rectificationsOverdue'
  | 'supervisionIssued'
  | 'supervisionOutcomes';

/** Sections in report order, with their Chinese headings. */
export const SECTIONS: [SectionKey, string][] = [
  ['projectProgress', '项目推进情况'],
  ['milestonesDue', '本月到期节点'],
  ['milestonesDone', '本月完成节点'],
  ['laggingTasks', '进度滞后的重点工作'],
  ['overdueTasks', '逾期的重点工作'],
  ['rectificationsOpened', '新交办审计整改问题'],
  ['rectificationsClosed', '本月销号的整改问题'],
  ['rectificationsOverdue', '逾期未整改问题'],
  ['supervisionIssued', '本月督办'],
  ['supervisionOutcomes', '问责情况'],
];
