import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { ErrorCode } from '../../common/errors.js';
import { sendRestError, sendUnauthenticated } from '../../server/edge-errors.js';
import { createContext, type Context } from '../../graphql/context.js';
import { AuditOutcome } from '../audit/audit.rules.js';
import { auditService } from '../audit/audit.service.js';
import { exchangeService, type ImportResult } from './exchange.service.js';
import { CONTENT_TYPE, formatOf, writeSheet, type SheetFormat, type Table } from './exchange.sheet.js';
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

  const send = async (res: Response, table: Table, name: string, format: SheetFormat) => {
    const body = await writeSheet(table, format);
    res.set('content-disposition', `attachment; filename="${name}.${format}"`).type(CONTENT_TYPE[format]).send(body);
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
      if (f?.name === 'observations') return send(res, await exchangeService.observationsTemplate(ctx), 'observations-template', f.format);
      if (f?.name === 'facilities') return send(res, exchangeService.facilitiesTemplate(ctx), 'facilities-template', f.format);
      res.status(404).json({ error: 'Use /templates/observations.xlsx, /templates/facilities.xlsx (or .csv)' });
    }),
  );

  router.get(
    '/exports/:file',
    handle(async (ctx, req, res) => {
      const f = file(req.params.file as string);
      const area = query(req, 'area');
      const exports: Record<string, () => Promise<Table>> = {
        'stats-table': () => exchangeService.statsTableExport(ctx, query(req, 'parent') ?? area, query(req, 'period')),
        facilities: () => exchangeService.facilitiesExport(ctx, area),
        tasks: () => exchangeService.tasksExport(ctx, area, query(req, 'asOf')),
        rectifications: () => exchangeService.rectificationsExport(ctx, area, query(req, 'asOf')),
        'monthly-report': () => exchangeService.monthlyReportExport(ctx, query(req, 'month'), area),
      };
      const make = f ? exports[f.name] : undefined;
      if (!f || !make) {
        res.status(404).json({ error: `Use /exports/<${Object.keys(exports).join('|')}>.xlsx (or .csv)` });
        return;
      }
      await send(res, await make(), f.name, f.format);
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
