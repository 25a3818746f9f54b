import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/common/dates.js';
import { toGlobalId } from '../../src/common/global-id.js';
import { seedDemo } from '../../src/feature.js';
import { civgraph } from '../../src/features.js';
import { webAssetsDir } from '../../src/server/web.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { launchChromium, withDeveloperToken } from '../support/dashboard.js';

/**
 * 责任落实 and 延期审批 in the dashboard (issue 31 items 2 and 5), in real Chromium against the
 * demo data: a leader sees the overdue 优质粮油 plan with its 责任人 and its 挂牌督办 red; section
 * staff request an extension from the task's row (重点工作), the leader approves it in 延期审批 and
 * the deadline shown changes; a refusal keeps it, with the leader's note; a county admin may not
 * decide their own request, and reads why in Chinese.
 */

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`dashboard-chain.e2e: SKIPPED — ${CHROMIUM} is absent (apt-get install -y chromium)`);

const COUNTY = '511921';
const GRAIN = '优质粮油片区国土空间规划';
/** Another demo plan of the same section, open and without a request: the county admin's own request. */
const CITY = '产城融合片区国土空间规划';

describe.skipIf(!HAS_CHROMIUM)('责任落实 and 延期审批 in the dashboard', () => {
  let app: TestApp;
  let base: string;
  let browser: Browser;
  let grain: string;
  let grainKey: string;
  let city: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!webAssetsDir()) throw new Error('dist/web is not built: run `npm run build:web` (`npm test` builds first)');
    app = await startTestApp();
    await seedDemo(app.orm, `${COUNTY}000000`, civgraph);
    base = app.url.replace(/\/graphql$/, '');
    const keyOf = async (title: string) => (await app.rows<{ id: string }>('select id::text as id from task where title = ?', [title]))[0].id;
    grainKey = await keyOf(GRAIN);
    [grain, city] = [toGlobalId('Task', grainKey), toGlobalId('Task', await keyOf(CITY))];
    browser = await launchChromium(CHROMIUM);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** A page signed in as `role` (at the county), once every panel has been read. */
  async function open(role: 'LEADER' | 'SECTION_STAFF' | 'COUNTY_ADMIN', name: string, section?: string): Promise<Page> {
    // No service worker: every read goes to the server (dashboard-offline.e2e tests the worker).
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', serviceWorkers: 'block' });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${role}: ${error.message}`));
    await withDeveloperToken(page, await app.token(role, COUNTY, { name, section }));
    await page.goto(`${base}/`);
    await ready(page);
    return page;
  }

  async function ready(page: Page) {
    await expect.poll(() => page.locator('section.panel[data-panel]').count(), { timeout: 20_000 }).toBeGreaterThan(1);
    await expect.poll(() => page.locator('section.panel[data-panel]:not([data-panel="children"]):not([data-ready])').count(), { timeout: 30_000 }).toBe(0);
  }

  /** The deadline in force today and the original one, as the API gives them. */
  async function deadlines(task: string): Promise<{ deadline: string; originalDeadline: string }> {
    const admin = await app.token('COUNTY_ADMIN', COUNTY);
    const data = await app.query<{ task: { deadline: string; originalDeadline: string } }, { id: string }>(
      'query($id: ID!) { task(id: $id) { deadline originalDeadline } }',
      { id: task },
      { token: admin },
    );
    return data.task;
  }

  const taskRow = (page: Page, task: string) => page.locator(`[data-panel="tasks"] li[data-task="${task}"]`);

  /** 申请延期 from the task's row: the new date and the reason; the row then says it waits. */
  async function requestExtension(page: Page, task: string, to: string, reason: string) {
    const row = taskRow(page, task);
    await row.locator('button[data-action="request-extension"]').click();
    const form = row.locator('form.extension-form');
    await form.locator('input[name="newDeadline"]').fill(to);
    await form.locator('input[name="reason"]').fill(reason);
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain(`延期待审批：至 ${to}`);
  }

  it('shows a leader the overdue 优质粮油 plan with its 责任人, and its 挂牌督办 red at 签收', async () => {
    const page = await open('LEADER', '分管副县长');
    try {
      const chain = page.locator('[data-panel="chain"]');
      const item = chain.locator(`[data-chain="items"] li[data-subject="${grain}"]`);
      await expect.poll(() => item.getAttribute('data-health')).toBe('OVERDUE');
      expect(await item.locator('.chain-title').textContent()).toBe(GRAIN);
      expect(await item.textContent()).toContain('逾期');
      expect(await item.getByTestId('chain-responsible').textContent()).toBe('责任人：谢国华 · 副局长 · 县民政局');
      const supervision = chain.locator('[data-chain="supervision"] li', { hasText: GRAIN });
      expect(await supervision.getAttribute('data-due')).toBe('RED');
      expect(await supervision.locator('.chip').textContent()).toBe('红 · 已超期');
      expect(await supervision.getByTestId('chain-stage').textContent()).toBe('签收');
      expect(await supervision.textContent()).toContain('挂牌督办');
      expect(await supervision.textContent()).toContain('回复时限');
      // The demo records a 约谈 in June: another month's outcomes, read when the month is chosen.
      const outcomes = chain.locator('[data-chain="outcomes"]');
      const year = (await chain.locator('input[type="month"]').inputValue()).slice(0, 4);
      await chain.locator('input[type="month"]').fill(`${year}-06`);
      await expect.poll(() => outcomes.locator('li[data-outcome="INTERVIEW"]').count(), { timeout: 15_000 }).toBe(1);
      expect(await outcomes.locator('li').first().textContent()).toContain('约谈');
      // A leader decides but never requests: no 申请延期 on the task rows.
      expect(await page.locator('[data-panel="tasks"] button[data-action="request-extension"]').count()).toBe(0);
    } finally {
      await page.context().close();
    }
  }, 90_000);

  it('says what it read when a section is empty', async () => {
    const page = await open('COUNTY_ADMIN', '县民政局管理员');
    try {
      const chain = page.locator('[data-panel="chain"]');
      const year = (await chain.locator('input[type="month"]').inputValue()).slice(0, 4);
      await chain.locator('input[type="month"]').fill(`${year}-01`);
      await expect.poll(() => chain.locator('[data-empty="outcomes"]').textContent(), { timeout: 15_000 }).toBe(`通江县 ${year}-01：本月无问责记录`);
    } finally {
      await page.context().close();
    }
  }, 90_000);

  it('section staff request an extension from the task row; the leader approves it in 延期审批 and the deadline shown changes', async () => {
    const before = await deadlines(grain);
    const to = addDays(before.deadline, 60);
    const staff = await open('SECTION_STAFF', '区划地名股 周', '区划地名股');
    try {
      await requestExtension(staff, grain, to, '规划编制需待上级批复');
    } finally {
      await staff.context().close();
    }
    const leader = await open('LEADER', '分管副县长');
    try {
      const request = leader.locator(`[data-panel="extensions"] li[data-item="${grain}"]`);
      expect(await request.textContent()).toContain(GRAIN);
      expect(await request.textContent()).toContain(`原期限 ${before.deadline} → 申请延期至 ${to}`);
      expect(await request.textContent()).toContain('规划编制需待上级批复');
      await request.locator('input[name="note"]').fill('同意，按新期限完成');
      await request.locator('button[data-decide="approve"]').click();
      await expect.poll(() => leader.getByTestId('extension-message').textContent(), { timeout: 15_000 }).toBe(`已批准「${GRAIN}」延期至 ${to}`);
      // The task's row (read again after the decision) shows the new deadline and the original.
      await expect.poll(() => taskRow(leader, grain).getByTestId('task-deadline').textContent(), { timeout: 15_000 }).toBe(`截止 ${to}`);
      expect(await taskRow(leader, grain).textContent()).toContain(`原定 ${before.originalDeadline}`);
      expect(await leader.locator(`[data-panel="extensions"] li[data-item="${grain}"]`).count()).toBe(0);
      expect((await deadlines(grain)).deadline).toBe(to);
      const [row] = await app.rows<{ state: string; note: string; decided_by_name: string }>(
        `select state, note, decided_by_name from deadline_extension where item_id = ? order by id desc limit 1`,
        [grainKey],
      );
      expect(row).toEqual({ state: 'APPROVED', note: '同意，按新期限完成', decided_by_name: '分管副县长' });
    } finally {
      await leader.context().close();
    }
  }, 120_000);

  it('a refusal keeps the deadline, with the leader’s note', async () => {
    const before = await deadlines(grain);
    const staff = await open('SECTION_STAFF', '区划地名股 周', '区划地名股');
    try {
      await requestExtension(staff, grain, addDays(before.deadline, 30), '再申请延期一个月');
    } finally {
      await staff.context().close();
    }
    const leader = await open('LEADER', '分管副县长');
    try {
      const request = leader.locator(`[data-panel="extensions"] li[data-item="${grain}"]`);
      await request.locator('input[name="note"]').fill('理由不充分，按期完成');
      await request.locator('button[data-decide="refuse"]').click();
      await expect
        .poll(() => leader.getByTestId('extension-message').textContent(), { timeout: 15_000 })
        .toBe(`已不予批准「${GRAIN}」的延期申请（期限仍为 ${before.deadline}）`);
      expect(await taskRow(leader, grain).getByTestId('task-deadline').textContent()).toBe(`截止 ${before.deadline}`);
      expect((await deadlines(grain)).deadline).toBe(before.deadline);
      const [row] = await app.rows<{ state: string; note: string }>(
        `select state, note from deadline_extension where state <> 'PENDING' order by id desc limit 1`,
      );
      expect(row).toEqual({ state: 'REFUSED', note: '理由不充分，按期完成' });
    } finally {
      await leader.context().close();
    }
  }, 120_000);

  it('a county admin may not decide their own request: the error shows at the request, in Chinese, and nothing is decided', async () => {
    const page = await open('COUNTY_ADMIN', '县民政局管理员');
    try {
      const before = await deadlines(city);
      await requestExtension(page, city, addDays(before.deadline, 45), '汛期影响');
      // The page reads its panels again after the request: 延期审批 lists it.
      const request = page.locator(`[data-panel="extensions"] li[data-item="${city}"]`);
      await request.waitFor({ timeout: 15_000 });
      await request.locator('button[data-decide="approve"]').click();
      const error = request.locator('[data-error-for="request"]');
      await expect.poll(() => error.textContent(), { timeout: 15_000 }).toBe('不能审批本人提出的延期申请');
      const [row] = await app.rows<{ state: string }>(`select state from deadline_extension order by id desc limit 1`);
      expect(row.state).toBe('PENDING');
      expect((await deadlines(city)).deadline).toBe(before.deadline);
    } finally {
      await page.context().close();
    }
  }, 120_000);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
