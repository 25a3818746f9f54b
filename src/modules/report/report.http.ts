import { Router } from 'express';
import { downloadHeaders } from '../../common/download.js';
import { sendRestError, sendUnauthenticated } from '../../server/edge-errors.js';
import { createContext } from '../../graphql/context.js';
import { reportService, type ReportFormat } from './report.service.js';
import type { Viewer } from '../../auth/auth.rules.js';
import type { RouteDeps } from '../../feature.js';

/**
 * `GET /reports/monthly/<YYYY-MM>.md` and `.csv` (`?area=` defaults to the
 * caller's area): the same report as the `monthlyReport` query, under the same
 * bearer token and the same read rules. A request without a token gets 401.
 * Sent `no-store` and `nosniff` ({@link downloadHeaders}); the CSV's text cells
 * are neutralised against formula injection (`toCsv`).
 */
export function monthlyReportRouter({ orm, registry, viewerOf }: RouteDeps): Router {
  const router = Router();
  router.get('/monthly/:file', async (req, res) => {
    const match = /^(\d{4}-\d{2})\.(md|csv)$/.exec(req.params.file ?? '');
    if (!match) {
      res.status(404).json({ error: 'Use /reports/monthly/<YYYY-MM>.md or .csv' });
      return;
    }
    let viewer: Viewer | null;
    try {
      viewer = await viewerOf(req);
    } catch (error) {
      return sendUnauthenticated(res, error instanceof Error ? error.message : 'Token is not valid');
    }
    if (!viewer) return sendUnauthenticated(res, 'Sign in: this needs a bearer token');
    const ctx = createContext(orm, registry, { requestId: res.locals.requestId as string | undefined, viewer });
    try {
      const area = typeof req.query.area === 'string' ? req.query.area : null;
      const file = await reportService.download(ctx, match[1], area, match[2] as ReportFormat);
      res.set(downloadHeaders(file, 'inline')).send(file.body);
    } catch (error) {
      sendRestError(res, error, ctx, 'monthly report failed');
    }
  });
  return router;
}
