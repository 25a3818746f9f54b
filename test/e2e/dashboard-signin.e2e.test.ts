import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../src/modules/account/account.cli.js';
import { webAssetsDir } from '../../src/server/web.js';
import { startTestApp, type Result, type TestApp } from '../support/app.js';
import { launchChromium } from '../support/dashboard.js';

/**
 * The dashboard signs people in (issue 29 item 4), in Debian's chromium against a
 * real civgraph and database: the Chinese sign-in page, a wrong password, an
 * ended session (登录已过期, and no panel's empty state), 退出登录 and 退出所有设备
 * (the refresh token no longer works), an account disabled while its page is open
 * (the page says so within seconds and the live feed does not reconnect), the
 * admin's 账号管理 creating an account that then signs in (and changes its initial
 * password first), and no token ever in the address bar.
 */

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`dashboard-signin.e2e: SKIPPED — ${CHROMIUM} is absent (apt-get install -y chromium; .ci/run installs it)`);

const ADMIN_PASSWORD = 'Admin-pass-2026';
const VILLAGE = '511921101001';
const GOOD_PASSWORD = 'Village-2026!';
/** The empty states panels show when they have read nothing there: none may show on a page whose session ended. */
const EMPTY_STATES = ['暂无数据', '本区划没有', '没有未销号', '近一年没有', '没有您可填报', '已是最下级区划'];

/** The sign-in form's controls (those shown: sizes and edges) and its smallest text, measured in the page. */
interface Layout {
  controls: { name: string | null; height: number; left: number; right: number }[];
  smallest: number;
  scrollWidth: number;
  width: number;
}
const LAYOUT = String.raw`(() => {
  const controls = Array.from(document.querySelectorAll('.signin-form input, .signin-form button, .signin-form summary'))
    .filter((el) => el.getBoundingClientRect().height > 0)
    .map((el) => {
      const rect = el.getBoundingClientRect();
      return { name: el.getAttribute('name') ?? el.textContent, height: rect.height, left: rect.left, right: rect.right };
    });
  const texts = Array.from(document.querySelectorAll('.signin-form *'))
    .filter((el) => el.getBoundingClientRect().height > 0 && Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim()))
    .map((el) => parseFloat(getComputedStyle(el).fontSize));
  return { controls, smallest: Math.min(...texts), scrollWidth: document.documentElement.scrollWidth, width: innerWidth };
})()`;

describe.skipIf(!HAS_CHROMIUM)('signing in to the dashboard, in chromium', () => {
  let app: TestApp;
  let base: string;
  let browser: Browser;
  let devAdmin: string;
  const pageErrors: string[] = [];
  /** Every address any page was at (navigations and history entries): no token may ever be in one. */
  const addresses: string[] = [];
  /** Every token the server handed out in these tests. */
  const tokensSeen: string[] = [];
  let logins = 0;
  /** The access token the pages received last (they keep it in memory only). */
  let lastAccessToken = '';
  /** The one address that carried a token: the old-style link the dashboard must drop. */
  let link = '';

  async function mutate(field: string, inputType: string | null, input: Record<string, unknown> | null, selection: string, token?: string) {
    const query = inputType
      ? `mutation M($input: ${inputType}!) { ${field}(input: $input) { ${selection} userErrors { field message code } } }`
      : `mutation M { ${field} { ${selection} userErrors { field message code } } }`;
    const result: Result<Record<string, Record<string, unknown> & { userErrors: unknown[] }>> = await app.request(query, inputType ? { input } : undefined, {
      token,
    });
    expect(result.errors).toBeUndefined();
    return result.data![field];
  }

  /** A village operator's account, created through the API, its initial password already changed (mustChangePassword false). */
  async function villageAccount(): Promise<{ id: string; login: string; viewer: string }> {
    const login = `cun${++logins}`;
    const created = await mutate(
      'createAccount',
      'CreateAccountInput',
      { login, displayName: `报送员${logins}`, role: 'VILLAGE_OPERATOR', area: VILLAGE, password: GOOD_PASSWORD },
      'account { id }',
      devAdmin,
    );
    expect(created.userErrors).toEqual([]);
    await app.rows('update account set must_change_password = false where login = ?', [login]);
    return { id: (created.account as { id: string }).id, login, viewer: `报送员${logins} · 村/社区` };
  }

  async function refreshWorks(refreshToken: string): Promise<boolean> {
    const payload = await mutate('refreshSession', 'RefreshSessionInput', { refreshToken }, 'refreshToken');
    if (payload.refreshToken) tokensSeen.push(payload.refreshToken as string);
    return Boolean(payload.refreshToken);
  }

  async function newPage(viewport = { width: 1280, height: 900 }, serviceWorkers: 'allow' | 'block' = 'allow'): Promise<Page> {
    const context: BrowserContext = await browser.newContext({ viewport, locale: 'zh-CN', serviceWorkers });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('framenavigated', (frame) => addresses.push(frame.url()));
    // Tokens the page receives (sign-in and refresh answers), so the address checks know them.
    page.on('response', (response) => {
      if (!response.url().endsWith('/graphql') || response.request().method() !== 'POST') return;
      void response
        .json()
        .then((body: { data?: Record<string, { accessToken?: string; refreshToken?: string } | null> }) => {
          for (const value of Object.values(body.data ?? {})) {
            if (value?.accessToken) tokensSeen.push((lastAccessToken = value.accessToken));
            if (value?.refreshToken) tokensSeen.push(value.refreshToken);
          }
        })
        .catch(() => undefined);
    });
    return page;
  }

  const storage = (page: Page, key: string) =>
    page.evaluate((k) => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem(k), key);
  const href = (page: Page) => page.evaluate(() => (globalThis as unknown as { location: { href: string } }).location.href);
  /** The sign-in page's message, or null while there is none (short waits: this is polled). */
  const message = (page: Page) => ({
    textContent: () =>
      page
        .getByTestId('signin-message')
        .textContent({ timeout: 500 })
        .catch(() => null),
  });

  /** Fills the sign-in form as a person does and presses 登录. */
  async function signIn(page: Page, login: string, password: string) {
    await page.getByTestId('signin-form').waitFor({ timeout: 15_000 });
    await page.getByLabel('账号').fill(login);
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
  }

  /** A page signed in through the form, once every panel has settled. */
  async function signedIn(
    login: string,
    password: string,
    viewer: string,
    before?: (page: Page) => Promise<void>,
    serviceWorkers: 'allow' | 'block' = 'allow',
  ): Promise<Page> {
    const page = await newPage(undefined, serviceWorkers);
    await before?.(page);
    await page.goto(`${base}/`);
    await signIn(page, login, password);
    await expect.poll(() => page.getByTestId('viewer').textContent(), { timeout: 20_000 }).toBe(viewer);
    await expect.poll(() => page.locator('section.panel[data-panel]:not([data-panel="children"]):not([data-ready])').count(), { timeout: 30_000 }).toBe(0);
    return page;
  }

  async function expectSignInPage(page: Page, text: string) {
    await expect.poll(() => message(page).textContent(), { timeout: 10_000 }).toBe(text);
    expect(await page.getByTestId('signin-form').isVisible()).toBe(true);
    const body = (await page.locator('body').textContent()) ?? '';
    for (const empty of EMPTY_STATES) expect(body, empty).not.toContain(empty);
    expect(await page.locator('section.panel').count()).toBe(0);
  }

  beforeAll(async () => {
    if (!webAssetsDir()) throw new Error('dist/web is not built: run `npm run build:web` (`npm test` builds first)');
    app = await startTestApp();
    base = app.url.replace(/\/graphql$/, '');
    await createAdmin(app.orm, { login: 'admin', name: '县民政局管理员', area: '511921', password: ADMIN_PASSWORD });
    devAdmin = await app.token('COUNTY_ADMIN', '511921');
    browser = await launchChromium(CHROMIUM);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows a Chinese sign-in page without a session, and signs in: the access token in memory, the refresh token in localStorage', async () => {
    const page = await newPage();
    await page.goto(`${base}/`);
    await page.getByTestId('signin-form').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('signin-form').textContent()).toContain('民政工作看板');
    expect(await page.getByLabel('账号').count()).toBe(1);
    expect(await page.getByLabel('密码').getAttribute('type')).toBe('password');
    // Nothing was read without a session: no panel, no empty state.
    expect(await page.locator('section.panel').count()).toBe(0);

    await signIn(page, 'admin', ADMIN_PASSWORD);
    await expect.poll(() => page.getByTestId('viewer').textContent(), { timeout: 20_000 }).toBe('县民政局管理员 · 县/局管理员');
    await page.locator('[data-panel="accounts"][data-ready]').waitFor({ timeout: 20_000 });
    const refreshToken = await storage(page, 'civgraph.refresh');
    expect(refreshToken).toMatch(/^[\w-]{43}$/);
    // The access token is nowhere in storage (memory only), and the development-token slot is empty.
    const stored = await page.evaluate<string[]>(
      'Array.from([localStorage, sessionStorage], (s) => Array.from({ length: s.length }, (_, i) => s.getItem(s.key(i)) ?? "")).flat()',
    );
    expect(stored.some((value) => value.split('.').length === 3)).toBe(false);
    expect(await storage(page, 'civgraph.token')).toBeNull();
    await page.context().close();
  }, 60_000);

  it('a wrong password shows the server’s Chinese message and signs nobody in', async () => {
    const page = await newPage();
    await page.goto(`${base}/`);
    await signIn(page, 'admin', 'Not-the-password-1');
    await expect.poll(() => message(page).textContent(), { timeout: 10_000 }).toBe('登录名或密码错误');
    expect(await page.getByTestId('viewer').count()).toBe(0);
    expect(await storage(page, 'civgraph.refresh')).toBeNull();
    await page.context().close();
  }, 30_000);

  it('a link that still carries ?token= loses it at once and does not use it', async () => {
    const page = await newPage();
    link = `${base}/?token=${devAdmin}&area=511921`;
    await page.goto(link);
    await page.getByTestId('signin-form').waitFor({ timeout: 15_000 });
    expect(await href(page)).toBe(`${base}/?area=511921`);
    expect(await storage(page, 'civgraph.token')).toBeNull();
    expect(await page.getByTestId('viewer').count()).toBe(0);
    await page.context().close();
  }, 30_000);

  it('an ended session (revoked refresh token, no access token) says 登录已过期 and offers sign-in, with no empty state anywhere', async () => {
    const account = await villageAccount();
    const session = await mutate('signIn', 'SignInInput', { login: account.login, password: GOOD_PASSWORD }, 'refreshToken');
    const revoked = session.refreshToken as string;
    expect((await mutate('signOut', 'SignOutInput', { refreshToken: revoked }, 'sessionsEnded')).sessionsEnded).toBe(1);

    const page = await newPage();
    await page
      .context()
      .addInitScript(
        (saved) => (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem('civgraph.refresh', saved),
        revoked,
      );
    await page.goto(`${base}/`);
    await expectSignInPage(page, '登录已过期，请重新登录');
    await page.context().close();
  }, 30_000);

  it('an open page whose session is revoked: its next read (access token refused, refresh refused) shows 登录已过期 and the sign-in form', async () => {
    const account = await villageAccount();
    // The live feed talks to a silent stand-in here, so what ends the page is the HTTP read (a 401), not the feed's 4403.
    const page = await signedIn(account.login, GOOD_PASSWORD, account.viewer, (p) => p.routeWebSocket(/\/graphql$/, () => undefined));
    const refreshToken = (await storage(page, 'civgraph.refresh'))!;
    const accessToken = lastAccessToken;
    expect((await mutate('signOut', 'SignOutInput', { refreshToken }, 'sessionsEnded')).sessionsEnded).toBe(1);
    // The revocation reaches the token check within about 2 s (the server's poll); then a click that reads.
    const refused = async () =>
      (
        await fetch(app.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
          body: '{"query":"{ viewer { sub } }"}',
        })
      ).status === 401;
    await expect.poll(refused, { timeout: 10_000, interval: 200 }).toBe(true);
    await page.locator('[data-panel="children"] a, .breadcrumb a').first().click();
    await expectSignInPage(page, '登录已过期，请重新登录');
    expect(await storage(page, 'civgraph.refresh')).toBeNull();
    // And signing in again works from there.
    await signIn(page, account.login, GOOD_PASSWORD);
    await expect.poll(() => page.getByTestId('viewer').textContent(), { timeout: 20_000 }).toBe(account.viewer);
    await page.context().close();
  }, 60_000);

  it('a refused access token is refreshed once and the read sent again: the page stays signed in', async () => {
    // No service worker here: page.route does not see the requests one answers (the dashboard's offline worker).
    const page = await signedIn('admin', ADMIN_PASSWORD, '县民政局管理员 · 县/局管理员', undefined, 'block');
    const before = await storage(page, 'civgraph.refresh');
    let refusedOnce = false;
    await page.route('**/graphql', async (route) => {
      const body = route.request().postDataJSON() as { query?: string } | null;
      if (!refusedOnce && body?.query && /PanelFacilities/.test(body.query)) {
        refusedOnce = true;
        return route.fulfill({ status: 401, json: { errors: [{ message: '登录已失效，请重新登录', extensions: { code: 'UNAUTHENTICATED' } }] } });
      }
      return route.continue();
    });
    await page.locator('[data-panel="children"] a[data-code]').first().click();
    await expect.poll(() => storage(page, 'civgraph.refresh'), { timeout: 10_000 }).not.toBe(before);
    await page.locator('[data-panel="facilities"][data-ready]').waitFor({ timeout: 15_000 });
    expect(refusedOnce).toBe(true);
    expect(await page.getByTestId('viewer').textContent()).toBe('县民政局管理员 · 县/局管理员');
    expect(await page.getByTestId('signin-form').count()).toBe(0);
    expect(await page.locator('[data-panel="facilities"]').textContent()).not.toContain('登录');
    await page.context().close();
  }, 60_000);

  it('renews the access token a minute before it expires; a renewal refused ends the session there and then (登录已过期)', async () => {
    const account = await villageAccount();
    // The page's clock is Playwright's (to jump 14½ minutes); the feed talks to a silent stand-in, so only the renewal can end the page.
    const page = await signedIn(account.login, GOOD_PASSWORD, account.viewer, async (p) => {
      await p.clock.install();
      await p.routeWebSocket(/\/graphql$/, () => undefined);
    });
    const first = await storage(page, 'civgraph.refresh');
    await page.clock.fastForward('14:30');
    await expect.poll(() => storage(page, 'civgraph.refresh'), { timeout: 10_000 }).not.toBe(first);
    expect(await page.getByTestId('viewer').textContent()).toBe(account.viewer);

    const second = (await storage(page, 'civgraph.refresh'))!;
    expect((await mutate('signOut', 'SignOutInput', { refreshToken: second }, 'sessionsEnded')).sessionsEnded).toBe(1);
    expect(await page.getByTestId('viewer').textContent()).toBe(account.viewer);
    await page.clock.fastForward('14:30');
    await expectSignInPage(page, '登录已过期，请重新登录');
    // (Not before: presenting the spent first token while the session was open would have ended it as copied.)
    expect(await refreshWorks(first!)).toBe(false);
    await page.context().close();
  }, 60_000);

  it('退出登录 ends the session (its refresh token no longer works); 退出所有设备 ends the other device’s too', async () => {
    const account = await villageAccount();
    const page = await signedIn(account.login, GOOD_PASSWORD, account.viewer);
    const first = (await storage(page, 'civgraph.refresh'))!;
    await page.getByTestId('sign-out').click();
    await expectSignInPage(page, '已退出登录');
    expect(await storage(page, 'civgraph.refresh')).toBeNull();
    expect(await refreshWorks(first)).toBe(false);

    const phone = await signedIn(account.login, GOOD_PASSWORD, account.viewer);
    const laptop = await signedIn(account.login, GOOD_PASSWORD, account.viewer);
    const phoneToken = (await storage(phone, 'civgraph.refresh'))!;
    await laptop.getByTestId('sign-out-everywhere').click();
    await expectSignInPage(laptop, '已退出所有设备');
    // The other device: its refresh token is spent, and its open page is told (its feed closed with 4403).
    await expectSignInPage(phone, '登录已过期，请重新登录');
    expect(await refreshWorks(phoneToken)).toBe(false);
    await phone.context().close();
    await laptop.context().close();
  }, 90_000);

  it('an account disabled while its page is open: within seconds 登录已过期, and the live feed does not reconnect', async () => {
    const account = await villageAccount();
    const page = await newPage();
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${base}/`);
    await signIn(page, account.login, GOOD_PASSWORD);
    await expect.poll(() => page.locator('[data-panel="live"] .live-status').getAttribute('data-state'), { timeout: 20_000 }).toBe('live');

    const disabled = await mutate('disableAccount', 'AccountIdInput', { id: account.id }, 'account { disabled }', devAdmin);
    expect(disabled.userErrors).toEqual([]);
    // The server closes the feed's socket with 4403 within about 2 s: the page shows the sign-in form, without any read.
    await expectSignInPage(page, '登录已过期，请重新登录');
    const opened = sockets.length;
    // The feed would have retried after 0.5 s, 1 s, 2 s …: none in 3 s.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(sockets.length).toBe(opened);
    // Signing in again: the server's Chinese message for a disabled account.
    await signIn(page, account.login, GOOD_PASSWORD);
    await expect.poll(() => message(page).textContent(), { timeout: 10_000 }).toMatch(/^账号已停用/);
    await page.context().close();
  }, 60_000);

  it('账号管理: the admin creates an account (field errors at their fields, in Chinese); it signs in and changes its initial password first', async () => {
    const page = await signedIn('admin', ADMIN_PASSWORD, '县民政局管理员 · 县/局管理员');
    const panel = page.locator('[data-panel="accounts"]');
    expect(await panel.locator('tr[data-login="admin"]').count()).toBe(1);
    await panel.getByTestId('account-new').click();
    const form = panel.getByTestId('account-form');
    await form.locator('input[name="account-displayName"]').fill('王五');
    await form.locator('input[name="account-login"]').fill('wangwu');
    await form.locator('select[name="account-role"]').selectOption('VILLAGE_OPERATOR');
    await form.locator('input[name="account-area"]').fill(VILLAGE);
    await form.locator('input[name="account-phone"]').fill('0827-7221234');
    await form.locator('input[name="account-password"]').fill('short');
    await form.getByRole('button', { name: '新建' }).click();
    // The server's rule, at the password field, in Chinese; nothing created.
    const passwordError = form.locator('[data-error-for="password"]');
    await expect.poll(() => passwordError.textContent(), { timeout: 10_000 }).toMatch(/[\u4e00-\u9fff]/);
    expect(await passwordError.textContent()).not.toMatch(/[A-Za-z]{4}/);
    expect(await app.rows('select 1 from account where login = ?', ['wangwu'])).toEqual([]);

    await form.locator('input[name="account-password"]').fill('Initial-2026');
    await form.getByRole('button', { name: '新建' }).click();
    await panel.locator('tr[data-login="wangwu"]').waitFor({ timeout: 10_000 });
    expect(await panel.locator('tr[data-login="wangwu"]').textContent()).toContain('待改密码');
    await page.context().close();

    // The new account signs in, is asked for a new password before any panel loads, then sees its village.
    const own = await newPage();
    await own.goto(`${base}/`);
    await signIn(own, 'wangwu', 'Initial-2026');
    const change = own.getByTestId('change-password-form');
    await change.waitFor({ timeout: 15_000 });
    expect(await own.locator('section.panel').count()).toBe(0);
    await change.locator('input[name="currentPassword"]').fill('Initial-2026');
    await change.locator('input[name="newPassword"]').fill('Wangwu-own-2026');
    await change.locator('input[name="newPasswordAgain"]').fill('Wangwu-own-2026');
    await change.getByRole('button', { name: '修改密码' }).click();
    await expect.poll(() => own.getByTestId('viewer').textContent(), { timeout: 20_000 }).toBe('王五 · 村/社区');
    expect((await app.rows<{ must_change_password: boolean }>('select must_change_password from account where login = ?', ['wangwu']))[0]).toEqual({
      must_change_password: false,
    });
    await own.context().close();
  }, 90_000);

  it('账号管理: edits an account (a field error at its field first), disables and enables it, resets its password', async () => {
    const account = await villageAccount();
    const page = await signedIn('admin', ADMIN_PASSWORD, '县民政局管理员 · 县/局管理员');
    const panel = page.locator('[data-panel="accounts"]');
    const row = panel.locator(`tr[data-login="${account.login}"]`);
    await row.waitFor({ timeout: 10_000 });

    await row.getByRole('button', { name: '编辑' }).click();
    const form = panel.getByTestId('account-form');
    // An area outside the county: the server's field error, at the area field, in Chinese; nothing changed.
    await form.locator('input[name="account-area"]').fill('511922');
    await form.locator('input[name="account-phone"]').fill('0827-1234567');
    await form.getByRole('button', { name: '保存' }).click();
    const areaError = form.locator('[data-error-for="area"]');
    await expect.poll(() => areaError.textContent(), { timeout: 10_000 }).toMatch(/[\u4e00-\u9fff]/);
    expect((await app.rows<{ phone: string | null }>('select phone from account where login = ?', [account.login]))[0].phone).toBeNull();

    await form.locator('input[name="account-area"]').fill(VILLAGE);
    await form.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('0827-1234567');

    await row.getByRole('button', { name: '停用' }).click();
    await expect.poll(() => row.getAttribute('data-disabled'), { timeout: 10_000 }).toBe('true');
    expect(await row.textContent()).toContain('已停用');
    await row.getByRole('button', { name: '启用' }).click();
    await expect.poll(() => row.getAttribute('data-disabled'), { timeout: 10_000 }).toBe('false');

    await row.getByRole('button', { name: '重置密码' }).click();
    const reset = panel.getByTestId('account-reset-form');
    await reset.locator('input[name="account-newPassword"]').fill('Reset-pass-2026');
    await reset.getByRole('button', { name: '重置' }).click();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('待改密码');
    expect((await mutate('signIn', 'SignInInput', { login: account.login, password: 'Reset-pass-2026' }, 'account { mustChangePassword }')).account).toEqual({
      mustChangePassword: true,
    });
    await page.context().close();
  }, 90_000);

  it('the sign-in page on a phone (390×844): one column, 44 px targets, text of at least 12 px', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await page.goto(`${base}/`);
    await page.getByTestId('signin-form').waitFor({ timeout: 15_000 });
    const layout = await page.evaluate<Layout>(LAYOUT);
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.width);
    for (const control of layout.controls) {
      expect(control.height, String(control.name)).toBeGreaterThanOrEqual(44);
      expect(control.right, String(control.name)).toBeLessThanOrEqual(390);
    }
    // The login, the password and 登录 stand in one column, one under the other, at the same left edge.
    const column = layout.controls.filter((c) => c.name === 'login' || c.name === 'password' || c.name === '登录');
    expect(new Set(column.map((c) => Math.round(c.left))).size).toBe(1);
    expect(layout.smallest).toBeGreaterThanOrEqual(12);
    await page.context().close();
  }, 30_000);

  afterAll(() => {
    // No address any page was at ever held a token (but the old-style link itself, which the page dropped at once).
    for (const address of addresses.filter((address) => address !== link)) {
      expect(address).not.toContain('token=');
      for (const token of tokensSeen) expect(address).not.toContain(token);
    }
    expect(pageErrors).toEqual([]);
  });
});
