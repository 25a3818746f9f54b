import type { MikroORM } from '@mikro-orm/postgresql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BackupStatus } from '../db/backup.js';

/** Distinct operation names that get their own latency series before the rest fold into {@link OTHER_OPERATIONS}. */
export const MAX_OPERATION_LABELS = 200;
/** The `operation` label of every operation name past the cap. */
export const OTHER_OPERATIONS = '(other)';

/**
 * The `operation` label of a request, from a set that cannot grow without bound:
 * operation names are chosen by clients, and a series per name let anyone grow
 * `/metrics` (3,100 names: 16 KB → 12.6 MB) and the scraper's storage. Names of
 * registered trusted documents always keep their own series (an operator chose
 * them); other names get one on first sight until `max` of them exist, and every
 * later new name is {@link OTHER_OPERATIONS}.
 */
export class OperationLabels {
  private readonly seen = new Set<string>();

  constructor(
    private readonly max = MAX_OPERATION_LABELS,
    private readonly registered: (name: string) => boolean = () => false,
  ) {}

  label(name: string | null | undefined): string {
    if (!name) return '(anonymous)';
    if (this.seen.has(name) || this.registered(name)) return name;
    if (this.seen.size >= this.max) return OTHER_OPERATIONS;
    this.seen.add(name);
    return name;
  }
}

/**
 * Prometheus metrics of one process (`GET /metrics`). Each instance exposes its
 * own; the scraper adds them up.
 */
export function createMetrics(
  orm: MikroORM,
  webSocketCounts: () => { connections: number; subscriptions: number } = () => ({ connections: 0, subscriptions: 0 }),
  operations: OperationLabels = new OperationLabels(),
  /** The scheduled backups' status (BACKUP_DIR), when the server takes them: `/metrics` and `/readyz` show it. */
  backup?: () => BackupStatus,
) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'civgraph_' });

  const requestDuration = new Histogram({
    name: 'civgraph_graphql_request_duration_seconds',
    help: 'GraphQL operation latency by operation name (bounded: names past the first 200 that are not registered trusted documents are "(other)") and type.',
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

  if (backup) {
    // Alert on `time() - civgraph_backup_last_success_timestamp_seconds` above the interval plus a margin.
    new Gauge({
      name: 'civgraph_backup_last_success_timestamp_seconds',
      help: 'When the last successful backup (scheduled, in BACKUP_DIR) was taken, Unix seconds; 0 when none is.',
      registers: [registry],
      collect() {
        this.set((backup().lastSuccessAt?.getTime() ?? 0) / 1000);
      },
    });
    new Gauge({
      name: 'civgraph_backup_last_attempt_failed',
      help: '1 when the last scheduled backup failed (see the log and /readyz), else 0.',
      registers: [registry],
      collect() {
        this.set(backup().lastError ? 1 : 0);
      },
    });
  }

  return { registry, requestDuration, errors, operations, backup };
}

export type Metrics = ReturnType<typeof createMetrics>;
