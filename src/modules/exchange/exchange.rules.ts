import { isDate } from '../../common/dates.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { FACILITY_STATUS_LABEL, FACILITY_TYPE_LABEL, FacilityStatus, FacilityType, OPERATING_MODEL_LABEL, OperatingModel } from '../facility/facility.rules.js';
import { checkValue, INDICATORS, IndicatorUnit, type IndicatorDef } from '../stats/stats.rules.js';

/**
 * Stable codes of spreadsheet import problems (programs switch on them; never
 * renamed). Problems the feature services raise keep the service's ErrorCode
 * (BAD_USER_INPUT, FORBIDDEN, LOCKED, INVALID_TRANSITION, …).
 */
export const ImportCode = {
  /** The file could not be read as .xlsx or .csv. */
  UNREADABLE_FILE: 'UNREADABLE_FILE',
  /** The file holds no header row. */
  EMPTY_FILE: 'EMPTY_FILE',
  /** The period argument is not a month like 2026-05. */
  BAD_PERIOD: 'BAD_PERIOD',
  /** A required column is missing from the header row. */
  MISSING_COLUMN: 'MISSING_COLUMN',
  /** A header the layout does not know (a typo, or an unknown indicator code). */
  UNKNOWN_COLUMN: 'UNKNOWN_COLUMN',
  /** The same column appears twice. */
  DUPLICATE_COLUMN: 'DUPLICATE_COLUMN',
  /** A required cell is empty. */
  REQUIRED: 'REQUIRED',
  /** A person count that is not a whole number ≥ 0. */
  NOT_NON_NEGATIVE_INTEGER: 'NOT_NON_NEGATIVE_INTEGER',
  /** A yuan amount that is not a decimal ≥ 0 with at most two places. */
  NOT_MONEY: 'NOT_MONEY',
  /** An area code that is not 6, 9 or 12 digits. */
  BAD_AREA_CODE: 'BAD_AREA_CODE',
  /** No (current) area has this code. */
  UNKNOWN_AREA: 'UNKNOWN_AREA',
  /** Figures are reported by villages only. */
  NOT_A_VILLAGE: 'NOT_A_VILLAGE',
  /** The 名称 cell does not match the area's name (a shifted row?). */
  NAME_MISMATCH: 'NAME_MISMATCH',
  /** The same village, or the same facility (area + name), appears in two rows. */
  DUPLICATE_ROW: 'DUPLICATE_ROW',
  /** A value outside the enumeration (type, operating model, status). */
  BAD_ENUM: 'BAD_ENUM',
  /** A date that is not YYYY-MM-DD. */
  BAD_DATE: 'BAD_DATE',
  /** Two facilities of one area already share this name: the row cannot be matched. */
  AMBIGUOUS_MATCH: 'AMBIGUOUS_MATCH',
  /** More rows than one import takes ({@link MAX_IMPORT_ROWS}; HTTP 413). */
  TOO_MANY_ROWS: 'TOO_MANY_ROWS',
  /** A filled cell right of the last column an import reads ({@link MAX_IMPORT_COLUMNS}; HTTP 413). */
  TOO_MANY_COLUMNS: 'TOO_MANY_COLUMNS',
  /**
   * A cell holds a character no stored text may hold: a control character
   * (U+0000–U+001F but TAB, LF and CR; U+007F), a lone surrogate, U+FFFE or
   * U+FFFF — as GraphQL text inputs refuse them.
   */
  BAD_CHARACTER: 'BAD_CHARACTER',
  /** The .xlsx unpacks to more than an import reads ({@link MAX_UNPACKED_BYTES}: a zip bomb, or far too much data; HTTP 413). */
  UNPACKED_TOO_LARGE: 'UNPACKED_TOO_LARGE',
} as const;

/** One problem of an import: where (1-based row as the spreadsheet shows it, column header) and what. */
export interface ImportProblem {
  /** Row number in the sheet (the header is row 1); null for the whole file. */
  row: number | null;
  /** The column header as written in the file; null for the whole row or file. */
  column: string | null;
  /** {@link ImportCode} or a service's ErrorCode. */
  code: string;
  /** 中文说明, e.g. 「第 5 行 ELDERLY_60_PLUS 列: 必须是非负整数」. */
  message: string;
  /** The same in English. */
  messageEn: string;
}

/** Builds a problem, prefixing both messages with the row and column. */
export function problem(row: number | null, column: string | null, code: string, zh: string, en: string): ImportProblem {
  const whereZh = row === null ? (column === null ? '' : `${column} 列: `) : column === null ? `第 ${row} 行: ` : `第 ${row} 行 ${column} 列: `;
  const whereEn = row === null ? (column === null ? '' : `Column ${column}: `) : column === null ? `Row ${row}: ` : `Row ${row}, column ${column}: `;
  return { row, column, code, message: `${whereZh}${zh}`, messageEn: `${whereEn}${en}` };
}

/** Most rows one import takes (a county has a few hundred villages). */
export const MAX_IMPORT_ROWS = 5000;

/** Most columns an import reads: the widest layout (code, name and one column per indicator) with room to spare. */
export const MAX_IMPORT_COLUMNS = 100;

/** Largest upload (the file's own bytes), refused by Content-Length before it is read, or as soon as more arrives. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/**
 * Most bytes an .xlsx may unpack to, over the parts an import reads (sheet,
 * shared strings, styles, workbook). A full {@link MAX_IMPORT_ROWS}-row sheet
 * of the widest layout unpacks to about 10 MB.
 */
export const MAX_UNPACKED_BYTES = 32 * 1024 * 1024;

/** Codes that say the file is too large (HTTP 413): split it. */
const TOO_LARGE: ReadonlySet<string> = new Set([
  ErrorCode.PAYLOAD_TOO_LARGE,
  ImportCode.TOO_MANY_ROWS,
  ImportCode.TOO_MANY_COLUMNS,
  ImportCode.UNPACKED_TOO_LARGE,
]);

/** The HTTP status of an upload's answer: 200 without problems, 403 when one is FORBIDDEN, 413 when the file is too large, else 400. */
export function importStatus(errors: readonly { code: string }[]): number {
  if (!errors.length) return 200;
  if (errors.some((e) => e.code === ErrorCode.FORBIDDEN)) return 403;
  return errors.some((e) => TOO_LARGE.has(e.code)) ? 413 : 400;
}

/** Megabytes for a message: 10485760 → "10 MB". */
export const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** The problem of an upload larger than {@link MAX_UPLOAD_BYTES}. */
export function uploadTooLarge(): ImportProblem {
  const size = megabytes(MAX_UPLOAD_BYTES);
  return problem(null, null, ErrorCode.PAYLOAD_TOO_LARGE, `文件超过 ${size},请分批导入`, `the file is larger than ${size}; split it`);
}

/** A sheet as read: header texts and data rows (cells as trimmed text, '' when empty). */
export interface Sheet {
  headers: string[];
  rows: { row: number; cells: string[] }[];
}

/** A column of a layout: its key, Chinese and English header, and other accepted spellings. */
export interface ColumnDef {
  key: string;
  zh: string;
  en: string;
  required: boolean;
}

const norm = (text: string) =>
  text
    .replace(/^\ufeff/, '')
    .trim()
    .toLowerCase();

/** Whether a header names `col`: its Chinese or English name alone, or both ("区划代码 code", "名称(name)"). */
export function headerMatches(header: string, col: { zh: string; en: string }): boolean {
  const text = norm(header);
  if (text === norm(col.zh) || text === norm(col.en)) return true;
  const tokens = text.split(/[\s()（）/|:：]+/).filter(Boolean);
  return tokens.length > 0 && tokens.every((t) => t === norm(col.zh) || t === norm(col.en));
}

/**
 * Maps a header row onto a layout: which cell index holds which column key.
 * `extra` decides about headers the fixed columns do not name (indicator codes);
 * `informational` headers (an export's area names) are accepted and ignored.
 */
export function mapHeaders(
  headers: string[],
  columns: ColumnDef[],
  extra: (header: string) => string | null,
  informational: { zh: string; en: string }[] = [],
): { index: Map<string, number>; header: Map<string, string>; problems: ImportProblem[] } {
  const index = new Map<string, number>();
  const header = new Map<string, string>();
  const problems: ImportProblem[] = [];
  headers.forEach((raw, i) => {
    const text = raw.replace(/^\ufeff/, '').trim();
    if (!text) return;
    const col = columns.find((c) => headerMatches(text, c));
    const key = col?.key ?? extra(text);
    if (!key) {
      if (informational.some((c) => headerMatches(text, c))) return;
      problems.push(problem(1, text, ImportCode.UNKNOWN_COLUMN, '未知的列', 'unknown column'));
      return;
    }
    if (index.has(key)) {
      problems.push(problem(1, text, ImportCode.DUPLICATE_COLUMN, '列重复', 'this column appears twice'));
      return;
    }
    index.set(key, i);
    header.set(key, text);
  });
  for (const col of columns) {
    if (col.required && !index.has(col.key)) {
      problems.push(problem(1, `${col.zh} ${col.en}`, ImportCode.MISSING_COLUMN, '缺少此列', 'this column is missing'));
    }
  }
  return { index, header, problems };
}

/** Whether every cell of a row is empty (such rows are skipped). */
export const isBlank = (cells: string[]) => cells.every((c) => c === '');

/** The total line an export appends (区划代码 empty, 名称 合计): skipped on import. */
export const TOTAL_LABEL = '合计';

// ---------------------------------------------------------------- observations

export const OBSERVATION_COLUMNS: ColumnDef[] = [
  { key: 'code', zh: '区划代码', en: 'code', required: true },
  { key: 'name', zh: '名称', en: 'name', required: true },
];

/** A header compared loosely: no BOM or spaces, full-width brackets as ASCII ones (Excel users retype 「救助资金（元）」). */
const looseHeader = (text: string) =>
  text
    .replace(/^\ufeff/, '')
    .replace(/（/g, '(')
    .replace(/）/g, ')')
    .replace(/\s+/g, '')
    .toUpperCase();

/**
 * The indicator a header names, or null: its Chinese name as templates and
 * exports write it (`60岁以上老年人`, `救助资金(元)`), or its code
 * (`ELDERLY_60_PLUS`, as files made before the Chinese headers hold), or the
 * code followed by the Chinese name (`ELDERLY_60_PLUS 60岁以上老年人`).
 */
export function indicatorOfHeader(header: string): IndicatorDef | null {
  const loose = looseHeader(header);
  const byName = INDICATORS.find((i) => looseHeader(i.nameZh) === loose);
  if (byName) return byName;
  const token = /^[A-Za-z0-9_]+/.exec(header.trim())?.[0]?.toUpperCase();
  return INDICATORS.find((i) => i.code === token) ?? null;
}

/** The header of an indicator's column in templates and exports: its Chinese name (the import reads it back, or the code). */
export const indicatorHeader = (def: Pick<IndicatorDef, 'nameZh'>) => def.nameZh;

/** A village's figures from one row, checked cell by cell. */
export interface ObservationRow {
  row: number;
  code: string;
  name: string;
  /** Canonical values of the non-empty indicator cells, in column order. */
  values: { def: IndicatorDef; value: string; column: string }[];
}

/** A 6-, 9- or 12-digit code as 12 digits, or null. */
export function areaCodeOf(text: string): string | null {
  if (!/^\d{6}$|^\d{9}$|^\d{12}$/.test(text)) return null;
  return text.padEnd(12, '0');
}

/**
 * Checks the cells of an observations sheet (no database): header, codes,
 * duplicate villages and every value against its indicator's unit.
 */
export function parseObservationSheet(sheet: Sheet): { rows: ObservationRow[]; problems: ImportProblem[]; header: Map<string, string> } {
  const mapped = mapHeaders(sheet.headers, OBSERVATION_COLUMNS, (h) => {
    const def = indicatorOfHeader(h);
    return def ? `indicator:${def.code}` : null;
  });
  const problems = [...mapped.problems];
  if (problems.length) return { rows: [], problems, header: mapped.header };
  const indicatorCols = [...mapped.index.entries()].filter(([key]) => key.startsWith('indicator:'));
  const rows: ObservationRow[] = [];
  const seen = new Map<string, number>();
  for (const { row, cells } of sheet.rows) {
    if (isBlank(cells)) continue;
    const cell = (key: string) => cells[mapped.index.get(key)!] ?? '';
    const codeText = cell('code');
    const name = cell('name');
    if (!codeText && name === TOTAL_LABEL) continue;
    const codeHeader = mapped.header.get('code')!;
    let code: string | null = null;
    if (!codeText) problems.push(problem(row, codeHeader, ImportCode.REQUIRED, '不能为空', 'must not be empty'));
    else if (!(code = areaCodeOf(codeText))) {
      problems.push(
        problem(row, codeHeader, ImportCode.BAD_AREA_CODE, `"${codeText}" 不是 6、9 或 12 位区划代码`, `"${codeText}" is not a 6-, 9- or 12-digit area code`),
      );
    } else if (seen.has(code)) {
      problems.push(problem(row, codeHeader, ImportCode.DUPLICATE_ROW, `${code} 与第 ${seen.get(code)} 行重复`, `${code} repeats row ${seen.get(code)}`));
    } else seen.set(code, row);
    const values: ObservationRow['values'] = [];
    for (const [key, i] of indicatorCols) {
      const text = cells[i] ?? '';
      if (text === '') continue;
      const def = indicatorOfHeader(key.slice('indicator:'.length))!;
      const column = mapped.header.get(key)!;
      try {
        values.push({ def, value: checkValue(def, text, column), column });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        problems.push(
          def.unit === IndicatorUnit.PERSONS
            ? problem(row, column, ImportCode.NOT_NON_NEGATIVE_INTEGER, `必须是非负整数,得到 "${text}"`, `must be a non-negative whole number, got "${text}"`)
            : problem(
                row,
                column,
                ImportCode.NOT_MONEY,
                `必须是非负金额(元,最多两位小数),得到 "${text}"`,
                `must be a non-negative amount in yuan with at most 2 decimals, got "${text}"`,
              ),
        );
      }
    }
    if (code) rows.push({ row, code, name, values });
  }
  return { rows, problems, header: mapped.header };
}

// ---------------------------------------------------------------- facilities

export const FACILITY_COLUMNS: ColumnDef[] = [
  { key: 'name', zh: '名称', en: 'name', required: true },
  { key: 'type', zh: '类别', en: 'type', required: true },
  { key: 'area', zh: '区划代码', en: 'area', required: true },
  { key: 'operatingModel', zh: '运营模式', en: 'operatingModel', required: true },
  { key: 'status', zh: '状态', en: 'status', required: true },
  { key: 'beds', zh: '床位', en: 'beds', required: true },
  { key: 'occupiedBeds', zh: '在住', en: 'occupiedBeds', required: true },
  { key: 'operator', zh: '运营方', en: 'operator', required: false },
  { key: 'openedOn', zh: '投运日期', en: 'openedOn', required: false },
];

/** Columns an export adds for people (ignored on import). */
export const FACILITY_INFO_COLUMNS = [{ zh: '区划名称', en: 'areaName' }];

/** A facility as one row states it. */
export interface FacilityRowInput {
  row: number;
  name: string;
  type: FacilityType;
  area: string;
  operatingModel: OperatingModel;
  status: FacilityStatus;
  beds: number;
  occupiedBeds: number;
  operator: string | null;
  /** Null: the cell is empty (a new facility gets the service's default; an existing one keeps its date). */
  openedOn: string | null;
}

/** An enum value from its code or its Chinese label (敬老院, 公建民营, 投运). */
export function enumOf<T extends string>(text: string, labels: Record<T, string>): T | null {
  const upper = text.trim().toUpperCase();
  for (const [code, label] of Object.entries(labels) as [T, string][]) {
    if (code === upper || label === text.trim()) return code;
  }
  return null;
}

const BEDS_MAX = 100_000;

/** Checks the cells of a facilities sheet (no database). Matching with existing facilities happens in the service. */
export function parseFacilitySheet(sheet: Sheet): { rows: FacilityRowInput[]; problems: ImportProblem[]; header: Map<string, string> } {
  const mapped = mapHeaders(sheet.headers, FACILITY_COLUMNS, () => null, FACILITY_INFO_COLUMNS);
  const problems = [...mapped.problems];
  if (problems.length) return { rows: [], problems, header: mapped.header };
  const rows: FacilityRowInput[] = [];
  const seen = new Map<string, number>();
  for (const { row, cells } of sheet.rows) {
    if (isBlank(cells)) continue;
    const before = problems.length;
    const cell = (key: string) => (mapped.index.has(key) ? (cells[mapped.index.get(key)!] ?? '') : '');
    const col = (key: string) => mapped.header.get(key)!;
    const required = (key: string): string | null => {
      const text = cell(key);
      if (text === '') problems.push(problem(row, col(key), ImportCode.REQUIRED, '不能为空', 'must not be empty'));
      return text || null;
    };
    const enumCell = <T extends string>(key: string, labels: Record<T, string>): T | null => {
      const text = required(key);
      if (text === null) return null;
      const value = enumOf(text, labels);
      if (!value) {
        const known = Object.entries(labels)
          .map(([c, l]) => `${c}(${String(l)})`)
          .join('、');
        problems.push(
          problem(row, col(key), ImportCode.BAD_ENUM, `"${text}" 不是可选值之一: ${known}`, `"${text}" is not one of ${Object.keys(labels).join(', ')}`),
        );
      }
      return value;
    };
    const count = (key: string): number | null => {
      const text = required(key);
      if (text === null) return null;
      if (!/^\d{1,9}$/.test(text) || Number(text) > BEDS_MAX) {
        problems.push(
          problem(
            row,
            col(key),
            ImportCode.NOT_NON_NEGATIVE_INTEGER,
            `必须是 0 到 ${BEDS_MAX} 的整数,得到 "${text}"`,
            `must be a whole number from 0 to ${BEDS_MAX}, got "${text}"`,
          ),
        );
        return null;
      }
      return Number(text);
    };
    const name = required('name');
    if (name && name.length > 100) problems.push(problem(row, col('name'), ImportCode.REQUIRED, '名称最多 100 个字', 'at most 100 characters'));
    const type = enumCell('type', FACILITY_TYPE_LABEL);
    const areaText = required('area');
    const area = areaText === null ? null : areaCodeOf(areaText);
    if (areaText !== null && !area) {
      problems.push(
        problem(row, col('area'), ImportCode.BAD_AREA_CODE, `"${areaText}" 不是 6、9 或 12 位区划代码`, `"${areaText}" is not a 6-, 9- or 12-digit area code`),
      );
    }
    const operatingModel = enumCell('operatingModel', OPERATING_MODEL_LABEL);
    const status = enumCell('status', FACILITY_STATUS_LABEL);
    const beds = count('beds');
    const occupiedBeds = count('occupiedBeds');
    const operator = cell('operator') || null;
    const openedOn = cell('openedOn') || null;
    if (openedOn && !isDate(openedOn)) {
      problems.push(problem(row, col('openedOn'), ImportCode.BAD_DATE, `"${openedOn}" 不是日期(如 2026-05-31)`, `"${openedOn}" is not a date like 2026-05-31`));
    }
    if (area && name) {
      const key = `${area}\u0000${name}`;
      if (seen.has(key)) {
        problems.push(
          problem(
            row,
            col('name'),
            ImportCode.DUPLICATE_ROW,
            `${area} 的 ${name} 与第 ${seen.get(key)} 行重复`,
            `${name} in ${area} repeats row ${seen.get(key)}`,
          ),
        );
      } else seen.set(key, row);
    }
    if (problems.length === before) {
      rows.push({
        row,
        name: name!,
        type: type!,
        area: area!,
        operatingModel: operatingModel!,
        status: status!,
        beds: beds!,
        occupiedBeds: occupiedBeds!,
        operator,
        openedOn,
      });
    }
  }
  return { rows, problems, header: mapped.header };
}
