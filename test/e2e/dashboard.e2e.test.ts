import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlFor } from '../../src/db/sql.js';
import { civgraphSchema } from '../../src/graphql/schema.js';
import { toGlobalId } from '../../src/common/global-id.js';
import { systemViewer } from '../../src/modules/auth/auth.rules.js';
import { ProgressAction, SubjectKind } from '../../src/modules/progress/progress.entity.js';
import { appendProgressUpdate } from '../../src/modules/progress/progress.service.js';
import { webAssetsDir } from '../../src/server/web.js';
import { DashboardOverviewExpectedDocument } from '../graphql/generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * The dashboard and the console in a real browser: Debian's chromium driven by
 * playwright-core, against a civgraph serving the built assets (dist/web; `npm
 * test` builds first). Any request to a host other than this server fails the
 * test: government networks are closed.
 */

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) {
  console.warn(`dashboard.e2e: SKIPPED — ${CHROMIUM} is absent (apt-get install -y chromium; .ci/run installs it)`);
}

const SCREENSHOTS = new URL('../screenshots/', import.meta.url);
const DOCS_SCREENSHOT = new URL('../../docs/dashboard.png', import.meta.url);
const COUNTY = '511921';

// The panels and the schema field each waits for (see web/src/dashboard/panels/).
const PANEL_FIELDS: Record<string, string> = {
  stats: 'Area.stats',
  facilities: 'Area.facilitySummary',
  projects: 'Area.projects',
  tasks: 'Area.tasks',
  rectifications: 'Area.rectifications',
  live: 'Subscription.progressUpdated',
  report: 'Query.monthlyReport',
};
const schema = await civgraphSchema();
const offered = (path: string) => {
  const [type, field] = path.split('.');
  const root = type === 'Area' ? schema.getType('Area') : type === 'Query' ? schema.getQueryType() : schema.getSubscriptionType();
  return Boolean(root && 'getFields' in root && (root.getFields() as Record<string, unknown>)[field!]);
};

describe.skipIf(!HAS_CHROMIUM)('dashboard and console in chromium', () => {
  let app: TestApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  const offHost: string[] = [];
  const pageErrors: string[] = [];

  const isLocal = (url: string) => {
    const { protocol, hostname } = new URL(url);
    if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
    return hostname === '127.0.0.1' || hostname === 'localhost';
  };

  async function screenshot(name: string) {
    await mkdir(SCREENSHOTS, { recursive: true });
    const path = new URL(`${name}.png`, SCREENSHOTS).pathname;
    await page.screenshot({ path, fullPage: true });
    return path;
  }

  const figure = (key: string) => page.locator(`[data-figure="${key}"] .figure-value`);

  beforeAll(async () => {
    if (!webAssetsDir()) throw new Error('dist/web is not built: run `npm run build:web` (`npm test` builds first)');
    app = await startTestApp();
    base = app.url.replace(/\/graphql$/, '');
    token = await app.token('COUNTY_ADMIN', COUNTY, { name: '县民政局管理员' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' });
    // Closed network: abort and record anything not addressed to this server.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (isLocal(url)) return route.continue();
      offHost.push(url);
      return route.abort('blockedbyclient');
    });
    page = await context.newPage();
    page.on('websocket', (socket) => {
      if (!isLocal(socket.url())) offHost.push(socket.url());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('serves the dashboard at / and the console at GET /graphql for browsers, with a same-origin-only policy', async () => {
    const dashboard = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await dashboard.text();
    expect(html).toContain('<div id="app">');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

    const console = await fetch(app.url, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect(console.status).toBe(200);
    expect(await console.text()).toContain('<div id="console">');

    // GraphQL clients still reach Apollo on the same URL: POST, and GET asking for JSON.
    const viaGet = await fetch(`${app.url}?query=${encodeURIComponent('{ area(code: "511921") { name } }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await viaGet.json()).toEqual({ data: { area: { name: '通江县' } } });
    const viaPost = await app.query('{ area(code: "511921") { name } }');
    expect(viaPost).toEqual({ area: { name: '通江县' } });
  });

  it('shows the county overview with the figures the API gives (33 townships, 367 villages)', async () => {
    const expected = (await app.query(DashboardOverviewExpectedDocument, { code: COUNTY }, { token })).area!;
    expect(expected.townships).toBe(33);
    expect(expected.villages).toBe(367);

    await page.goto(`${base}/?token=${token}`);
    await expect.poll(() => figure('townships').textContent(), { timeout: 15_000 }).toBe(String(expected.townships));
    expect(await figure('villages').textContent()).toBe(String(expected.villages));
    expect(await page.locator('h1').textContent()).toBe('通江县民政工作看板');
    expect(await page.getByTestId('viewer').textContent()).toContain('县民政局管理员');
    // The token left the address bar (bookmarks, screenshots) and sits in localStorage.
    expect(page.url()).not.toContain('token=');
    expect(await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('civgraph.token'))).toBe(token);
    // One link per township to drill into.
    expect(await page.locator('[data-panel="children"] a[data-code]').count()).toBe(33);

    // Every panel settles; those whose API has not landed say 「暂无数据」 instead of breaking the page.
    for (const [panel, field] of Object.entries(PANEL_FIELDS)) {
      const section = page.locator(`[data-panel="${panel}"]`);
      if (!offered(field)) await expect.poll(() => section.textContent(), { timeout: 10_000 }).toContain('暂无数据');
    }
    await page.waitForLoadState('networkidle');
    const shot = await screenshot('dashboard-county');
    if (process.env.UPDATE_DOCS_SCREENSHOT) await copyFile(shot, DOCS_SCREENSHOT);
  });

  it('drills down county → township → village, with breadcrumb and figures following', async () => {
    const county = (await app.query(DashboardOverviewExpectedDocument, { code: COUNTY }, { token })).area!;
    const township = county.children.nodes.find((node) => node.childCount > 0)!;

    await page.locator(`[data-panel="children"] a[data-code="${township.code}"]`).click();
    const breadcrumb = page.getByTestId('breadcrumb');
    await expect.poll(() => breadcrumb.textContent(), { timeout: 10_000 }).toBe(`通江县 › ${township.shortName}`);
    expect(new URL(page.url()).searchParams.get('area')).toBe(township.code);
    expect(await figure('villages').textContent()).toBe(String(township.villages));
    expect(await figure('townships').count()).toBe(0);
    expect(await page.locator('[data-panel="children"] a[data-code]').count()).toBe(township.childCount);
    await screenshot('dashboard-township');

    // One more level: a village has no children and no village count.
    const village = (await app.query(DashboardOverviewExpectedDocument, { code: township.code }, { token })).area!.children.nodes[0]!;
    await page.locator(`[data-panel="children"] a[data-code="${village.code}"]`).click();
    await expect.poll(() => breadcrumb.textContent(), { timeout: 10_000 }).toBe(`通江县 › ${township.shortName} › ${village.shortName}`);
    expect(await figure('villages').count()).toBe(0);

    // Back up through the breadcrumb, and the browser's back button.
    await breadcrumb.getByText('通江县').click();
    await expect.poll(() => figure('townships').textContent(), { timeout: 10_000 }).toBe('33');
    await page.goBack();
    await expect.poll(() => breadcrumb.textContent(), { timeout: 10_000 }).toBe(`通江县 › ${township.shortName} › ${village.shortName}`);
  });

  it.skipIf(!offered('Subscription.progressUpdated'))('shows a progress event in the live feed within 2 seconds', async () => {
    await page.goto(`${base}/?area=${COUNTY}`);
    await expect.poll(() => page.locator('[data-panel="live"] .live-status').getAttribute('data-state'), { timeout: 10_000 }).toBe('live');
    const summary = `浏览器测试进展 ${Date.now()}`;
    await app.orm.em.fork().transactional((em) =>
      appendProgressUpdate(sqlFor(em), {
        subjectKind: SubjectKind.FACILITY,
        subjectId: toGlobalId('Facility', '1'),
        areaCode: '511921101000',
        action: ProgressAction.UPDATED,
        actor: systemViewer('511921000000'),
        summary,
        before: null,
        after: null,
      }),
    );
    await expect.poll(() => page.locator('[data-panel="live"] .feed').textContent(), { timeout: 2_000 }).toContain(summary);
  });

  it('opens the console at /graphql: GraphiQL renders, with schema docs, and runs a query with the saved token', async () => {
    await page.goto(`${base}/graphql`);
    await page.locator('.graphiql-container').waitFor({ timeout: 15_000 });
    expect(await page.title()).toContain('GraphQL 控制台');
    // The token from the dashboard is already saved; the console uses the same one.
    expect(await page.locator('.token-bar .state').textContent()).toBe('已设置');

    await page.getByRole('button', { name: /documentation explorer/i }).click();
    await expect.poll(() => page.locator('.graphiql-doc-explorer').textContent(), { timeout: 10_000 }).toContain('Query');

    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => page.locator('.graphiql-response').textContent(), { timeout: 10_000 }).toContain('"townships": 33');
    expect(await page.locator('.graphiql-response').textContent()).toContain('县民政局管理员');
    await screenshot('console');
  });

  it('never requested a host other than this server, and raised no page errors', () => {
    expect(offHost).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
