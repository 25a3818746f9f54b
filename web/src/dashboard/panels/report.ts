import { PanelReportDocument } from '../../../graphql/generated/graphql';
import { download, gql } from '../api';
import { fmt, h, noData, thisMonth } from '../dom';
import { failureText } from '../entry';
import { renderMarkdown } from '../markdown';
import type { PanelContext } from '../panel';

/** Where the server serves the report as a file: `GET /reports/monthly/<YYYY-MM>.md|.csv?area=`, bearer token. */
export function reportUrl(month: string, ext: 'md' | 'csv', area: string): string {
  return `/reports/monthly/${month}.${ext}?area=${encodeURIComponent(area)}`;
}

/**
 * 月度报告: `monthlyReport(month, area)` for a chosen month, its Markdown shown as
 * a document (markdown.ts: text only, never HTML), with Markdown and CSV
 * downloads of the same report. Loaded when the panel renders (admin-panels.ts
 * declares it) with its Markdown renderer.
 */
export async function renderReport(ctx: PanelContext, body: HTMLElement): Promise<void> {
  const month = h('input', { type: 'month', value: thisMonth(), 'aria-label': '月份' });
  const output = h('div', { class: 'report' });
  const error = h('div', { class: 'error' });
  const files = (ext: 'md' | 'csv') => async () => {
    error.textContent = '';
    try {
      await download(reportUrl(month.value, ext, ctx.area.code), `${ctx.area.shortName}-${month.value}.${ext}`);
    } catch (e) {
      error.textContent = `下载失败：${failureText(e)}`;
    }
  };
  const load = async () => {
    output.replaceChildren('正在生成…');
    const data = await gql(PanelReportDocument, { month: month.value, area: ctx.area.code });
    const report = data.monthlyReport;
    output.replaceChildren(
      h('div', { class: 'panel-note' }, `${report.areaName} ${report.month}，共 ${fmt(report.itemCount)} 项`),
      report.markdown ? renderMarkdown(report.markdown) : noData(),
    );
  };
  month.addEventListener('change', () => load().catch((e) => output.replaceChildren(noData(failureText(e)))));
  body.replaceChildren(
    h(
      'div',
      { class: 'report-controls' },
      h('label', {}, '月份 ', month),
      h('button', { type: 'button', 'data-download': 'md', onclick: files('md') }, '下载 Markdown'),
      h('button', { type: 'button', 'data-download': 'csv', onclick: files('csv') }, '下载 CSV'),
    ),
    error,
    output,
  );
  await load();
}
