import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSheet, writeSheet, type SheetFormat } from '../../src/modules/exchange/exchange.sheet.js';
import { INDICATORS } from '../../src/modules/stats/stats.rules.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { CreateRectificationDocument, CreateTaskDocument } from '../graphql/generated/graphql.js';

const TIEFO = '511921104'; // 铁佛镇
const PINGBA = '511921104200'; // 平坝村 (铁佛镇)
const JINDOUYAN = '511921104201'; // 金斗岩村 (铁佛镇)
const MASHI = '511921105'; // 麻石镇
const PERIOD = '2026-05';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let app: TestApp;
let base: string;
let admin: string;
let township: string;
let village: string;
let viewer: string;
let mashiVillage: { code: string; name: string };
let tiefoVillages: { code: string; name: string }[];
let other: { code: string; name: string };

beforeAll(async () => {
  app = await startTestApp();
  base = app.url.replace(/\/graphql$/, '');
  admin = await app.token('COUNTY_ADMIN', '511921');
  township = await app.token('TOWNSHIP_OPERATOR', TIEFO);
  village = await app.token('VILLAGE_OPERATOR', PINGBA);
  viewer = await app.token('VIEWER', '511921');
  [mashiVillage] = await app.rows<{ code: string; name: string }>(
    `select code, name from area where code like '${MASHI}%' and level = 'VILLAGE' and valid_to is null order by code limit 1`,
  );
  tiefoVillages = await app.rows(`select code, name from area where code like '${TIEFO}%' and level = 'VILLAGE' and valid_to is null order by code`);
  other = tiefoVillages.find((v) => v.code !== PINGBA && v.code !== JINDOUYAN)!;
});
afterAll(() => app?.close());

/** Everything an import could write: "nothing written" compares these before and after. */
async function written() {
  const [counts] = await app.rows<Record<string, number>>(
    `select (select count(*)::int from observation) as observations,
            (select coalesce(sum(version), 0)::int from observation) as observationVersions,
            (select count(*)::int from observation_change) as auditRows,
            (select count(*)::int from facility) as facilities,
            (select coalesce(sum(version), 0)::int from facility) as facilityVersions,
            (select count(*)::int from progress_update) as events`,
  );
  return counts;
}

async function upload(path: string, body: Buffer, format: SheetFormat, token?: string) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': format === 'xlsx' ? XLSX : 'text/csv', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      applied: number;
      unchanged: number;
      errors: { row: number | null; column: string | null; code: string; message: string; messageEn: string }[];
    },
  };
}

async function download(path: string, token?: string) {
  const response = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, type: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
}

async function table(body: Buffer, format: SheetFormat) {
  const { sheet, problems } = await readSheet(body, format);
  expect(problems).toEqual([]);
  return sheet!;
}

const sheet = (headers: string[], data: (string | number | null)[][], format: SheetFormat = 'xlsx') =>
  writeSheet({ sheetName: 's', headers, rows: data }, format);

describe('templates', () => {
  it("observations.xlsx holds the caller's villages only, with every indicator column", async () => {
    const file = await download('/templates/observations.xlsx', township);
    expect(file.status).toBe(200);
    expect(file.type).toContain('spreadsheetml');
    const t = await table(file.body, 'xlsx');
    // Chinese headers (issue 30 item 3): the indicators' names, their codes in the header notes.
    expect(t.headers).toEqual(['区划代码', '名称', ...INDICATORS.map((i) => i.nameZh)]);
    expect(t.headers).toContain('60岁以上老年人');
    expect(t.rows.map((r) => [r.cells[0], r.cells[1]])).toEqual(tiefoVillages.map((v) => [v.code, v.name]));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file.body as unknown as ArrayBuffer);
    expect(JSON.stringify(workbook.worksheets[0].getRow(1).getCell(3).note)).toContain('ELDERLY_60_PLUS');

    const own = await table((await download('/templates/observations.csv', village)).body, 'csv');
    expect(own.rows.map((r) => r.cells[0])).toEqual([PINGBA]);
  });

  it('facilities.xlsx has the facility columns; templates need a token', async () => {
    const t = await table((await download('/templates/facilities.xlsx', township)).body, 'xlsx');
    expect(t.headers).toEqual(['名称', '类别', '区划代码', '运营模式', '状态', '床位', '在住', '运营方', '投运日期']);
    expect((await download('/templates/observations.xlsx')).status).toBe(401);
  });
});

describe('observations import', () => {
  const headers = ['区划代码', '名称', 'ELDERLY_60_PLUS', 'ORPHANS', 'ASSISTANCE_FUNDS_YUAN'];

  it('round trip: template → import → stats-table export → import again changes nothing', async () => {
    const template = await table((await download('/templates/observations.xlsx', township)).body, 'xlsx');
    const filled = template.rows.map((r, i) => {
      const cells: (string | number | null)[] = [...r.cells];
      while (cells.length < template.headers.length) cells.push(null);
      if (i < 2) {
        cells[2] = 100 + i; // ELDERLY_60_PLUS
        cells[template.headers.indexOf('救助资金(元)')] = 1250.5;
      }
      return cells;
    });
    const before = await written();
    const first = await upload(`/imports/observations?period=${PERIOD}`, await sheet(template.headers, filled), 'xlsx', township);
    expect(first).toEqual({ status: 200, body: { applied: 2, unchanged: tiefoVillages.length - 2, errors: [] } });
    const after = await written();
    expect(after.observations - before.observations).toBe(4);
    expect(after.events - before.events).toBe(2);
    const stored = await app.rows<{ area_code: string; indicator: string; value: string }>(
      `select area_code, indicator, value::text as value from observation where period_month = '2026-05-01' and area_code like '${TIEFO}%' order by area_code, indicator`,
    );
    expect(stored).toEqual([
      { area_code: tiefoVillages[0].code, indicator: 'ASSISTANCE_FUNDS_YUAN', value: '1250.50' },
      { area_code: tiefoVillages[0].code, indicator: 'ELDERLY_60_PLUS', value: '100.00' },
      { area_code: tiefoVillages[1].code, indicator: 'ASSISTANCE_FUNDS_YUAN', value: '1250.50' },
      { area_code: tiefoVillages[1].code, indicator: 'ELDERLY_60_PLUS', value: '101.00' },
    ]);

    for (const format of ['xlsx', 'csv'] as const) {
      const exported = await download(`/exports/stats-table.${format}?parent=${TIEFO}&period=${PERIOD}`, township);
      expect(exported.status).toBe(200);
      if (format === 'csv') expect(exported.body.subarray(0, 3)).toEqual(Buffer.from('\ufeff'));
      const t = await table(exported.body, format);
      expect(t.rows.at(-1)!.cells.slice(0, 3)).toEqual(['', '合计', '201']);
      expect(t.headers.slice(2)).toEqual(INDICATORS.map((i) => i.nameZh));
      const values = Object.fromEntries(
        t.rows.slice(0, 2).map((r) => [r.cells[0], [r.cells[t.headers.indexOf('60岁以上老年人')], r.cells[t.headers.indexOf('救助资金(元)')]]]),
      );
      expect(values).toEqual({ [tiefoVillages[0].code]: ['100', '1250.5'], [tiefoVillages[1].code]: ['101', '1250.5'] });

      const again = await upload(`/imports/observations?period=${PERIOD}`, exported.body, format, township);
      expect(again).toEqual({ status: 200, body: { applied: 0, unchanged: tiefoVillages.length, errors: [] } });
      expect(await written()).toEqual(after);
    }
  });

  it('reports every bad cell by row, column and code, and writes nothing (not even the good rows)', async () => {
    const before = await written();
    const file = await sheet(headers, [
      [PINGBA, '平坝村', 7, 1, '10'], // good, but must not be written
      [JINDOUYAN, '金斗岩村', -3, 1.5, '12.345'],
      ['5119211042', 'x', 1, null, null],
      ['511921104999', '无此村', 1, null, null],
      [TIEFO, '铁佛镇', 1, null, null],
      [other.code, '错名村', 1, null, null],
      [PINGBA, '平坝村', 1, null, null],
    ]);
    const result = await upload(`/imports/observations?period=${PERIOD}`, file, 'xlsx', admin);
    expect(result.status).toBe(400);
    expect(result.body.applied).toBe(0);
    expect(result.body.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [3, 'ELDERLY_60_PLUS', 'NOT_NON_NEGATIVE_INTEGER'],
      [3, 'ORPHANS', 'NOT_NON_NEGATIVE_INTEGER'],
      [3, 'ASSISTANCE_FUNDS_YUAN', 'NOT_MONEY'],
      [4, '区划代码', 'BAD_AREA_CODE'],
      [5, '区划代码', 'UNKNOWN_AREA'],
      [6, '区划代码', 'NOT_A_VILLAGE'],
      [7, '名称', 'NAME_MISMATCH'],
      [8, '区划代码', 'DUPLICATE_ROW'],
    ]);
    expect(result.body.errors[0].message).toBe('第 3 行 ELDERLY_60_PLUS 列: 必须是非负整数,得到 "-3"');
    expect(result.body.errors[0].messageEn).toBe('Row 3, column ELDERLY_60_PLUS: must be a non-negative whole number, got "-3"');
    expect(result.body.errors[6].message).toMatch(/^第 7 行 名称 列: "错名村" 与 \d{12} 的名称 ".+" 不符$/);
    expect(await written()).toEqual(before);
  });

  it('reads the Chinese headers (also with full-width brackets) and names them in its Chinese messages', async () => {
    const before = await written();
    const result = await upload(
      `/imports/observations?period=${PERIOD}`,
      await sheet(['区划代码', '名称', '60岁以上老年人', '救助资金（元）'], [[PINGBA, '平坝村', -5, '1.234']]),
      'xlsx',
      admin,
    );
    expect(result.status).toBe(400);
    expect(result.body.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, '60岁以上老年人', 'NOT_NON_NEGATIVE_INTEGER'],
      [2, '救助资金（元）', 'NOT_MONEY'],
    ]);
    expect(result.body.errors[0].message).toBe('第 2 行 60岁以上老年人 列: 必须是非负整数,得到 "-5"');
    expect(await written()).toEqual(before);
  });

  it('refuses a bad period, a missing column, an unreadable file', async () => {
    const good = await sheet(headers, [[PINGBA, '平坝村', 7, null, null]]);
    for (const period of ['', '2026', '2026-13']) {
      const result = await upload(`/imports/observations?period=${period}`, good, 'xlsx', admin);
      expect(result.status).toBe(400);
      expect(result.body.errors[0]).toMatchObject({ row: null, column: null, code: 'BAD_PERIOD' });
    }
    const noName = await upload(
      `/imports/observations?period=${PERIOD}`,
      await sheet(['区划代码', 'ELDERLY_60_PLUS', 'WHAT'], [[PINGBA, 1, 2]]),
      'xlsx',
      admin,
    );
    expect(noName.body.errors.map((e) => e.code)).toEqual(['UNKNOWN_COLUMN', 'MISSING_COLUMN']);
    const garbage = await upload(`/imports/observations?period=${PERIOD}`, Buffer.from('PK\u0003\u0004 not a zip'), 'xlsx', admin);
    expect(garbage.body.errors[0].code).toBe('UNREADABLE_FILE');
    const huge = await upload(`/imports/observations?period=${PERIOD}`, Buffer.alloc(11 * 1024 * 1024, 'a'), 'csv', admin);
    expect(huge.status).toBe(413);
    expect(huge.body.errors[0]).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: '文件超过 10 MB,请分批导入' });
  });

  it("applies the caller's permissions: outside the subtree 403, no token 401, a viewer may not report", async () => {
    const before = await written();
    const outside = await upload(
      `/imports/observations?period=${PERIOD}`,
      await sheet(headers, [[mashiVillage.code, mashiVillage.name, 1, null, null]]),
      'xlsx',
      township,
    );
    expect(outside.status).toBe(403);
    expect(outside.body.errors[0]).toMatchObject({ row: 2, column: '区划代码', code: 'FORBIDDEN' });
    const readOnly = await upload(`/imports/observations?period=${PERIOD}`, await sheet(headers, [[PINGBA, '平坝村', 999, null, null]]), 'xlsx', viewer);
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.errors[0].code).toBe('FORBIDDEN');
    const anonymous = await fetch(`${base}/imports/observations?period=${PERIOD}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'x' });
    expect(anonymous.status).toBe(401);
    expect(await written()).toEqual(before);
  });

  it('a service refusal in a later row rolls back the rows already applied (approved period is LOCKED)', async () => {
    // Lock 麻石镇's May, then import a file whose first row (铁佛镇) is fine and whose second (麻石镇) is locked.
    await app.rows(
      `insert into reporting_approval (area_code, period, start_month, end_month, status, updated_by) values (?, '2026-05', '2026-05-01', '2026-05-01', 'APPROVED', 'test')`,
      [`${MASHI}000`],
    );
    const before = await written();
    const result = await upload(
      `/imports/observations?period=${PERIOD}`,
      await sheet(headers, [
        [JINDOUYAN, '金斗岩村', 55, null, null],
        [mashiVillage.code, mashiVillage.name, 5, null, null],
      ]),
      'xlsx',
      admin,
    );
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([expect.objectContaining({ row: 3, code: 'LOCKED' })]);
    // The service's refusal in Chinese for people (its messageZh), the English beside it.
    expect(result.body.errors[0].message).toBe('第 3 行: 2026-05 已审核锁定，需县里重新开放后才能修改');
    expect(result.body.errors[0].messageEn).toMatch(/^Row 3: 2026-05 is locked/);
    expect(await written()).toEqual(before);
  });
});

describe('facilities import', () => {
  const headers = ['名称', '类别', '区划代码', '运营模式', '状态', '床位', '在住', '运营方', '投运日期'];

  it('round trip: import → export → import changes nothing; an edited export updates and moves status', async () => {
    const before = await written();
    const file = await sheet(headers, [
      ['铁佛镇敬老院', 'NURSING_HOME', TIEFO, 'PUBLIC', 'OPERATING', 60, 40, '', '2020-03-01'],
      ['平坝村互助点', '社区养老服务综合体', PINGBA, '公建民营', '规划', 10, 0, '某养老公司', ''],
    ]);
    const first = await upload('/imports/facilities', file, 'xlsx', township);
    expect(first).toEqual({ status: 200, body: { applied: 2, unchanged: 0, errors: [] } });
    const after = await written();
    expect(after.facilities - before.facilities).toBe(2);
    expect(after.events - before.events).toBe(2);

    const exported = await download(`/exports/facilities.xlsx?area=${TIEFO}`, township);
    expect(exported.status).toBe(200);
    const t = await table(exported.body, 'xlsx');
    expect(t.headers).toEqual([...headers, '区划名称']);
    // Enum values as their Chinese labels (the import reads labels and codes alike).
    expect(t.rows.map((r) => r.cells)).toEqual([
      ['铁佛镇敬老院', '敬老院', `${TIEFO}000`, '公办公营', '投运', '60', '40', '', '2020-03-01', '铁佛镇'],
      ['平坝村互助点', '社区养老服务综合体', PINGBA, '公建民营', '规划', '10', '0', '某养老公司', '', '平坝村民委员会'],
    ]);
    const same = await upload('/imports/facilities', exported.body, 'xlsx', township);
    expect(same).toEqual({ status: 200, body: { applied: 0, unchanged: 2, errors: [] } });
    const csv = await download(`/exports/facilities.csv?area=${TIEFO}`, township);
    expect((await upload('/imports/facilities', csv.body, 'csv', township)).body).toEqual({ applied: 0, unchanged: 2, errors: [] });
    expect(await written()).toEqual(after);

    const edited = t.rows.map((r) => [...r.cells]);
    edited[1][5] = '12';
    edited[1][4] = 'UNDER_CONSTRUCTION';
    const changed = await upload('/imports/facilities', await sheet(t.headers, edited), 'xlsx', township);
    expect(changed).toEqual({ status: 200, body: { applied: 1, unchanged: 1, errors: [] } });
    const [row] = await app.rows<{ beds: number; status: string; version: number }>(`select beds, status, version from facility where name = '平坝村互助点'`);
    expect(row).toEqual({ beds: 12, status: 'UNDER_CONSTRUCTION', version: 3 });
    expect((await written()).events - after.events).toBe(2);
  });

  it('a rule broken in a later row rolls back the new facility of an earlier row', async () => {
    const before = await written();
    const result = await upload(
      '/imports/facilities',
      await sheet(headers, [
        ['金斗岩村新站', 'MINOR_PROTECTION_POINT', JINDOUYAN, 'PUBLIC', 'PLANNED', 0, 0, '', ''],
        ['超员站', 'NURSING_HOME', JINDOUYAN, 'PUBLIC', 'PLANNED', 5, 9, '', ''],
        ['铁佛镇敬老院', 'NURSING_HOME', TIEFO, 'PUBLIC', 'PLANNED', 60, 40, '', ''],
      ]),
      'xlsx',
      township,
    );
    expect(result.status).toBe(400);
    expect(result.body.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [3, '在住', 'BAD_USER_INPUT'],
      [4, '状态', 'INVALID_TRANSITION'],
    ]);
    expect(await written()).toEqual(before);
  });

  it("reports bad cells and areas outside the caller's subtree", async () => {
    const before = await written();
    const bad = await upload(
      '/imports/facilities',
      await sheet(headers, [['', '养老院', TIEFO, 'PUBLIC', 'PLANNED', 'x', 0, '', '2026/1/1']]),
      'xlsx',
      township,
    );
    expect(bad.body.errors.map((e) => [e.column, e.code])).toEqual([
      ['名称', 'REQUIRED'],
      ['类别', 'BAD_ENUM'],
      ['床位', 'NOT_NON_NEGATIVE_INTEGER'],
      ['投运日期', 'BAD_DATE'],
    ]);
    const outside = await upload(
      '/imports/facilities',
      await sheet(headers, [['麻石站', 'NURSING_HOME', MASHI, 'PUBLIC', 'PLANNED', 1, 0, '', '']]),
      'xlsx',
      township,
    );
    expect(outside.status).toBe(403);
    // Section staff read facilities across the county but do not keep their ledgers: refused before the file is read.
    const staff = await app.token('SECTION_STAFF', '511921', { section: '养老服务股' });
    const bySection = await upload(
      '/imports/facilities',
      await sheet(headers, [['麻石站', 'NURSING_HOME', MASHI, 'PUBLIC', 'PLANNED', 1, 0, '', '']]),
      'xlsx',
      staff,
    );
    expect(bySection.status).toBe(403);
    expect(bySection.body.errors.map((e) => [e.row, e.code])).toEqual([[null, 'FORBIDDEN']]);
    expect(await written()).toEqual(before);
  });
});

describe('exports', () => {
  beforeAll(async () => {
    const task = await app.query(
      CreateTaskDocument,
      {
        input: {
          title: '敬老院改造',
          category: 'ELDERLY_CARE',
          area: '511921',
          ownerSection: '养老服务股',
          target: 10,
          unit: '所',
          startDate: '2026-01-01',
          deadline: '2026-12-31',
          assignments: [{ area: TIEFO, target: 10 }],
        },
      },
      { token: admin },
    );
    expect(task.createTask.userErrors).toEqual([]);
    const rect = await app.query(
      CreateRectificationDocument,
      { input: { finding: '低保资金发放不及时', area: TIEFO, category: 'NEGLECT', responsiblePerson: '张三', deadline: '2026-06-30', openedOn: '2026-05-10' } },
      { token: admin },
    );
    expect(rect.createRectification.userErrors).toEqual([]);
  });

  it("every dashboard table downloads as .xlsx and .csv inside the caller's scope", async () => {
    const paths = [
      `/exports/stats-table.FORMAT?parent=${TIEFO}&period=${PERIOD}`,
      `/exports/facilities.FORMAT?area=${TIEFO}`,
      `/exports/tasks.FORMAT?area=${TIEFO}&asOf=2026-06-30`,
      `/exports/rectifications.FORMAT?area=${TIEFO}&asOf=2026-07-15`,
      `/exports/monthly-report.FORMAT?month=${PERIOD}&area=${TIEFO}`,
    ];
    for (const format of ['xlsx', 'csv'] as const) {
      for (const path of paths) {
        const file = await download(path.replace('FORMAT', format), township);
        expect(file.status, path).toBe(200);
        expect(file.type).toContain(format === 'xlsx' ? 'spreadsheetml' : 'text/csv');
        await table(file.body, format);
      }
    }
    const tasks = await table((await download(`/exports/tasks.xlsx?area=${TIEFO}&asOf=2026-06-30`, township)).body, 'xlsx');
    expect(tasks.rows.map((r) => [r.cells[0], r.cells[1], r.cells[4], r.cells[8]])).toEqual([['敬老院改造', '养老服务', '养老服务股', '进度滞后']]);
    const rects = await table((await download(`/exports/rectifications.csv?area=${TIEFO}&asOf=2026-07-15`, township)).body, 'csv');
    expect(rects.rows.map((r) => [r.cells[0], r.cells[1], r.cells[7], r.cells[8]])).toEqual([['低保资金发放不及时', '漠视困难群众诉求', '已交办', '是']]);
    const report = await table((await download(`/exports/monthly-report.xlsx?month=${PERIOD}&area=${TIEFO}`, township)).body, 'xlsx');
    expect(report.rows.map((r) => [r.cells[0], r.cells[2]])).toContainEqual(['新交办审计整改问题', '低保资金发放不及时']);
  });

  it('401 without a token, 403 outside the scope or for a role that may not read', async () => {
    const paths = [
      `/exports/stats-table.xlsx?parent=${MASHI}&period=${PERIOD}`,
      `/exports/facilities.xlsx?area=${MASHI}`,
      `/exports/tasks.xlsx?area=${MASHI}`,
      `/exports/rectifications.xlsx?area=${MASHI}`,
      `/exports/monthly-report.xlsx?month=${PERIOD}&area=${MASHI}`,
    ];
    for (const path of paths) {
      expect((await download(path)).status, path).toBe(401);
      expect((await download(path, township)).status, path).toBe(403);
    }
    // Village operators read their own facilities, but not the sensitive rectifications or report.
    expect((await download(`/exports/facilities.csv?area=${PINGBA}`, village)).status).toBe(200);
    expect((await download(`/exports/rectifications.csv?area=${PINGBA}`, village)).status).toBe(403);
    expect((await download(`/exports/monthly-report.csv?month=${PERIOD}&area=${PINGBA}`, village)).status).toBe(403);
    expect((await download('/exports/nothing.xlsx', admin)).status).toBe(404);
  });
});

describe('npm run civgraph -- import', () => {
  const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;
  const run = promisify(execFile);
  const cli = (args: string[]) =>
    run(process.execPath, [MAIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: app.databaseUrl, SEED_COUNTY: '511921' } }).then(
      (out) => ({ code: 0, ...out }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'civgraph-import-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.skipIf(!existsSync(MAIN))(
    'imports as the system, prints a summary; a bad file prints the report, exits 1 and writes nothing',
    async () => {
      const good = join(dir, 'obs.csv');
      await writeFile(good, await sheet(['区划代码', '名称', 'ORPHANS'], [[JINDOUYAN, '金斗岩村', 3]], 'csv'));
      const first = await cli(['import', 'observations', good, '--period', '2026-04']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain('1 row(s) applied, 0 unchanged');
      const [stored] = await app.rows<{ updated_by: string }>(`select updated_by from observation where area_code = ? and period_month = '2026-04-01'`, [
        JINDOUYAN,
      ]);
      expect(stored.updated_by).toBe('system');
      expect((await cli(['import', 'observations', good, '--period', '2026-04'])).stdout).toContain('0 row(s) applied, 1 unchanged');

      const before = await written();
      const bad = join(dir, 'bad.xlsx');
      await writeFile(
        bad,
        await sheet(['名称', '类别', '区划代码', '运营模式', '状态', '床位', '在住'], [['新站', 'NURSING_HOME', TIEFO, 'PUBLIC', 'PLANNED', 'many', 0]]),
      );
      const failed = await cli(['import', 'facilities', bad]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('第 2 行 床位 列: 必须是 0 到 100000 的整数');
      expect(await written()).toEqual(before);
    },
    60_000,
  );
});
