import query from '../../../graphql/pending/facilities.graphql?raw';
import { gql } from '../api';
import { fmt, h, noData } from '../dom';
import type { Panel } from '../panel';
import { barChart } from './charts';
import { label } from './labels';

interface Summary {
  total: number;
  byType?: { type: string; count: number }[] | null;
  byOperatingModel?: { operatingModel: string; count: number }[] | null;
}
interface Data {
  area: { facilitySummary: Summary | null; children: { nodes: { code: string; shortName: string; facilitySummary: { total: number } | null }[] } } | null;
}

/** 服务设施: counts by type and operating model ("15 所敬老院，9 所公建民营"), and a bar per township. */
export const facilitiesPanel: Panel = {
  id: 'facilities',
  title: '服务设施',
  requires: ['Area.facilitySummary'],
  async render(ctx, body) {
    const data = await gql<Data, { code: string }>(query, { code: ctx.area.code });
    const summary = data.area?.facilitySummary;
    if (!summary || !summary.total) return void body.replaceChildren(noData());
    const children = data.area?.children.nodes ?? [];
    body.replaceChildren(
      h('div', { class: 'panel-note' }, `共 ${fmt(summary.total)} 处`),
      h(
        'div',
        { class: 'two-lists' },
        h('table', { class: 'mini' }, h('tr', {}, h('th', {}, '类型'), h('th', {}, '数量')), (summary.byType ?? []).map((row) => h('tr', {}, h('td', {}, label(row.type)), h('td', { class: 'num' }, fmt(row.count))))),
        h(
          'table',
          { class: 'mini' },
          h('tr', {}, h('th', {}, '运营方式'), h('th', {}, '数量')),
          (summary.byOperatingModel ?? []).map((row) => h('tr', {}, h('td', {}, label(row.operatingModel)), h('td', { class: 'num' }, fmt(row.count)))),
        ),
      ),
      children.length
        ? h(
            'div',
            { class: 'chart' },
            h('div', { class: 'chart-title' }, '按下级区划'),
            barChart(
              children.map((child) => ({ key: child.code, label: child.shortName, value: child.facilitySummary?.total ?? 0 })),
              { onSelect: ctx.select },
            ),
          )
        : '',
    );
  },
};
