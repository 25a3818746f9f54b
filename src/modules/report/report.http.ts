import { Router } from 'express';
import { downloadHeaders } from '../../common/download.js';
import { signedInRoute } from '../../server/rest-route.js';
import { reportService, type ReportFormat } from './report.service.js';
import { issuedReportService } from './report.issued.js';
import type { IssuedFormat } from './report.entity.js';
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

  // 报送: the stored bytes of an issued month, as issued (`GET /reports/monthly/<YYYY-MM>/issued.md|.csv|.json`, `?area=`).
  const ISSUED_FILE = /^issued\.(md|csv|json)$/;
  router.get(
    '/monthly/:month/:file',
    (req, res, next) => {
      if (/^\d{4}-\d{2}$/.test(String(req.params.month)) && ISSUED_FILE.test(String(req.params.file))) return next();
      res.status(404).json({ error: 'Use /reports/monthly/<YYYY-MM>/issued.md, .csv or .json' });
    },
    signedInRoute(deps, 'issued monthly report failed', async (ctx, req, res) => {
      const [, format] = ISSUED_FILE.exec(String(req.params.file)) as RegExpExecArray;
      const area = typeof req.query.area === 'string' ? req.query.area : null;
      const file = await issuedReportService.download(ctx, String(req.params.month), area, format as IssuedFormat);
      res.set({ ...downloadHeaders(file, 'inline'), 'x-content-sha256': file.sha256 }).send(file.body);
    }),
  );
  return router;
}
