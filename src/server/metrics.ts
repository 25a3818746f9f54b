import type { MikroORM } from '@mikro-orm/postgresql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one process (`GET /metrics`). Each instance exposes its
 * own; the scraper adds them up.
 */
export function createMetrics(orm: MikroORM, webSocketCounts: () => { connections: number; subscriptions: number } = () => ({ connections: 0, subscriptions: 0 })) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'civgraph_' });

  const requestDuration = new Histogram({
    name: 'civgraph_graphql_request_duration_seconds',
    help: 'GraphQL operation latency by operation name and type, over HTTP and WebSocket.',
    labelNames: ['operation', 'type', 'transport'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'civgraph_graphql_errors_total',
    help: 'GraphQL errors by stable error code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  // Read at scrape time from the WebSocket server itself: nothing to keep in step.
  new Gauge({
    name: 'civgraph_websocket_connections',
    help: 'Open graphql-ws connections.',
    registers: [registry],
    collect() {
      this.set(webSocketCounts().connections);
    },
  });
  new Gauge({
    name: 'civgraph_subscriptions',
    help: 'Operations running on graphql-ws connections (subscriptions, in practice).',
    registers: [registry],
    collect() {
      this.set(webSocketCounts().subscriptions);
    },
  });
  new Gauge({
    name: 'civgraph_db_pool_connections',
    help: 'Database pool connections by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const pool = (orm.em.getConnection().getKnex().client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number } }).pool;
      if (!pool) return;
      this.set({ state: 'used' }, pool.numUsed());
      this.set({ state: 'free' }, pool.numFree());
      this.set({ state: 'pending' }, pool.numPendingAcquires());
    },
  });

  return { registry, requestDuration, errors };
}

export type Metrics = ReturnType<typeof createMetrics>;
