import { request } from 'node:http';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { importAreas } from '../../src/modules/area/area.import.js';
import { startServer } from '../../src/server/app.js';
import { TEST_JWT_SECRET } from '../support/app.js';
import { createTestDatabase } from '../support/database.js';
import { Role } from '../../src/auth/auth.rules.js';
import { createTokenVerifier, mintToken } from '../../src/auth/auth.tokens.js';
import { civgraph } from '../../src/features.js';

// Its own server (not startTestApp, whose close() disposes the clients first).
let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
  await importAreas(database.orm, { county: '511921' });
});
afterAll(() => database?.drop());

describe('graceful shutdown', () => {
  it('closes WebSockets with 1001 (going away) and lets an HTTP request in flight finish', async () => {
    const server = await startServer({ civgraph, orm: database.orm, port: 0, host: '127.0.0.1', verifier: createTokenVerifier({ secret: TEST_JWT_SECRET }) });
    const token = await mintToken(TEST_JWT_SECRET, { name: 'admin', role: Role.COUNTY_ADMIN, area: '511921' });
    const client = createClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
      onNonLazyError: () => {},
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const closed = new Promise<{ code: number }>((resolve) => client.on('closed', (event) => resolve(event as { code: number })));
    await new Promise<void>((resolve) => client.on('connected', () => resolve()));

    // An upload whose body is still arriving when close() is called.
    const { port } = new URL(server.url);
    const body = Buffer.from('\ufeff区划代码,名称,ORPHANS\r\n511921104200,平坝村,4\r\n');
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/imports/observations?period=2026-05',
          method: 'POST',
          headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      setTimeout(() => req.end(body.subarray(10)), 300);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));

    const stopping = server.close();
    expect((await closed).code).toBe(1001);
    const finished = await response;
    expect(finished.status).toBe(200);
    expect(JSON.parse(finished.text)).toEqual({ applied: 1, unchanged: 0, errors: [] });
    await stopping;
    // Stopped accepting: a new connection is refused.
    await expect(fetch(server.url.replace(/\/graphql$/, '/healthz'))).rejects.toThrow();
    await client.dispose();
  }, 60_000);
});
