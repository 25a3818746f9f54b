import {
  EntryCompleteMilestoneDocument,
  EntryProjectsDocument,
  EntryRecordProjectProgressDocument,
  EntryRecordTaskProgressDocument,
  EntryTasksDocument,
  type EntryProjectsQuery,
  type EntryTasksQuery,
} from '../../../graphql/generated/graphql';
import { gql } from '../api';
import { fmt, h, noData } from '../dom';
import { FieldErrors, PROGRESS_ROLES, field, fieldPath, inViewerScope, sectionMayWrite, wholeNumber, within } from '../entry';
import type { DashboardViewer, Panel, PanelContext } from '../panel';
import { entriesOf, enqueue, isNetworkFailure, newKey, onQueueChange, startSync, stateText, type QueuedEntry } from '../offline/queue';
import { label } from './labels';
import { today } from './tasks';

type Task = NonNullable<EntryTasksQuery['area']>['tasks']['nodes'][number];
type Assignment = Task['assignments'][number];
type Project = NonNullable<EntryProjectsQuery['area']>['projects']['nodes'][number];

/** The section to ask the server for: section staff see only their own section's items. */
function sectionOf(viewer: DashboardViewer): string | null {
  return viewer?.role === 'SECTION_STAFF' ? (viewer.section ?? null) : null;
}

/**
 * The assignments this viewer may record progress on, inside the selected area:
 * the task's section must be theirs (section staff) and the assignment's area
 * inside their own (township operators; the county admin's area holds all).
 */
export function writableAssignments(viewer: DashboardViewer, task: Task, selected: { code: string; level: string }): Assignment[] {
  if (!sectionMayWrite(viewer, task.ownerSection)) return [];
  return task.assignments.filter((a) => inViewerScope(viewer, a.area.code) && within(a.area.code, selected));
}

/** Projects this viewer may record progress on: their section's (section staff), inside their area, not completed. */
export function writableProjects(viewer: DashboardViewer, projects: Project[]): Project[] {
  return projects.filter((p) => p.status !== 'COMPLETED' && sectionMayWrite(viewer, p.ownerSection) && inViewerScope(viewer, p.area.code));
}

/**
 * Done/asOf/note for one assignment: `recordTaskProgress` with the version read
 * and an idempotency key. Without a network the entry is kept (../offline/queue.ts)
 * and shown beside the button as 待同步, then 已同步 or 失败 with the reason.
 */
function assignmentRow(task: Task, assignment: Assignment, readAt: number, onSaved: (text: string) => Promise<void>): HTMLElement {
  const errors = new FieldErrors();
  const form = `task:${assignment.id}`;
  const mark = h('span', { class: 'sync-state', 'data-sync': `task-${assignment.id}`, role: 'status' });
  const last = assignment.progress.at(-1)?.asOf ?? null;
  const done = h('input', {
    type: 'text',
    inputmode: 'numeric',
    name: 'done',
    autocomplete: 'off',
    value: String(assignment.done),
    'aria-label': `${assignment.area.shortName} 累计完成`,
  });
  const asOf = h('input', { type: 'date', name: 'asOf', value: today(), max: today(), min: last ?? undefined, 'aria-label': '截至日期' });
  const note = h('input', { type: 'text', name: 'note', maxlength: 500, placeholder: '可选', 'aria-label': '说明' });
  const submit = h('button', { type: 'submit', class: 'primary' }, '保存');
  /** The kept entry of this assignment at the button; after a (re)render its typed values are put back. */
  const showKept = (kept: QueuedEntry[], fill: boolean) => {
    const entry = kept.at(-1);
    mark.textContent = entry ? stateText(entry) : '';
    if (entry) mark.dataset.state = entry.state;
    else mark.removeAttribute('data-state');
    if (fill && entry && entry.state !== 'synced') {
      done.value = entry.fields.done ?? done.value;
      asOf.value = entry.fields.asOf ?? asOf.value;
      note.value = entry.fields.note ?? '';
    }
  };
  followKept(form, mark, readAt, showKept, (sent) =>
    // Sent: read the panel again (the new figure, a fresh version); the row shows 已同步 after it.
    // Refused (a stale version, a rule): read it again for a fresh version; the entry stays, typed in, for correction.
    onSaved(sent ? `已同步：「${task.title}」${assignment.area.shortName}` : `未能同步：「${task.title}」${assignment.area.shortName}，请修改后重新保存`),
  );
  const save = async () => {
    errors.clear();
    const value = wholeNumber(done.value);
    if (value === null) return errors.set('done', '请输入整数（累计完成数量）');
    if (!asOf.value) return errors.set('asOf', '请选择截至日期');
    submit.disabled = true;
    const input = {
      assignment: assignment.id,
      version: assignment.version,
      done: value,
      asOf: asOf.value,
      note: note.value.trim() || null,
      // 幂等键: a send repeated (by the offline queue, after a lost answer) applies once.
      idempotencyKey: newKey(),
    };
    const keep = async () => {
      const fields = { done: String(value), asOf: asOf.value, note: note.value };
      await enqueue({ id: input.idempotencyKey, kind: 'taskProgress', form, fields, input });
    };
    try {
      if (!navigator.onLine) return await keep();
      const { recordTaskProgress: result } = await gql(EntryRecordTaskProgressDocument, { input });
      if (result.userErrors.length) return errors.show(result.userErrors, (path) => ({ done: 'done', asOf: 'asOf', note: 'note' })[fieldPath(path)] ?? null);
      await onSaved(`已保存：「${task.title}」${assignment.area.shortName} 累计完成 ${value}/${assignment.target}${task.unit}（截至 ${asOf.value}）`);
    } catch (error) {
      if (isNetworkFailure(error)) await keep().catch(() => errors.fail(error));
      else errors.fail(error);
    } finally {
      submit.disabled = false;
    }
  };
  return h(
    'form',
    { class: 'entry-row', 'data-assignment': assignment.id, novalidate: true, onsubmit: (event: Event) => (event.preventDefault(), void save()) },
    h(
      'div',
      { class: 'entry-row-head' },
      h('strong', {}, assignment.area.shortName),
      h('small', {}, ` 目标 ${fmt(assignment.target)}${task.unit} · 已完成 ${fmt(assignment.done)}${task.unit}${last ? ` · 最近填报 ${last}` : ' · 尚未填报'}`),
    ),
    h(
      'div',
      { class: 'entry-fields' },
      field('累计完成', done, errors, 'done', h('span', { class: 'unit' }, task.unit)),
      field('截至', asOf, errors, 'asOf'),
      field('说明', note, errors, 'note'),
      submit,
      mark,
    ),
    errors.slot('form'),
  );
}

/** Shows a kept entry's state (待同步, 已同步, 失败 with the reason) in its mark, or nothing. */
function showState(mark: HTMLElement, entry: QueuedEntry | undefined): void {
  mark.textContent = entry ? stateText(entry) : '';
  if (entry) mark.dataset.state = entry.state;
  else mark.removeAttribute('data-state');
}

/**
 * Percent/asOf/note/blockers for one project (`recordProjectProgress`), and its
 * open milestones (`completeMilestone`), each with an idempotency key. Without a
 * network both are kept (../offline/queue.ts, form `project:<id>`) and shown as
 * 待同步 beside 保存进度 or at the milestone, then 已同步 or 失败 with the reason.
 * A milestone marked done offline carries the day it was marked (doneDate) and
 * the version read plus the milestones of this project still waiting before it:
 * each one sent moves the version by one.
 */
function projectForm(project: Project, readAt: number, onSaved: (text: string) => Promise<void>): HTMLElement {
  const errors = new FieldErrors();
  const form = `project:${project.id}`;
  const mark = h('span', { class: 'sync-state', 'data-sync': `project-${project.id}`, role: 'status' });
  const percent = h('input', {
    type: 'text',
    inputmode: 'numeric',
    name: 'percent',
    autocomplete: 'off',
    value: project.progressPercent ?? '',
    'aria-label': '完成比例',
  });
  const asOf = h('input', { type: 'date', name: 'asOf', value: today(), max: today(), min: project.progressAsOf ?? undefined, 'aria-label': '截至日期' });
  const note = h('input', { type: 'text', name: 'note', maxlength: 2000, placeholder: '进度下调时必填', 'aria-label': '说明' });
  const blockers = h('input', { type: 'text', name: 'blockers', maxlength: 2000, placeholder: '可选', 'aria-label': '存在问题' });
  const submit = h('button', { type: 'submit', class: 'primary' }, '保存进度');
  /** Each milestone's state mark, and its button while it is open. */
  const marks = new Map<number, { mark: HTMLElement; button?: HTMLButtonElement }>();
  /** The kept entries of this project at their places; after a (re)render the typed progress is put back. */
  const showKept = (kept: QueuedEntry[], fill: boolean) => {
    const progress = kept.filter((e) => e.kind === 'projectProgress').at(-1);
    showState(mark, progress);
    if (fill && progress && progress.state !== 'synced') {
      percent.value = progress.fields.percent ?? percent.value;
      asOf.value = progress.fields.asOf ?? asOf.value;
      note.value = progress.fields.note ?? '';
      blockers.value = progress.fields.blockers ?? '';
    }
    for (const [position, slot] of marks) {
      const entry = kept.filter((e) => `milestone-${position}` in e.fields).at(-1);
      showState(slot.mark, entry);
      // Waiting to be sent: not marked done a second time.
      if (slot.button) slot.button.hidden = entry?.state === 'pending';
    }
  };
  const save = async () => {
    errors.clear();
    const value = wholeNumber(percent.value);
    if (value === null) return errors.set('percent', '请输入 0–100 的整数');
    submit.disabled = true;
    const input = {
      project: project.id,
      percent: value,
      asOf: asOf.value || today(),
      note: note.value.trim() || null,
      blockers: blockers.value.trim() || null,
      // 幂等键: a send repeated (by the offline queue, after a lost answer) applies once.
      idempotencyKey: newKey(),
    };
    const keep = () =>
      enqueue({
        id: input.idempotencyKey,
        kind: 'projectProgress',
        form,
        fields: { percent: String(value), asOf: input.asOf, note: note.value, blockers: blockers.value },
        input,
      });
    try {
      if (!navigator.onLine) return await keep();
      const { recordProjectProgress: result } = await gql(EntryRecordProjectProgressDocument, { input });
      if (result.userErrors.length) {
        return errors.show(result.userErrors, (path) => ({ percent: 'percent', asOf: 'asOf', note: 'note', blockers: 'blockers' })[fieldPath(path)] ?? null);
      }
      await onSaved(`已保存：${project.name} 进度 ${value}%（截至 ${input.asOf}）`);
    } catch (error) {
      if (isNetworkFailure(error)) await keep().catch(() => errors.fail(error));
      else errors.fail(error);
    } finally {
      submit.disabled = false;
    }
  };
  const complete = async (m: Project['milestones'][number], button: HTMLButtonElement) => {
    errors.clear();
    button.disabled = true;
    try {
      // Milestones of this project marked done offline and not yet sent each move the version by one before this one.
      const waiting = (await entriesOf(form)).filter((e) => e.kind === 'milestone' && e.state === 'pending').length;
      const input = { project: project.id, position: m.position, version: project.version + waiting, doneDate: today(), idempotencyKey: newKey() };
      const keep = () => enqueue({ id: input.idempotencyKey, kind: 'milestone', form, fields: { [`milestone-${m.position}`]: input.doneDate }, input });
      try {
        if (!navigator.onLine) return await keep();
        const { completeMilestone: result } = await gql(EntryCompleteMilestoneDocument, { input });
        if (result.userErrors.length) return errors.show(result.userErrors, () => `milestone-${m.position}`);
        await onSaved(`已保存：${project.name}「${m.name}」已完成`);
      } catch (error) {
        if (isNetworkFailure(error)) await keep().catch(() => errors.fail(error));
        else errors.fail(error);
      }
    } finally {
      button.disabled = false;
    }
  };
  const milestones = project.milestones.map((m) => {
    const slot = errors.slot(`milestone-${m.position}`);
    const state = h('span', { class: 'sync-state', 'data-sync': `milestone-${project.id}-${m.position}`, role: 'status' });
    if (m.doneDate) {
      marks.set(m.position, { mark: state });
      return h(
        'li',
        { 'data-milestone': m.position, class: 'done' },
        h('span', {}, `${m.position}. ${m.name}`),
        h('small', {}, ` 已于 ${m.doneDate} 完成`),
        state,
        slot,
      );
    }
    const button = h('button', { type: 'button', 'data-complete': m.position, onclick: () => void complete(m, button) }, '标记完成');
    marks.set(m.position, { mark: state, button });
    return h('li', { 'data-milestone': m.position }, h('span', {}, `${m.position}. ${m.name}`), h('small', {}, ` 计划 ${m.dueDate}`), button, state, slot);
  });
  followKept(form, mark, readAt, showKept, (sent) =>
    // Sent: read the panel again (the new figures, a fresh version); refused: the same, the entry stays for correction.
    onSaved(sent ? `已同步：${project.name}` : `未能同步：${project.name}，请修改后重新保存`),
  );
  return h(
    'form',
    { class: 'entry-row', 'data-project': project.id, novalidate: true, onsubmit: (event: Event) => (event.preventDefault(), void save()) },
    h(
      'div',
      { class: 'entry-row-head' },
      h('strong', {}, project.name),
      h(
        'small',
        {},
        ` ${project.area.shortName} · ${project.ownerSection} · ${label(project.status)} · 当前进度 ${project.progressPercent === null ? '尚未填报' : `${project.progressPercent}%（截至 ${project.progressAsOf}）`}`,
      ),
    ),
    h(
      'div',
      { class: 'entry-fields' },
      field('完成比例', percent, errors, 'percent', h('span', { class: 'unit' }, '%')),
      field('截至', asOf, errors, 'asOf'),
      field('说明', note, errors, 'note'),
      field('存在问题', blockers, errors, 'blockers'),
      submit,
      mark,
    ),
    project.milestones.length ? h('ul', { class: 'milestones' }, milestones) : '',
    errors.slot('form'),
  );
}

/** A select of items and, below it, the form of the chosen one; the choice survives a re-read after a save. */
function chooser<T extends { id: string }>(
  name: string,
  items: T[],
  text: (item: T) => string,
  form: (item: T) => HTMLElement,
  chosen: string | null,
): HTMLElement {
  const holder = h('div', { class: 'entry-holder' });
  const select = h(
    'select',
    { name, onchange: () => holder.replaceChildren(form(items.find((item) => item.id === select.value)!)) },
    items.map((item) => h('option', { value: item.id, selected: item.id === chosen }, text(item))),
  );
  const first = items.find((item) => item.id === chosen) ?? items[0];
  select.value = first.id;
  holder.replaceChildren(form(first));
  return h('div', {}, h('div', { class: 'entry-head' }, select), holder);
}

/**
 * 进度填报: progress on key tasks (per assignment, `recordTaskProgress`) and on
 * projects (`recordProjectProgress`, `completeMilestone`), for the roles that
 * record it — section staff on their own section's tasks and projects (责任股室),
 * township operators inside their township, the county admin everywhere. After a
 * save the task and project panels are read again.
 */
export const workEntryPanel: Panel = {
  id: 'entry-work',
  title: '进度填报',
  wide: true,
  form: true,
  requires: ['Mutation.recordTaskProgress', 'Mutation.recordProjectProgress', 'Area.tasks', 'Area.projects'],
  offered: (viewer) => Boolean(viewer?.area && PROGRESS_ROLES.includes(viewer.role) && (viewer.role !== 'SECTION_STAFF' || viewer.section)),
  async render(ctx, body) {
    const message = h('div', { class: 'entry-message', 'data-testid': 'entry-work-message', role: 'status' });
    const tasksHolder = h('div', { class: 'entry-part', 'data-part': 'tasks' });
    const projectsHolder = h('div', { class: 'entry-part', 'data-part': 'projects' });
    let chosenTask: string | null = null;
    let chosenProject: string | null = null;

    startSync();
    const load = async (ctx: PanelContext) => {
      const section = sectionOf(ctx.viewer);
      // Entries the offline queue settles from now on may not be in what this read returns (followKept).
      const readAt = Date.now();
      const [tasks, projects] = await Promise.all([
        gql(EntryTasksDocument, { code: ctx.area.code, ownerSection: section }),
        gql(EntryProjectsDocument, { code: ctx.area.code, ownerSection: section }),
      ]);
      const offeredTasks = (tasks.area?.tasks.nodes ?? [])
        .map((task) => ({ ...task, assignments: writableAssignments(ctx.viewer, task, ctx.area) }))
        .filter((task) => task.assignments.length > 0);
      const offeredProjects = writableProjects(ctx.viewer, projects.area?.projects.nodes ?? []);
      const saved = async (text: string) => {
        const select = (name: string) => body.querySelector<HTMLSelectElement>(`select[name="${name}"]`)?.value ?? null;
        chosenTask = select('task');
        chosenProject = select('project');
        await load(ctx);
        message.textContent = text;
        ctx.refresh();
      };
      tasksHolder.replaceChildren(
        h('h3', {}, '重点工作进度'),
        offeredTasks.length
          ? chooser(
              'task',
              offeredTasks,
              (t) => `${t.title}（${t.ownerSection}，截止 ${t.deadline}）`,
              (t) =>
                h(
                  'div',
                  { class: 'entry-rows' },
                  t.assignments.map((a) => assignmentRow(t, a, readAt, saved)),
                ),
              chosenTask,
            )
          : noData('没有您可填报的重点工作'),
      );
      projectsHolder.replaceChildren(
        h('h3', {}, '项目进度'),
        offeredProjects.length
          ? chooser(
              'project',
              offeredProjects,
              (p) => `${p.name}（${p.ownerSection}）`,
              (p) => projectForm(p, readAt, saved),
              chosenProject,
            )
          : noData('没有您可填报的项目'),
      );
    };
    body.replaceChildren(message, h('div', { class: 'two-lists entry-work' }, tasksHolder, projectsHolder));
    await load(ctx);
  },
};

/**
 * Follows a form's kept entries (the offline queue, 待同步): shows them at once, putting what was typed
 * back (`fill`), then at every change of the queue while `anchor` is on the page; when entries settle (sent,
 * or refused by the server), calls `settled` once with whether any was sent. An entry that settled after the
 * form's data was read (`readAt`) counts as newly settled, so the panel is read again: the queue may send the
 * next entry while the panel is being read after the previous one.
 */
function followKept(
  form: string,
  anchor: HTMLElement,
  readAt: number,
  showKept: (kept: QueuedEntry[], fill: boolean) => void,
  settled: (sent: boolean) => Promise<void>,
): void {
  const seen = new Set<string>();
  const follow = async (kept: QueuedEntry[], fill: boolean) => {
    showKept(kept, fill);
    const fresh = kept.filter((e) => e.state !== 'pending' && !seen.has(`${e.id}:${e.state}`));
    for (const e of fresh) seen.add(`${e.id}:${e.state}`);
    if (fresh.length) await settled(fresh.some((e) => e.state === 'synced'));
  };
  void entriesOf(form)
    .then((kept) => {
      // Settled before the read: the form's data shows them already.
      for (const e of kept) if (e.state !== 'pending' && (e.settledAt ?? 0) < readAt) seen.add(`${e.id}:${e.state}`);
      return follow(kept, true);
    })
    .catch(() => undefined);
  const stop = onQueueChange(() => {
    if (!anchor.isConnected) return void stop();
    void entriesOf(form).then((kept) => follow(kept, false));
  });
}
