import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { inlineCell, xlsxBomb } from '../../../test/support/zip-bomb.js';
import { ImportCode, MAX_IMPORT_ROWS, MAX_UNPACKED_BYTES } from './exchange.rules.js';
import { readSheet, writeSheet } from './exchange.sheet.js';

const table = (headers: string[], rows: (string | number | null)[][]) => ({ sheetName: 's', headers, rows });

/** Peak growth of the resident set while `work` runs, in MB, sampled every 10 ms. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; mb: number; ms: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = performance.now();
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, mb: (peak - before) / 1e6, ms: performance.now() - started };
  } finally {
    clearInterval(timer);
  }
}

describe('readSheet: xlsx', () => {
  it("reads text, numbers, dates and formula results; Chinese intact across the read's slices", async () => {
    const names = Array.from({ length: 3000 }, (_, i) => `平坝村民委员会第${i}号互助点`);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('s');
    sheet.addRow(['名称', '床位', '投运日期', '合计']);
    names.forEach((name, i) => sheet.addRow([name, i, new Date(Date.UTC(2020, 2, 1)), { formula: `B${i + 2}*2`, result: i * 2 }]));
    sheet.getColumn(3).numFmt = 'yyyy-mm-dd';
    const { sheet: read, problems } = await readSheet(Buffer.from(await workbook.xlsx.writeBuffer()), 'xlsx');
    expect(problems).toEqual([]);
    expect(read!.headers).toEqual(['名称', '床位', '投运日期', '合计']);
    expect(read!.rows.map((r) => r.cells[0])).toEqual(names);
    expect(read!.rows[7]).toEqual({ row: 9, cells: [names[7], '7', '2020-03-01', '14'] });
  });

  it('refuses a zip bomb by its unpacked size, quickly and in little memory (5,000,000 rows in about a megabyte)', async () => {
    const bomb = xlsxBomb({ header: `<row r="1">${inlineCell('A1', '区划代码')}</row>`, row: `<row r="2">${inlineCell('A2', 'x')}</row>`, times: 5_000_000 });
    expect(bomb.length).toBeLessThan(2_000_000);
    const { result, mb, ms } = await peakGrowth(() => readSheet(bomb, 'xlsx'));
    expect(result.problems.map((p) => p.code)).toEqual([ImportCode.UNPACKED_TOO_LARGE]);
    expect(result.problems[0]!.message).toBe('文件解压后超过 32 MB,一次导入读不了这么多数据,请分批导入');
    expect(mb).toBeLessThan(200);
    expect(ms).toBeLessThan(5000);
  });

  it('does not believe the size a bomb claims, and bounds huge shared strings too', async () => {
    const lying = xlsxBomb({ header: '', row: `<row r="2">${inlineCell('A2', 'x')}</row>`, times: 2_000_000, claimedSize: 1000 });
    expect((await readSheet(lying, 'xlsx')).problems.map((p) => p.code)).toEqual([ImportCode.UNPACKED_TOO_LARGE]);
    const strings = xlsxBomb({
      header: '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
      row: '',
      times: 0,
      sharedString: { text: '长'.repeat(1000), times: MAX_UNPACKED_BYTES / 3000 + 10 },
    });
    expect((await readSheet(strings, 'xlsx')).problems.map((p) => p.code)).toEqual([ImportCode.UNPACKED_TOO_LARGE]);
  });

  it('stops at the row after the last one allowed', async () => {
    const rows = (n: number) =>
      writeSheet(
        table(
          ['区划代码', '名称'],
          Array.from({ length: n }, (_, i) => [String(i), `村${i}`]),
        ),
        'xlsx',
      );
    const full = await readSheet(await rows(MAX_IMPORT_ROWS), 'xlsx');
    expect(full.problems).toEqual([]);
    expect(full.sheet!.rows).toHaveLength(MAX_IMPORT_ROWS);
    expect(full.sheet!.rows.at(-1)).toEqual({ row: MAX_IMPORT_ROWS + 1, cells: [String(MAX_IMPORT_ROWS - 1), `村${MAX_IMPORT_ROWS - 1}`] });
    expect((await readSheet(await rows(MAX_IMPORT_ROWS + 1), 'xlsx')).problems.map((p) => p.code)).toEqual([ImportCode.TOO_MANY_ROWS]);
    const header = `<row r="1">${inlineCell('A1', '区划代码')}</row>`;
    // 500,000 rows: well inside the unpacked budget, so only the row limit stops it.
    const { result, ms } = await peakGrowth(() => readSheet(xlsxBomb({ header, row: `<row r="2">${inlineCell('A2', 'x')}</row>`, times: 500_000 }), 'xlsx'));
    expect(result.problems).toEqual([
      expect.objectContaining({
        row: null,
        code: ImportCode.TOO_MANY_ROWS,
        message: `文件超过 ${MAX_IMPORT_ROWS} 行,一次最多导入 ${MAX_IMPORT_ROWS} 行,请分批导入`,
      }),
    ]);
    expect(ms).toBeLessThan(3000);
  });

  it('refuses a filled cell right of column 100 (a row of 16,384 cells costs no memory)', async () => {
    const wide = xlsxBomb({
      header: `<row r="1">${inlineCell('A1', '区划代码')}</row>`,
      row: `<row r="2">${inlineCell('A2', '1')}${inlineCell('XFD2', '1')}</row>`,
      times: 1,
    });
    expect((await readSheet(wide, 'xlsx')).problems).toEqual([
      expect.objectContaining({ row: 2, code: ImportCode.TOO_MANY_COLUMNS, message: '第 2 行: 第 16384 列有内容,导入最多读取 100 列' }),
    ]);
  });

  it('reads the first tab, as the workbook orders its sheets, not the first sheet file', async () => {
    const workbook = new ExcelJS.Workbook();
    const first = workbook.addWorksheet('a'); // xl/worksheets/sheet1.xml
    first.addRow(['from a']);
    const second = workbook.addWorksheet('b');
    second.addRow(['from b']);
    [first.orderNo, second.orderNo] = [1, 0];
    expect((await readSheet(Buffer.from(await workbook.xlsx.writeBuffer()), 'xlsx')).sheet!.headers).toEqual(['from b']);
  });

  it('answers an unreadable file and a sheet without row 1 with a problem', async () => {
    expect((await readSheet(Buffer.from('PK\u0003\u0004 not a zip'), 'xlsx')).problems[0]!.code).toBe(ImportCode.UNREADABLE_FILE);
    const headless = xlsxBomb({ header: `<row r="3">${inlineCell('A3', 'x')}</row>`, row: '', times: 0 });
    expect((await readSheet(headless, 'xlsx')).problems[0]!.code).toBe(ImportCode.EMPTY_FILE);
  });
});

describe('readSheet: csv', () => {
  const csv = (text: string) => readSheet(Buffer.from(text), 'csv');

  it('reads quotes, doubled quotes, line breaks in quotes and every line end; blank lines count as rows but are skipped', async () => {
    const { sheet, problems } = await csv('\ufeffa,b\r\n"x, y","say ""hi"""\n\n"two\nlines" ,z\rlast,\n');
    expect(problems).toEqual([]);
    expect(sheet).toEqual({
      headers: ['a', 'b'],
      rows: [
        { row: 2, cells: ['x, y', 'say "hi"'] },
        { row: 4, cells: ['two\nlines', 'z'] },
        { row: 5, cells: ['last'] },
      ],
    });
  });

  it('answers an open quote as unreadable, a filled 101st column as too many columns; empty cells beyond cost nothing', async () => {
    expect((await csv('a\n"open')).problems[0]).toMatchObject({ code: ImportCode.UNREADABLE_FILE });
    expect((await csv('a\n"x"y')).problems[0]).toMatchObject({ code: ImportCode.UNREADABLE_FILE });
    expect((await csv(`a\n${'1,'.repeat(100)}1`)).problems).toEqual([expect.objectContaining({ row: 2, code: ImportCode.TOO_MANY_COLUMNS })]);
    const commas = await csv(`a\nx${','.repeat(1_000_000)}`);
    expect(commas.problems).toEqual([]);
    expect(commas.sheet!.rows).toEqual([{ row: 2, cells: ['x'] }]);
  });

  it('names every cell holding a control character (PostgreSQL stores no NUL), by row and column', async () => {
    const { sheet, problems } = await csv('名称,运营方\na\u0000b,ok\nfine,x\u001by\n');
    expect(sheet).toBeNull();
    expect(problems).toEqual([
      expect.objectContaining({ row: 2, column: '名称', code: ImportCode.BAD_CHARACTER, message: '第 2 行 名称 列: 不能包含控制字符或无效字符,此处有 U+0000' }),
      expect.objectContaining({ row: 3, column: '运营方', code: ImportCode.BAD_CHARACTER }),
    ]);
    expect((await csv('a\tb,c\n"x\r\ny",z\n')).problems).toEqual([]); // tab, CR and LF are text
  });

  it('stops at the row after the last one allowed', async () => {
    const rows = (n: number) => csv(`a\n${'x\n'.repeat(n)}`);
    expect((await rows(MAX_IMPORT_ROWS)).sheet!.rows).toHaveLength(MAX_IMPORT_ROWS);
    expect((await rows(MAX_IMPORT_ROWS + 1)).problems.map((p) => p.code)).toEqual([ImportCode.TOO_MANY_ROWS]);
  });
});

describe('writeSheet', () => {
  const hostile = ['=HYPERLINK("http://x","点我")', '+1+2', '-3', '@SUM(A1)', '\t=1', '\r=1', "'=already", "'plain", '-'];

  it('csv: text a spreadsheet program would run gets an apostrophe; numbers stay numbers; the import reads the text back', async () => {
    const body = await writeSheet(table(['名称', '数'], [...hostile.map((text) => [text, -3]), ['a,"b"', 1.5], [null, null]]), 'csv');
    const lines = body.toString('utf8').slice(1).split('\r\n');
    expect(lines.slice(1, 11)).toEqual(
      [
        `"'=HYPERLINK(""http://x"",""点我"")",-3`,
        "'+1+2,-3",
        "'-3,-3",
        "'@SUM(A1)",
        "'\t=1,-3",
        `"'\r=1",-3`,
        "''=already,-3",
        "''plain,-3",
        "'-,-3",
        '"a,""b""",1.5',
      ].map((line, i) => (i === 3 ? `${line},-3` : line)),
    );
    expect(lines.slice(11)).toEqual([',', '']);
    // Imported again, every cell is the text that was exported (cells are trimmed, as always).
    const read = await readSheet(body, 'csv');
    expect(read.sheet!.rows.map((r) => r.cells[0])).toEqual([...hostile.map((t) => t.trim()), 'a,"b"']);
  });

  it('xlsx: text is written as text cells, never as formulas', async () => {
    const body = await writeSheet(
      table(
        ['名称'],
        hostile.map((text) => [text]),
      ),
      'xlsx',
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
    const cells = workbook.worksheets[0]!.getColumn(1).values.slice(2);
    expect(cells).toEqual(hostile.map((text) => text.replace('\r', '\n'))); // XML reads a carriage return as a line feed
    expect(workbook.worksheets[0]!.getCell('A2').type).toBe(ExcelJS.ValueType.String);
    expect(body.includes(Buffer.from('<f>'))).toBe(false);
  });
});
