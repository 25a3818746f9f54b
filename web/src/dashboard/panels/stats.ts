import query from '../../../graphql/pending/stats.graphql?raw';
import { gql } from '../api';
import { fmt, h, noData } from '../dom';
import type { Panel } from '../panel';

interface Stat {
  period?: string | null;
  indicator: { code: string; name: string; unit?: string | null };
  value: number | string | null;
  reportedAreas?: number | null;
  expectedAreas?: number | null;
}

/** 关键指标: 60岁以上老年人, 未成年人, 低保, 特困, 资金发放, each with 填报完整度. */
export const statsPanel: Panel = {
  id: 'stats',
  title: '关键指标',
  wide: true,
  requires: ['Area.stats'],
  async render(ctx, body) {
    const data = await gql<{ area: { stats: Stat[] } | null }, { code: string }>(query, { code: ctx.area.code });
    const stats = data.area?.stats ?? [];
    if (!stats.length) return void body.replaceChildren(noData());
    const period = stats.find((stat) => stat.period)?.period;
    body.replaceChildren(
      period ? h('div', { class: 'panel-note' }, `统计期：${period}`) : '',
      h(
        'div',
        { class: 'figures' },
        stats.map((stat) => {
          const expected = stat.expectedAreas ?? 0;
          const reported = stat.reportedAreas ?? 0;
          const complete = expected > 0 ? Math.round((reported / expected) * 100) : null;
          return h(
            'div',
            { class: 'figure', 'data-indicator': stat.indicator.code },
            h('div', { class: 'figure-label' }, stat.indicator.name),
            h('div', { class: 'figure-value' }, fmt(stat.value), h('span', { class: 'unit' }, stat.indicator.unit ?? '')),
            complete === null
              ? ''
              : h('div', { class: complete < 100 ? 'figure-sub incomplete' : 'figure-sub' }, `已报 ${fmt(reported)}/${fmt(expected)}（${complete}%）`),
          );
        }),
      ),
    );
  },
};
