import { PanelRequestExtensionDocument, PanelTasksDocument, type PanelTasksQuery } from '../../../graphql/generated/graphql';
import { gql } from '../api';
import { UNREAD_AREA, fmt, h, noData } from '../dom';
import { FieldErrors, field, fieldPath, inViewerScope, sectionMayWrite } from '../entry';
import type { Panel, PanelContext } from '../panel';
import { label } from './labels';

type TaskRow = NonNullable<PanelTasksQuery['area']>['tasks']['nodes'][number];

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

/** 申请延期: the new deadline (later than the one in force) and the reason; the server's errors at their fields, in Chinese. */
function requestForm(ctx: PanelContext, task: TaskRow, close: () => void): HTMLElement {
  const errors = new FieldErrors('extension');
  const deadline = h('input', { type: 'date', name: 'newDeadline', min: task.deadline, 'aria-label': '申请延期至' });
  const reason = h('input', { type: 'text', name: 'reason', maxlength: 500, 'aria-label': '延期理由' });
  const submit = h('button', { type: 'submit', class: 'primary' }, '提交申请');
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: close }, '取消');
  const send = async () => {
    errors.clear();
    if (!deadline.value) return errors.set('newDeadline', '请选择申请延期至的日期');
    if (!reason.value.trim()) return errors.set('reason', '请填写延期理由');
    submit.disabled = true;
    try {
      const { requestDeadlineExtension: result } = await gql(PanelRequestExtensionDocument, {
        input: { item: task.id, newDeadline: deadline.value, reason: reason.value.trim() },
      });
      if (result.userErrors.length) {
        return errors.show(result.userErrors, (path) => ({ newDeadline: 'newDeadline', reason: 'reason' })[fieldPath(path)] ?? null);
      }
      requested.set(task.id, `已提交延期申请：延期至 ${deadline.value}，待县/局领导审批`);
      close();
      ctx.refresh();
    } catch (error) {
      errors.fail(error);
    } finally {
      submit.disabled = false;
    }
  };
  return h(
    'form',
    { class: 'entry-row extension-form', 'data-extension-for': task.id, novalidate: true, onsubmit: (event: Event) => (event.preventDefault(), void send()) },
    h('div', { class: 'entry-row-head' }, h('small', {}, `现行期限 ${task.deadline}`)),
    h('div', { class: 'entry-fields' }, field('申请延期至', deadline, errors, 'newDeadline'), field('延期理由', reason, errors, 'reason'), submit, cancel),
    errors.slot('extension'),
  );
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
  const open = () => {
    const form = requestForm(ctx, task, () => {
      openForms.delete(task.id);
      rowRenders.get(task.id)?.();
    });
    openForms.set(task.id, form);
    render();
    form.querySelector('input')?.focus();
  };
  const render = () => {
    const form = openForms.get(task.id);
    const note = requested.get(task.id);
    if (note) return void slot.replaceChildren(h('small', { class: 'entry-message', role: 'status' }, note));
    slot.replaceChildren(
      form ?? (mayRequest(ctx, task) ? h('button', { type: 'button', class: 'secondary', 'data-action': 'request-extension', onclick: open }, '申请延期') : ''),
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
