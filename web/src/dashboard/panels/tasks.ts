import { PanelTasksDocument, type PanelTasksQuery } from '../../../graphql/generated/graphql';
import { gql } from '../api';
import { UNREAD_AREA, fmt, h, noData } from '../dom';
import { failureText, inViewerScope, sectionMayWrite } from '../entry';
import type { Panel, PanelContext } from '../panel';
import { label } from './labels';

export type TaskRow = NonNullable<PanelTasksQuery['area']>['tasks']['nodes'][number];

/** Who requests an extension (EXTENSION_REQUESTERS in src/modules/extension/extension.service.ts): COUNTY_ADMIN; SECTION_STAFF for its section's tasks. */
export const EXTENSION_REQUESTERS = ['COUNTY_ADMIN', 'SECTION_STAFF'];

/** The 申请延期 forms open, by task: the panel is read again on live events, and a form being filled in stays (the same element). */
const openForms = new Map<string, HTMLElement>();
/** A request just sent, by task: its confirmation on the row until the task is read without a pending request (decided). */
const requested = new Map<string, string>();
/** Each task's row as last rendered (a form kept across a re-render closes on the current row). */
const rowRenders = new Map<string, () => void>();

function mayRequest(ctx: PanelContext, task: TaskRow): boolean {
  const viewer = ctx.viewer;
  if (!viewer || !EXTENSION_REQUESTERS.includes(viewer.role) || !ctx.schema.has('Mutation.requestDeadlineExtension')) return false;
  if (task.health === 'DONE' || task.pending.nodes[0]?.state === 'PENDING') return false;
  return inViewerScope(viewer, ctx.area.code) && sectionMayWrite(viewer, task.ownerSection);
}

/** A task's row: health, title, done/target, the deadline in force (and the original, once extended), 申请延期 where the viewer may. */
function taskRow(ctx: PanelContext, task: TaskRow): HTMLElement {
  const extended = task.originalDeadline !== task.deadline;
  const pending = task.pending.nodes[0]?.state === 'PENDING' ? task.pending.nodes[0] : null;
  const slot = h('div', { class: 'task-extension' });
  if (!pending) requested.delete(task.id);
  const row = h(
    'li',
    {
      class: `task health-${task.health.toLowerCase()}`,
      'data-task': task.id,
      'data-health': task.health,
      title: `${task.ownerSection} · ${label(task.health)}`,
    },
    h('span', { class: 'dot' }),
    h('span', { class: 'task-title' }, task.title),
    h('small', {}, ` ${fmt(task.done)}/${fmt(task.target)}${task.unit}`),
    h('small', { class: 'deadline', 'data-testid': 'task-deadline' }, `截止 ${task.deadline}`),
    extended ? h('small', { class: 'original-deadline' }, `（原定 ${task.originalDeadline}，已延期）`) : '',
    pending ? h('small', { class: 'extension-pending' }, `延期待审批：至 ${pending.requestedDeadline}`) : '',
    slot,
  );
  const open = async () => {
    // The form's code comes when first asked for (extension-request.ts): most pages never request.
    const { requestForm } = await import('./extension-request');
    const close = () => {
      openForms.delete(task.id);
      rowRenders.get(task.id)?.();
    };
    const form = requestForm(task, close, (text) => {
      requested.set(task.id, text);
      close();
      ctx.refresh();
    });
    openForms.set(task.id, form);
    render();
    form.querySelector('input')?.focus();
  };
  const opened = () =>
    void open().catch((error) => {
      slot.append(h('small', { class: 'error', role: 'alert' }, failureText(error)));
    });
  const render = () => {
    const form = openForms.get(task.id);
    const note = requested.get(task.id);
    if (note) return void slot.replaceChildren(h('small', { class: 'entry-message', role: 'status' }, note));
    slot.replaceChildren(
      form ??
        (mayRequest(ctx, task) ? h('button', { type: 'button', class: 'secondary', 'data-action': 'request-extension', onclick: opened }, '申请延期') : ''),
    );
  };
  rowRenders.set(task.id, render);
  render();
  return row;
}

/** Health, worst first → colour: red overdue, orange lagging, yellow due soon, green on track and done. */
export const HEALTH_ORDER = ['OVERDUE', 'LAGGING', 'DUE_SOON', 'ON_TRACK', 'DONE'];

export function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/**
 * 重点工作: `Area.tasks(asOf: today)` coloured by their derived health, worst first, with done/target
 * and the deadline in force; 申请延期 (a new date and a reason) on a task's row for the roles that may
 * request one (COUNTY_ADMIN; SECTION_STAFF for its section's), 延期待审批 while one waits.
 */
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
        tasks.map((task) => taskRow(ctx, task)),
      ),
    );
  },
};
