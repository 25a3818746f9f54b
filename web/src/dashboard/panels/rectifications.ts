import { PanelRectificationsDocument } from '../../../graphql/generated/graphql';
import { gql } from '../api';
import { UNREAD_AREA, fmt, h, noData } from '../dom';
import type { Panel } from '../panel';
import { label } from './labels';
import { today } from './tasks';

/**
 * 审计整改: `Area.rectifications` not yet closed (未销号: OPEN, RECTIFYING,
 * RECTIFIED), overdue first, and the number overdue (限时整改, 责任到人). The API
 * shows them to COUNTY_ADMIN, LEADER, SECTION_STAFF and TOWNSHIP_OPERATOR only.
 */
export const rectificationsPanel: Panel = {
  id: 'rectifications',
  title: '审计整改',
  requires: ['Area.rectifications'],
  async render(ctx, body) {
    const data = await gql(PanelRectificationsDocument, { code: ctx.area.code, asOf: today() });
    // Not read (no such area in the viewer's reach) is not the same as none: never an empty state it has not read.
    if (!data.area) return void body.replaceChildren(noData(UNREAD_AREA));
    const open = [...(data.area?.open.nodes ?? [])];
    const overdue = data.area?.overdue.totalCount ?? 0;
    if (!open.length) return void body.replaceChildren(noData('没有未销号的整改问题'));
    open.sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.deadline.localeCompare(b.deadline));
    body.replaceChildren(
      h(
        'div',
        { class: 'health-counts' },
        h('span', { class: 'chip', 'data-count': 'open' }, `未销号 ${fmt(data.area.open.totalCount)}`),
        h('span', { class: 'chip health-overdue', 'data-count': 'overdue' }, `逾期 ${fmt(overdue)}`),
      ),
      h(
        'ul',
        { class: 'tasks' },
        open.map((item) =>
          h(
            'li',
            { class: item.overdue ? 'task rect health-overdue' : 'task rect health-open', 'data-overdue': String(item.overdue) },
            h('span', { class: 'dot' }),
            h('span', { class: 'task-title' }, item.finding),
            h('small', { class: 'deadline' }, `限 ${item.deadline}${item.overdue ? '（逾期）' : ''}`),
            h('small', { class: 'meta' }, `${item.area.shortName} · ${label(item.status)} · 责任人 ${item.responsiblePerson}`),
          ),
        ),
      ),
    );
  },
};
