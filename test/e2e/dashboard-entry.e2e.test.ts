import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/feature.js';
import { civgraph } from '../../src/features.js';
import { webAssetsDir } from '../../src/server/web.js';
import {
  EntryExpectedAreaDocument,
  EntryExpectedObservationsDocument,
  EntryExpectedProjectsDocument,
  EntryExpectedTasksDocument,
  EntryExpectedVillagesDocument,
  EntryReportExpectedDocument,
  EntryReviewPeriodDocument,
  EntrySubmitPeriodDocument,
} from '../graphql/generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { launchChromium, withDeveloperToken } from '../support/dashboard.js';

/**
 * Data entry on the dashboard (统计填报, 进度填报) in Debian's chromium, against a
 * civgraph with the demo data: which forms each role is offered, a village's
 * figure entered and shown, bad values answered next to their field with nothing
 * written (checked in the database), and section staff recording progress on
 * their own section's task and project while another section's are not offered.
 */

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`dashboard-entry.e2e: SKIPPED — ${CHROMIUM} is absent (apt-get install -y chromium; .ci/run installs it)`);

const SCREENSHOTS = new URL('../screenshots/', import.meta.url);
// `UPDATE_DOCS_SCREENSHOT=1` also refreshes the screenshots docs/domain/dashboard.md shows.
const DOCS_SCREENSHOT = new URL('../../docs/dashboard-entry.png', import.meta.url);
const DOCS_WORK_SCREENSHOT = new URL('../../docs/dashboard-entry-work.png', import.meta.url);
const COUNTY = '511921';
const SECTION = '儿童福利股';
const OTHER_SECTION_TASK = '硬化大墓、活人墓整治'; // 社会事务股's, in the demo

const pad = (n: number) => String(n).padStart(2, '0');
const now = new Date();
const TODAY = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
const THIS_MONTH = TODAY.slice(0, 7);
const PREVIOUS_MONTH = (() => {
  const d = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
})();
const zh = (value: number | string) => new Intl.NumberFormat('zh-CN').format(Number(value));

// A browser test takes several page loads and reads: 90 s each, for a loaded 2-core CI machine.
describe.skipIf(!HAS_CHROMIUM)('dashboard data entry in chromium', { timeout: 90_000 }, () => {
  let app: TestApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  const pageErrors: string[] = [];
  const offHost: string[] = [];
  let township: { code: string; shortName: string };
  let village: { code: string; shortName: string };
  const tokens: Record<string, string> = {};

  const count = async (table: string) => (await app.rows<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n;

  /** A page signed in with a token, at an area (default: the token's own), once every panel has settled. */
  async function open(token: string, area?: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await withDeveloperToken(page, token);
    await page.goto(`${base}/${area ? `?area=${area}` : ''}`);
    await page.locator('[data-panel="stats"][data-ready]').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('section.panel[data-panel]:not([data-panel="children"]):not([data-ready])').count(), { timeout: 20_000 }).toBe(0);
    return page;
  }

  const options = (page: Page, name: string) =>
    page.locator(`select[name="${name}"] option`).evaluateAll((items) => items.map((o) => ({ value: o.getAttribute('value'), text: o.textContent })));

  beforeAll(async () => {
    if (!webAssetsDir()) throw new Error('dist/web is not built: run `npm run build:web` (`npm test` builds first)');
    app = await startTestApp();
    await seedDemo(app.orm, '511921000000', civgraph);
    base = app.url.replace(/\/graphql$/, '');
    const admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '县民政局管理员' });
    // 两河口镇: in the demo it has an assignment of 儿童福利股's task and projects of its own.
    const found = (await app.query(EntryExpectedAreaDocument, { name: '两河口镇' }, { token: admin })).areas.nodes.find((a) => a.level === 'TOWNSHIP')!;
    township = { code: found.code, shortName: found.shortName };
    village = (await app.query(EntryExpectedVillagesDocument, { code: township.code }, { token: admin })).area!.descendants.nodes[0]!;
    tokens.COUNTY_ADMIN = admin;
    tokens.VIEWER = await app.token('VIEWER', COUNTY, { name: '县领导' });
    tokens.SECTION_STAFF = await app.token('SECTION_STAFF', COUNTY, { name: '儿童福利股 李娜', section: SECTION });
    tokens.TOWNSHIP_OPERATOR = await app.token('TOWNSHIP_OPERATOR', township.code.slice(0, 9), { name: '两河口镇民政办' });
    tokens.VILLAGE_OPERATOR = await app.token('VILLAGE_OPERATOR', village.code, { name: `${village.shortName}报送员` });
    browser = await launchChromium(CHROMIUM);
    context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' });
    await context.route('**/*', (route) => {
      const { hostname, protocol } = new URL(route.request().url());
      if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:' || hostname === '127.0.0.1' || hostname === 'localhost')
        return route.continue();
      offHost.push(route.request().url());
      return route.abort('blockedbyclient');
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('offers each role only the forms it may use: none to a viewer, one village to its operator, a township its villages, a section its own tasks and projects', async () => {
    const admin = tokens.COUNTY_ADMIN;
    // VIEWER: the dashboard reads, but no form at all.
    const viewer = await open(tokens.VIEWER);
    expect(await viewer.locator('[data-panel="entry-stats"], [data-panel="entry-work"], form').count()).toBe(0);
    expect(await viewer.locator('[data-panel="stats"] .figure').count()).toBeGreaterThan(0);
    await viewer.close();

    // VILLAGE_OPERATOR: their own village only, no progress forms.
    const villageOp = await open(tokens.VILLAGE_OPERATOR);
    expect(await options(villageOp, 'village')).toEqual([{ value: village.code, text: village.shortName }]);
    expect(await villageOp.locator('[data-panel="entry-work"]').count()).toBe(0);
    await villageOp.close();

    // TOWNSHIP_OPERATOR: every village of the township; the tasks' assignments and projects inside it.
    const townshipOp = await open(tokens.TOWNSHIP_OPERATOR);
    const villages = (await app.query(EntryExpectedVillagesDocument, { code: township.code }, { token: tokens.TOWNSHIP_OPERATOR })).area!.descendants.nodes;
    expect(villages.length).toBeGreaterThan(1);
    expect(await options(townshipOp, 'village')).toEqual(villages.map((v) => ({ value: v.code, text: v.shortName })));
    const townTasks = (await app.query(EntryExpectedTasksDocument, { code: township.code }, { token: tokens.TOWNSHIP_OPERATOR })).area!.tasks.nodes;
    expect(townTasks.length).toBeGreaterThan(0);
    expect((await options(townshipOp, 'task')).map((o) => o.value)).toEqual(townTasks.map((t) => t.id));
    const rows = await townshipOp.locator('[data-panel="entry-work"] [data-assignment]').evaluateAll((items) => items.map((i) => i.textContent));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toContain(township.shortName);
    const townProjects = (
      await app.query(EntryExpectedProjectsDocument, { code: township.code }, { token: tokens.TOWNSHIP_OPERATOR })
    ).area!.projects.nodes.filter((p) => p.status !== 'COMPLETED');
    expect(townProjects.length).toBeGreaterThan(0);
    expect((await options(townshipOp, 'project')).map((o) => o.value)).toEqual(townProjects.map((p) => p.id));
    await townshipOp.close();

    // SECTION_STAFF: no statistics form; their section's tasks and projects only, across the county.
    const staff = await open(tokens.SECTION_STAFF);
    expect(await staff.locator('[data-panel="entry-stats"]').count()).toBe(0);
    const ownTasks = (await app.query(EntryExpectedTasksDocument, { code: COUNTY, ownerSection: SECTION }, { token: admin })).area!.tasks.nodes;
    const allTasks = (await app.query(EntryExpectedTasksDocument, { code: COUNTY }, { token: admin })).area!.tasks.nodes;
    expect(ownTasks.length).toBeGreaterThan(0);
    expect(allTasks.some((t) => t.title === OTHER_SECTION_TASK && t.ownerSection !== SECTION)).toBe(true);
    const staffTasks = await options(staff, 'task');
    expect(staffTasks.map((o) => o.value)).toEqual(ownTasks.map((t) => t.id));
    expect(staffTasks.map((o) => o.text).join()).not.toContain(OTHER_SECTION_TASK);
    const ownProjects = (await app.query(EntryExpectedProjectsDocument, { code: COUNTY, ownerSection: SECTION }, { token: admin })).area!.projects.nodes.filter(
      (p) => p.status !== 'COMPLETED',
    );
    const allProjects = (await app.query(EntryExpectedProjectsDocument, { code: COUNTY }, { token: admin })).area!.projects.nodes.filter(
      (p) => p.status !== 'COMPLETED',
    );
    expect(ownProjects.length).toBeGreaterThan(0);
    expect(allProjects.length).toBeGreaterThan(ownProjects.length);
    const staffProjects = await options(staff, 'project');
    expect(staffProjects.map((o) => o.value)).toEqual(ownProjects.map((p) => p.id));
    for (const project of staffProjects) expect(project.text).toContain(SECTION);
    await staff.close();

    // COUNTY_ADMIN: both forms; at the county a township is chosen first; every task and open project.
    const county = await open(admin);
    const townships = await options(county, 'township');
    expect(townships).toHaveLength(34); // 「请选择乡镇（街道）」 and the 33 townships
    expect((await options(county, 'task')).map((o) => o.value)).toEqual(allTasks.map((t) => t.id));
    expect((await options(county, 'project')).map((o) => o.value)).toEqual(allProjects.map((p) => p.id));
    await county.locator('select[name="township"]').selectOption(township.code);
    await expect.poll(() => options(county, 'village'), { timeout: 10_000 }).toEqual(villages.map((v) => ({ value: v.code, text: v.shortName })));
    await county.close();
  });

  it("lets a village operator enter a month's figure, which the stats panel and the live feed then show", async () => {
    const before = (await app.query(EntryExpectedObservationsDocument, { code: village.code, period: THIS_MONTH }, { token: tokens.COUNTY_ADMIN })).area!;
    expect(before.approval?.locked ?? false).toBe(false);
    const elderly = before.observations.find((o) => o.indicator.code === 'ELDERLY_60_PLUS')!;
    const next = elderly.persons! + 7;

    const page = await open(tokens.VILLAGE_OPERATOR);
    await page.locator('[data-panel="live"] .live-status[data-state="live"]').waitFor({ timeout: 10_000 });
    const shown = page.locator('[data-panel="stats"] [data-indicator="ELDERLY_60_PLUS"] .figure-value');
    expect(await shown.textContent()).toBe(`${zh(elderly.persons!)}人`);
    expect(await page.locator('select[name="period"]').inputValue()).toBe(THIS_MONTH);
    expect(await page.locator('[data-current="ELDERLY_60_PLUS"]').textContent()).toContain(zh(elderly.persons!));

    await page.locator('input[name="value-ELDERLY_60_PLUS"]').fill(String(next));
    await page.getByTestId('entry-stats-form').getByRole('button', { name: '上报' }).click();
    await expect.poll(() => page.getByTestId('entry-stats-message').textContent(), { timeout: 10_000 }).toBe(`已保存 1 项（${THIS_MONTH}）`);
    await expect.poll(() => shown.textContent(), { timeout: 5_000 }).toBe(`${zh(next)}人`);
    expect(await page.locator('[data-current="ELDERLY_60_PLUS"]').textContent()).toContain(`${zh(next)}人 已报`);
    expect(await page.locator('[data-error-for]:not(:empty)').count()).toBe(0);
    // The live feed got the report's event.
    await expect.poll(() => page.locator('[data-panel="live"] .feed').textContent(), { timeout: 5_000 }).toContain(`${THIS_MONTH} 上报 1 项指标`);

    const after = (await app.query(EntryExpectedObservationsDocument, { code: village.code, period: THIS_MONTH }, { token: tokens.COUNTY_ADMIN })).area!;
    const stored = after.observations.find((o) => o.indicator.code === 'ELDERLY_60_PLUS')!;
    expect(stored).toMatchObject({ persons: next, source: 'REPORT', version: elderly.version + 1 });
    // The other figures were left alone.
    expect(after.observations.filter((o) => o.indicator.code !== 'ELDERLY_60_PLUS')).toEqual(
      before.observations.filter((o) => o.indicator.code !== 'ELDERLY_60_PLUS'),
    );
    await page.close();
  });

  it('shows a negative figure, a non-number, a stale version and a locked month next to their field, and writes nothing', async () => {
    const snapshot = async (period: string) => ({
      observations: (await app.query(EntryExpectedObservationsDocument, { code: village.code, period }, { token: tokens.COUNTY_ADMIN })).area!.observations,
      changes: await count('observation_change'),
      events: await count('progress_update'),
    });
    const page = await open(tokens.TOWNSHIP_OPERATOR);
    await page.locator('select[name="village"]').selectOption(village.code);
    await expect.poll(() => page.locator('[data-current="ELDERLY_60_PLUS"]').textContent(), { timeout: 10_000 }).toMatch(/\d人/);
    const before = await snapshot(THIS_MONTH);

    // A negative person count and money that is not a number, in one report: both fields say so, nothing is written.
    await page.locator('input[name="value-ELDERLY_60_PLUS"]').fill('-5');
    await page.locator('input[name="value-ASSISTANCE_FUNDS_YUAN"]').fill('一千元');
    await page.getByTestId('entry-stats-form').getByRole('button', { name: '上报' }).click();
    const error = (key: string) => page.locator(`[data-error-for="${key}"]`);
    // In Chinese, with the indicator's Chinese name: no code, no English (the server's messageZh; docs/api.md, Errors).
    await expect.poll(() => error('value-ELDERLY_60_PLUS').textContent(), { timeout: 10_000 }).toBe('「60岁以上老年人」不能为负数');
    expect(await error('value-ASSISTANCE_FUNDS_YUAN').textContent()).toBe('「救助资金」是金额（元），请填写最多两位小数的数字，如 1250.50');
    // Next to its field: in the same table cell as the input, which is marked invalid.
    expect(
      await page
        .locator('td.entry-input', { has: page.locator('input[name="value-ELDERLY_60_PLUS"]') })
        .locator('.field-error')
        .textContent(),
    ).toContain('不能为负数');
    expect(await page.locator('input[name="value-ELDERLY_60_PLUS"]').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('input[name="value-DIBAO_RURAL"]').getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByTestId('entry-stats-message').textContent()).toBe('');
    expect(await snapshot(THIS_MONTH)).toEqual(before);

    // Someone else changes the figure after the form was read: the stale version is a conflict at that field.
    const elderly = before.observations.find((o) => o.indicator.code === 'ELDERLY_60_PLUS')!;
    const other = await app.query(
      EntryReportExpectedDocument,
      { input: { area: village.code, period: THIS_MONTH, values: [{ indicator: 'ELDERLY_60_PLUS', value: String(elderly.persons! + 1) }] } },
      { token: tokens.COUNTY_ADMIN },
    );
    expect(other.reportObservations.userErrors).toEqual([]);
    const beforeConflict = await snapshot(THIS_MONTH);
    await page.locator('input[name="value-ELDERLY_60_PLUS"]').fill('300');
    await page.locator('input[name="value-ASSISTANCE_FUNDS_YUAN"]').fill('');
    await page.getByTestId('entry-stats-form').getByRole('button', { name: '上报' }).click();
    await expect.poll(() => error('value-ELDERLY_60_PLUS').textContent(), { timeout: 10_000 }).toBe('「60岁以上老年人」已被他人修改，请刷新后重新填报');
    expect(await error('value-ASSISTANCE_FUNDS_YUAN').textContent()).toBe('');
    expect(await snapshot(THIS_MONTH)).toEqual(beforeConflict);

    // The county approves the township's previous month: reporting it is LOCKED, shown at the month.
    const submitted = await app.query(
      EntrySubmitPeriodDocument,
      { input: { area: township.code, period: PREVIOUS_MONTH } },
      { token: tokens.TOWNSHIP_OPERATOR },
    );
    expect(submitted.submitReportingPeriod.userErrors).toEqual([]);
    const approved = await app.query(
      EntryReviewPeriodDocument,
      { input: { area: township.code, period: PREVIOUS_MONTH, decision: 'APPROVE' } },
      { token: tokens.COUNTY_ADMIN },
    );
    expect(approved.reviewReportingPeriod.approval).toMatchObject({ status: 'APPROVED', locked: true });
    const beforeLocked = await snapshot(PREVIOUS_MONTH);
    await page.locator('select[name="period"]').selectOption(PREVIOUS_MONTH);
    await expect.poll(() => page.getByTestId('entry-lock').textContent(), { timeout: 10_000 }).toContain('已审核锁定');
    await page.locator('input[name="value-ELDERLY_60_PLUS"]').fill('100');
    await page.getByTestId('entry-stats-form').getByRole('button', { name: '上报' }).click();
    await expect.poll(() => error('period').textContent(), { timeout: 10_000 }).toBe(`${PREVIOUS_MONTH} 已审核锁定，需县里重新开放后才能修改`);
    expect(await page.locator('select[name="period"]').getAttribute('aria-invalid')).toBe('true');
    expect(await error('value-ELDERLY_60_PLUS').textContent()).toBe('');
    expect(await snapshot(PREVIOUS_MONTH)).toEqual(beforeLocked);

    // Nothing written and a field error showing: the form as docs/domain/dashboard.md shows it.
    await page.locator('select[name="period"]').selectOption(THIS_MONTH);
    await expect.poll(() => page.getByTestId('entry-lock').textContent(), { timeout: 10_000 }).toBe('');
    await page.locator('input[name="value-ELDERLY_60_PLUS"]').fill('-5');
    await page.locator('input[name="value-DIBAO_RURAL"]').fill('12');
    await page.getByTestId('entry-stats-form').getByRole('button', { name: '上报' }).click();
    await expect.poll(() => error('value-ELDERLY_60_PLUS').textContent(), { timeout: 10_000 }).toContain('不能为负数');
    await mkdir(SCREENSHOTS, { recursive: true });
    const shot = new URL('dashboard-entry.png', SCREENSHOTS).pathname;
    // The figures and the form below them, in page coordinates: from the 关键指标 panel to the end of the form.
    const box = (panel: string) =>
      page.locator(`[data-panel="${panel}"]`).evaluate((element) => {
        const rect = element.getBoundingClientRect();
        return { top: rect.top + (globalThis as unknown as { scrollY: number }).scrollY, height: rect.height };
      });
    const stats = await box('stats');
    const entry = await box('entry-stats');
    expect(stats.top).toBeLessThan(entry.top);
    await page.screenshot({
      path: shot,
      fullPage: true,
      clip: { x: 20, y: stats.top - 10, width: 1400, height: Math.ceil(entry.top + entry.height - stats.top + 20) },
    });
    if (process.env.UPDATE_DOCS_SCREENSHOT) await copyFile(shot, DOCS_SCREENSHOT);
    await page.close();
  });

  it('lets section staff record progress on their task and project, refusing bad values at the field, and the panels follow', async () => {
    const admin = tokens.COUNTY_ADMIN;
    const task = (await app.query(EntryExpectedTasksDocument, { code: COUNTY, ownerSection: SECTION }, { token: admin })).area!.tasks.nodes.find((t) =>
      t.assignments.some((a) => a.done < a.target),
    )!;
    const assignment = task.assignments.find((a) => a.done < a.target)!;
    const page = await open(tokens.SECTION_STAFF);
    await page.locator('select[name="task"]').selectOption(task.id);
    const row = page.locator(`[data-assignment="${assignment.id}"]`);
    await row.waitFor({ timeout: 5_000 });
    const taskItem = page.locator('[data-panel="tasks"] li.task', { hasText: task.title });
    expect(await taskItem.textContent()).toContain(`${zh(task.done)}/${zh(task.target)}${task.unit}`);
    const before = { progress: await count('task_progress'), events: await count('progress_update') };

    // Not a number: said at the field before anything is sent. Negative and above the target: the server's userErrors at the field.
    const done = row.locator('input[name="done"]');
    const error = row.locator('[data-error-for="done"]');
    await done.fill('两个');
    await row.getByRole('button', { name: '保存' }).click();
    expect(await error.textContent()).toBe('请输入整数（累计完成数量）');
    await done.fill('-1');
    await row.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => error.textContent(), { timeout: 10_000 }).toBe('「累计完成」填写有误');
    await done.fill(String(assignment.target + 5));
    await row.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => error.textContent(), { timeout: 10_000 }).toBe(`累计完成 ${assignment.target + 5} 超过了分解目标 ${assignment.target}`);
    expect(await done.getAttribute('aria-invalid')).toBe('true');
    expect({ progress: await count('task_progress'), events: await count('progress_update') }).toEqual(before);

    // The real entry: the assignment done; the task panel shows the new total.
    await done.fill(String(assignment.target));
    await row.getByRole('button', { name: '保存' }).click();
    await expect
      .poll(() => page.getByTestId('entry-work-message').textContent(), { timeout: 10_000 })
      .toContain(`已保存：「${task.title}」${assignment.area.shortName} 累计完成 ${assignment.target}/${assignment.target}`);
    const total = task.done + (assignment.target - assignment.done);
    await expect.poll(() => taskItem.textContent(), { timeout: 5_000 }).toContain(`${zh(total)}/${zh(task.target)}${task.unit}`);
    const stored = (await app.query(EntryExpectedTasksDocument, { code: COUNTY, ownerSection: SECTION }, { token: admin })).area!.tasks.nodes.find(
      (t) => t.id === task.id,
    )!;
    expect(stored.done).toBe(total);
    expect(stored.assignments.find((a) => a.id === assignment.id)).toMatchObject({ done: assignment.target, version: assignment.version + 1 });
    expect(await count('task_progress')).toBe(before.progress + 1);
    // The re-read form carries the new version: a second entry goes through too (no stale CONFLICT).
    expect(await page.locator(`[data-assignment="${assignment.id}"] .entry-row-head`).textContent()).toContain(`已完成 ${zh(assignment.target)}`);

    // Another section's task is not offered, neither in the list nor as a row.
    const other = (await app.query(EntryExpectedTasksDocument, { code: COUNTY }, { token: admin })).area!.tasks.nodes.find(
      (t) => t.title === OTHER_SECTION_TASK,
    )!;
    expect(await page.locator(`select[name="task"] option[value="${other.id}"]`).count()).toBe(0);
    for (const a of other.assignments) expect(await page.locator(`[data-assignment="${a.id}"]`).count()).toBe(0);

    // A project of the section: a percent above 100 is refused at the field; a real one moves the project panel's bar.
    const project = (await app.query(EntryExpectedProjectsDocument, { code: COUNTY, ownerSection: SECTION }, { token: admin })).area!.projects.nodes.find(
      (p) => p.status !== 'COMPLETED',
    )!;
    await page.locator('select[name="project"]').selectOption(project.id);
    const form = page.locator(`form[data-project="${project.id}"]`);
    const beforeProject = { events: await count('progress_update') };
    await form.locator('input[name="percent"]').fill('150');
    await form.getByRole('button', { name: '保存进度' }).click();
    await expect.poll(() => form.locator('[data-error-for="percent"]').textContent(), { timeout: 10_000 }).toBe('「完成比例」填写有误');
    expect({ events: await count('progress_update') }).toEqual(beforeProject);
    await mkdir(SCREENSHOTS, { recursive: true });
    const shot = new URL('dashboard-entry-work.png', SCREENSHOTS).pathname;
    await page.locator('[data-panel="entry-work"]').screenshot({ path: shot });
    if (process.env.UPDATE_DOCS_SCREENSHOT) await copyFile(shot, DOCS_WORK_SCREENSHOT);
    const percent = Math.min(100, (project.progressPercent ?? 0) + 10);
    await form.locator('input[name="percent"]').fill(String(percent));
    await form.getByRole('button', { name: '保存进度' }).click();
    await expect
      .poll(() => page.getByTestId('entry-work-message').textContent(), { timeout: 10_000 })
      .toBe(`已保存：${project.name} 进度 ${percent}%（截至 ${TODAY}）`);
    await expect
      .poll(() => page.locator(`[data-panel="projects"] tr[data-project="${project.id}"] .progress-fill`).getAttribute('style'), { timeout: 5_000 })
      .toBe(`width:${percent}%`);
    const storedProject = (await app.query(EntryExpectedProjectsDocument, { code: COUNTY, ownerSection: SECTION }, { token: admin })).area!.projects.nodes.find(
      (p) => p.id === project.id,
    )!;
    expect(storedProject).toMatchObject({ progressPercent: percent, progressAsOf: TODAY });

    // 推进方案: an open milestone marked done (completeMilestone with the version just re-read).
    const milestone = storedProject.milestones.find((m) => !m.doneDate)!;
    await page.locator(`form[data-project="${project.id}"] li[data-milestone="${milestone.position}"] button[data-complete]`).click();
    await expect
      .poll(() => page.getByTestId('entry-work-message').textContent(), { timeout: 10_000 })
      .toBe(`已保存：${project.name}「${milestone.name}」已完成`);
    const completed = (await app.query(EntryExpectedProjectsDocument, { code: COUNTY, ownerSection: SECTION }, { token: admin })).area!.projects.nodes.find(
      (p) => p.id === project.id,
    )!;
    const doneDate = completed.milestones.find((m) => m.position === milestone.position)!.doneDate;
    expect(doneDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await page.locator(`form[data-project="${project.id}"] li[data-milestone="${milestone.position}"]`).textContent()).toContain(
      `已于 ${doneDate} 完成`,
    );
    expect(await page.locator(`form[data-project="${project.id}"] li[data-milestone="${milestone.position}"] button`).count()).toBe(0);
    await page.close();
  });

  it('never requested another host and raised no page errors', () => {
    expect(offHost).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
