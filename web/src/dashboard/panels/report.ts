import query from '../../../graphql/pending/report.graphql?raw';
import { download, gql } from '../api';
import { h, noData } from '../dom';
import type { Panel } from '../panel';

function thisMonth(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
}

/** 月度报告: the monthly itemised report for a chosen month, with Markdown and CSV download. */
export const reportPanel: Panel = {
  id: 'report',
  title: '月度报告',
  wide: true,
  requires: ['Query.monthlyReport'],
  async render(ctx, body) {
    const month = h('input', { type: 'month', value: thisMonth(), 'aria-label': '月份' });
    const output = h('div', { class: 'report' });
    const error = h('div', { class: 'error' });
    const files = (ext: 'md' | 'csv') => async () => {
      error.textContent = '';
      try {
        await download(`/reports/monthly/${month.value}.${ext}?area=${encodeURIComponent(ctx.area.code)}`, `${ctx.area.shortName}-${month.value}.${ext}`);
      } catch (e) {
        error.textContent = `下载失败：${e instanceof Error ? e.message : String(e)}`;
      }
    };
    const load = async () => {
      output.replaceChildren('正在生成…');
      const data = await gql<{ monthlyReport: { markdown: string } | null }, { month: string; area: string }>(query, { month: month.value, area: ctx.area.code });
      const markdown = data.monthlyReport?.markdown;
      output.replaceChildren(markdown ? h('pre', { class: 'markdown' }, markdown) : noData());
    };
    month.addEventListener('change', () => load().catch((e) => output.replaceChildren(noData(e instanceof Error ? e.message : String(e)))));
    body.replaceChildren(
      h(
        'div',
        { class: 'report-controls' },
        h('label', {}, '月份 ', month),
        h('button', { type: 'button', onclick: files('md') }, '下载 Markdown'),
        h('button', { type: 'button', onclick: files('csv') }, '下载 CSV'),
      ),
      error,
      output,
    );
    await load();
  },
};
