import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
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

  @Field(() => Int, { description: 'Number of items in all sections.' })
  get itemCount(): number {
    return SECTIONS.reduce((n, [key]) => n + this[key].length, 0);
  }

  @Field({ description: 'The report as Markdown (what `GET /reports/monthly/<month>.md` serves).' })
  markdown!: string;
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
  | 'supervisionIssued';

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
];
