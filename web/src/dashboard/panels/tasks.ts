import query from '../../../graphql/pending/tasks.graphql?raw';
import { gql } from '../api';
import { fmt, h, noData } from '../dom';
import type { Panel } from '../panel';
import { label } from './labels';

interface Task {
  id: string;
  title: string;
  health: string;
  deadline?: string | null;
  completed?: number | null;
  target?: number | null;
}

/** Health → colour: red overdue, orange lagging, yellow due soon, green on track. */
export const HEALTH_ORDER = ['OVERDUE', 'LAGGING', 'DUE_SOON', 'ON_TRACK'];

export function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/** 重点工作: tasks coloured by health as of today, worst first. */
export const tasksPanel: Panel = {
  id: 'tasks',
  title: '重点工作',
  requires: ['Area.tasks'],
  async render(ctx, body) {
    const data = await gql<{ area: { tasks: { totalCount: number; nodes: Task[] } } | null }, { code: string; asOf: string }>(query, {
      code: ctx.area.code,
      asOf: today(),
    });
    const tasks = [...(data.area?.tasks.nodes ?? [])];
    if (!tasks.length) return void body.replaceChildren(noData());
    const rank = (health: string) => (HEALTH_ORDER.includes(health) ? HEALTH_ORDER.indexOf(health) : HEALTH_ORDER.length);
    tasks.sort((a, b) => rank(a.health) - rank(b.health));
    const counts = HEALTH_ORDER.map((health) => [health, tasks.filter((task) => task.health === health).length] as const);
    body.replaceChildren(
      h('div', { class: 'health-counts' }, counts.map(([health, n]) => h('span', { class: `chip health-${health.toLowerCase()}` }, `${label(health)} ${fmt(n)}`))),
      h(
        'ul',
        { class: 'tasks' },
        tasks.map((task) =>
          h(
            'li',
            { class: `task health-${task.health.toLowerCase()}`, 'data-health': task.health },
            h('span', { class: 'dot' }),
            h('span', { class: 'task-title' }, task.title),
            task.target ? h('small', {}, ` ${fmt(task.completed ?? 0)}/${fmt(task.target)}`) : '',
            task.deadline ? h('small', { class: 'deadline' }, `截止 ${task.deadline}`) : '',
          ),
        ),
      ),
    );
  },
};
