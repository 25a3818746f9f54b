/**
 * A file a feature builds for a download: the HTTP route sends it, `civgraph
 * export` writes it. Both call the same service method, so they hand out the
 * same bytes (xlsx differs only in the workbook's creation time).
 */
export interface Download {
  /** The name the HTTP route offers it under (`facilities.xlsx`, `monthly-report-2026-05-511921.md`). */
  fileName: string;
  contentType: string;
  body: Buffer;
  /** Data rows (or report items) in the file, the header not counted. */
  rows: number;
}

/**
 * The headers every download is sent with. Downloads hold non-public data
 * (figures, rectifications, names), so no cache may keep them (`no-store`,
 * also for shared caches and the browser's history), and a browser must take
 * the content type as given instead of sniffing a CSV or Markdown file as HTML
 * (`nosniff`).
 */
export function downloadHeaders(file: Pick<Download, 'fileName' | 'contentType'>, disposition: 'attachment' | 'inline' = 'attachment'): Record<string, string> {
  return {
    'content-type': file.contentType,
    'content-disposition': `${disposition}; filename="${file.fileName}"`,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
}

/**
 * Characters that make a spreadsheet program read a CSV cell as a formula
 * (`=`, `+`, `-`, `@`, and tab or carriage return before one of them), and the
 * apostrophe that neutralises them, which must be escaped too so that
 * {@link csvUnescape} can undo exactly what {@link csvEscape} did.
 */
const FORMULA_START = /^[=+\-@\t\r']/;

/**
 * A text cell made safe for a spreadsheet program (OWASP "CSV injection"):
 * text starting with `=`, `+`, `-`, `@`, tab, carriage return (or an
 * apostrophe) gets an apostrophe in front, so `=HYPERLINK(…)` is shown as text
 * instead of run. Numbers are not text: write them as numbers (a negative
 * number stays `-3`, which no program runs).
 */
export function csvEscape(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Undoes {@link csvEscape}: a CSV cell read back (an export imported again) is the text that was exported. */
export function csvUnescape(text: string): string {
  return text.length > 1 && text[0] === "'" && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}

/** One cell in RFC 4180 form: text escaped ({@link csvEscape}), quoted when it holds a comma, quote or line break; numbers as written; null empty. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : csvEscape(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Rows as CSV for a spreadsheet program: UTF-8 with a BOM (so it shows the
 * Chinese), CRLF line ends, every text cell neutralised against formula
 * injection. Every CSV civgraph hands out is written here.
 */
export function toCsv(rows: readonly (readonly (string | number | null)[])[]): string {
  return '\ufeff' + rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
