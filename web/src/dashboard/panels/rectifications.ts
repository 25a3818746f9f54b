import query from '../../../graphql/pending/rectifications.graphql?raw';
import { gql } from '../api';
import { fmt, h, noData } from '../dom';
import type { Panel } from '../panel';
import { label } from './labels';

interface Rectification {
  id: string;
  finding: string;
  status: string;
  deadline?: string | null;
  overdue?: boolean | null;
  responsible?: string | null;
}

const DONE = new Set(['RECTIFIED', 'CLOSED']);

/** 审计整改: open and overdue rectifications, overdue first. */
export const rectificationsPanel: Panel = {
  id: 'rectifications',
  title: '审计整改',
  requires: ['Area.rectifications'],
  async render(ctx, body) {
    const data = await gql<{ area: { rectifications: { nodes: Rectification[] } } | null }, { code: string }>(query, { code: ctx.area.code });
    const open = (data.area?.rectifications.nodes ?? []).filter((item) => !DONE.has(item.status));
    if (!open.length) return void body.replaceChildren(noData());
    open.sort((a, b) => Number(Boolean(b.overdue)) - Number(Boolean(a.overdue)));
    const overdue = open.filter((item) => item.overdue).length;
    body.replaceChildren(
      h('div', { class: 'health-counts' }, h('span', { class: 'chip' }, `未销号 ${fmt(open.length)}`), h('span', { class: 'chip health-overdue' }, `逾期 ${fmt(overdue)}`)),
      h(
        'ul',
        { class: 'tasks' },
        open.map((item) =>
          h(
            'li',
            { class: item.overdue ? 'task health-overdue' : 'task' },
            h('span', { class: 'dot' }),
            h('span', { class: 'task-title' }, item.finding),
            h('small', {}, ` ${label(item.status)}`),
            item.responsible ? h('small', {}, ` 责任人 ${item.responsible}`) : '',
            item.deadline ? h('small', { class: 'deadline' }, `限 ${item.deadline}`) : '',
          ),
        ),
      ),
    );
  },
};
