import {
  EntryObservationsDocument,
  EntryReportObservationsDocument,
  EntryVillagesDocument,
  type EntryObservationsQuery,
  type EntryVillagesQuery,
} from '../../../graphql/generated/graphql';
import { gql } from '../api';
import { fmt, h, noData } from '../dom';
import { FieldErrors, REPORTER_ROLES, field, fieldPath, inViewerScope, within } from '../entry';
import type { Panel, PanelContext } from '../panel';
import { entriesOf, enqueue, isNetworkFailure, newKey, onQueueChange, startSync, stateText } from '../offline/queue';
import { statsImportSection } from './stats-import';
import { lastYear } from './stats';

interface Village {
  code: string;
  shortName: string;
}

/** Every current village of an area (itself when it is one), page by page. */
async function villagesOf(code: string): Promise<Village[]> {
  const out: Village[] = [];
  let after: string | null = null;
  for (;;) {
    const data: EntryVillagesQuery = await gql(EntryVillagesDocument, { code, after });
    if (!data.area) return out;
    if (data.area.level === 'VILLAGE') return [{ code: data.area.code, shortName: data.area.shortName }];
    out.push(...data.area.descendants.nodes);
    if (!data.area.descendants.pageInfo.hasNextPage) return out;
    after = data.area.descendants.pageInfo.endCursor ?? null;
  }
}

/** The months that may be reported: this one and the eleven before, newest first. */
function reportableMonths(): string[] {
  const { to } = lastYear();
  const [year, month] = to.split('-').map(Number) as [number, number];
  return Array.from({ length: 12 }, (_, i) => {
    const d = new Date(year, month - 1 - i, 1);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
  });
}

type Observation = NonNullable<EntryObservationsQuery['area']>['observations'][number];
type IndicatorDef = EntryObservationsQuery['indicators'][number];

const SOURCE_TEXT: Record<string, string> = { DEMO: '演示', REPORT: '已报' };

/**
 * One village's month: the stored figure of every indicator (with its version,
 * sent back for optimistic concurrency), an input per indicator (empty = leave as
 * it is), and the server's field errors next to the field they name.
 */
class VillageMonthForm {
  private readonly errors = new FieldErrors();
  private readonly message = h('span', { class: 'entry-message', 'data-testid': 'entry-stats-message', role: 'status' });
  private readonly table = h('div', { class: 'entry-table' }, '正在加载…');
  private readonly village: HTMLSelectElement;
  private readonly period: HTMLSelectElement;
  private readonly lockNote = h('span', { class: 'entry-note', 'data-testid': 'entry-lock' });
  private readonly submit = h('button', { type: 'submit', class: 'primary' }, '上报');
  private inputs = new Map<string, { input: HTMLInputElement; def: IndicatorDef; current: Observation | undefined }>();
  /** 待同步 / 已同步 / 失败 beside each indicator's input (entries kept offline: ../offline/queue.ts). */
  private marks = new Map<string, HTMLElement>();
  /** Kept entries already seen settled (synced or failed), by id and state. */
  private readonly settled = new Set<string>();
  /** The latest read of the form (a later one supersedes an earlier one still under way). */
  private reading = 0;
  /** The village and month the inputs were last read for. */
  private loadedKey: string | null = null;

  readonly element: HTMLFormElement;

  constructor(
    private readonly ctx: PanelContext,
    villages: Village[],
  ) {
    startSync();
    const stop = onQueueChange(() => (this.element.isConnected ? void this.queueChanged() : stop()));
    this.village = h(
      'select',
      { name: 'village', onchange: () => void this.reload() },
      villages.map((v) => h('option', { value: v.code }, v.shortName)),
    );
    this.period = h(
      'select',
      { name: 'period', onchange: () => void this.reload() },
      reportableMonths().map((m) => h('option', { value: m }, m)),
    );
    this.element = h(
      'form',
      { class: 'entry', 'data-testid': 'entry-stats-form', novalidate: true, onsubmit: (event: Event) => (event.preventDefault(), void this.save()) },
      h(
        'div',
        { class: 'entry-head' },
        field('村（社区）', this.village, this.errors, 'area'),
        field('月份', this.period, this.errors, 'period', this.lockNote),
      ),
      this.table,
      h('div', { class: 'entry-actions' }, this.submit, this.message, this.errors.slot('form')),
    );
  }

  /** After a change of village or month: a failed read is said in the form, not thrown away. */
  private async reload(): Promise<void> {
    // A change event that changes nothing (the same village and month) keeps what is typed.
    if (this.formKey() === this.loadedKey) return;
    try {
      await this.load();
    } catch (error) {
      this.table.replaceChildren(noData('无法读取该村数据'));
      this.errors.fail(error);
    }
  }

  /**
   * Reads the chosen village's month into the form. While it reads, the inputs and 上报 are
   * disabled: what is typed meanwhile would be dropped with the inputs it replaces, and a
   * report sent meanwhile would carry the previous village's or month's figures and versions.
   */
  async load(): Promise<void> {
    const reading = ++this.reading;
    this.errors.clear();
    this.message.textContent = '';
    this.busy(true);
    try {
      await this.read(reading);
    } finally {
      if (reading === this.reading) this.busy(false);
    }
  }

  private busy(busy: boolean): void {
    this.submit.disabled = busy;
    for (const { input } of this.inputs.values()) input.disabled = busy;
    if (busy) this.element.setAttribute('aria-busy', 'true');
    else this.element.removeAttribute('aria-busy');
  }

  private async read(reading: number): Promise<void> {
    const key = this.formKey();
    const data = await gql(EntryObservationsDocument, { code: this.village.value, period: this.period.value });
    if (reading !== this.reading) return; // a later read (another village or month) supersedes this one
    this.loadedKey = key;
    const area = data.area;
    if (!area) return void this.table.replaceChildren(noData('无法读取该村数据'));
    const stored = new Map(area.observations.map((o) => [o.indicator.code, o]));
    const locked = area.approval?.locked ?? false;
    this.lockNote.textContent = locked ? '本月已审核锁定，需县里重新开放后才能修改' : area.approval?.status === 'SUBMITTED' ? '本月已报送，待县审核' : '';
    this.inputs = new Map();
    this.marks = new Map();
    const rows = data.indicators
      .filter((def) => def.reportingLevel === 'VILLAGE')
      .map((def) => {
        const current = stored.get(def.code);
        const yuan = def.unit === 'YUAN';
        const input = h('input', {
          type: 'text',
          inputmode: yuan ? 'decimal' : 'numeric',
          name: `value-${def.code}`,
          'data-indicator': def.code,
          autocomplete: 'off',
          placeholder: yuan ? '金额，如 1250.50' : '人数',
          'aria-label': `${def.nameZh} 本次填报`,
        });
        this.inputs.set(def.code, { input, def, current });
        const mark = h('span', { class: 'sync-state', 'data-sync': def.code, role: 'status' });
        this.marks.set(def.code, mark);
        const value = current ? (yuan ? current.amount : current.persons) : null;
        return h(
          'tr',
          { 'data-indicator': def.code },
          h('td', {}, def.nameZh.replace(/\(元\)$/, '')),
          h(
            'td',
            { class: 'num current', 'data-current': def.code },
            value === null || value === undefined ? '—' : `${fmt(value)}${yuan ? '元' : '人'}`,
            current ? h('small', { class: `source source-${current.source.toLowerCase()}` }, ` ${SOURCE_TEXT[current.source] ?? current.source}`) : '',
          ),
          h('td', { class: 'entry-input' }, input, h('span', { class: 'unit' }, yuan ? '元' : '人'), mark, this.errors.slot(`value-${def.code}`, input)),
        );
      });
    this.table.replaceChildren(
      h(
        'table',
        { class: 'list entry-values' },
        h('tr', {}, h('th', {}, '指标'), h('th', { class: 'num' }, '当前值'), h('th', {}, '本次填报（空白 = 不变）')),
        rows,
      ),
    );
    await this.showQueued(true);
  }

  private formKey(): string {
    return `stats:${this.village.value}:${this.period.value}`;
  }

  /**
   * The entries kept offline for this village and month, at their fields: 待同步,
   * 已同步 or 失败 with the reason. After a load (`fill`) the inputs of pending and
   * failed entries hold what was typed, so nothing typed is lost and a failed one
   * can be corrected and sent again.
   */
  private async showQueued(fill: boolean): Promise<void> {
    const form = this.formKey();
    const kept = await entriesOf(form).catch(() => []);
    if (form !== this.formKey()) return;
    for (const mark of this.marks.values()) {
      mark.textContent = '';
      mark.removeAttribute('data-state');
    }
    for (const entry of kept) {
      if (fill && entry.state !== 'pending') this.settled.add(`${entry.id}:${entry.state}`);
      for (const [code, value] of Object.entries(entry.fields)) {
        const mark = this.marks.get(code);
        if (!mark) continue;
        mark.textContent = stateText(entry);
        mark.dataset.state = entry.state;
        const slot = this.inputs.get(code);
        if (fill && slot && entry.state !== 'synced') slot.input.value = value;
      }
    }
  }

  /** An entry of this form settled: read the form again (current figures, fresh versions), keeping what failed typed in. */
  private async queueChanged(): Promise<void> {
    const kept = await entriesOf(this.formKey()).catch(() => []);
    const fresh = kept.filter((e) => e.state !== 'pending' && !this.settled.has(`${e.id}:${e.state}`));
    for (const e of fresh) this.settled.add(`${e.id}:${e.state}`);
    if (!fresh.length) return this.showQueued(false);
    await this.load().catch(() => this.showQueued(false));
    if (fresh.some((e) => e.state === 'synced')) this.ctx.refresh();
  }

  private async save(): Promise<void> {
    if (this.submit.disabled) return; // a read or a send is under way
    this.errors.clear();
    this.message.textContent = '';
    const sent = [...this.inputs.values()].filter(({ input }) => input.value.trim() !== '');
    if (!sent.length) return void this.errors.set('form', '请至少填写一项指标');
    this.submit.disabled = true;
    const input = {
      area: this.village.value,
      period: this.period.value,
      values: sent.map(({ def, input, current }) => ({ indicator: def.code, value: input.value.trim(), version: current?.version ?? 0 })),
      // 幂等键: a send repeated (by the offline queue, after a lost answer) applies once.
      idempotencyKey: newKey(),
    };
    // Without a network (or when the send fails for want of one) the entry is kept and sent later.
    const keep = async () => {
      await enqueue({
        id: input.idempotencyKey,
        kind: 'observations',
        form: this.formKey(),
        fields: Object.fromEntries(sent.map(({ def, input }) => [def.code, input.value.trim()])),
        input,
      });
      this.message.textContent = `已离线保存 ${sent.length} 项，联网后自动上报（待同步）`;
    };
    try {
      if (!navigator.onLine) return await keep();
      const { reportObservations: result } = await gql(EntryReportObservationsDocument, { input });
      if (result.userErrors.length) {
        // values.<i>.<value|version|indicator> is the i-th entry sent; area and period are the selects.
        return this.errors.show(result.userErrors, (path) => {
          const [first, index] = fieldPath(path).split('.');
          if (first === 'values') return sent[Number(index)] ? `value-${sent[Number(index)].def.code}` : null;
          return first === 'area' || first === 'period' ? first : null;
        });
      }
      const month = this.period.value;
      await this.load();
      this.message.textContent = `已保存 ${sent.length} 项（${month}）`;
      this.ctx.refresh();
    } catch (error) {
      if (isNetworkFailure(error)) await keep().catch(() => this.errors.fail(error));
      else this.errors.fail(error);
    } finally {
      this.submit.disabled = false;
    }
  }
}

/**
 * 统计填报: a village's figures for one month (`reportObservations`), for the
 * roles that report — a village operator their own village, a township operator
 * their township's villages, the county admin every village; viewers and
 * section staff do not get the panel. Above township level a township is chosen
 * first. After a save the figure panels are read again (the live feed does so
 * too when the event arrives).
 */
export const statsEntryPanel: Panel = {
  id: 'entry-stats',
  title: '统计填报',
  wide: true,
  form: true,
  requires: ['Mutation.reportObservations', 'Area.observations'],
  offered: (viewer) => Boolean(viewer?.area && REPORTER_ROLES.includes(viewer.role)),
  async render(ctx, panelBody) {
    const viewer = ctx.viewer;
    const area = ctx.area;
    // The form (one village's month) above, the spreadsheet import (every village of the viewer's area) below it.
    let form: VillageMonthForm | null = null;
    const body = h('div', { class: 'entry-holder' });
    const importer = statsImportSection(reportableMonths(), async () => {
      ctx.refresh();
      await form?.load();
    });
    panelBody.replaceChildren(body, importer);
    const open = (villages: Village[], into: HTMLElement) => {
      const writable = villages.filter((v) => inViewerScope(viewer, v.code));
      if (!writable.length) return void into.replaceChildren(noData('本区划没有您可填报的村（社区）'));
      form = new VillageMonthForm(ctx, writable);
      into.replaceChildren(form.element);
      return form.load();
    };
    if (area.level === 'VILLAGE' || area.level === 'TOWNSHIP') {
      if (!viewer?.area || !(within(area.code, viewer.area) || within(viewer.area.code, area)))
        return void panelBody.replaceChildren(noData('本区划不在您的填报范围内'));
      // A village is its own only village: no read for what the page already knows.
      return open(area.level === 'VILLAGE' ? [{ code: area.code, shortName: area.shortName }] : await villagesOf(area.code), body);
    }
    // Above township level: choose the township first (only those the viewer reports in).
    const townships = area.children.nodes.filter(
      (t) => viewer?.area && (within(t.code, viewer.area) || within(viewer.area.code, { code: t.code, level: 'TOWNSHIP' })),
    );
    if (!townships.length) return void panelBody.replaceChildren(noData('本区划没有您可填报的村（社区）'));
    const holder = h('div', { class: 'entry-holder' }, h('div', { class: 'panel-note' }, '先选择乡镇（街道），再选择村（社区）和月份。'));
    const select = h(
      'select',
      {
        name: 'township',
        onchange: () => {
          if (!select.value) return;
          villagesOf(select.value)
            .then((villages) => open(villages, holder))
            .catch(() => holder.replaceChildren(noData('无法读取该乡镇（街道）的村（社区），请稍后重试')));
        },
      },
      h('option', { value: '' }, '请选择乡镇（街道）'),
      townships.map((t) => h('option', { value: t.code }, t.shortName)),
    );
    body.replaceChildren(
      h(
        'div',
        { class: 'entry-head' },
        h('label', { class: 'field' }, h('span', { class: 'field-label' }, '乡镇（街道）'), h('span', { class: 'field-control' }, select)),
      ),
      holder,
    );
  },
};
