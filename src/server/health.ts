import type { MikroORM } from '@mikro-orm/postgresql';
import { Router } from 'express';
import type { Metrics } from './metrics.js';

/**
 * `/healthz`: the process is up. `/readyz`: it can serve — the database answers
 * and every migration is applied (a load balancer sends no traffic otherwise).
 * `/metrics`: Prometheus text format.
 */
export function healthRouter(orm: MikroORM, metrics: Metrics): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await orm.em.getConnection().execute('select 1', [], 'all');
      const pending = await orm.getMigrator().getPendingMigrations();
      if (pending.length) {
        res.status(503).json({ status: 'not ready', reason: `pending migrations: ${pending.map((m) => m.name).join(', ')}` });
        return;
      }
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'not ready', reason: 'database unreachable' });
    }
  });
  router.get('/metrics', async (_req, res) => {
    res.set('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
