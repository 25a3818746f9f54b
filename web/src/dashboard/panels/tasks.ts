import { PanelTasksDocument } from '../../../graphql/generated/graphql';
import { gql } from '../api';
import { UNREAD_AREA, fmt, h, noData } from '../dom';
import type { Panel } from '../panel';
import { label } from './labels';

/** Health, worst first → colour: red overdue, orange lagging, yellow due soon, green on track and done. */
export const HEALTH_ORDER = ['OVERDUE', 'LAGGING', 'DUE_SOON', 'ON_TRACK', 'DONE'];

export function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/** 重点工作: `Area.tasks(asOf: today)` coloured by their derived health, worst first, with done/target. */
export const tasksPanel: Panel = {
  id: 'tasks',
  title: '重点工作',
  requires: ['Area.tasks'],
  async render(ctx, body) {
    const data = await gql(PanelTasksDocument, { code: ctx.area.code, asOf: today() });
    // Not read (no such area in the viewer's reach) is not the same as none: never an empty state it has not read.
    if (!data.area) return void body.replaceChildren(noData(UNREAD_AREA));
    const tasks = [...(data.area?.tasks.nodes ?? [])];
    if (!tasks.length) return void body.replaceChildren(noData('本区划没有重点工作'));
    const rank = (health: string) => (HEALTH_ORDER.includes(health) ? HEALTH_ORDER.indexOf(health) : HEALTH_ORDER.length);
    // Stable: the API's order (creation) within one health.
    tasks.sort((a, b) => rank(a.health) - rank(b.health));
    const counts = HEALTH_ORDER.map((health) => [health, tasks.filter((task) => task.health === health).length] as const).filter(([, n]) => n > 0);
    body.replaceChildren(
      h(
        'div',
        { class: 'health-counts' },
        counts.map(([health, n]) => h('span', { class: `chip health-${health.toLowerCase()}`, 'data-health': health }, `${label(health)} ${fmt(n)}`)),
      ),
      h(
        'ul',
        { class: 'tasks' },
        tasks.map((task) =>
          h(
            'li',
            { class: `task health-${task.health.toLowerCase()}`, 'data-health': task.health, title: `${task.ownerSection} · ${label(task.health)}` },
            h('span', { class: 'dot' }),
            h('span', { class: 'task-title' }, task.title),
            h('small', {}, ` ${fmt(task.done)}/${fmt(task.target)}${task.unit}`),
            h('small', { class: 'deadline' }, `截止 ${task.deadline}`),
          ),
        ),
      ),
    );
  },
};
