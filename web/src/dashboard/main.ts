import './style.css';
import {
  AreaOverviewDocument,
  DashboardFirstCountyDocument,
  DashboardSchemaFieldsDocument,
  DashboardViewerDocument,
  type DashboardViewerQuery,
} from '../../graphql/generated/graphql';
import { SchemaFields, gql, setToken, takeToken } from './api';
import { fmt, h, noData } from './dom';
import { failureText } from './entry';
import type { Panel, PanelContext, SelectedArea } from './panel';
import { facilitiesPanel } from './panels/facilities';
import { livePanel } from './panels/live';
import { projectsPanel } from './panels/projects';
import { rectificationsPanel } from './panels/rectifications';
import { reportPanel } from './panels/report';
import { statsPanel } from './panels/stats';
import { statsEntryPanel } from './panels/stats-entry';
import { tasksPanel } from './panels/tasks';
import { workEntryPanel } from './panels/work-entry';

/** The panels, in page order. Each is independent: add, remove or reorder here. */
const ALL_PANELS: Panel[] = [
  statsPanel,
  statsEntryPanel,
  workEntryPanel,
  facilitiesPanel,
  projectsPanel,
  tasksPanel,
  rectificationsPanel,
  livePanel,
  reportPanel,
];
/** The panels this viewer gets (the data-entry ones only for roles that write); set once the viewer is known. */
let panels: Panel[] = ALL_PANELS.filter((panel) => !panel.offered);

const LEVEL_NAMES: Record<string, string> = { PROVINCE: '省', CITY: '市', COUNTY: '县', TOWNSHIP: '乡镇（街道）', VILLAGE: '村（社区）' };
const ROLE_NAMES: Record<string, string> = {
  COUNTY_ADMIN: '县/局管理员',
  SECTION_STAFF: '股室',
  TOWNSHIP_OPERATOR: '乡镇民政办',
  VILLAGE_OPERATOR: '村/社区',
  VIEWER: '只读',
  LEADER: '县/局领导',
};

const root = document.getElementById('app')!;
let schema = new SchemaFields(null);
let viewer: DashboardViewerQuery['viewer'] = null;
let area: SelectedArea | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
const bodies = new Map<string, HTMLElement>();

async function loadSchema(): Promise<SchemaFields> {
  try {
    const data = await gql(DashboardSchemaFieldsDocument);
    const fields = new Set<string>();
    for (const [type, value] of [
      ['Area', data.areaType],
      ['Query', data.queryType],
      ['Subscription', data.subscriptionType],
      ['Mutation', data.mutationType],
    ] as const) {
      for (const field of value?.fields ?? []) fields.add(`${type}.${field.name}`);
    }
    return new SchemaFields(fields);
  } catch {
    // Introspection switched off: every panel tries its operation and handles the errors.
    return new SchemaFields(null);
  }
}

function areaFromUrl(): string | null {
  return new URL(location.href).searchParams.get('area');
}

async function defaultArea(): Promise<string> {
  if (viewer?.area) return viewer.area.code;
  const data = await gql(DashboardFirstCountyDocument);
  return data.areas.nodes[0]?.code ?? '511921';
}

/** Follow another area: every panel, the breadcrumb and the address (?area=) follow. */
function select(code: string, push = true) {
  if (push) {
    const url = new URL(location.href);
    url.searchParams.set('area', code);
    history.pushState({ area: code }, '', url);
  }
  void show(code);
}

function tokenBox(): HTMLElement {
  if (viewer) {
    return h(
      'div',
      { class: 'who' },
      h('span', { 'data-testid': 'viewer' }, `${viewer.name} · ${ROLE_NAMES[viewer.role] ?? viewer.role}`),
      h('button', { type: 'button', onclick: () => (setToken(null), location.reload()) }, '退出'),
    );
  }
  const input = h('input', { type: 'password', placeholder: '粘贴访问令牌（Bearer token）', 'aria-label': '访问令牌' });
  return h(
    'form',
    { class: 'who', onsubmit: (event: Event) => (event.preventDefault(), setToken(input.value.trim() || null), location.reload()) },
    input,
    h('button', { type: 'submit' }, '登录'),
  );
}

function header(selected: SelectedArea): HTMLElement {
  const trail = [...selected.ancestors.filter((a) => a.level !== 'PROVINCE' && a.level !== 'CITY'), selected];
  return h(
    'header',
    { class: 'top' },
    h(
      'div',
      { class: 'title-row' },
      h('h1', {}, `${selected.name}民政工作看板`),
      h('a', { href: '/graphql', class: 'console-link', target: '_blank', rel: 'noopener' }, 'GraphQL 控制台'),
      tokenBox(),
    ),
    h(
      'nav',
      { class: 'breadcrumb', 'aria-label': '区划路径', 'data-testid': 'breadcrumb' },
      trail.map((item, i) =>
        i === trail.length - 1
          ? h('span', { class: 'current', 'aria-current': 'page' }, item.shortName)
          : [
              h('a', { href: `?area=${item.code}`, onclick: (e: Event) => (e.preventDefault(), select(item.code)) }, item.shortName),
              h('span', { class: 'sep' }, ' › '),
            ],
      ),
    ),
    h(
      'div',
      { class: 'overview' },
      overviewFigure('level', '级别', LEVEL_NAMES[selected.level] ?? selected.level),
      selected.level === 'COUNTY' || selected.level === 'CITY' || selected.level === 'PROVINCE'
        ? overviewFigure('townships', '乡镇（街道）', fmt(selected.townships))
        : '',
      selected.level !== 'VILLAGE' ? overviewFigure('villages', '村（社区）', fmt(selected.villages)) : '',
      overviewFigure('code', '区划代码', selected.code),
    ),
  );
}

function overviewFigure(key: string, label: string, value: string): HTMLElement {
  return h('div', { class: 'overview-figure', 'data-figure': key }, h('div', { class: 'figure-label' }, label), h('div', { class: 'figure-value' }, value));
}

function childrenPanel(selected: SelectedArea): HTMLElement {
  const children = selected.children.nodes;
  return h(
    'section',
    { class: 'panel wide', 'data-panel': 'children' },
    h('h2', {}, `下级区划（${fmt(selected.children.totalCount)}）`),
    children.length
      ? h(
          'ul',
          { class: 'children' },
          children.map((child) =>
            h(
              'li',
              {},
              h(
                'a',
                { href: `?area=${child.code}`, 'data-code': child.code, onclick: (e: Event) => (e.preventDefault(), select(child.code)) },
                child.shortName,
                child.childCount ? h('small', {}, ` ${fmt(child.childCount)}`) : '',
              ),
            ),
          ),
        )
      : noData('已是最下级区划'),
  );
}

function context(selected: SelectedArea): PanelContext {
  return { area: selected, viewer, schema, refresh: scheduleRefresh, select };
}

async function renderPanel(panel: Panel, selected: SelectedArea) {
  const body = bodies.get(panel.id)!;
  const missing = schema.missing(panel.requires);
  if (missing.length) {
    body.replaceChildren(noData(`服务端尚未提供 ${missing.join('、')}`));
    body.closest('.panel')?.setAttribute('data-ready', '');
    return;
  }
  try {
    await panel.render(context(selected), body);
  } catch (error) {
    if (area !== selected) return; // the user moved on
    body.replaceChildren(noData(failureText(error)));
  }
  body.closest('.panel')?.setAttribute('data-ready', '');
}

/** Live events: refresh the figure panels once things settle (not the feed itself). */
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    const selected = area;
    if (!selected) return;
    for (const panel of panels) if (!panel.live && !panel.form) void renderPanel(panel, selected);
  }, 400);
}

async function show(code: string) {
  let data;
  try {
    data = await gql(AreaOverviewDocument, { code });
  } catch (error) {
    root.replaceChildren(h('div', { class: 'fatal' }, `无法加载区划 ${code}：${failureText(error)}`));
    return;
  }
  if (!data.area) {
    root.replaceChildren(h('div', { class: 'fatal' }, `没有区划 ${code}`), h('a', { href: '/' }, '返回'));
    return;
  }
  const selected = data.area;
  area = selected;
  for (const panel of panels) panel.dispose?.();
  bodies.clear();
  document.title = `${selected.name} · 民政工作看板`;
  const grid = h(
    'main',
    { class: 'grid' },
    childrenPanel(selected),
    panels.map((panel) => {
      const body = h('div', { class: 'panel-body' }, '正在加载…');
      bodies.set(panel.id, body);
      return h('section', { class: panel.wide ? 'panel wide' : 'panel', 'data-panel': panel.id }, h('h2', {}, panel.title), body);
    }),
  );
  root.replaceChildren(header(selected), grid);
  root.dataset.area = selected.code;
  await Promise.all(panels.map((panel) => renderPanel(panel, selected)));
}

async function main() {
  takeToken();
  try {
    viewer = (await gql(DashboardViewerDocument)).viewer;
  } catch (error) {
    // A stale or foreign token: forget it and continue anonymously.
    setToken(null);
    viewer = null;
    console.warn('token refused', error);
  }
  panels = ALL_PANELS.filter((panel) => !panel.offered || panel.offered(viewer));
  schema = await loadSchema();
  await show(areaFromUrl() ?? (await defaultArea()));
}

window.addEventListener('popstate', () => {
  void (async () => select(areaFromUrl() ?? (await defaultArea()), false))();
});

main().catch((error) => root.replaceChildren(h('div', { class: 'fatal' }, String(error))));
