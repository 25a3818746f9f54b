import { Router } from 'express';
import { downloadHeaders } from '../../common/download.js';
import { signedInRoute } from '../../server/rest-route.js';
import { reportService, type ReportFormat } from './report.service.js';
import type { RouteDeps } from '../../feature.js';

/**
 * `GET /reports/monthly/<YYYY-MM>.md` and `.csv` (`?area=` defaults to the
 * caller's area): the same report as the `monthlyReport` query, under the same
 * bearer token and the same read rules. A request without a token gets 401.
 * Sent `no-store` and `nosniff` ({@link downloadHeaders}); the CSV's text cells
 * are neutralised against formula injection (`toCsv`).
 */
export function monthlyReportRouter(deps: RouteDeps): Router {
  const router = Router();
  const MONTHLY_FILE = /^(\d{4}-\d{2})\.(md|csv)$/;
  router.get(
    '/monthly/:file',
    (req, res, next) => {
      if (MONTHLY_FILE.test(String(req.params.file))) return next();
      res.status(404).json({ error: 'Use /reports/monthly/<YYYY-MM>.md or .csv' });
    },
    signedInRoute(deps, 'monthly report failed', async (ctx, req, res) => {
      const [, month, format] = MONTHLY_FILE.exec(String(req.params.file)) as RegExpExecArray;
      const area = typeof req.query.area === 'string' ? req.query.area : null;
      const file = await reportService.download(ctx, month, area, format as ReportFormat);
      res.set(downloadHeaders(file, 'inline')).send(file.body);
    }),
  );
  return router;
}
