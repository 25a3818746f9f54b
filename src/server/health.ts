import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import express, { Router, type RequestHandler } from 'express';
import type { Metrics } from './metrics.js';
import { SECURITY_HEADERS } from './http-policy.js';

/** Where `/metrics` is served (see docs/operations.md, "Running"). */
export interface MetricsOptions {
  /**
   * A port of its own for `GET /metrics`, on `host`: Prometheus scrapes it, the
   * public port does not serve metrics (unless `token` is set). `0` picks a free
   * port; absent, there is no metrics port.
   */
  port?: number;
  /** Address the metrics port binds (default 127.0.0.1: only this machine reaches it). */
  host?: string;
  /**
   * When set, `GET /metrics` also answers on the public port, and on either port only
   * to `Authorization: Bearer <token>` (401 otherwise).
   */
  token?: string;
}

/** Address the metrics port binds when none is configured. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

/**
 * `/healthz`: the process is up. `/readyz`: it can serve — the database answers
 * and every migration is applied (a load balancer sends no traffic otherwise).
 * `/metrics` (Prometheus text format) only when `metricsToken` is set, and then
 * only with that bearer token: the public port never shows metrics to anyone.
 */
export function healthRouter(orm: MikroORM, metrics: Metrics, metricsToken?: string): Router {
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
      res.json({ status: 'ready', ...backupDetail(metrics) });
    } catch {
      res.status(503).json({ status: 'not ready', reason: 'database unreachable' });
    }
  });
  if (metricsToken) router.get('/metrics', metricsHandler(metrics, metricsToken));
  return router;
}

/**
 * The scheduled backups in `/readyz`'s detail (when BACKUP_DIR is set): the last
 * one's age, file and whether the last attempt failed. Informational: an old or failed backup does not
 * make the server unready (it can serve; the operator is told through `/metrics`).
 */
function backupDetail(metrics: Metrics): { backup?: Record<string, unknown> } {
  const status = metrics.backup?.();
  if (!status) return {};
  return {
    backup: {
      lastSuccessAt: status.lastSuccessAt?.toISOString() ?? null,
      ageSeconds: status.lastSuccessAt ? Math.max(0, Math.round((Date.now() - status.lastSuccessAt.getTime()) / 1000)) : null,
      file: status.lastFile ? basename(status.lastFile) : null,
      running: status.running,
      // The failure's text (paths, database messages) goes to the log only: /readyz is on the public port.
      lastAttemptFailed: Boolean(status.lastError),
      ...(status.lastError ? { failedAt: status.lastErrorAt?.toISOString() } : {}),
    },
  };
}

/** True when `header` is `Bearer <token>` (compared in constant time). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const sent = Buffer.from(header ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return sent.length === wanted.length && timingSafeEqual(sent, wanted);
}

/** `GET /metrics`: the registry in Prometheus text format; with a token, only to its bearer. */
export function metricsHandler(metrics: Metrics, token: string | undefined): RequestHandler {
  return async (req, res) => {
    if (token && !bearerMatches(req.get('authorization'), token)) {
      res.status(401).set('www-authenticate', 'Bearer realm="metrics"').json({ error: 'Metrics need the bearer token METRICS_TOKEN' });
      return;
    }
    res.set('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

/**
 * The metrics port: `GET /metrics` (and `/healthz`) on their own listener, bound
 * to 127.0.0.1 unless configured otherwise, so Prometheus (or an agent on the
 * machine, or a scraper on the deployment's private network) reaches it and the
 * public port does not.
 */
export async function startMetricsServer(
  metrics: Metrics,
  options: { port: number; host?: string; token?: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });
  app.get('/metrics', metricsHandler(metrics, options.token));
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.use((_req, res) => void res.status(404).json({ error: 'Not found. Metrics are served at /metrics.' }));
  const server = createServer(app);
  const host = options.host ?? DEFAULT_METRICS_HOST;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
