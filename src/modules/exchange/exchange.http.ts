import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { ErrorCode } from '../../common/errors.js';
import { sendRestError, sendUnauthenticated } from '../../server/edge-errors.js';
import { createContext, type Context } from '../../graphql/context.js';
import { AuditOutcome } from '../audit/audit.rules.js';
import { auditService } from '../audit/audit.service.js';
import { EXPORTS, exchangeService, TEMPLATES, type ExportKind, type ImportResult } from './exchange.service.js';
import { formatOf, type SheetFormat } from './exchange.sheet.js';
import type { Download } from '../../common/download.js';
import type { Viewer } from '../../auth/auth.rules.js';
import type { RouteDeps } from '../../feature.js';

/** Largest spreadsheet an upload may carry. */
export const MAX_UPLOAD = '10mb';

const query = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : null);

/**
 * Spreadsheet exchange over HTTP, under the caller's bearer token (401 without
 * one; the services' read and write rules decide the rest):
 *
 * - `POST /imports/observations?period=2026-05`, `POST /imports/facilities`: the
 *   file as the raw body, `content-type` the xlsx or csv type (or `?format=`);
 *   answers `{ applied, unchanged, errors: [{ row, column, code, message, messageEn }] }`,
 *   400 (403 when a row lies outside the caller's area) with nothing written.
 * - `GET /templates/observations.xlsx|.csv`, `GET /templates/facilities.xlsx|.csv`.
 * - `GET /exports/{stats-table,facilities,tasks,rectifications,monthly-report}.xlsx|.csv`.
 */
export function exchangeRouter({ orm, registry, viewerOf }: RouteDeps): Router {
  const router = Router();

  /** Runs `work` for a signed-in caller; maps DomainErrors to statuses. */
  const handle = (work: (ctx: Context, req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    let viewer: Viewer | null;
    try {
      viewer = await viewerOf(req);
    } catch (error) {
      return sendUnauthenticated(res, error instanceof Error ? error.message : 'Token is not valid');
    }
    if (!viewer) return sendUnauthenticated(res, 'Sign in: this needs a bearer token');
    const ctx = createContext(orm, registry, { requestId: res.locals.requestId as string | undefined, viewer });
    try {
      await work(ctx, req, res);
    } catch (error) {
      sendRestError(res, error, ctx, 'spreadsheet exchange failed');
    }
  };

  const send = (res: Response, file: Download) => {
    res.set('content-disposition', `attachment; filename="${file.fileName}"`).type(file.contentType).send(file.body);
  };

  const file = (param: string | undefined): { name: string; format: SheetFormat } | null => {
    const match = /^([a-z-]+)\.(xlsx|csv)$/.exec(param ?? '');
    return match ? { name: match[1]!, format: match[2] as SheetFormat } : null;
  };

  router.post(
    '/imports/:kind',
    express.raw({ type: () => true, limit: MAX_UPLOAD }),
    handle(async (ctx, req, res) => {
      const kind = req.params.kind;
      if (kind !== 'observations' && kind !== 'facilities') {
        res.status(404).json({ error: 'Use POST /imports/observations?period=YYYY-MM or POST /imports/facilities' });
        return;
      }
      if (/multipart\//i.test(req.get('content-type') ?? '')) {
        res.status(415).json({ error: 'Send the file itself as the body (content-type text/csv or the xlsx type), not multipart/form-data', code: ErrorCode.BAD_USER_INPUT });
        return;
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const format = formatOf(query(req, 'format') ?? req.get('content-type'), body);
      const started = performance.now();
      const startedAt = new Date();
      const result: ImportResult =
        kind === 'observations'
          ? await exchangeService.importObservations(ctx, body, format, query(req, 'period'))
          : await exchangeService.importFacilities(ctx, body, format);
      const forbidden = result.errors.some((e) => e.code === ErrorCode.FORBIDDEN);
      // Uploads change data like mutations do, so the audit log records them too.
      await auditService
        .record(ctx.em, {
          startedAt,
          durationMs: performance.now() - started,
          viewer: ctx.viewer,
          operationName: null,
          mutation: kind === 'observations' ? 'importObservations' : 'importFacilities',
          args: { format, bytes: body.length, period: query(req, 'period'), applied: result.applied, unchanged: result.unchanged },
          outcome: result.errors.length ? AuditOutcome.USER_ERRORS : AuditOutcome.OK,
          errorCodes: [...new Set(result.errors.map((e) => e.code))],
          requestId: ctx.requestId,
        })
        .catch((error: unknown) => ctx.log.error({ err: error }, 'audit row not written'));
      res.status(result.errors.length ? (forbidden ? 403 : 400) : 200).json(result);
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

  // Upload body failures (larger than MAX_UPLOAD) as JSON, not Express's HTML page.
  router.use(((error, _req, res, next) => {
    const status = (error as { status?: number }).status;
    if (res.headersSent || !status || status < 400 || status >= 500) return next(error);
    res.status(status).json({ error: status === 413 ? `The file is larger than ${MAX_UPLOAD}` : 'Unreadable request body', code: ErrorCode.BAD_USER_INPUT });
  }) as ErrorRequestHandler);

  return router;
}
