import { toCsv } from '../../common/download.js';
import { TASK_HEALTH_LABEL } from '../task/task.rules.js';
import { SECTIONS, type MonthlyReport } from './report.entity.js';

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** The report as Markdown: numbered sections (一、二、…), numbered items; "无" for an empty section. */
export function renderMarkdown(report: Omit<MonthlyReport, 'markdown' | 'itemCount'>): string {
  const lines = [`# ${report.areaName} ${report.month} 民政重点工作条理式报告`, '', `截至 ${report.asOf}。`, ''];
  SECTIONS.forEach(([key, heading], index) => {
    lines.push(`## ${NUMERALS[index]}、${heading}`, '');
    const items = report[key];
    if (!items.length) lines.push('无。');
    items.forEach((item, i) => lines.push(`${i + 1}. ${item.title}(${item.areaName}${item.owner ? `,${item.owner}` : ''}):${item.detail}`));
    lines.push('');
  });
  return lines.join('\n');
}

/**
 * The report as CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs read the
 * Chinese). Titles and details are typed by people, so text a spreadsheet
 * program would run as a formula gets an apostrophe in front ({@link toCsv}).
 */
export function renderCsv(report: MonthlyReport): string {
  // Chinese headers and labels for the people who open it (issue 30); the same columns as the monthly-report export.
  const rows: (string | number)[][] = [['部分', '序号', '事项', '区划', '责任', '日期', '进度状态', '情况', '编号']];
  for (const [key, heading] of SECTIONS) {
    report[key].forEach((item, i) =>
      rows.push([
        heading,
        i + 1,
        item.title,
        item.areaName,
        item.owner ?? '',
        item.date ?? '',
        item.health ? TASK_HEALTH_LABEL[item.health] : '',
        item.detail,
        item.subjectId,
      ]),
    );
  }
  return toCsv(rows);
}
