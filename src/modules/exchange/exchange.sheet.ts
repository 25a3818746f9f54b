import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Download } from '../../common/download.js';
import { ImportCode, MAX_IMPORT_ROWS, problem, type ImportProblem, type Sheet } from './exchange.rules.js';

/** The two spreadsheet formats civgraph reads and writes. */
export type SheetFormat = 'xlsx' | 'csv';

export const SHEET_FORMATS: readonly SheetFormat[] = ['xlsx', 'csv'];

export const CONTENT_TYPE: Record<SheetFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** A file's format from its name or content type; xlsx files are zip archives (PK…), which decides when neither says. */
export function formatOf(nameOrType: string | undefined, body?: Buffer): SheetFormat {
  const text = (nameOrType ?? '').toLowerCase();
  if (text.endsWith('.csv') || text.includes('csv')) return 'csv';
  if (text.endsWith('.xlsx') || text.includes('spreadsheetml')) return 'xlsx';
  return body && body[0] === 0x50 && body[1] === 0x4b ? 'xlsx' : 'csv';
}

/** One cell's value as trimmed text: numbers as written, dates as YYYY-MM-DD, formulas by their result. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('').trim();
    if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue);
    if ('text' in value) return String(value.text).trim();
    if ('error' in value) return String(value.error);
  }
  return String(value).trim();
}

/**
 * Reads the first worksheet of an .xlsx or .csv file with exceljs: row 1 is the
 * header; CSV cells stay text (no guessing of numbers or dates), a UTF-8 BOM is
 * dropped. Problems (unreadable, empty, too large) come back instead of a throw.
 */
export async function readSheet(body: Buffer, format: SheetFormat): Promise<{ sheet: Sheet | null; problems: ImportProblem[] }> {
  const workbook = new ExcelJS.Workbook();
  let worksheet: ExcelJS.Worksheet | undefined;
  try {
    if (format === 'xlsx') {
      await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
      worksheet = workbook.worksheets[0];
    } else {
      const text = body.toString('utf8').replace(/^\ufeff/, '');
      worksheet = await workbook.csv.read(Readable.from([text]), { map: (value: unknown) => value });
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { sheet: null, problems: [problem(null, null, ImportCode.UNREADABLE_FILE, `文件无法读取为 .${format}: ${reason}`, `the file cannot be read as .${format}: ${reason}`)] };
  }
  const rows: Sheet['rows'] = [];
  let headers: string[] | null = null;
  worksheet?.eachRow({ includeEmpty: false }, (row, number) => {
    const values = (row.values as ExcelJS.CellValue[]).slice(1);
    const cells = Array.from({ length: values.length }, (_, i) => cellText(values[i] ?? null));
    if (headers === null && number === 1) headers = cells;
    else rows.push({ row: number, cells });
  });
  if (!headers) return { sheet: null, problems: [problem(null, null, ImportCode.EMPTY_FILE, '文件没有表头行(第 1 行)', 'the file has no header row (row 1)')] };
  if (rows.length > MAX_IMPORT_ROWS) {
    return { sheet: null, problems: [problem(null, null, ImportCode.TOO_MANY_ROWS, `一次最多导入 ${MAX_IMPORT_ROWS} 行,文件有 ${rows.length} 行`, `one import takes at most ${MAX_IMPORT_ROWS} rows, the file has ${rows.length}`)] };
  }
  return { sheet: { headers, rows }, problems: [] };
}

/** A table to write: headers, rows of plain values, optional notes on header cells (xlsx only). */
export interface Table {
  sheetName: string;
  headers: string[];
  rows: (string | number | null)[][];
  notes?: (string | null)[];
}

/**
 * Writes a table as .xlsx (bold frozen header, codes kept as text) or as .csv
 * (UTF-8 with a BOM, so spreadsheet programs show the Chinese).
 */
export async function writeSheet(table: Table, format: SheetFormat): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'civgraph';
  const sheet = workbook.addWorksheet(table.sheetName.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  const header = sheet.addRow(table.headers);
  header.font = { bold: true };
  table.notes?.forEach((note, i) => {
    if (note) header.getCell(i + 1).note = note;
  });
  for (const row of table.rows) sheet.addRow(row.map((v) => v ?? null));
  table.headers.forEach((h, i) => {
    sheet.getColumn(i + 1).width = Math.min(40, Math.max(10, h.length * 2 + 2));
  });
  if (format === 'xlsx') return Buffer.from(await workbook.xlsx.writeBuffer());
  const csv = Buffer.from(await workbook.csv.writeBuffer());
  return Buffer.concat([Buffer.from('\ufeff', 'utf8'), csv]);
}

/** A table as the file `<name>.<format>` that a download sends and `civgraph export` writes. */
export async function sheetFile(table: Table, name: string, format: SheetFormat): Promise<Download> {
  return { fileName: `${name}.${format}`, contentType: CONTENT_TYPE[format], body: await writeSheet(table, format), rows: table.rows.length };
}
