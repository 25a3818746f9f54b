import { PanelStatsDocument, PanelStatsMonthsDocument, type PanelStatsQuery } from '../../../graphql/generated/graphql';
import { gql } from '../api';
import { fmt, h, noData, wan } from '../dom';
import type { Panel } from '../panel';

/** The key figures of the issue, in display order: 60岁以上, 未成年人, 低保 (城市/农村), 特困, 救助资金. */
export const KEY_INDICATORS = ['ELDERLY_60_PLUS', 'MINORS_0_17', 'DIBAO_URBAN', 'DIBAO_RURAL', 'EXTREMELY_POOR_SUPPORTED', 'ASSISTANCE_FUNDS_YUAN'];

type Stat = NonNullable<PanelStatsQuery['area']>['stats'][number];

function monthKey(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
}

/** The twelve months ending with this one, as `from`/`to` periods. */
export function lastYear(now = new Date()): { from: string; to: string } {
  return { from: monthKey(new Date(now.getFullYear(), now.getMonth() - 11, 1)), to: monthKey(now) };
}

/** The latest month of the last year that any area below has reported for; null when none has. */
export async function latestReportedMonth(code: string): Promise<string | null> {
  const data = await gql(PanelStatsMonthsDocument, { code, ...lastYear() });
  const months = (data.area?.statsSeries ?? []).filter((point) => point.reportedAreas > 0).map((point) => point.period);
  return months.sort().at(-1) ?? null;
}

function figure(stat: Stat): HTMLElement {
  const yuan = stat.indicator.unit === 'YUAN';
  const value = wan(yuan ? stat.amount : stat.persons, yuan ? '元' : '人');
  const complete = stat.expectedAreas > 0 ? Math.round((stat.reportedAreas / stat.expectedAreas) * 100) : null;
  return h(
    'div',
    { class: 'figure', 'data-indicator': stat.indicator.code },
    h('div', { class: 'figure-label' }, stat.indicator.nameZh.replace(/\(元\)$/, '')),
    // In 万 from 10,000 up (a leader's reading); the exact figure in the title.
    h('div', { class: 'figure-value', title: value.exact }, value.text, h('span', { class: 'unit' }, value.unit)),
    complete === null
      ? ''
      : h(
          'div',
          { class: complete < 100 ? 'figure-sub incomplete' : 'figure-sub' },
          `已报 ${fmt(stat.reportedAreas)}/${fmt(stat.expectedAreas)}（${complete}%）`,
        ),
  );
}

/**
 * 关键指标: the key figures rolled up over the selected area for the latest month
 * with reports (`Area.stats`), each with how many villages reported it, and the
 * month's reporting completeness (`Area.reporting`: 已报/应报, 未报).
 */
export const statsPanel: Panel = {
  id: 'stats',
  title: '关键指标',
  wide: true,
  requires: ['Area.stats', 'Area.statsSeries', 'Area.reporting'],
  async render(ctx, body) {
    const period = await latestReportedMonth(ctx.area.code);
    if (!period) return void body.replaceChildren(noData('近一年没有报送数据'));
    const data = await gql(PanelStatsDocument, { code: ctx.area.code, period, indicators: KEY_INDICATORS });
    const stats = data.area?.stats ?? [];
    const reporting = data.area?.reporting;
    if (!stats.length) return void body.replaceChildren(noData());
    const share = reporting && reporting.expectedAreas > 0 ? Math.round((reporting.reportedAreas / reporting.expectedAreas) * 100) : null;
    body.replaceChildren(
      h(
        'div',
        { class: 'panel-note', 'data-testid': 'stats-period' },
        `统计期 ${period}`,
        reporting
          ? h(
              'span',
              { class: reporting.missingAreas ? 'completeness incomplete' : 'completeness', 'data-testid': 'reporting' },
              ` · 报送完整度 ${fmt(reporting.reportedAreas)}/${fmt(reporting.expectedAreas)} 村（社区）${share === null ? '' : `（${share}%）`}${reporting.missingAreas ? `，未报 ${fmt(reporting.missingAreas)}` : ''}`,
            )
          : '',
      ),
      h('div', { class: 'figures' }, stats.map(figure)),
    );
  },
};
