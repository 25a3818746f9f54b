import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/auth.rules.js';
import { addDays } from '../../src/common/dates.js';
import { toGlobalId } from '../../src/common/global-id.js';
import { seedDemo } from '../../src/feature.js';
import { civgraph } from '../../src/features.js';
import { webAssetsDir } from '../../src/server/web.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { launchChromium, withDeveloperToken } from '../support/dashboard.js';

/**
 * The dashboard on a phone (issue 30 items 1 and 6): every role's page at
 * 390×844 and 360×740 in real headless Chromium, with the checks a village
 * operator's phone makes by eye — nothing wider than the screen, every input
 * reachable, touch targets of at least 44 px, text of at least 12 px and with
 * WCAG AA contrast against what is behind it — and the finishing the browser
 * asks the server for: favicon, web-app manifest and icons, compressed assets.
 */

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`dashboard-phone.e2e: SKIPPED — ${CHROMIUM} is absent (apt-get install -y chromium)`);

const SCREENSHOTS = new URL('../screenshots/', import.meta.url);
const COUNTY = '511921';
const COUNTY_CODE = '511921000000';
const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 360, height: 740 },
];
/** Every role there is (LEADER too once it exists): each gets its own first screen. */
const ROLES = Object.values(Role) as string[];

/** What the page looks like to the checks: each list names the offending elements. */
interface Audit {
  innerWidth: number;
  scrollWidth: number;
  /** Elements whose right edge (or left edge) is outside the viewport. */
  outside: string[];
  /** Inputs, selects and buttons not wholly in view after scrollIntoView. */
  unreachable: string[];
  /** Buttons, inputs, selects and area links under 44 × 44 px. */
  smallTargets: string[];
  /** Text under 12 px (as rendered: SVG text scaled with its drawing). */
  smallText: string[];
  /** Text under 4.5:1 (3:1 when large) against its effective background. */
  lowContrast: string[];
  /** How many text nodes the contrast check measured (so an empty page cannot pass). */
  texts: number;
}

/**
 * The audit, run in the page as a plain script (the test's TypeScript has no DOM
 * types). Contrast: the text colour (with the opacity of it and its ancestors)
 * over the background composed from the root down, every stop of a gradient
 * counted and the worst one kept; large text is 24 px, or 18.66 px bold.
 */
const AUDIT = String.raw`(() => {
  const W = innerWidth, H = innerHeight;
  const name = (el) => {
    const id = el.getAttribute('data-testid') || el.getAttribute('name') || el.getAttribute('data-indicator') || el.getAttribute('aria-label') || '';
    const text = (el.textContent || '').trim().slice(0, 24);
    const panel = el.closest('[data-panel]')?.getAttribute('data-panel') ?? 'header';
    return panel + ' ' + el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') + (id ? '[' + id + ']' : '') + (text ? ' "' + text + '"' : '');
  };
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none';
  };
  const outside = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el) || el.closest('title, script, style')) continue;
    const r = el.getBoundingClientRect();
    const left = r.left + scrollX, right = r.right + scrollX;
    if (right > W + 0.5 || left < -0.5) outside.push(name(el) + ' [' + Math.round(left) + '..' + Math.round(right) + ']');
  }
  const controls = [...document.querySelectorAll('button, input:not([type=hidden]), select, textarea')].filter(shown);
  const targets = [...controls, ...[...document.querySelectorAll('[data-panel="children"] a')].filter(shown)];
  const unreachable = [];
  for (const el of controls) {
    el.scrollIntoView({ block: 'center', inline: 'center' });
    const r = el.getBoundingClientRect();
    if (r.left < -0.5 || r.top < -0.5 || r.right > W + 0.5 || r.bottom > H + 0.5) unreachable.push(name(el) + ' [' + [r.left, r.top, r.right, r.bottom].map(Math.round).join(',') + ']');
  }
  scrollTo(0, 0);
  const smallTargets = [];
  for (const el of targets) {
    const box = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label') ? el.closest('label') : el;
    const r = box.getBoundingClientRect();
    if (r.height < 43.5 || r.width < 43.5) smallTargets.push(name(el) + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
  }

  const parse = (text) => {
    const m = /rgba?\(([^)]+)\)/.exec(text);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [r, g, b, a];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const stops = (image) => (image && image !== 'none' ? image.match(/rgba?\([^)]+\)/g) ?? [] : []).map(parse);
  const lum = (c) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  /** Every background the element's text may sit on (several under a gradient). */
  const backgrounds = (el) => {
    const chain = [];
    for (let node = el; node; node = node.parentElement) chain.unshift(node);
    let layers = [[255, 255, 255, 1]];
    for (const node of chain) {
      const style = getComputedStyle(node);
      const gradient = stops(style.backgroundImage);
      if (gradient.length) layers = gradient.map((stop) => over(stop, layers[0]));
      const colour = parse(style.backgroundColor);
      if (colour && colour[3] > 0) layers = layers.map((layer) => over(colour, layer));
    }
    return layers;
  };
  const svgScale = (el) => {
    const svg = el.closest('svg');
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) return 1;
    return svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  };
  const smallText = [];
  const lowContrast = [];
  let texts = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest('title, script, style, option') || !shown(el)) continue;
    if (el.closest('button:disabled, input:disabled, select:disabled')) continue;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize) * svgScale(el);
    if (size < 11.95) smallText.push(name(el) + ' ' + size.toFixed(1) + 'px');
    const inSvg = Boolean(el.closest('svg'));
    const colour = parse(inSvg ? style.fill : style.color);
    if (!colour) continue;
    let opacity = 1;
    for (let up = el; up; up = up.parentElement) opacity *= Number(getComputedStyle(up).opacity);
    colour[3] *= opacity;
    const large = size >= 23.95 || (size >= 18.6 && Number(style.fontWeight) >= 700);
    const need = large ? 3 : 4.5;
    texts++;
    const worst = Math.min(...backgrounds(el).map((bg) => ratio(over(colour, bg), bg)));
    if (worst < need) lowContrast.push(name(el) + ' ' + worst.toFixed(2) + ':1');
  }
  return { innerWidth: W, scrollWidth: document.documentElement.scrollWidth, outside, unreachable, smallTargets, smallText, lowContrast, texts };
})()`;

describe.skipIf(!HAS_CHROMIUM)('the dashboard on a phone, and its finishing', () => {
  let app: TestApp;
  let base: string;
  let browser: Browser;
  const tokens: Record<string, string> = {};
  const pageErrors: string[] = [];
  const areaOf: Record<string, string> = {};

  beforeAll(async () => {
    if (!webAssetsDir()) throw new Error('dist/web is not built: run `npm run build:web` (`npm test` builds first)');
    app = await startTestApp();
    await seedDemo(app.orm, COUNTY_CODE, civgraph);
    base = app.url.replace(/\/graphql$/, '');
    const admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '县民政局管理员' });
    const found = await app.query<{ area: { children: { nodes: { code: string; shortName: string }[] } } }, Record<string, never>>(
      `{ area(code: "${COUNTY}") { children(first: 100) { nodes { code shortName } } } }`,
      {},
      { token: admin },
    );
    const township = found.area.children.nodes.find((node) => node.shortName === '两河口镇')!;
    const villages = await app.query<{ area: { children: { nodes: { code: string; shortName: string }[] } } }, Record<string, never>>(
      `{ area(code: "${township.code}") { children(first: 100) { nodes { code shortName } } } }`,
      {},
      { token: admin },
    );
    // The longest village name: the title that ran one character per line.
    const village = [...villages.area.children.nodes].sort((a, b) => b.shortName.length - a.shortName.length)[0];
    Object.assign(areaOf, {
      COUNTY_ADMIN: COUNTY,
      SECTION_STAFF: COUNTY,
      VIEWER: COUNTY,
      LEADER: COUNTY,
      TOWNSHIP_OPERATOR: township.code.slice(0, 9),
      VILLAGE_OPERATOR: village.code,
    });
    for (const role of ROLES) {
      tokens[role] = await app.token(role as `${Role}`, areaOf[role] ?? COUNTY, {
        name: `${role} 测试`,
        section: role === 'SECTION_STAFF' ? '儿童福利股' : undefined,
      });
    }
    // A pending deadline extension: 延期审批 (COUNTY_ADMIN, LEADER) shows a request with its note and buttons, measured too.
    const [task] = await app.rows<{ id: string; deadline: string }>(
      `select id::text as id, deadline::text as deadline from task where title = '产城融合片区国土空间规划'`,
    );
    const requested = await app.query<any, any>(
      `mutation($input: RequestDeadlineExtensionInput!) { requestDeadlineExtension(input: $input) { userErrors { message } } }`,
      { input: { item: toGlobalId('Task', task.id), newDeadline: addDays(task.deadline, 30), reason: '汛期影响施工，申请延期一个月' } },
      { token: admin },
    );
    expect(requested.requestDeadlineExtension.userErrors).toEqual([]);
    browser = await launchChromium(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run']);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** A phone-sized page signed in as `role`, once every panel has settled (and the entry form is open where there is one). */
  async function open(role: string, viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${role}: ${error.message}`));
    await withDeveloperToken(page, tokens[role]);
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator('section.panel[data-panel]').count(), { timeout: 20_000 }).toBeGreaterThan(1);
    await expect.poll(() => page.locator('section.panel[data-panel]:not([data-panel="children"]):not([data-ready])').count(), { timeout: 30_000 }).toBe(0);
    // Above township level the statistics form opens once a township is chosen: choose one, so its rows are checked too.
    const township = page.locator('[data-panel="entry-stats"] select[name="township"]');
    if (await township.count()) {
      await township.selectOption({ index: 1 });
      await page.locator('[data-testid="entry-stats-form"] input[data-indicator]').first().waitFor({ timeout: 15_000 });
    }
    if (await page.locator('[data-testid="entry-stats-form"]').count())
      await page.locator('[data-testid="entry-stats-form"] input[data-indicator]').first().waitFor({ timeout: 15_000 });
    await page
      .locator('[data-panel="report"] .report .panel-note, [data-panel="report"] .no-data')
      .first()
      .waitFor({ timeout: 15_000 })
      .catch(() => {});
    return page;
  }

  for (const viewport of VIEWPORTS) {
    for (const role of ROLES) {
      it(`${role} at ${viewport.width}×${viewport.height}: nothing wider than the screen, every input in reach, 44 px targets, 12 px text, AA contrast`, async () => {
        const page = await open(role, viewport);
        try {
          if (viewport.width === 390) {
            await mkdir(SCREENSHOTS, { recursive: true });
            await page.screenshot({ path: new URL(`phone-${role.toLowerCase()}.png`, SCREENSHOTS).pathname, fullPage: true });
          }
          const audit = await page.evaluate<Audit>(AUDIT);
          expect(audit.innerWidth).toBe(viewport.width);
          expect(audit.scrollWidth, 'document wider than the viewport').toBeLessThanOrEqual(viewport.width);
          expect(audit.outside, 'elements beyond the viewport').toEqual([]);
          expect(audit.unreachable, 'inputs out of view when scrolled to').toEqual([]);
          expect(audit.smallTargets, 'touch targets under 44 px').toEqual([]);
          expect(audit.smallText, 'text under 12 px').toEqual([]);
          expect(audit.lowContrast, 'text under WCAG AA contrast').toEqual([]);
          expect(audit.texts).toBeGreaterThan(20);
          // A leader's page holds 责任落实 and 延期审批 (with the request's buttons), so the checks above measured them.
          if (role === 'LEADER') {
            expect(await page.locator('[data-panel="chain"] [data-chain]').count()).toBe(3);
            expect(await page.locator('[data-panel="extensions"] button[data-decide]').count()).toBe(2);
          }

          // One column under 600 px: every panel starts at the same x and spans the content width.
          const panels = await page
            .locator('section.panel')
            .evaluateAll((sections) => sections.map((section) => Math.round(section.getBoundingClientRect().left)));
          expect(new Set(panels).size).toBe(1);
          // The title reads on one or two lines, not a character per line.
          const title = await page.locator('h1').evaluate((h1) => {
            const rect = h1.getBoundingClientRect();
            const style = (globalThis as unknown as { getComputedStyle(e: unknown): { lineHeight: string; fontSize: string } }).getComputedStyle(h1);
            const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
            return { width: rect.width, lines: Math.round(rect.height / line) };
          });
          expect(title.width).toBeGreaterThan(viewport.width / 2);
          expect(title.lines).toBeLessThanOrEqual(2);
          // Entry rows: the label above its input, not beside it.
          const rows = page.locator('[data-testid="entry-stats-form"] tr[data-indicator]');
          if (await rows.count()) {
            const row = rows.first();
            const label = await row.locator('td').first().boundingBox();
            const input = await row.locator('input').boundingBox();
            expect(input!.y).toBeGreaterThanOrEqual(label!.y + label!.height - 1);
          }
        } finally {
          await page.context().close();
        }
      }, 90_000);
    }
  }

  it('the sign-in page (no session) at 390×844: nothing wider than the screen, 44 px targets, 12 px text, AA contrast', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      await page.goto(`${base}/`);
      await page.getByTestId('signin-form').waitFor({ timeout: 20_000 });
      // The developer entry open too, so its input and button are measured.
      await page.locator('.developer-entry summary').click();
      const audit = await page.evaluate<Audit>(AUDIT);
      expect(audit.scrollWidth, 'document wider than the viewport').toBeLessThanOrEqual(390);
      expect(audit.outside, 'elements beyond the viewport').toEqual([]);
      expect(audit.unreachable, 'inputs out of view when scrolled to').toEqual([]);
      expect(audit.smallTargets, 'touch targets under 44 px').toEqual([]);
      expect(audit.smallText, 'text under 12 px').toEqual([]);
      expect(audit.lowContrast, 'text under WCAG AA contrast').toEqual([]);
      await mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: new URL('phone-signin.png', SCREENSHOTS).pathname, fullPage: true });
    } finally {
      await context.close();
    }
  }, 60_000);

  it('the GraphQL console (GET /graphql) at 390×844: no page overflow, the editor above a readable result, 44 px buttons', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`console: ${error.message}`));
    /** The page as the checks see it: overflow, every control outside the editors (size, place), the editor and the result. */
    const measure = () =>
      page.evaluate<{
        scrollWidth: number;
        small: string[];
        beyond: string[];
        boxes: Record<'editor' | 'response' | 'docs', { left: number; right: number; top: number; bottom: number; width: number; height: number } | null>;
        fonts: { editor: number; response: number };
      }>(String.raw`(() => {
        const W = innerWidth;
        const shown = (el) => {
          const r = el.getBoundingClientRect();
          const style = getComputedStyle(el);
          return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
        };
        const name = (el) =>
          el.tagName.toLowerCase() +
          (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
          (el.getAttribute('aria-label') ? '[' + el.getAttribute('aria-label') + ']' : '') +
          ' "' + (el.textContent || '').trim().slice(0, 16) + '"';
        const box = (selector) => {
          const el = document.querySelector(selector);
          if (!el || !shown(el)) return null;
          const r = el.getBoundingClientRect();
          return { left: Math.round(r.left), right: Math.round(r.right), top: Math.round(r.top), bottom: Math.round(r.bottom), width: Math.round(r.width), height: Math.round(r.height) };
        };
        // CodeMirror's own hidden textarea and scrollbars are not controls a person touches.
        const controls = [...document.querySelectorAll('button, input:not([type=hidden]), select, a[href]')].filter(shown).filter((el) => !el.closest('.CodeMirror'));
        const small = controls
          .filter((el) => { const r = el.getBoundingClientRect(); return r.width < 43.5 || r.height < 43.5; })
          .map((el) => { const r = el.getBoundingClientRect(); return name(el) + ' ' + Math.round(r.width) + '×' + Math.round(r.height); });
        const beyond = controls.filter((el) => { const r = el.getBoundingClientRect(); return r.left < -0.5 || r.right > W + 0.5; }).map(name);
        const font = (selector) => { const el = document.querySelector(selector + ' .CodeMirror-line'); return el ? parseFloat(getComputedStyle(el).fontSize) : 0; };
        return {
          scrollWidth: document.documentElement.scrollWidth,
          small,
          beyond,
          boxes: { editor: box('.graphiql-query-editor'), response: box('.graphiql-response'), docs: box('.graphiql-plugin') },
          fonts: { editor: font('.graphiql-query-editor'), response: font('.graphiql-response') },
        };
      })()`);
    try {
      await withDeveloperToken(page, tokens.COUNTY_ADMIN);
      await page.goto(`${base}/graphql`);
      await page.locator('.graphiql-query-editor .CodeMirror').waitFor({ timeout: 20_000 });
      await page.locator('.graphiql-execute-button').click();
      await expect.poll(() => page.locator('.graphiql-response').textContent(), { timeout: 15_000 }).toContain('"townships": 33');
      await mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: new URL('phone-console.png', SCREENSHOTS).pathname });
      const audit = await measure();
      expect(audit.scrollWidth, 'page wider than the viewport').toBeLessThanOrEqual(390);
      expect(audit.beyond, 'controls beyond the viewport').toEqual([]);
      expect(audit.small, 'touch targets under 44 px').toEqual([]);
      // The editor above the result, each as wide as the screen allows and tall enough to read, both on the first screen.
      const { editor, response } = audit.boxes;
      expect(editor!.width).toBeGreaterThanOrEqual(340);
      expect(response!.width).toBeGreaterThanOrEqual(340);
      expect(response!.top).toBeGreaterThanOrEqual(editor!.bottom);
      expect(editor!.height).toBeGreaterThanOrEqual(180);
      expect(response!.height).toBeGreaterThanOrEqual(180);
      expect(response!.bottom).toBeLessThanOrEqual(844);
      expect(audit.fonts.editor).toBeGreaterThanOrEqual(12);
      expect(audit.fonts.response).toBeGreaterThanOrEqual(12);

      // The schema docs open above the editors, full width, without widening the page.
      await page.getByRole('button', { name: /documentation explorer/i }).click();
      await expect.poll(() => page.locator('.graphiql-doc-explorer').textContent(), { timeout: 10_000 }).toContain('Query');
      const docs = await measure();
      expect(docs.scrollWidth).toBeLessThanOrEqual(390);
      expect(docs.beyond).toEqual([]);
      expect(docs.boxes.docs!.width).toBeGreaterThanOrEqual(340);
      expect(docs.boxes.docs!.bottom).toBeLessThanOrEqual(docs.boxes.editor!.top);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('on a desktop too (1280×900, county admin): 12 px text and AA contrast everywhere', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      await withDeveloperToken(page, tokens.COUNTY_ADMIN);
      await page.goto(`${base}/`);
      await expect.poll(() => page.locator('section.panel[data-panel]').count(), { timeout: 20_000 }).toBeGreaterThan(1);
      await expect.poll(() => page.locator('section.panel[data-panel]:not([data-panel="children"]):not([data-ready])').count(), { timeout: 30_000 }).toBe(0);
      const audit = await page.evaluate<Audit>(AUDIT);
      expect(audit.smallText, 'text under 12 px').toEqual([]);
      expect(audit.lowContrast, 'text under WCAG AA contrast').toEqual([]);
      expect(audit.scrollWidth).toBeLessThanOrEqual(1280);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('renders the monthly report as a document, every character of it as text: no markup from the data reaches the page', async () => {
    // No service worker: the report panel reads after the first screen, when the worker would answer and pass the route by.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'zh-CN', serviceWorkers: 'block' });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`report: ${error.message}`));
    const hostile = [
      '# 通江县 <b>2026-11</b> 报告',
      '',
      '截至 2026-11-30。**重点**：`code` <img src=x onerror="window.__pwned=1">',
      '',
      '## 一、<script>window.__pwned=2</script>项目',
      '',
      '1. 敬老院(铁佛镇):<a href="javascript:alert(1)">点我</a>',
      '2. 第二项 & 更多 &lt;',
      '',
      '- 无序一',
      '- 无序二',
      '',
      '| 项目 | 进度 |',
      '| --- | ---: |',
      '| <i>甲</i> | 60% |',
    ].join('\n');
    await page.route('**/graphql', async (route) => {
      const request = route.request();
      const body = request.method() === 'POST' ? (request.postDataJSON() as { query: string }) : null;
      if (!body || !/query\s+PanelReport\b/.test(body.query)) return route.continue();
      return route.fulfill({ json: { data: { monthlyReport: { month: '2026-11', areaName: '通江县', itemCount: 2, markdown: hostile } } } });
    });
    try {
      await withDeveloperToken(page, tokens.COUNTY_ADMIN);
      await page.goto(`${base}/`);
      const doc = page.locator('[data-panel="report"] .markdown-doc');
      await doc.waitFor({ timeout: 20_000 });
      expect(await doc.locator('h3').allTextContents()).toEqual(['通江县 <b>2026-11</b> 报告']);
      expect(await doc.locator('h4').allTextContents()).toEqual(['一、<script>window.__pwned=2</script>项目']);
      expect(await doc.locator('ol li').allTextContents()).toEqual(['敬老院(铁佛镇):<a href="javascript:alert(1)">点我</a>', '第二项 & 更多 &lt;']);
      expect(await doc.locator('ul li').allTextContents()).toEqual(['无序一', '无序二']);
      expect(await doc.locator('p strong').allTextContents()).toEqual(['重点']);
      expect(await doc.locator('p code').allTextContents()).toEqual(['code']);
      expect(await doc.locator('table th').allTextContents()).toEqual(['项目', '进度']);
      expect(await doc.locator('table td').allTextContents()).toEqual(['<i>甲</i>', '60%']);
      // Nothing from the data became an element or ran.
      expect(await doc.locator('b, i, img, script, a').count()).toBe(0);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
    } finally {
      await context.close();
    }
  }, 60_000);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });

  it('serves a favicon, the web-app manifest and its icons', async () => {
    const favicon = await fetch(`${base}/favicon.ico`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get('content-type')).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
    const bytes = Buffer.from(await favicon.arrayBuffer());
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0])); // an ICO header

    const manifest = await fetch(`${base}/manifest.webmanifest`);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const body = (await manifest.json()) as {
      name: string;
      short_name: string;
      start_url: string;
      display: string;
      icons: { src: string; sizes: string; type: string }[];
    };
    expect(body.name).toContain('县民政局');
    expect(body.start_url).toBe('/');
    expect(body.display).toBe('standalone');
    const sizes = body.icons.map((icon) => icon.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512', 'any']));
    for (const icon of body.icons) {
      const response = await fetch(new URL(icon.src, `${base}/`));
      expect(response.status, icon.src).toBe(200);
      expect(response.headers.get('content-type'), icon.src).toContain(icon.type);
      const data = Buffer.from(await response.arrayBuffer());
      if (icon.type === 'image/png') {
        const [width, height] = [data.readUInt32BE(16), data.readUInt32BE(20)];
        expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
      }
    }
    // The page links them, so a browser finds them without guessing.
    const html = await (await fetch(`${base}/`, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('rel="manifest"');
    expect(html).toContain('rel="icon"');
    expect(html).toContain('rel="apple-touch-icon"');
  });

  it('sends the bundled assets compressed when asked (brotli, gzip), as they are otherwise, with Vary: Accept-Encoding', async () => {
    const html = await (await fetch(`${base}/`, { headers: { accept: 'text/html' } })).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    expect(assets.some((path) => path.endsWith('.js'))).toBe(true);
    expect(assets.some((path) => path.endsWith('.css'))).toBe(true);
    for (const path of assets) {
      const plain = await fetch(`${base}${path}`, { headers: { 'accept-encoding': 'identity' } });
      expect(plain.status).toBe(200);
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(plain.headers.get('vary')).toMatch(/accept-encoding/i);
      const raw = Buffer.from(await plain.arrayBuffer());

      // Node's fetch would decompress by itself: read the bytes as they come over the wire.
      const { request } = await import('node:http');
      const wire = (encoding: string) =>
        new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
          request(`${base}${path}`, { headers: { 'accept-encoding': encoding } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          })
            .on('error', reject)
            .end();
        });
      const br = await wire('gzip, deflate, br');
      expect(br.headers['content-encoding'], path).toBe('br');
      expect(br.headers['vary']).toMatch(/accept-encoding/i);
      expect(br.headers['cache-control']).toContain('immutable');
      expect(brotliDecompressSync(br.body).equals(raw), path).toBe(true);
      expect(br.body.length).toBeLessThan(raw.length * 0.6);
      const gz = await wire('gzip');
      expect(gz.headers['content-encoding'], path).toBe('gzip');
      expect(gunzipSync(gz.body).equals(raw), path).toBe(true);
      // Refused brotli (q=0) falls back to gzip.
      expect((await wire('br;q=0, gzip')).headers['content-encoding']).toBe('gzip');
    }
    // The dashboard's own JavaScript stays small (docs/performance.md gives the figures).
    const scripts = assets.filter((path) => path.endsWith('.js'));
    let total = 0;
    for (const path of scripts) total += (await (await fetch(`${base}${path}`, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer()).byteLength;
    expect(total).toBeLessThan(80 * 1024);
  });
});
