import './style.css';
import {
  AreaOverviewDocument,
  DashboardFirstCountyDocument,
  DashboardSchemaFieldsDocument,
  DashboardStartDocument,
  DashboardViewerDocument,
  type DashboardSchemaFieldsQuery,
  type DashboardViewerQuery,
} from '../../graphql/generated/graphql';
import {
  GraphQLRequestError,
  SESSION_EXPIRED,
  SchemaFields,
  SessionExpiredError,
  developerToken,
  dropTokenFromUrl,
  gql,
  hasStoredSession,
  isOffline,
  onReachability,
  onSessionLost,
  resumeSession,
  signOut,
  storedAccount,
  type SessionAccount,
} from './api';
import { fmt, h, noData } from './dom';
import { failureText } from './entry';
import { clearOfflineData, registerServiceWorker } from './offline/offline';
import type { Panel, PanelContext, SelectedArea } from './panel';
import { accountsPanel, reportPanel } from './panels/admin-panels';
import { chainPanel, extensionsPanel } from './panels/chain-panels';
import { facilitiesPanel } from './panels/facilities';
import { inboxBadge, inboxPanel } from './panels/inbox';
import { livePanel } from './panels/live';
import { projectsPanel } from './panels/projects';
import { rectificationsPanel } from './panels/rectifications';
import { statsPanel } from './panels/stats';
import { statsEntryPanel } from './panels/stats-entry';
import { tasksPanel } from './panels/tasks';
import { workEntryPanel } from './panels/work-entry';
import { changePasswordPage, signInPage } from './signin';

/** The panels, in page order. Each is independent: add, remove or reorder here. */
// 待办 follows the key figures and the entry forms: on a phone the first screen is the figures a leader
// reads or the form an operator fills; the header's badge says at once how many reminders wait.
const ALL_PANELS: Panel[] = [
  statsPanel,
  statsEntryPanel,
  workEntryPanel,
  inboxPanel,
  facilitiesPanel,
  projectsPanel,
  tasksPanel,
  rectificationsPanel,
  chainPanel,
  extensionsPanel,
  livePanel,
  reportPanel,
  accountsPanel,
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

function schemaFields(data: DashboardSchemaFieldsQuery): SchemaFields {
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
}

async function loadSchema(): Promise<SchemaFields> {
  try {
    return schemaFields(await gql(DashboardSchemaFieldsDocument));
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

/** 离线: shown while the device has no network (entries wait as 待同步; the session is renewed first when it returns). */
const offlineMark = h('span', { class: 'offline-mark', 'data-testid': 'offline-state', role: 'status' }, '');
function markOffline(offline = !navigator.onLine): void {
  offlineMark.textContent = offline ? '离线' : '';
}
onReachability((reached) => markOffline(!reached));
window.addEventListener('online', () => markOffline(false));
window.addEventListener('offline', () => markOffline(true));
markOffline();

/** Who is signed in, 退出登录 and (for an account) 退出所有设备. */
function whoBox(): HTMLElement {
  const out = (everywhere: boolean) => () =>
    void signOut(everywhere)
      .catch(() => undefined)
      // 退出登录 clears what the device kept for this account: the service worker's reads, the unsent entries.
      .then(() => clearOfflineData())
      .then(() => showSignIn(everywhere ? '已退出所有设备' : '已退出登录'));
  return h(
    'div',
    { class: 'who' },
    viewer ? h('span', { 'data-testid': 'viewer' }, `${viewer.name} · ${ROLE_NAMES[viewer.role] ?? viewer.role}`) : '',
    developerToken() && !hasStoredSession() ? h('small', { class: 'developer-badge' }, '开发令牌') : '',
    h('button', { type: 'button', 'data-testid': 'sign-out', onclick: out(false) }, '退出登录'),
    hasStoredSession() ? h('button', { type: 'button', 'data-testid': 'sign-out-everywhere', onclick: out(true) }, '退出所有设备') : '',
    offlineMark,
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
      panels.includes(inboxPanel) ? inboxBadge : '',
      whoBox(),
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
    if (area !== selected) return; // the user moved on, or the session ended (the sign-in page is up)
    body.replaceChildren(noData(failureText(error)));
  }
  body.closest('.panel')?.setAttribute('data-ready', '');
}

/**
 * The panel a role opens the page for: the entry form where it opens at once (an operator in their
 * village or township), else the key figures (关键指标).
 */
function firstScreenPanel(selected: SelectedArea): Panel | undefined {
  const entry = panels.find((panel) => panel.id === statsEntryPanel.id);
  if (entry && (selected.level === 'VILLAGE' || selected.level === 'TOWNSHIP')) return entry;
  return panels.find((panel) => panel.id === statsPanel.id);
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
    if (error instanceof SessionExpiredError) return; // the sign-in page is up
    root.replaceChildren(h('div', { class: 'fatal' }, `无法加载区划 ${code}：${failureText(error)}`));
    return;
  }
  if (!signedIn) return;
  if (!data.area) {
    root.replaceChildren(h('div', { class: 'fatal' }, `没有区划 ${code}`), h('a', { href: '/' }, '返回'));
    return;
  }
  await present(data.area);
}

/** The page for an area already read: header, 下级区划 and the panels (the first screen's first). */
async function present(selected: SelectedArea) {
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
  // The first screen first (issue 30 item 5): on a thin link its reads go alone, the panels below
  // (and the live feed's socket) start once it shows.
  const lead = firstScreenPanel(selected);
  if (lead) await renderPanel(lead, selected);
  if (area !== selected) return;
  await Promise.all(panels.filter((panel) => panel !== lead).map((panel) => renderPanel(panel, selected)));
}

/** Whether the panels are up (or coming): false while the sign-in or change-password page shows. */
let signedIn = false;

/** Leaves the panels (the live feed stops) and shows the sign-in page, with why. */
function showSignIn(message?: string) {
  signedIn = false;
  area = null;
  viewer = null;
  clearTimeout(refreshTimer);
  for (const panel of panels) panel.dispose?.();
  bodies.clear();
  delete root.dataset.area;
  document.title = '登录 · 民政工作看板';
  root.replaceChildren(signInPage({ message, onSignedIn: (account) => void enter(account) }));
}

/** Signed in: a password to change first, if the account must; then the panels. */
async function enter(account: SessionAccount | null) {
  if (account?.mustChangePassword) {
    document.title = '修改密码 · 民政工作看板';
    root.replaceChildren(changePasswordPage(account, () => void enter({ ...account, mustChangePassword: false })));
    return;
  }
  signedIn = true;
  let home: SelectedArea | null = null;
  try {
    ({ viewer, schema, home } = await start());
  } catch (error) {
    if (!(error instanceof SessionExpiredError)) root.replaceChildren(h('div', { class: 'fatal' }, failureText(error)));
    return;
  }
  if (!viewer) return showSignIn(SESSION_EXPIRED);
  if (!signedIn) return;
  panels = ALL_PANELS.filter((panel) => !panel.offered || panel.offered(viewer));
  const code = areaFromUrl();
  if (!code && home) return present(home);
  await show(code ?? (await defaultArea()));
}

/**
 * The page's first read (issue 30 item 5): who is signed in, what the server offers and the
 * viewer's own area (the page's default) in one request. Where introspection is off that
 * request is refused: then the viewer alone, and every panel just tries.
 */
async function start(): Promise<{ viewer: DashboardViewerQuery['viewer']; schema: SchemaFields; home: SelectedArea | null }> {
  try {
    const data = await gql(DashboardStartDocument);
    return { viewer: data.viewer, schema: schemaFields(data), home: data.viewer?.area ?? null };
  } catch (error) {
    if (!(error instanceof GraphQLRequestError)) throw error;
    const offered = loadSchema();
    const { viewer } = await gql(DashboardViewerDocument);
    return { viewer, schema: await offered, home: null };
  }
}

async function main() {
  dropTokenFromUrl();
  registerServiceWorker();
  onSessionLost((message) => showSignIn(message));
  if (hasStoredSession()) {
    let account: SessionAccount | null;
    try {
      account = await resumeSession();
    } catch (error) {
      // No network to renew with: not a refused session. The page starts from the account as last
      // renewed and the service worker's kept reads; the renewal comes first when the network returns.
      if (!isOffline(error)) throw error;
      markOffline(true);
      account = storedAccount();
    }
    if (!account) return showSignIn(SESSION_EXPIRED);
    return enter(account);
  }
  if (developerToken()) return enter(null);
  showSignIn();
}

window.addEventListener('popstate', () => {
  if (!signedIn) return;
  void (async () => select(areaFromUrl() ?? (await defaultArea()), false))();
});

main().catch((error) => root.replaceChildren(h('div', { class: 'fatal' }, failureText(error))));
