import { Router, type Request, type Response } from 'express';
import { downloadHeaders, type Download } from '../../common/download.js';
import { ErrorCode } from '../../common/errors.js';
import { signedInRoute } from '../../server/rest-route.js';
import { contextWith, type Context } from '../../graphql/context.js';
import { AuditOutcome } from '../audit/audit.rules.js';
import { auditService } from '../audit/audit.service.js';
import { importStatus, MAX_UPLOAD_BYTES, uploadTooLarge } from './exchange.rules.js';
import { EXPORTS, exchangeService, IMPORTS, TEMPLATES, type ExportKind, type ImportResult } from './exchange.service.js';
import { formatOf, type SheetFormat } from './exchange.sheet.js';
import type { RouteDeps } from '../../feature.js';

const query = (req: Request, name: string) => (typeof req.query[name] === 'string' ? req.query[name] : null);

/**
 * The upload's bytes, counted as they arrive: null as soon as there are more
 * than `limit` (the rest is not read). Rejects when the client goes away.
 */
function readBody(req: Request, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error: Error | null, body: Buffer | null) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) reject(error);
      else resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        done(null, null);
      } else chunks.push(chunk);
    };
    const onEnd = () => done(null, Buffer.concat(chunks, size));
    const onError = (error: Error) => done(error, null);
    const onClose = () => done(new Error('the client closed the upload'), null);
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * Spreadsheet exchange over HTTP, under the caller's bearer token (401 without
 * one; the services' read and write rules decide the rest):
 *
 * - `POST /imports/observations?period=2026-05`, `POST /imports/facilities`: the
 *   file as the raw body, `content-type` the xlsx or csv type (or `?format=`);
 *   answers `{ applied, unchanged, errors: [{ row, column, code, message, messageEn }] }`:
 *   200, or with nothing written 400, 403 (a role that may not import, or a row
 *   outside the caller's area) or 413 (the file is too large: more than 10 MB,
 *   more than 32 MB unpacked, more than 5,000 rows or 100 columns). Who may
 *   import and how large the file says it is are checked before the body is
 *   read; the body is counted as it arrives and the spreadsheet read as a
 *   stream, stopped at the first bound it passes.
 * - `GET /templates/observations.xlsx|.csv`, `GET /templates/facilities.xlsx|.csv`.
 * - `GET /exports/{stats-table,facilities,tasks,rectifications,monthly-report}.xlsx|.csv`.
 *
 * Downloads are sent `no-store` and `nosniff` ({@link downloadHeaders}).
 */
export function exchangeRouter(deps: RouteDeps): Router {
  const router = Router();

  /** Runs `work` for a signed-in caller; maps DomainErrors to statuses. */
  const handle = (work: (ctx: Context, req: Request, res: Response) => Promise<void>) => signedInRoute(deps, 'spreadsheet exchange failed', work);

  const send = (res: Response, file: Download) => {
    res.set(downloadHeaders(file)).send(file.body);
  };

  const file = (param: string | undefined): { name: string; format: SheetFormat } | null => {
    const match = /^([a-z-]+)\.(xlsx|csv)$/.exec(param ?? '');
    return match ? { name: match[1], format: match[2] as SheetFormat } : null;
  };

  router.post(
    '/imports/:kind',
    handle(async (ctx, req, res) => {
      const kind = IMPORTS.find((k) => k === req.params.kind);
      if (!kind) {
        res.status(404).json({ error: 'Use POST /imports/observations?period=YYYY-MM or POST /imports/facilities' });
        return;
      }
      if (/multipart\//i.test(req.get('content-type') ?? '')) {
        res.status(415).json({
          error: 'Send the file itself as the body (content-type text/csv or the xlsx type), not multipart/form-data',
          code: ErrorCode.BAD_USER_INPUT,
        });
        return;
      }
      const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
      if (encoding !== 'identity') {
        res
          .status(415)
          .set('connection', 'close')
          .json({ error: 'Send the file as it is, without a content-encoding (an .xlsx is compressed already)', code: ErrorCode.BAD_USER_INPUT });
        return;
      }
      const started = performance.now();
      const startedAt = new Date();
      const period = query(req, 'period');
      type Details = { format: SheetFormat | null; bytes: number | null };
      /** The upload's audit row (uploads change data like mutations do). */
      const auditEntry = (result: ImportResult, details: Details) => ({
        startedAt,
        durationMs: performance.now() - started,
        viewer: ctx.viewer,
        operationName: null,
        mutation: kind === 'observations' ? 'importObservations' : 'importFacilities',
        args: { ...details, period, applied: result.applied, unchanged: result.unchanged },
        outcome: result.errors.length ? AuditOutcome.USER_ERRORS : AuditOutcome.OK,
        errorCodes: [...new Set(result.errors.map((e) => e.code))],
        requestId: ctx.requestId,
      });
      /** Answers an upload that changed nothing (refused, or rolled back for its problems), recorded on its own. */
      const answer = async (result: ImportResult, details: Details) => {
        await auditService.record(ctx.em, auditEntry(result, details)).catch((error: unknown) => ctx.log.error({ err: error }, 'audit row not written'));
        res.status(importStatus(result.errors)).json(result);
      };
      /** Refuses before (all of) the body is read: the connection is closed after the answer instead of reading the rest. */
      const refuse = (result: ImportResult, bytes: number | null) => {
        res.set('connection', 'close');
        return answer(result, { format: null, bytes });
      };

      const declared = req.get('content-length') === undefined ? null : Number(req.get('content-length'));
      const refusal = await exchangeService.importRefusal(ctx, kind, period);
      if (refusal) return refuse({ applied: 0, unchanged: 0, errors: [refusal] }, declared);
      if (declared !== null && !(declared <= MAX_UPLOAD_BYTES)) return refuse({ applied: 0, unchanged: 0, errors: [uploadTooLarge()] }, declared);
      const body = await readBody(req, MAX_UPLOAD_BYTES).catch(() => undefined);
      if (body === undefined) return; // the client went away: no one to answer, nothing read
      if (body === null) return refuse({ applied: 0, unchanged: 0, errors: [uploadTooLarge()] }, null);

      const format = formatOf(query(req, 'format') ?? req.get('content-type'), body);
      const details = { format, bytes: body.length };
      // As for a mutation (audit.wrap.ts): the import runs in a transaction that also holds its audit row, so
      // its rows cannot commit without it (the service's own transaction nests as a savepoint). A file with
      // problems rolls back whole and is recorded afterwards, on its own.
      const result = await ctx.em.transactional(async (em) => {
        const inner = contextWith(ctx, em);
        const imported =
          kind === 'observations'
            ? await exchangeService.importObservations(inner, body, format, period)
            : await exchangeService.importFacilities(inner, body, format);
        if (!imported.errors.length) await auditService.write(inner.sql, auditEntry(imported, details));
        return imported;
      });
      if (result.errors.length) return answer(result, details);
      res.status(importStatus(result.errors)).json(result);
    }),
  );

  router.get(
    '/templates/:file',
    handle(async (ctx, req, res) => {
      const f = file(req.params.file as string);
      const kind = TEMPLATES.find((t) => t === f?.name);
      if (!f || !kind) {
        res.status(404).json({ error: `Use ${TEMPLATES.map((t) => `/templates/${t}.xlsx`).join(', ')} (or .csv)` });
        return;
      }
      send(res, await exchangeService.templateFile(ctx, kind, f.format));
    }),
  );

  router.get(
    '/exports/:file',
    handle(async (ctx, req, res) => {
      const f = file(req.params.file as string);
      const kind = f && Object.hasOwn(EXPORTS, f.name) ? (f.name as ExportKind) : undefined;
      if (!f || !kind) {
        res.status(404).json({ error: `Use /exports/<${Object.keys(EXPORTS).join('|')}>.xlsx (or .csv)` });
        return;
      }
      // The parameters' names as the dashboard's links give them: stats-table's area is `parent`, monthly-report's period `month`.
      const area = query(req, 'area');
      const args = {
        area: kind === 'stats-table' ? (query(req, 'parent') ?? area) : area,
        period: query(req, kind === 'monthly-report' ? 'month' : 'period'),
        asOf: query(req, 'asOf'),
      };
      send(res, await exchangeService.exportFile(ctx, kind, f.format, args));
    }),
  );

  return router;
}
