import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, withDatabase } from '../../src/db/embedded.js';
import { ensureDatabase, openDatabase } from '../../src/db/orm.js';
import { startServer } from '../../src/server/app.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { civgraph } from '../../src/features.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const base = () => app.url.replace(/\/graphql$/, '');

describe('health', () => {
  it('answers /healthz and /readyz when the database is up and migrated', async () => {
    expect(await (await fetch(`${base()}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base()}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('is not ready while its database is down, and ready again when it is back', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'civgraph-readyz-'));
    let postgres = await startEmbeddedPostgres({ dataDir, persistent: true });
    const url = withDatabase(postgres.adminUrl, 'civgraph');
    await ensureDatabase(url);
    const orm = await openDatabase(url);
    const server = await startServer({ civgraph, orm, port: 0, host: '127.0.0.1' });
    const readyz = server.url.replace(/\/graphql$/, '/readyz');
    try {
      expect((await fetch(readyz)).status).toBe(200);
      await postgres.stop();
      const down = await fetch(readyz);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'not ready', reason: 'database unreachable' });
      expect((await fetch(readyz.replace('readyz', 'healthz'))).status).toBe(200);
      postgres = await startEmbeddedPostgres({ dataDir, persistent: false, port: postgres.port });
      await expect.poll(async () => (await fetch(readyz)).status, { timeout: 10_000 }).toBe(200);
    } finally {
      await server.close();
      await orm.close(true);
      await postgres.stop();
    }
  });
});

describe('metrics', () => {
  it('exposes latency by operation, errors by code and the database pool in Prometheus format', async () => {
    await app.request('query CountyName { area(code: "511921") { name } }');
    await app.request('query BadCode { area(code: "12") { name } }');
    const text = await (await fetch(app.metricsUrl)).text();
    expect(text).toMatch(/civgraph_graphql_request_duration_seconds_count\{operation="CountyName",type="query",transport="http"\} [1-9]/);
    expect(text).toMatch(/civgraph_graphql_errors_total\{code="BAD_USER_INPUT"\} [1-9]/);
    expect(text).toMatch(/civgraph_db_pool_connections\{state="used"\} \d+/);
    expect(text).toContain('civgraph_websocket_connections');
    expect(text).toContain('civgraph_event_delivery_lag_seconds');
    expect(text).toContain('civgraph_process_cpu_seconds_total');
  });
});
