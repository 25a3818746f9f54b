import { PanelFacilitiesDocument, type PanelFacilitiesQuery } from '../../../graphql/generated/graphql';
import { gql } from '../api';
import { UNREAD_AREA, fmt, h, noData } from '../dom';
import type { Panel } from '../panel';
import { barChart } from './charts';
import { label } from './labels';

type Group = NonNullable<PanelFacilitiesQuery['area']>['facilitySummary']['groups'][number];

/** Operating models as table columns. */
const MODELS = ['PUBLIC', 'PUBLIC_BUILT_PRIVATE_RUN', 'PRIVATE'] as const;

interface TypeRow {
  type: string;
  total: number;
  /** By operating model, all statuses. */
  models: Record<string, number>;
  /** By status. */
  statuses: Record<string, number>;
  /** In operation (OPERATING), by operating model. */
  operatingModels: Record<string, number>;
}

/** Facility counts by type, split by operating model and status, from the summary's groups (type × status × model). */
export function byTypeAndModel(groups: Group[]): TypeRow[] {
  const rows = new Map<string, TypeRow>();
  const add = (record: Record<string, number>, key: string, n: number) => (record[key] = (record[key] ?? 0) + n);
  for (const group of groups) {
    const row = rows.get(group.type) ?? { type: group.type, total: 0, models: {}, statuses: {}, operatingModels: {} };
    row.total += group.count;
    add(row.models, group.operatingModel, group.count);
    add(row.statuses, group.status, group.count);
    if (group.status === 'OPERATING') add(row.operatingModels, group.operatingModel, group.count);
    rows.set(group.type, row);
  }
  return [...rows.values()].sort((a, b) => b.total - a.total || a.type.localeCompare(b.type));
}

/** The speech's view: nursing homes in operation and how many of them are 公建民营, then the ones still being built. */
function nursingHomes(homes: TypeRow): HTMLElement {
  const operating = homes.statuses.OPERATING ?? 0;
  const others = Object.entries(homes.statuses).filter(([status, n]) => status !== 'OPERATING' && n > 0);
  return h(
    'strong',
    {},
    `敬老院 ${fmt(operating)} 所运营，其中公建民营 ${fmt(homes.operatingModels.PUBLIC_BUILT_PRIVATE_RUN ?? 0)} 所`,
    others.length ? h('small', {}, `（另${others.map(([status, n]) => `${label(status)} ${fmt(n)} 所`).join('、')}）`) : '',
  );
}

/**
 * 服务设施: `Area.facilitySummary` by type and operating model ("敬老院 15 所，其中
 * 公建民营 9 所"), and a bar per child area (`children { facilitySummary { total } }`);
 * a bar drills into its area.
 */
export const facilitiesPanel: Panel = {
  id: 'facilities',
  title: '服务设施',
  requires: ['Area.facilitySummary'],
  async render(ctx, body) {
    const data = await gql(PanelFacilitiesDocument, { code: ctx.area.code });
    // Not read (no such area in the viewer's reach) is not the same as none: never an empty state it has not read.
    if (!data.area) return void body.replaceChildren(noData(UNREAD_AREA));
    const summary = data.area?.facilitySummary;
    if (!summary || !summary.total) return void body.replaceChildren(noData('本区划没有登记的服务设施'));
    const rows = byTypeAndModel(summary.groups);
    const homes = rows.find((row) => row.type === 'NURSING_HOME');
    const children = data.area?.children.nodes ?? [];
    body.replaceChildren(
      h(
        'div',
        { class: 'panel-note' },
        `共 ${fmt(summary.total)} 处，床位 ${fmt(summary.beds)} 张（在住 ${fmt(summary.occupiedBeds)}）`,
        homes ? h('div', { 'data-testid': 'nursing-homes' }, nursingHomes(homes)) : '',
      ),
      h(
        'table',
        { class: 'mini facility-table' },
        h(
          'tr',
          {},
          h('th', {}, '类型'),
          h('th', { class: 'num' }, '合计'),
          h('th', { class: 'num' }, '运营中'),
          MODELS.map((model) => h('th', { class: 'num' }, label(model))),
        ),
        rows.map((row) =>
          h(
            'tr',
            { 'data-type': row.type },
            h('td', {}, label(row.type)),
            h('td', { class: 'num', 'data-model': 'TOTAL' }, fmt(row.total)),
            h('td', { class: 'num', 'data-status': 'OPERATING' }, fmt(row.statuses.OPERATING ?? 0)),
            MODELS.map((model) => h('td', { class: 'num', 'data-model': model }, row.models[model] ? fmt(row.models[model]) : '—')),
          ),
        ),
      ),
      children.length
        ? h(
            'div',
            { class: 'chart' },
            h('div', { class: 'chart-title' }, '按下级区划（点击下钻）'),
            barChart(
              children.map((child) => ({ key: child.code, label: child.shortName, value: child.facilitySummary.total })),
              { onSelect: ctx.select },
            ),
          )
        : '',
    );
  },
};
