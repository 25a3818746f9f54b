import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import { csvUnescape, toCsv, type Download } from '../../common/download.js';
import {
  ImportCode,
  MAX_IMPORT_COLUMNS,
  MAX_IMPORT_ROWS,
  MAX_UNPACKED_BYTES,
  MAX_UPLOAD_BYTES,
  megabytes,
  problem,
  uploadTooLarge,
  type ImportProblem,
  type Sheet,
} from './exchange.rules.js';
import { unpack, zipEntries, ZipBudgetError, type ZipEntry } from './exchange.zip.js';
import { unsafeCharacter } from '../../graphql/text-input.js';

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
    if ('richText' in value)
      return value.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if ('result' in value) return cellText(value.result ?? null);
    if ('text' in value) return String(value.text).trim();
    if ('error' in value) return String(value.error);
  }
  return String(value).trim();
}

/** Ends a read early: the problem that stopped it (too many rows or columns, no header). */
class StopRead extends Error {
  constructor(readonly problem: ImportProblem) {
    super(problem.messageEn);
  }
}

/**
 * Collects a sheet's rows as they are read, and stops the read (throws
 * {@link StopRead}) as soon as the file breaks a bound: row 1 must be the
 * header, at most {@link MAX_IMPORT_ROWS} data rows, nothing filled right of
 * column {@link MAX_IMPORT_COLUMNS}. Rows without any filled cell are skipped.
 * Cells holding a control character (as GraphQL text inputs refuse them:
 * PostgreSQL stores no NUL) are problems of their row and column.
 */
class SheetBuilder {
  headers: string[] | null = null;
  readonly rows: Sheet['rows'] = [];
  /** Cells holding a character no stored text may hold (at most {@link MAX_CHARACTER_PROBLEMS}, then the read stops). */
  readonly problems: ImportProblem[] = [];
  private last = 0;

  /** One row as read: its number in the file (null when the file does not say) and its filled cells by 1-based column. */
  add(number: number | null, cells: [column: number, text: string][]): void {
    const row = number !== null && Number.isSafeInteger(number) && number > 0 ? number : this.last + 1;
    this.last = row;
    if (!cells.length) return;
    const wide = cells.find(([column]) => column > MAX_IMPORT_COLUMNS);
    if (wide) {
      throw new StopRead(
        problem(
          row,
          null,
          ImportCode.TOO_MANY_COLUMNS,
          `第 ${wide[0]} 列有内容,导入最多读取 ${MAX_IMPORT_COLUMNS} 列`,
          `column ${wide[0]} is filled; an import reads at most ${MAX_IMPORT_COLUMNS} columns`,
        ),
      );
    }
    const texts = Array.from({ length: Math.max(...cells.map(([column]) => column)) }, () => '');
    for (const [column, text] of cells) {
      texts[column - 1] = text;
      const character = unsafeCharacter(text);
      if (character) {
        const header = this.headers?.[column - 1] || `第 ${column} 列`;
        this.problems.push(
          problem(
            row,
            header,
            ImportCode.BAD_CHARACTER,
            `不能包含控制字符或无效字符,此处有 ${character}`,
            `must not hold a control or invalid character, found ${character}`,
          ),
        );
        if (this.problems.length >= MAX_CHARACTER_PROBLEMS) throw new StopRead(this.problems.at(-1)!);
      }
    }
    if (this.headers === null) {
      if (row !== 1) throw new StopRead(problem(null, null, ImportCode.EMPTY_FILE, '文件没有表头行(第 1 行)', 'the file has no header row (row 1)'));
      this.headers = texts;
      return;
    }
    this.rows.push({ row, cells: texts });
    if (this.rows.length > MAX_IMPORT_ROWS) {
      throw new StopRead(
        problem(
          null,
          null,
          ImportCode.TOO_MANY_ROWS,
          `文件超过 ${MAX_IMPORT_ROWS} 行,一次最多导入 ${MAX_IMPORT_ROWS} 行,请分批导入`,
          `the file holds more than ${MAX_IMPORT_ROWS} rows; one import takes at most ${MAX_IMPORT_ROWS}, split it`,
        ),
      );
    }
  }
}

/** Cells with bad characters reported before the read stops: enough to fix the file, never a flood. */
const MAX_CHARACTER_PROBLEMS = 20;

/** Lets the event loop serve other requests (health checks, queries) between slices of a long read. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** UTF-8 bytes as text slices of about 64 KB, never splitting a character, with the event loop served between slices. */
async function* textSlices(bytes: Buffer): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for (let at = 0; at < bytes.length; at += 65_536) {
    const text = decoder.write(bytes.subarray(at, at + 65_536));
    yield at === 0 ? text.replace(/^\ufeff/, '') : text;
    await yieldToLoop();
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/**
 * The parts of ExcelJS's streaming reader (exceljs 4.4.0, pinned) that read
 * one part of the workbook each. They are fed text here, not the zip stream
 * the public `read()` takes: that path decodes every chunk on its own and
 * garbles a Chinese character split between two chunks, and it cannot be
 * bounded before it inflates.
 */
interface ExcelPartReader {
  _parseWorkbook(stream: Readable): Promise<void>;
  _parseStyles(stream: Readable): Promise<void>;
  _parseSharedStrings(stream: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: AsyncIterable<string>, sheetNo: string): Generator<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>;
  workbookRels?: unknown[];
}

/** The zip path of the workbook's first sheet (its first tab), from workbook.xml and its relationships; else the lowest-numbered sheet. */
function firstSheetPath(entries: Map<string, ZipEntry>, workbook: Buffer | null, rels: Buffer | null): string | null {
  const id = workbook && /<(?:\w+:)?sheet\b[^>]*?\s(?:\w+:)?id\s*=\s*"([^"]*)"/.exec(workbook.toString('utf8'))?.[1];
  if (id && rels) {
    for (const [, attributes] of rels.toString('utf8').matchAll(/<(?:\w+:)?Relationship\b([^>]*)>/g)) {
      if (/\sId\s*=\s*"([^"]*)"/.exec(attributes)?.[1] !== id) continue;
      const target = /\sTarget\s*=\s*"([^"]*)"/.exec(attributes)?.[1] ?? '';
      const path = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
      if (entries.has(path)) return path;
    }
  }
  const sheets = [...entries.keys()].filter((name) => /^xl\/worksheets\/sheet\d+\.xml$/.test(name));
  return sheets.sort((a, b) => Number(/\d+/.exec(a.slice(14))![0]) - Number(/\d+/.exec(b.slice(14))![0]))[0] ?? null;
}

/**
 * Reads the first sheet of an .xlsx into `into`, within bounds: only the
 * parts it needs are unpacked, together at most {@link MAX_UNPACKED_BYTES}
 * (throws {@link ZipBudgetError} past that), and rows are streamed out of the
 * sheet's XML one by one, so the read stops at the row after the last one
 * allowed instead of building the whole workbook first.
 */
async function readXlsx(body: Buffer, into: SheetBuilder): Promise<void> {
  const entries = zipEntries(body);
  const budget = { left: MAX_UNPACKED_BYTES };
  const part = (name: string) => {
    const entry = entries.get(name);
    return entry ? unpack(body, entry, budget) : Promise.resolve(null);
  };
  const workbook = await part('xl/workbook.xml');
  const rels = await part('xl/_rels/workbook.xml.rels');
  const sheetPath = firstSheetPath(entries, workbook, rels);
  if (!sheetPath) throw new Error('the workbook holds no worksheet');
  const styles = await part('xl/styles.xml');
  const sharedStrings = await part('xl/sharedStrings.xml');
  const sheet = (await part(sheetPath))!;

  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // number formats: which numbers are dates
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as ExcelPartReader;
  const text = (bytes: Buffer) => Readable.from(textSlices(bytes));
  await reader._parseWorkbook(text(workbook ?? Buffer.from('<workbook/>')));
  if (styles) await reader._parseStyles(text(styles));
  for await (const _ of reader._parseSharedStrings(text(sharedStrings ?? Buffer.from('<sst/>')))) {
    // 'cache': kept on the reader, nothing emitted
  }
  reader.workbookRels = []; // names are not read
  const [emitted] = [...reader._parseWorksheet(textSlices(sheet), '1')];
  for await (const row of emitted.value) {
    const cells: [number, string][] = [];
    row.eachCell({ includeEmpty: false }, (cell, column) => {
      const value = cellText(cell.value);
      if (value !== '') cells.push([column, value]);
    });
    into.add(row.number, cells);
  }
}

/** A CSV that does not parse (a quote left open, text after a closing quote). */
class CsvError extends Error {}

/**
 * The records of a CSV text (RFC 4180: comma, double quotes, `""` inside
 * quotes, CRLF, LF or CR line ends), as the cells of each record. Cells right
 * of `maxColumns` are dropped when empty and reported (as a cell at column
 * maxColumns + 1) when filled, so a line of a million commas costs no memory.
 */
function* csvRecords(text: string, maxColumns: number): Generator<[column: number, text: string][]> {
  const n = text.length;
  let i = 0;
  let record = 1;
  while (i < n) {
    const cells: [number, string][] = [];
    for (let column = 1; ; column++) {
      let value: string;
      if (text.charCodeAt(i) === 34) {
        let from = i + 1;
        value = '';
        for (;;) {
          const quote = text.indexOf('"', from);
          if (quote < 0) throw new CsvError(`row ${record}: a quote is not closed`);
          if (text.charCodeAt(quote + 1) === 34) {
            value += text.slice(from, quote + 1);
            from = quote + 2;
            continue;
          }
          value += text.slice(from, quote);
          i = quote + 1;
          break;
        }
        while (text[i] === ' ' || text[i] === '\t') i++;
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') throw new CsvError(`row ${record}: text after a closing quote`);
      } else {
        let end = i;
        for (; end < n; end++) {
          const c = text.charCodeAt(end);
          if (c === 44 || c === 10 || c === 13) break;
        }
        value = text.slice(i, end);
        i = end;
      }
      const cell = csvUnescape(value.trim()).trim();
      if (cell !== '') cells.push([Math.min(column, maxColumns + 1), cell]);
      if (i < n && text[i] === ',') {
        i++;
        if (i < n) continue;
      } else if (i < n) {
        i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
      }
      break;
    }
    yield cells;
    record++;
  }
}

/** Reads a CSV into `into` (UTF-8, a BOM dropped; cells stay text, no guessing of numbers or dates), serving the event loop every 1,000 records. */
async function readCsv(body: Buffer, into: SheetBuilder): Promise<void> {
  let count = 0;
  for (const cells of csvRecords(body.toString('utf8').replace(/^\ufeff/, ''), MAX_IMPORT_COLUMNS)) {
    into.add(null, cells);
    if (++count % 1000 === 0) await yieldToLoop();
  }
}

/**
 * Reads the first worksheet of an .xlsx or .csv file: row 1 is the header.
 * Bounded whatever the file holds: at most {@link MAX_UPLOAD_BYTES} of file,
 * {@link MAX_UNPACKED_BYTES} unpacked, {@link MAX_IMPORT_ROWS} rows and
 * {@link MAX_IMPORT_COLUMNS} columns; the read stops at the first bound
 * passed. Problems (unreadable, empty, too large) come back instead of a throw.
 */
export async function readSheet(body: Buffer, format: SheetFormat): Promise<{ sheet: Sheet | null; problems: ImportProblem[] }> {
  if (body.length > MAX_UPLOAD_BYTES) return { sheet: null, problems: [uploadTooLarge()] };
  const builder = new SheetBuilder();
  try {
    await (format === 'xlsx' ? readXlsx(body, builder) : readCsv(body, builder));
  } catch (error) {
    if (error instanceof StopRead) return { sheet: null, problems: error.problem.code === ImportCode.BAD_CHARACTER ? builder.problems : [error.problem] };
    if (error instanceof ZipBudgetError) {
      const size = megabytes(MAX_UNPACKED_BYTES);
      return {
        sheet: null,
        problems: [
          problem(
            null,
            null,
            ImportCode.UNPACKED_TOO_LARGE,
            `文件解压后超过 ${size},一次导入读不了这么多数据,请分批导入`,
            `the file unpacks to more than ${size}; split it`,
          ),
        ],
      };
    }
    const reason = error instanceof Error ? error.message : String(error);
    return {
      sheet: null,
      problems: [problem(null, null, ImportCode.UNREADABLE_FILE, `文件无法读取为 .${format}: ${reason}`, `the file cannot be read as .${format}: ${reason}`)],
    };
  }
  if (builder.problems.length) return { sheet: null, problems: builder.problems };
  if (!builder.headers)
    return { sheet: null, problems: [problem(null, null, ImportCode.EMPTY_FILE, '文件没有表头行(第 1 行)', 'the file has no header row (row 1)')] };
  return { sheet: { headers: builder.headers, rows: builder.rows }, problems: [] };
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
 * (UTF-8 with a BOM, so spreadsheet programs show the Chinese). Text is never
 * a formula: in .xlsx a string is written as a string cell (ExcelJS writes
 * formulas only from `{ formula }` values, which tables do not hold), in .csv
 * text that a spreadsheet program would run (`=HYPERLINK(…)`, `+…`, `-…`,
 * `@…`) gets an apostrophe in front ({@link toCsv}), which the import drops again.
 */
export async function writeSheet(table: Table, format: SheetFormat): Promise<Buffer> {
  if (format === 'csv') return Buffer.from(toCsv([table.headers, ...table.rows]), 'utf8');
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
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A table as the file `<name>.<format>` that a download sends and `civgraph export` writes. */
export async function sheetFile(table: Table, name: string, format: SheetFormat): Promise<Download> {
  return { fileName: `${name}.${format}`, contentType: CONTENT_TYPE[format], body: await writeSheet(table, format), rows: table.rows.length };
}
