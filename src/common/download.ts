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
