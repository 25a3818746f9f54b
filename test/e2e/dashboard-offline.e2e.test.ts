import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webAssetsDir } from '../../src/server/web.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { launchChromium, withDeveloperToken } from '../support/dashboard.js';

/**
 * 离线填报 (issue 30 item 2) in Debian's chromium: a village operator opens the
 * form, the network goes away, figures are entered (待同步), the page is reloaded
 * from the service worker with the entries still there, the network returns and
 * they are sent once (已同步): the server's figures, audit rows and events equal
 * what was entered, exactly once. A queued entry whose version went stale
 * meanwhile shows 失败 with the CONFLICT reason and stays; one for a month the
 * county approved meanwhile shows 失败 with the LOCKED reason, stays and is not
 * sent again while the entries after it go out; task progress, project progress
 * and milestones go the same way; 退出登录 clears what the device kept.
 */

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`dashboard-offline.e2e: SKIPPED — ${CHROMIUM} is absent`);

const pad = (n: number) => String(n).padStart(2, '0');
const now = new Date();
const THIS_MONTH = `${now.getFullYear()}-${pad(now.getMonth() + 1)}`;
const before = new Date(now.getFullYear(), now.getMonth() - 1, 1);
const PREVIOUS_MONTH = `${before.getFullYear()}-${pad(before.getMonth() + 1)}`;
/** The page's today (tasks.ts `today()`): this machine's local date, as the browser's. */
const TODAY = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;

describe.skipIf(!HAS_CHROMIUM)('dashboard entry without a network', () => {
  let app: TestApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let village: string;
  let operator: string;
  let admin: string;
  const pageErrors: string[] = [];

  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    (await app.rows<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`, params))[0].n;
  const counts = async () => ({
    audit: await count('audit_log', `mutation = 'reportObservations'`),
    events: await count('progress_update', `subject_kind = 'OBSERVATION'`),
    changes: await count('observation_change'),
    keys: await count('idempotency_key'),
  });
  const figure = async (indicator: string) =>
    (
      await app.rows<{ value: string; version: number }>(
        `select value::text as value, version from observation where area_code = ? and indicator = ? and period_month = ?::date`,
        [village, indicator, `${THIS_MONTH}-01`],
      )
    )[0];
  const mark = (indicator: string) => page.locator(`[data-sync="${indicator}"]`);
  const input = (indicator: string) => page.locator(`input[name="value-${indicator}"]`);
  const formReady = () => input('ELDERLY_60_PLUS').waitFor({ timeout: 20_000 });

  beforeAll(async () => {
    if (!webAssetsDir()) throw new Error('dist/web is not built: run `npm run build:web`');
    app = await startTestApp();
    base = app.url.replace(/\/graphql$/, '');
    [{ code: village }] = await app.rows<{ code: string }>(`select min(code) as code from area where level = 'VILLAGE' and code like '511921104%'`);
    operator = await app.token('VILLAGE_OPERATOR', village, { name: '村报送员' });
    admin = await app.token('COUNTY_ADMIN', '511921', { name: '县民政局管理员' });
    browser = await launchChromium(CHROMIUM);
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    await withDeveloperToken(context, operator);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('keeps figures entered offline through a reload (待同步), sends them once when the network returns (已同步)', async () => {
    await page.goto(`${base}/`);
    await formReady();
    // The service worker installs on the first visit and controls the page from the next load on.
    await page.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
    await page.reload();
    await formReady();
    expect(await page.evaluate('navigator.serviceWorker.controller !== null')).toBe(true);
    expect(await page.locator('select[name="period"]').inputValue()).toBe(THIS_MONTH);

    const before = await counts();
    await context.setOffline(true);
    await input('ELDERLY_60_PLUS').fill('321');
    await input('DIBAO_RURAL').fill('12');
    await page.getByTestId('entry-stats-form').getByRole('button', { name: '上报' }).click();
    await expect.poll(() => mark('ELDERLY_60_PLUS').textContent()).toBe('待同步');
    await expect.poll(() => mark('DIBAO_RURAL').textContent()).toBe('待同步');

    // Offline reload: the page, its scripts and the form's reads come from the service worker; the entries from IndexedDB.
    await page.reload();
    await formReady();
    await expect.poll(() => mark('ELDERLY_60_PLUS').textContent()).toBe('待同步');
    expect(await input('ELDERLY_60_PLUS').inputValue()).toBe('321');
    expect(await input('DIBAO_RURAL').inputValue()).toBe('12');
    expect(await counts(), 'nothing reached the server while offline').toEqual(before);
    // What the operator sees offline at 390 px (for people reviewing the change; the assertions are above).
    await page.screenshot({ path: new URL('../screenshots/offline-village_operator.png', import.meta.url).pathname });
    await page.getByTestId('entry-stats-form').screenshot({ path: new URL('../screenshots/offline-village_operator-form.png', import.meta.url).pathname });

    await context.setOffline(false);
    await expect.poll(() => mark('ELDERLY_60_PLUS').textContent(), { timeout: 20_000 }).toBe('已同步');
    await expect.poll(() => mark('DIBAO_RURAL').textContent()).toBe('已同步');
    expect(await figure('ELDERLY_60_PLUS')).toEqual({ value: '321.00', version: 1 });
    expect(await figure('DIBAO_RURAL')).toEqual({ value: '12.00', version: 1 });
    // Exactly once: one call audited, one event, one change per figure, one key.
    expect(await counts()).toEqual({ audit: before.audit + 1, events: before.events + 1, changes: before.changes + 2, keys: before.keys + 1 });
  }, 120_000);

  it('shows 失败 with the CONFLICT reason at the field when the figure changed meanwhile, and keeps the entry', async () => {
    await page.reload();
    await formReady();
    await context.setOffline(true);
    await input('ELDERLY_60_PLUS').fill('400');
    await page.getByTestId('entry-stats-form').getByRole('button', { name: '上报' }).click();
    await expect.poll(() => mark('ELDERLY_60_PLUS').textContent()).toBe('待同步');
    // Meanwhile the county changes the same figure (version 1 → 2).
    const changed = await app.query<{ reportObservations: { userErrors: unknown[] } }, unknown>(
      'mutation($input: ReportObservationsInput!) { reportObservations(input: $input) { userErrors { code } } }',
      { input: { area: village, period: THIS_MONTH, values: [{ indicator: 'ELDERLY_60_PLUS', value: '330', version: 1 }] } },
      { token: admin },
    );
    expect(changed.reportObservations.userErrors).toEqual([]);
    const before = await counts();
    await context.setOffline(false);
    await expect.poll(() => mark('ELDERLY_60_PLUS').textContent(), { timeout: 20_000 }).toBe('失败：「60岁以上老年人」已被他人修改，请刷新后重新填报');
    expect(await figure('ELDERLY_60_PLUS')).toEqual({ value: '330.00', version: 2 });
    expect((await counts()).changes).toBe(before.changes);
    // Kept for correction: still there after a reload, what was typed in its input.
    await page.reload();
    await formReady();
    await expect.poll(() => mark('ELDERLY_60_PLUS').textContent()).toContain('失败');
    expect(await input('ELDERLY_60_PLUS').inputValue()).toBe('400');
  }, 120_000);

  it('keeps a progress entry made offline through a reload and records it once when the network returns', async () => {
    const created = await app.query<{ createTask: { task: { assignments: { id: string; area: { code: string } }[] } } }, unknown>(
      `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { assignments { id area { code } } } userErrors { message } } }`,
      {
        input: {
          title: '离线进度测试',
          category: 'SOCIAL_AFFAIRS',
          area: '511921',
          ownerSection: '社会事务股',
          target: 30,
          unit: '处',
          startDate: `${now.getFullYear()}-01-01`,
          deadline: `${now.getFullYear()}-12-31`,
          assignments: [{ area: '511921104', target: 30 }],
        },
      },
      { token: admin },
    );
    const assignment = created.createTask.task.assignments[0].id;
    const township = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    await withDeveloperToken(township, await app.token('TOWNSHIP_OPERATOR', '511921104', { name: '铁佛镇民政办' }));
    const p = await township.newPage();
    p.on('pageerror', (error) => pageErrors.push(error.message));
    const row = () => p.locator(`form[data-assignment="${assignment}"]`);
    const state = () => p.locator(`[data-sync="task-${assignment}"]`).textContent();
    await p.goto(`${base}/`);
    await row().waitFor({ timeout: 20_000 });
    await p.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
    await p.reload();
    await row().waitFor({ timeout: 20_000 });
    const before = {
      progress: await count('task_progress'),
      audit: await count('audit_log', `mutation = 'recordTaskProgress'`),
      events: await count('progress_update', `subject_kind = 'TASK_ASSIGNMENT'`),
    };

    await township.setOffline(true);
    await row().locator('input[name="done"]').fill('7');
    await row().locator('input[name="note"]').fill('离线填报');
    await row().getByRole('button', { name: '保存' }).click();
    await expect.poll(state).toBe('待同步');
    await p.reload();
    await row().waitFor({ timeout: 20_000 });
    await expect.poll(state).toBe('待同步');
    expect(await row().locator('input[name="done"]').inputValue()).toBe('7');
    expect(await count('task_progress')).toBe(before.progress);

    await township.setOffline(false);
    await expect.poll(state, { timeout: 20_000 }).toBe('已同步');
    expect(await app.rows(`select done, note from task_progress where assignment_id = (select max(assignment_id) from task_progress)`)).toEqual([
      { done: 7, note: '离线填报' },
    ]);
    expect({
      progress: await count('task_progress'),
      audit: await count('audit_log', `mutation = 'recordTaskProgress'`),
      events: await count('progress_update', `subject_kind = 'TASK_ASSIGNMENT'`),
    }).toEqual({ progress: before.progress + 1, audit: before.audit + 1, events: before.events + 1 });
    await township.close();
  }, 120_000);

  it('shows 失败 with the LOCKED reason at the field when the county approves the month before the device reconnects; keeps it, never resends it, and the later entries still go out', async () => {
    const township = village.slice(0, 9);
    const lockedRefusals = () => count('audit_log', `mutation = 'reportObservations' and outcome = 'USER_ERRORS' and 'LOCKED' = any(error_codes)`);
    const reported = () => count('audit_log', `mutation = 'reportObservations' and outcome = 'OK'`);
    const figureOf = async (indicator: string, month: string) =>
      (
        await app.rows<{ value: string }>(`select value::text as value from observation where area_code = ? and indicator = ? and period_month = ?::date`, [
          village,
          indicator,
          `${month}-01`,
        ])
      )[0]?.value ?? null;
    const period = page.locator('select[name="period"]');
    /** Chooses a month and waits until its read is in the form (the inputs enabled again). */
    const month = async (value: string) => {
      await period.selectOption(value);
      await expect.poll(() => page.getByTestId('entry-stats-form').getAttribute('aria-busy'), { timeout: 10_000 }).toBeNull();
    };
    await page.reload();
    await formReady();
    // Read online once, so the service worker has the previous month for the offline form.
    await month(PREVIOUS_MONTH);
    const lockedBefore = await figureOf('DIBAO_RURAL', PREVIOUS_MONTH);
    const start = { refusals: await lockedRefusals(), reported: await reported() };

    await context.setOffline(true);
    await input('DIBAO_RURAL').fill('21');
    await page.getByTestId('entry-stats-form').getByRole('button', { name: '上报' }).click();
    await expect.poll(() => mark('DIBAO_RURAL').textContent(), { timeout: 10_000 }).toBe('待同步');
    // A later entry, for this month (the earlier failed figure left out of it).
    await month(THIS_MONTH);
    await input('ELDERLY_60_PLUS').fill('');
    await input('DIBAO_RURAL').fill('13');
    await page.getByTestId('entry-stats-form').getByRole('button', { name: '上报' }).click();
    await expect.poll(() => mark('DIBAO_RURAL').textContent(), { timeout: 10_000 }).toBe('待同步');

    // Meanwhile the township submits the previous month (no 缺报说明 asked: threshold 0) and the county approves it (已审核, locked).
    const threshold = await app.query<{ setReportingCompletenessThreshold: { userErrors: unknown[] } }, unknown>(
      'mutation($input: SetReportingCompletenessThresholdInput!) { setReportingCompletenessThreshold(input: $input) { userErrors { code message } } }',
      { input: { county: '511921', minReportedPercent: 0 } },
      { token: admin },
    );
    expect(threshold.setReportingCompletenessThreshold.userErrors).toEqual([]);
    const submitted = await app.query<{ submitReportingPeriod: { userErrors: unknown[] } }, unknown>(
      'mutation($input: SubmitReportingPeriodInput!) { submitReportingPeriod(input: $input) { userErrors { code message } } }',
      { input: { area: township, period: PREVIOUS_MONTH } },
      { token: await app.token('TOWNSHIP_OPERATOR', township, { name: '铁佛镇民政办' }) },
    );
    expect(submitted.submitReportingPeriod.userErrors).toEqual([]);
    const approved = await app.query<{ reviewReportingPeriod: { approval: { locked: boolean } | null; userErrors: unknown[] } }, unknown>(
      'mutation($input: ReviewReportingPeriodInput!) { reviewReportingPeriod(input: $input) { approval { locked } userErrors { code message } } }',
      { input: { area: township, period: PREVIOUS_MONTH, decision: 'APPROVE' } },
      { token: admin },
    );
    expect(approved.reviewReportingPeriod.approval).toEqual({ locked: true });

    await context.setOffline(false);
    // The later entry goes out although the earlier one is refused.
    await expect.poll(() => mark('DIBAO_RURAL').textContent(), { timeout: 20_000 }).toBe('已同步');
    expect(await figureOf('DIBAO_RURAL', THIS_MONTH)).toBe('13.00');
    await month(PREVIOUS_MONTH);
    await expect.poll(() => mark('DIBAO_RURAL').textContent(), { timeout: 10_000 }).toBe(`失败：${PREVIOUS_MONTH} 已审核锁定，需县里重新开放后才能修改`);
    expect(await input('DIBAO_RURAL').inputValue(), 'kept, typed in, for correction').toBe('21');
    expect(await page.getByTestId('entry-lock').textContent()).toBe('本月已审核锁定，需县里重新开放后才能修改');
    expect(await figureOf('DIBAO_RURAL', PREVIOUS_MONTH)).toBe(lockedBefore);
    expect({ refusals: await lockedRefusals(), reported: await reported() }).toEqual({ refusals: start.refusals + 1, reported: start.reported + 1 });

    // Not retried: after a reload and another offline entry sent (the queue sends oldest first), the refusal is still the only one.
    await page.reload();
    await formReady();
    await context.setOffline(true);
    await input('ELDERLY_60_PLUS').fill('');
    await input('ORPHANS').fill('2');
    await page.getByTestId('entry-stats-form').getByRole('button', { name: '上报' }).click();
    await expect.poll(() => mark('ORPHANS').textContent(), { timeout: 10_000 }).toBe('待同步');
    await context.setOffline(false);
    await expect.poll(() => mark('ORPHANS').textContent(), { timeout: 20_000 }).toBe('已同步');
    expect({ refusals: await lockedRefusals(), reported: await reported() }).toEqual({ refusals: start.refusals + 1, reported: start.reported + 2 });
    await month(PREVIOUS_MONTH);
    await expect.poll(() => mark('DIBAO_RURAL').textContent(), { timeout: 10_000 }).toContain('已审核锁定');
    expect(await input('DIBAO_RURAL').inputValue()).toBe('21');
  }, 120_000);

  it('keeps project progress and milestones marked done offline through a reload, and records each once when the network returns', async () => {
    const created = await app.query<{ createProject: { project: { id: string; version: number } } }, unknown>(
      `mutation { createProject(input: { name: "离线项目测试", category: OTHER, area: "511921104", ownerSection: "养老服务股" }) { project { id version } } }`,
      undefined,
      { token: admin },
    );
    const project = created.createProject.project.id;
    const planned = await app.query<{ setProjectPlan: { project: { version: number }; userErrors: unknown[] } }, unknown>(
      `mutation($input: SetProjectPlanInput!) { setProjectPlan(input: $input) { project { version } userErrors { message } } }`,
      {
        input: {
          project,
          version: created.createProject.project.version,
          milestones: [
            { name: '立项批复', dueDate: `${now.getFullYear()}-03-31` },
            { name: '主体开工', dueDate: `${now.getFullYear()}-12-31` },
          ],
        },
      },
      { token: admin },
    );
    expect(planned.setProjectPlan.userErrors).toEqual([]);
    const township = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    await withDeveloperToken(township, await app.token('TOWNSHIP_OPERATOR', '511921104', { name: '铁佛镇民政办' }));
    const p = await township.newPage();
    p.on('pageerror', (error) => pageErrors.push(error.message));
    const form = () => p.locator(`form[data-project="${project}"]`);
    const milestone = (position: number) => form().locator(`li[data-milestone="${position}"]`);
    const progressState = () => p.locator(`[data-sync="project-${project}"]`).textContent();
    const milestoneState = (position: number) => p.locator(`[data-sync="milestone-${project}-${position}"]`).textContent();
    /** The project chosen in 项目进度 (after a reload the first one is). */
    const open = async () => {
      await p.locator('select[name="project"]').selectOption(project, { timeout: 20_000 });
      await form().waitFor({ timeout: 20_000 });
    };
    const stored = async () => ({
      progress: await app.rows(`select percent, note, blockers, as_of::text as "asOf" from project_progress where project_id = ? order by id`, [
        Buffer.from(project, 'base64').toString().split(':')[1],
      ]),
      project: (
        await app.rows<{ percent: number | null; version: number; done: (string | null)[] }>(
          `select progress_percent as percent, version, array(select m->>'doneDate' from jsonb_array_elements(milestones) m) as done from project where name = '离线项目测试'`,
        )
      )[0],
      audit: await count('audit_log', `mutation in ('recordProjectProgress', 'completeMilestone') and outcome = 'OK'`),
      refused: await count('audit_log', `mutation in ('recordProjectProgress', 'completeMilestone') and outcome <> 'OK'`),
      events: await count('progress_update', `subject_kind = 'PROJECT' and subject_id = ?`, [project]),
    });
    await p.goto(`${base}/`);
    await open();
    await p.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
    await p.reload();
    await open();
    const before = await stored();
    expect(before.project).toEqual({ percent: null, version: planned.setProjectPlan.project.version, done: [null, null] });

    await township.setOffline(true);
    await form().locator('input[name="percent"]').fill('35');
    await form().locator('input[name="note"]').fill('离线填报进度');
    await form().locator('input[name="blockers"]').fill('资金未到位');
    await form().getByRole('button', { name: '保存进度' }).click();
    await expect.poll(progressState, { timeout: 10_000 }).toBe('待同步');
    // Both milestones, one after the other: the second is sent with the version the first will leave.
    await milestone(1).getByRole('button', { name: '标记完成' }).click();
    await expect.poll(() => milestoneState(1), { timeout: 10_000 }).toBe('待同步');
    await milestone(2).getByRole('button', { name: '标记完成' }).click();
    await expect.poll(() => milestoneState(2), { timeout: 10_000 }).toBe('待同步');
    expect(await milestone(1).getByRole('button', { name: '标记完成' }).isHidden(), 'not marked done twice').toBe(true);

    // Offline reload: the form from the service worker's last read, the entries from IndexedDB.
    await p.reload();
    await open();
    await expect.poll(progressState, { timeout: 10_000 }).toBe('待同步');
    await expect.poll(() => milestoneState(1), { timeout: 10_000 }).toBe('待同步');
    expect(await milestoneState(2)).toBe('待同步');
    expect(await form().locator('input[name="percent"]').inputValue()).toBe('35');
    expect(await form().locator('input[name="note"]').inputValue()).toBe('离线填报进度');
    expect(await form().locator('input[name="blockers"]').inputValue()).toBe('资金未到位');
    expect(await stored(), 'nothing reached the server while offline').toEqual(before);

    await township.setOffline(false);
    await expect.poll(progressState, { timeout: 20_000 }).toBe('已同步');
    await expect.poll(() => milestone(2).textContent(), { timeout: 20_000 }).toContain(`已于 ${TODAY} 完成`);
    await expect.poll(() => milestoneState(1), { timeout: 10_000 }).toBe('已同步');
    await expect.poll(() => milestoneState(2), { timeout: 10_000 }).toBe('已同步');
    // Exactly what was entered, once: one entry, two milestones, three audited calls, three events, nothing refused.
    expect(await stored()).toEqual({
      progress: [{ percent: 35, note: '离线填报进度', blockers: '资金未到位', asOf: TODAY }],
      project: { percent: 35, version: before.project.version + 2, done: [TODAY, TODAY] },
      audit: before.audit + 3,
      refused: before.refused,
      events: before.events + 3,
    });
    expect(pageErrors).toEqual([]);
    await township.close();
  }, 120_000);

  it('退出登录 clears the kept reads and entries', async () => {
    await page.getByTestId('sign-out').click();
    await expect
      .poll(() =>
        // In the page (DOM types): the service worker's read cache, and the entries left in IndexedDB.
        page.evaluate(`(async () => {
          const names = await caches.keys();
          const db = await new Promise((resolve, reject) => {
            const request = indexedDB.open('civgraph-offline', 1);
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(new Error(String(request.error)));
          });
          const left = await new Promise((resolve) => {
            const request = db.transaction('entries').objectStore('entries').count();
            request.onsuccess = () => resolve(request.result);
          });
          db.close();
          return { reads: names.includes('civgraph-reads-v1'), entries: left };
        })()`),
      )
      .toEqual({ reads: false, entries: 0 });
    expect(pageErrors).toEqual([]);
  }, 60_000);

  describe('signed in with an account (issue 30 item 2)', () => {
    const PASSWORD = 'Village-2026!';
    let accountVillage: string;
    let made = 0;

    /** A village operator's account made through the API (its initial password already changed). */
    async function villageAccount(sameName?: string): Promise<{ id: string; login: string; name: string }> {
      const login = `offline${++made}`;
      const name = sameName ?? `离线报送员${made}`;
      const created = await app.query<{ createAccount: { account: { id: string } | null; userErrors: unknown[] } }, unknown>(
        'mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } userErrors { message } } }',
        { input: { login, displayName: name, role: 'VILLAGE_OPERATOR', area: accountVillage, password: PASSWORD } },
        { token: admin },
      );
      expect(created.createAccount.userErrors).toEqual([]);
      await app.rows('update account set must_change_password = false where login = ?', [login]);
      return { id: created.createAccount.account!.id, login, name };
    }

    /** A fresh browser profile signed in through the sign-in page, the form open and the service worker controlling it. */
    async function signedIn(login: string, before?: (p: Page) => Promise<void>): Promise<{ own: BrowserContext; p: Page }> {
      const own = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
      const p = await own.newPage();
      p.on('pageerror', (error) => pageErrors.push(error.message));
      await before?.(p);
      await p.goto(`${base}/`);
      await p.getByLabel('账号').fill(login);
      await p.getByLabel('密码').fill(PASSWORD);
      await p.getByRole('button', { name: '登录' }).click();
      const ready = () => p.locator(`input[name="value-ELDERLY_60_PLUS"]`).waitFor({ timeout: 20_000 });
      await ready();
      await p.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
      // Reloaded online: the session resumes from the refresh token, the service worker now controls the page.
      await p.reload();
      await ready();
      expect(await p.evaluate('navigator.serviceWorker.controller !== null')).toBe(true);
      return { own, p };
    }

    const accountCounts = async () => ({
      audit: await count('audit_log', `mutation = 'reportObservations'`),
      events: await count('progress_update', `subject_kind = 'OBSERVATION'`),
      changes: await count('observation_change'),
    });
    const accountFigure = async (indicator: string) =>
      (
        await app.rows<{ value: string }>(`select value::text as value from observation where area_code = ? and indicator = ? and period_month = ?::date`, [
          accountVillage,
          indicator,
          `${THIS_MONTH}-01`,
        ])
      )[0]?.value;

    beforeAll(async () => {
      [{ code: accountVillage }] = await app.rows<{ code: string }>(`select max(code) as code from area where level = 'VILLAGE' and code like '511921104%'`);
      expect(accountVillage).not.toBe(village);
      // A figure the form reads while online, and must still show after an offline reload.
      const set = await app.query<{ reportObservations: { userErrors: unknown[] } }, unknown>(
        'mutation($input: ReportObservationsInput!) { reportObservations(input: $input) { userErrors { code } } }',
        { input: { area: accountVillage, period: THIS_MONTH, values: [{ indicator: 'DIBAO_RURAL', value: '37' }] } },
        { token: admin },
      );
      expect(set.reportObservations.userErrors).toEqual([]);
    });

    it('reloads offline into the form (离线, the last-read figures), keeps an entry through another reload, renews and sends it once when the network returns', async () => {
      const account = await villageAccount();
      const { own, p } = await signedIn(account.login);
      const stats = () => p.getByTestId('entry-stats-form');
      const field = (indicator: string) => p.locator(`input[name="value-${indicator}"]`);
      const sync = (indicator: string) => p.locator(`[data-sync="${indicator}"]`);
      const ready = () => field('ELDERLY_60_PLUS').waitFor({ timeout: 20_000 });
      expect(await stats().textContent()).toContain('37人');
      const before = await accountCounts();

      // Offline reload: the renewal cannot reach the server, which is not a refused session.
      await own.setOffline(true);
      await p.reload();
      await ready();
      expect(await p.getByTestId('offline-state').textContent()).toBe('离线');
      expect(await p.getByTestId('viewer').textContent()).toContain(account.name);
      expect(await stats().textContent()).toContain('37人');
      expect(
        await p.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('civgraph.refresh')),
      ).not.toBeNull();

      await field('ELDERLY_60_PLUS').fill('246');
      await stats().getByRole('button', { name: '上报' }).click();
      await expect.poll(() => sync('ELDERLY_60_PLUS').textContent()).toBe('待同步');
      await p.reload();
      await ready();
      await expect.poll(() => sync('ELDERLY_60_PLUS').textContent()).toBe('待同步');
      expect(await field('ELDERLY_60_PLUS').inputValue()).toBe('246');
      expect(await accountCounts(), 'nothing reached the server while offline').toEqual(before);

      await own.setOffline(false);
      await expect.poll(() => sync('ELDERLY_60_PLUS').textContent(), { timeout: 20_000 }).toBe('已同步');
      expect(await p.getByTestId('offline-state').textContent()).toBe('');
      expect(await accountFigure('ELDERLY_60_PLUS')).toBe('246.00');
      expect(await accountCounts()).toEqual({ audit: before.audit + 1, events: before.events + 1, changes: before.changes + 1 });
      // The audit row names the account that entered the figure.
      const [audit] = await app.rows<{ actor_sub: string; actor_name: string }>(
        `select actor_sub, actor_name from audit_log where mutation = 'reportObservations' order by id desc limit 1`,
      );
      expect(audit.actor_name).toBe(account.name);
      expect(audit.actor_sub).toBe(`account:${Buffer.from(account.id, 'base64').toString().split(':')[1]}`);
      await own.close();
    }, 120_000);

    it('an access token that expired while offline is renewed when the network returns, then the entry goes out', async () => {
      const account = await villageAccount();
      // The page's clock is Playwright's, to pass the access token's 15 minutes.
      const { own, p } = await signedIn(account.login, (page) => page.clock.install());
      const sync = (indicator: string) => p.locator(`[data-sync="${indicator}"]`);
      const before = await accountCounts();
      await own.setOffline(true);
      await p.locator('input[name="value-DIBAO_RURAL"]').fill('8');
      await p.getByTestId('entry-stats-form').getByRole('button', { name: '上报' }).click();
      await expect.poll(() => sync('DIBAO_RURAL').textContent()).toBe('待同步');
      await p.clock.fastForward('20:00');
      expect(
        await p.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('civgraph.refresh')),
      ).not.toBeNull();

      await own.setOffline(false);
      await expect.poll(() => sync('DIBAO_RURAL').textContent(), { timeout: 20_000 }).toBe('已同步');
      expect(await accountFigure('DIBAO_RURAL')).toBe('8.00');
      expect(await accountCounts()).toEqual({ audit: before.audit + 1, events: before.events + 1, changes: before.changes + 1 });
      const [audit] = await app.rows<{ actor_name: string }>(`select actor_name from audit_log where mutation = 'reportObservations' order by id desc limit 1`);
      expect(audit.actor_name).toBe(account.name);
      expect(pageErrors).toEqual([]);
      await own.close();
    }, 120_000);

    it("another account with the same role, area and name on the same device neither sees nor sends the entry; its owner's next sign-in sends it once", async () => {
      // Same role (村报送员), same village, same display name: only the account id tells them apart.
      const a = await villageAccount('同名报送员');
      const b = await villageAccount('同名报送员');
      const own = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
      const field = (p: Page, indicator: string) => p.locator(`input[name="value-${indicator}"]`);
      const sync = (p: Page, indicator: string) => p.locator(`[data-sync="${indicator}"]`);
      const submit = (p: Page) => p.getByTestId('entry-stats-form').getByRole('button', { name: '上报' }).click();
      const signInAs = async (login: string) => {
        const p = await own.newPage();
        p.on('pageerror', (error) => pageErrors.push(error.message));
        await p.goto(`${base}/`);
        await p.getByLabel('账号').fill(login);
        await p.getByLabel('密码').fill(PASSWORD);
        await p.getByRole('button', { name: '登录' }).click();
        await field(p, 'ELDERLY_60_PLUS').waitFor({ timeout: 20_000 });
        return p;
      };
      /** Ends this page's session the way an expired one leaves the device: the session gone, the offline queue (IndexedDB) kept. */
      const endSession = async (p: Page) => {
        await p.evaluate(() => {
          const storage = (globalThis as unknown as { localStorage: { removeItem(k: string): void } }).localStorage;
          storage.removeItem('civgraph.refresh');
          storage.removeItem('civgraph.account');
        });
        await p.close();
      };
      const kept = (p: Page) =>
        p.evaluate(`(async () => {
          const db = await new Promise((resolve, reject) => {
            const request = indexedDB.open('civgraph-offline', 1);
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(new Error(String(request.error)));
          });
          const all = await new Promise((resolve) => {
            const request = db.transaction('entries').objectStore('entries').getAll();
            request.onsuccess = () => resolve(request.result);
          });
          db.close();
          return all.filter((e) => e.state === 'pending').length;
        })()`);

      // A queues an entry offline; then A's session ends on this device, the queue stays.
      const pa = await signInAs(a.login);
      const start = await accountCounts();
      const figureBefore = await accountFigure('ELDERLY_60_PLUS');
      await own.setOffline(true);
      await field(pa, 'ELDERLY_60_PLUS').fill('135');
      await submit(pa);
      await expect.poll(() => sync(pa, 'ELDERLY_60_PLUS').textContent()).toBe('待同步');
      await endSession(pa);

      // B signs in on the same device, online: no 待同步 of A's, and A's entry is not sent with B's session.
      await own.setOffline(false);
      const pb = await signInAs(b.login);
      expect(await sync(pb, 'ELDERLY_60_PLUS').textContent()).toBe('');
      expect(await field(pb, 'ELDERLY_60_PLUS').inputValue()).toBe('');
      // B's own entry made offline goes out when the network returns; the queue sends oldest first,
      // so once it is 已同步 an entry of A's that B's session would send has been sent before it.
      await own.setOffline(true);
      await field(pb, 'DIBAO_RURAL').fill('9');
      await submit(pb);
      await expect.poll(() => sync(pb, 'DIBAO_RURAL').textContent()).toBe('待同步');
      await own.setOffline(false);
      await expect.poll(() => sync(pb, 'DIBAO_RURAL').textContent(), { timeout: 20_000 }).toBe('已同步');
      expect(await sync(pb, 'ELDERLY_60_PLUS').textContent()).toBe('');
      expect(await accountCounts(), "only B's own entry reached the server").toEqual({
        audit: start.audit + 1,
        events: start.events + 1,
        changes: start.changes + 1,
      });
      expect(await accountFigure('ELDERLY_60_PLUS')).toBe(figureBefore);
      expect(await kept(pb), "A's entry is kept on the device, hidden").toBe(1);
      await endSession(pb);

      // A signs in again: the entry goes out once, in A's name.
      const pa2 = await signInAs(a.login);
      await expect.poll(() => sync(pa2, 'ELDERLY_60_PLUS').textContent(), { timeout: 20_000 }).toBe('已同步');
      expect(await accountFigure('ELDERLY_60_PLUS')).toBe('135.00');
      expect(await accountCounts()).toEqual({ audit: start.audit + 2, events: start.events + 2, changes: start.changes + 2 });
      const [audit] = await app.rows<{ actor_sub: string }>(`select actor_sub from audit_log where mutation = 'reportObservations' order by id desc limit 1`);
      expect(audit.actor_sub).toBe(`account:${Buffer.from(a.id, 'base64').toString().split(':')[1]}`);
      expect(await kept(pa2)).toBe(0);
      expect(pageErrors).toEqual([]);
      await own.close();
    }, 180_000);
  });
});
