import { rename, rm, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { badInput, DomainError } from '../../common/errors.js';
import type { Download } from '../../common/download.js';
import { createContext, type Context, type Registry } from '../../graphql/context.js';
import { REPORT_FORMATS, reportService, type ReportFormat } from '../report/report.service.js';
import { EXPORTS, exchangeService, TEMPLATES, type ExportArgs, type ExportKind, type ImportProgress } from './exchange.service.js';
import { formatOf, SHEET_FORMATS, type SheetFormat } from './exchange.sheet.js';
import { systemViewer } from '../../auth/auth.rules.js';

/**
 * `civgraph import observations|facilities FILE [--period YYYY-MM]`: the same
 * import as the HTTP upload, as the system identity of the configured county.
 * Returns the text to print and whether it succeeded (then something may have
 * been written; otherwise nothing was).
 */
export async function runImport(
  orm: MikroORM,
  registry: Registry,
  countyCode: string,
  kind: 'observations' | 'facilities',
  file: string,
  body: Buffer,
  period: string | undefined,
  onProgress?: ImportProgress,
): Promise<{ ok: boolean; output: string }> {
  const started = Date.now();
  const ctx = createContext(orm, registry, { viewer: systemViewer(countyCode) });
  const format = formatOf(file, body);
  const result =
    kind === 'observations'
      ? await exchangeService.importObservations(ctx, body, format, period, { onProgress })
      : await exchangeService.importFacilities(ctx, body, format, { onProgress });
  if (result.errors.length) {
    const lines = result.errors.map((e) => `  [${e.code}] ${e.message}\n      ${e.messageEn}`);
    return { ok: false, output: `${file}: ${result.errors.length} problem(s), nothing was written:\n${lines.join('\n')}\n` };
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return { ok: true, output: `${file}: ${result.applied} row(s) applied, ${result.unchanged} unchanged (${seconds} s)\n` };
}

/** The options of `civgraph export` for an export's arguments. */
const FLAG: Record<keyof ExportArgs, string> = { area: '--area', period: '--period', asOf: '--as-of' };

/** An argument error's field (as the services name it) as the option that gave it. */
const FLAG_OF_FIELD: Record<string, string> = { area: '--area', parent: '--area', period: '--period', month: '--period', asOf: '--as-of' };

/** One thing `civgraph export` writes: the download of the HTTP route it names. */
interface CliExport {
  /** The HTTP route of the same file, for the usage text. */
  route: string;
  formats: readonly string[];
  takes: readonly (keyof ExportArgs)[];
  /** The period has no default: an export that takes one needs it; this is how it reads. */
  period?: string;
  build(ctx: Context, format: string, args: ExportArgs): Promise<Download>;
}

const MONTH = 'a month like 2026-05';

/**
 * Every download the HTTP routes offer, by its name on the command line:
 * `monthly` (`/reports/monthly/<month>.md|.csv`), the exports
 * (`/exports/<kind>.xlsx|.csv`) and the templates (`/templates/<kind>.xlsx|.csv`
 * as `<kind>-template`). Each builds its file through the route's own service method.
 */
export const CLI_EXPORTS: Readonly<Record<string, CliExport>> = {
  monthly: {
    route: '/reports/monthly/<period>.md|.csv',
    formats: REPORT_FORMATS,
    takes: ['area', 'period'],
    period: MONTH,
    build: (ctx, format, args) => reportService.download(ctx, args.period!, args.area, format as ReportFormat),
  },
  ...Object.fromEntries(
    (Object.entries(EXPORTS) as [ExportKind, readonly (keyof ExportArgs)[]][]).map(([kind, takes]) => [
      kind,
      {
        route: `/exports/${kind}.xlsx|.csv`,
        formats: SHEET_FORMATS,
        takes,
        period: kind === 'stats-table' ? 'a year, quarter or month: 2026, 2026Q2, 2026-05' : takes.includes('period') ? MONTH : undefined,
        build: (ctx: Context, format: string, args: ExportArgs) => exchangeService.exportFile(ctx, kind, format as SheetFormat, args),
      } satisfies CliExport,
    ]),
  ),
  ...Object.fromEntries(
    TEMPLATES.map((kind) => [
      `${kind}-template`,
      {
        route: `/templates/${kind}.xlsx|.csv`,
        formats: SHEET_FORMATS,
        takes: [],
        build: (ctx: Context, format: string) => exchangeService.templateFile(ctx, kind, format as SheetFormat),
      } satisfies CliExport,
    ]),
  ),
};

/** What `civgraph export KIND` was given on the command line. */
export interface ExportRequest {
  kind: string | undefined;
  format?: string;
  out?: string;
  area?: string;
  period?: string;
  asOf?: string;
}

/** An export checked against what its kind takes, ready to run. */
export interface ExportPlan {
  kind: string;
  format: string;
  out: string | undefined;
  args: ExportArgs;
}

/**
 * Checks the command line before anything runs: a known kind, a format it
 * writes (`--format`, else `--out`'s extension, else csv), binary xlsx only
 * into a file, and only the options the kind takes, the period when it needs one.
 * Throws BAD_USER_INPUT naming the option.
 */
export function planExport(request: ExportRequest): ExportPlan {
  const kinds = Object.keys(CLI_EXPORTS);
  const spec = request.kind && Object.hasOwn(CLI_EXPORTS, request.kind) ? CLI_EXPORTS[request.kind] : undefined;
  if (!request.kind || !spec) {
    throw badInput('kind', `${request.kind ? `unknown export "${request.kind}"; ` : ''}export one of: ${kinds.join(', ')}`);
  }
  const kind = request.kind;
  const fromOut = request.out ? extname(request.out).slice(1).toLowerCase() : '';
  const format = request.format ?? (spec.formats.includes(fromOut) ? fromOut : 'csv');
  if (!spec.formats.includes(format)) throw badInput('format', `--format: ${kind} is written as ${spec.formats.join(' or ')}, not "${format}"`);
  if (format === 'xlsx' && !request.out) throw badInput('out', `--out FILE is required for xlsx (a binary file, not for a terminal)`);
  const given: ExportArgs = { area: request.area, period: request.period, asOf: request.asOf };
  for (const key of Object.keys(FLAG) as (keyof ExportArgs)[]) {
    if (given[key] !== undefined && !spec.takes.includes(key))
      throw badInput(
        key,
        `export ${kind} takes no ${FLAG[key]} (it takes ${spec.takes.map((k) => FLAG[k]).join(', ') || 'no options but --format and --out'})`,
      );
  }
  if (spec.period && !request.period) throw badInput('period', `export ${kind} needs --period (${spec.period})`);
  return { kind, format, out: request.out, args: given };
}

/** Builds the planned export's file as the system identity of the configured county, as `import` does. */
export async function runExport(orm: MikroORM, registry: Registry, countyCode: string, plan: ExportPlan): Promise<Download> {
  const ctx = createContext(orm, registry, { viewer: systemViewer(countyCode) });
  try {
    return await CLI_EXPORTS[plan.kind].build(ctx, plan.format, plan.args);
  } catch (error) {
    const flag = error instanceof DomainError && error.field ? FLAG_OF_FIELD[error.field] : undefined;
    if (!(error instanceof DomainError) || !flag) throw error;
    // `period: a quarter is Q1–Q4` → `--period: a quarter is Q1–Q4`
    throw new DomainError(error.code, `${flag}: ${error.message.replace(new RegExp(`^${error.field}: `), '')}`, error.field);
  }
}

/**
 * Writes the file to `out` (through a temporary file beside it, renamed when
 * complete, so an interrupted export leaves no half file) or to `stdout`.
 * Returns the one-line summary.
 */
export async function saveExport(file: Download, out: string | undefined, stdout: NodeJS.WritableStream): Promise<string> {
  if (out) {
    const partial = `${out}.${process.pid}.partial`;
    try {
      await writeFile(partial, file.body);
      await rename(partial, out);
    } catch (error) {
      await rm(partial, { force: true });
      throw badInput('out', `--out: cannot write ${out}: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    await new Promise<void>((resolve, reject) => stdout.write(file.body, (error) => (error ? reject(error) : resolve())));
  }
  return `${file.fileName}: ${file.rows.toLocaleString()} row(s), ${file.body.length.toLocaleString()} bytes, to ${out ?? 'stdout'}`;
}
