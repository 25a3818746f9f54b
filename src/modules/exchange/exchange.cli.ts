import type { MikroORM } from '@mikro-orm/postgresql';
import { createContext, type Registry } from '../../graphql/context.js';
import { exchangeService } from './exchange.service.js';
import { formatOf } from './exchange.sheet.js';
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
): Promise<{ ok: boolean; output: string }> {
  const ctx = createContext(orm, registry, { viewer: systemViewer(countyCode) });
  const format = formatOf(file, body);
  const result =
    kind === 'observations' ? await exchangeService.importObservations(ctx, body, format, period) : await exchangeService.importFacilities(ctx, body, format);
  if (result.errors.length) {
    const lines = result.errors.map((e) => `  [${e.code}] ${e.message}\n      ${e.messageEn}`);
    return { ok: false, output: `${file}: ${result.errors.length} problem(s), nothing was written:\n${lines.join('\n')}\n` };
  }
  return { ok: true, output: `${file}: ${result.applied} row(s) applied, ${result.unchanged} unchanged\n` };
}
