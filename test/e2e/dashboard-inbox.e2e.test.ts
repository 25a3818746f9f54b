import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInChina } from '../../src/common/dates.js';
import { InboxGenerator } from '../../src/modules/inbox/inbox.generate.js';
import { webAssetsDir } from '../../src/server/web.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { launchChromium } from '../support/dashboard.js';

/**
 * 待办 in the dashboard (issue 31 item 4), in Debian's chromium on a phone-sized page (390 × 844): an
 * account responsible for a key task due in two days signs in, sees the unread count in the header and
 * the item (即将到期, yellow) in the 待办 panel, marks it read (标为已读), then the rest (全部已读); every
 * control at least 44 px, nothing wider than the screen.
 */

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`dashboard-inbox.e2e: SKIPPED — ${CHROMIUM} is absent (apt-get install -y chromium; .ci/run installs it)`);

const COUNTY = '511921';
const SECTION = '社会事务股';
const PASSWORD = 'Inbox-pass-2026!';
const TODAY = todayInChina();

describe.skipIf(!HAS_CHROMIUM)('the 待办 panel, in chromium', () => {
  let app: TestApp;
  let browser: Browser;
  let generator: InboxGenerator;
  let base: string;
  let title: string;
  const pageErrors: string[] = [];

  async function ok(token: string, query: string, input: Record<string, unknown>): Promise<any> {
    const result = await app.request<any, any>(query, { input }, { token });
    expect(result.errors).toBeUndefined();
    const payload = Object.values(result.data as Record<string, any>)[0];
    expect(payload.userErrors).toEqual([]);
    return payload;
  }

  beforeAll(async () => {
    if (!webAssetsDir()) throw new Error('dist/web is not built: run `npm run build:web` (`npm test` builds first)');
    process.env.INBOX_BACKGROUND = 'off';
    app = await startTestApp();
    base = app.url.replace(/\/graphql$/, '');
    generator = new InboxGenerator(app.databaseUrl);
    const admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '局长' });
    const created = await ok(admin, `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } userErrors { message } } }`, {
      login: 'hechunmei',
      displayName: '何春梅',
      role: 'SECTION_STAFF',
      area: COUNTY,
      section: SECTION,
      password: PASSWORD,
    });
    await app.rows('update account set must_change_password = false where login = ?', ['hechunmei']);
    const task = await ok(admin, `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id title } userErrors { message } } }`, {
      title: '特困供养机构消防改造',
      category: 'SOCIAL_AFFAIRS',
      area: COUNTY,
      ownerSection: SECTION,
      target: 4,
      unit: '所',
      startDate: addDays(TODAY, -10),
      deadline: addDays(TODAY, 2),
      assignments: [{ area: '511921104', target: 4 }],
    });
    title = `重点工作「${task.task.title as string}」`;
    await ok(admin, `mutation($input: AssignResponsibleInput!) { assignResponsible(input: $input) { item userErrors { message } } }`, {
      item: task.task.id,
      account: created.account.id,
    });
    await generator.follow();
    await generator.sweep(TODAY);
    browser = await launchChromium(CHROMIUM);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await generator?.close();
    await app?.close();
    delete process.env.INBOX_BACKGROUND;
  });

  async function signedInPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', serviceWorkers: 'block' });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${base}/`);
    await page.getByTestId('signin-form').waitFor({ timeout: 15_000 });
    await page.getByLabel('账号').fill('hechunmei');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.locator('[data-panel="inbox"][data-ready]').waitFor({ timeout: 30_000 });
    return page;
  }

  it('shows the item due in two days, marks it read, then all', async () => {
    const page = await signedInPage();
    const badge = page.getByTestId('inbox-badge');
    // ASSIGNED, DUE_SOON and TURNED_LAGGING (nothing done after 11 of 13 days).
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('待办 3');
    const dueSoon = page.locator('[data-panel="inbox"] li.inbox-item[data-kind="DUE_SOON"]');
    expect(await dueSoon.count()).toBe(1);
    expect(await dueSoon.locator('.inbox-kind').textContent()).toBe('即将到期');
    expect(await dueSoon.locator('.inbox-title').textContent()).toBe(title);
    expect(await dueSoon.locator('.inbox-due').getAttribute('data-due-state')).toBe('YELLOW');
    expect(await dueSoon.locator('.inbox-due').textContent()).toBe(`期限 ${addDays(TODAY, 2)}（临期）`);
    expect(
      await dueSoon
        .locator('.inbox-due')
        .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color),
    ).toBe('rgb(122, 96, 0)');

    // Phone: one column, nothing wider than the screen, 44 px targets.
    const layout = await page.evaluate(`(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      width: innerWidth,
      small: Array.from(document.querySelectorAll('[data-testid="inbox-badge"], [data-panel="inbox"] button'))
        .filter((el) => el.getBoundingClientRect().height > 0)
        .map((el) => el.getBoundingClientRect())
        .filter((r) => r.height < 43.5 || r.width < 43.5).length,
    }))()`);
    expect(layout).toMatchObject({ small: 0 });
    expect((layout as { scrollWidth: number; width: number }).scrollWidth).toBeLessThanOrEqual((layout as { width: number }).width);

    await dueSoon.getByTestId('inbox-mark-read').click();
    await expect.poll(() => dueSoon.getAttribute('data-read'), { timeout: 10_000 }).toBe('true');
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('待办 2');
    expect(await dueSoon.getByTestId('inbox-mark-read').count()).toBe(0);
    const [row] = await app.rows<{ read: boolean }>(`select read_at is not null as read from inbox_item where kind = 'DUE_SOON' and title = ?`, [title]);
    expect(row.read).toBe(true);

    await page.getByTestId('inbox-all-read').click();
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('待办 0');
    expect(await page.locator('[data-panel="inbox"] li.inbox-item[data-read="false"]').count()).toBe(0);
    const [unread] = await app.rows<{ n: number }>(`select count(*)::int as n from inbox_item where read_at is null`);
    expect(unread.n).toBe(0);

    // Reloaded (the session resumes from its refresh token), the page reads the same from the server.
    await page.reload();
    await page.locator('[data-panel="inbox"][data-ready]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('inbox-badge').textContent(), { timeout: 10_000 }).toBe('待办 0');
    expect(await page.locator('[data-panel="inbox"] li.inbox-item').count()).toBe(3);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('shows the sweep’s notices in the live feed (实时动态), marked 提醒', async () => {
    const page = await signedInPage();
    // The sweep appended DUE_SOON and LAGGING notices of the task (ALERTED events): the feed opens with them.
    const notices = page.locator('[data-panel="live"] ul.feed li:has(.feed-alert)');
    await expect.poll(() => notices.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const texts = await notices.allTextContents();
    expect(texts.some((text) => text.includes('提醒') && text.includes(`${title}即将到期`))).toBe(true);
    expect(texts.some((text) => text.includes(`${title}已滞后`))).toBe(true);
    expect(await notices.first().locator('.feed-alert').textContent()).toBe('提醒');
    // White on the badge's red: WCAG AA (4.5:1) for its 12 px text.
    const colours = await notices
      .first()
      .locator('.feed-alert')
      .evaluate((el) => {
        const style = (globalThis as unknown as { getComputedStyle(e: unknown): { color: string; backgroundColor: string } }).getComputedStyle(el);
        return [style.color, style.backgroundColor];
      });
    expect(contrast(colours[0], colours[1])).toBeGreaterThanOrEqual(4.5);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 90_000);
});

/** WCAG contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (colour: string) => {
    const [r, g, bl] = (colour.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
