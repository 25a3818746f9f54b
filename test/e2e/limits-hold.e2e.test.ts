import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { importAreas } from '../../src/modules/area/area.import.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { createTokenVerifier, mintToken } from '../../src/auth/auth.tokens.js';
import { Role } from '../../src/auth/auth.rules.js';
import { civgraph } from '../../src/features.js';
import { MAX_OPERATION_LABELS, OTHER_OPERATIONS } from '../../src/server/metrics.js';
import { CLOSE_TOO_MANY, DEFAULT_MAX_CONNECTIONS } from '../../src/server/ws.js';
import { webAssetsDir } from '../../src/server/web.js';
import { createTestDatabase } from '../support/database.js';
import { TEST_JWT_SECRET } from '../support/app.js';

/**
 * Issue 34: limits that hold across connections and routes, metrics that stay
 * small and private, and the transport's headers. Two servers on one database:
 * `limited` (a burst of BURST per identity, no refill within a test, a metrics
 * port of its own) and `open` (no rate limit, /metrics on the public port behind
 * a token).
 */
const BURST = 8;
const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';
const CORS_ORIGIN = 'https://screen.example.gov.cn';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let limited: RunningServer;
let open: RunningServer;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  await importAreas(database.orm, { county: '511921' });
  const verifier = createTokenVerifier({ secret: TEST_JWT_SECRET });
  const common = { civgraph, orm: database.orm, port: 0, host: '127.0.0.1', verifier, corsOrigins: [CORS_ORIGIN] };
  [limited, open] = await Promise.all([
    startServer({ ...common, rateLimit: { perMinute: 1, burst: BURST }, metrics: { port: 0 } }),
    startServer({ ...common, metrics: { token: METRICS_TOKEN } }),
  ]);
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await Promise.all([limited?.close(), open?.close()]);
  await database?.drop();
});

const base = (server: RunningServer) => server.url.replace(/\/graphql$/, '');
/** A token whose subject (its rate bucket) is its name. */
const token = (name: string, role: Role = Role.VIEWER) => mintToken(TEST_JWT_SECRET, { sub: `test:${name}`, name, role, area: '511921' });

function post(server: RunningServer, body: unknown, headers: Record<string, string> = {}) {
  return fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

type Opened = { socket: WebSocket; acked: true } | { acked: false; status?: number; code?: number; reason?: string };

/** A raw graphql-transport-ws socket: resolves at connection_ack, at a refused upgrade (status) or at a close (code). */
function connect(server: RunningServer, options: { params?: Record<string, unknown>; origin?: string } = {}): Promise<Opened> {
  const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws', options.origin ? { origin: options.origin } : {});
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.on('error', () => {});
    socket.on('unexpected-response', (_req, res) => resolve({ acked: false, status: res.statusCode }));
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: options.params ?? {} })));
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') resolve({ socket, acked: true });
    });
    socket.on('close', (code, reason) => resolve({ acked: false, code, reason: String(reason) }));
  });
}

function closed(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

let ids = 0;
/** One `{ __typename }` over a socket: its result, or the error message's payload. */
function operate(socket: WebSocket): Promise<{ data?: unknown; errors?: { extensions?: { code?: string } }[] }> {
  const id = String(++ids);
  return new Promise((resolve) => {
    const onMessage = (raw: WebSocket.RawData) => {
      const message = JSON.parse(String(raw)) as { id?: string; type: string; payload: unknown };
      if (message.id !== id) return;
      if (message.type === 'next') resolve(message.payload as { data: unknown });
      if (message.type === 'error') resolve({ errors: message.payload as { extensions?: { code?: string } }[] });
      if (message.type !== 'next') socket.off('message', onMessage);
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: '{ __typename }' } }));
  });
}

async function acked(opening: Promise<Opened>): Promise<WebSocket> {
  const opened = await opening;
  if (!opened.acked) throw new Error(`not acknowledged: ${JSON.stringify(opened)}`);
  return opened.socket;
}

describe('one rate bucket per identity', () => {
  it('is shared by four graphql-ws sockets of one token, and by HTTP after them', async () => {
    const params = { authorization: `Bearer ${await token('four sockets')}` };
    const four = await Promise.all([1, 2, 3, 4].map(() => acked(connect(limited, { params }))));
    // Three operations on each socket: twelve, of which the identity's burst runs.
    const results = (await Promise.all(four.map((socket) => Promise.all([operate(socket), operate(socket), operate(socket)])))).flat();
    expect(results.filter((r) => r.data).length).toBe(BURST);
    const refused = results.filter((r) => r.errors);
    expect(refused.length).toBe(12 - BURST);
    for (const r of refused) expect(r.errors![0].extensions!.code).toBe('RATE_LIMITED');
    // The same bucket over HTTP.
    const http = await post(limited, { query: '{ __typename }' }, params);
    expect(http.status).toBe(429);
    // And over SSE.
    const sse = await fetch(limited.sseUrl, {
      method: 'POST',
      headers: { ...params, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(sse.status).toBe(429);
    expect(Number(sse.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another identity has its own.
    expect((await post(limited, { query: '{ __typename }' }, { authorization: `Bearer ${await token('someone else')}` })).status).toBe(200);
  });

  it(`refuses the ${DEFAULT_MAX_CONNECTIONS + 1}st open socket of one identity with ${CLOSE_TOO_MANY}, and takes one again after a close`, async () => {
    const params = { authorization: `Bearer ${await token('many sockets')}` };
    const first = await Promise.all(Array.from({ length: DEFAULT_MAX_CONNECTIONS }, () => acked(connect(limited, { params }))));
    const refused = await connect(limited, { params });
    expect(refused).toMatchObject({ acked: false, code: CLOSE_TOO_MANY, reason: `Too many connections: at most ${DEFAULT_MAX_CONNECTIONS} per identity` });
    // Another identity is not affected.
    await acked(connect(limited, { params: { authorization: `Bearer ${await token('one socket')}` } }));
    first[0].close();
    await closed(first[0]);
    // The server sees the close a moment after the client does.
    await expect.poll(async () => (await connect(limited, { params })).acked, { timeout: 5_000 }).toBe(true);
  });

  it('limits an export route with 429 and Retry-After', async () => {
    const headers = { authorization: `Bearer ${await token('exporter', Role.COUNTY_ADMIN)}` };
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i <= BURST; i++) {
      last = await fetch(`${base(limited)}/exports/facilities.csv`, { headers });
      statuses.push(last.status);
      if (last.status !== 429) await last.arrayBuffer();
    }
    expect(statuses.slice(0, BURST)).toEqual(Array(BURST).fill(200));
    expect(statuses[BURST]).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await last!.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('/metrics', () => {
  it('is not on the public port without METRICS_TOKEN, and is on the metrics port', async () => {
    expect((await fetch(`${base(limited)}/metrics`)).status).toBe(404);
    expect(limited.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const scraped = await fetch(limited.metricsUrl!);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('civgraph_graphql_request_duration_seconds');
  });

  it('answers on the public port only to the bearer of METRICS_TOKEN', async () => {
    expect((await fetch(`${base(open)}/metrics`)).status).toBe(401);
    expect((await fetch(`${base(open)}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401);
    const scraped = await fetch(`${base(open)}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('civgraph_process_cpu_seconds_total');
  });

  it('folds operation names past the cap into one label', async () => {
    const names = Array.from({ length: MAX_OPERATION_LABELS + 50 }, (_, i) => `Probe${i}`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map((name) => post(open, { query: `query ${name} { __typename }` }).then((r) => r.arrayBuffer())));
    }
    const text = await (await fetch(`${base(open)}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const labels = new Set([...text.matchAll(/civgraph_graphql_request_duration_seconds_count\{operation="([^"]*)"/g)].map((m) => m[1]));
    expect(labels.size).toBeLessThanOrEqual(MAX_OPERATION_LABELS + 2);
    expect(labels).toContain(OTHER_OPERATIONS);
    const other = new RegExp(`civgraph_graphql_request_duration_seconds_count\\{operation="\\(other\\)",type="query",transport="http"\\} (\\d+)`).exec(text);
    expect(Number(other?.[1])).toBeGreaterThanOrEqual(50);
  });
});

describe('headers', () => {
  it.each([
    ['a GraphQL answer', () => post(open, { query: '{ __typename }' })],
    ['a health check', () => fetch(`${base(open)}/healthz`)],
    ['a REST route', () => fetch(`${base(open)}/exports/facilities.csv`)],
    ['a 404', () => fetch(`${base(open)}/nothing-here`)],
    ['a 401', () => post(limited, { query: '{ __typename }' }, { authorization: 'Bearer not-a-token' })],
  ])('carry nosniff and no-referrer on %s', async (_what, request) => {
    const response = await request();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it.runIf(webAssetsDir())("lets the dashboard connect only to its own origin (connect-src 'self')", async () => {
    const page = await fetch(`${base(open)}/`, { headers: { accept: 'text/html' } });
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/\bwss?:/);
  });
});

describe('graphql-ws Origin', () => {
  it('refuses a page on another origin with 403', async () => {
    expect(await connect(open, { origin: 'https://evil.example' })).toEqual({ acked: false, status: 403 });
    expect(await connect(open, { origin: 'null' })).toEqual({ acked: false, status: 403 });
  });

  it('accepts the server’s own origin, a configured CORS origin and a client that sends no Origin', async () => {
    for (const origin of [base(open), CORS_ORIGIN, undefined]) {
      const socket = await acked(connect(open, { origin }));
      expect(await operate(socket)).toEqual({ data: { __typename: 'Query' } });
      socket.close();
    }
  });
});

// Last: this empties the bucket of refused tokens of the tests' address on `limited`.
describe('invalid tokens', () => {
  it('limits requests with an invalid token per address, on every transport, before verifying them', async () => {
    const bad = { authorization: 'Bearer not-a-token' };
    const statuses: number[] = [];
    for (let i = 0; i <= BURST; i++) statuses.push((await post(limited, { query: '{ __typename }' }, bad)).status);
    expect(Number((await post(limited, { query: '{ __typename }' }, bad)).headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The headers' test sent one refused token to `limited` before.
    expect(statuses).toEqual([...Array(BURST - 1).fill(401), 429, 429]);
    const route = await fetch(`${base(limited)}/exports/facilities.csv`, { headers: bad });
    expect(route.status).toBe(429);
    expect(route.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(
      (await fetch(`${base(limited)}/trusted-documents/web`, { method: 'POST', headers: { ...bad, 'content-type': 'application/json' }, body: '{}' })).status,
    ).toBe(429);
    expect(
      (
        await fetch(limited.sseUrl, {
          method: 'POST',
          headers: { ...bad, 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ query: '{ __typename }' }),
        })
      ).status,
    ).toBe(429);
    expect(await connect(limited, { params: { token: 'not-a-token' } })).toMatchObject({ acked: false, code: CLOSE_TOO_MANY, reason: 'Too many requests' });
    // Until the address's bucket refills, no token from it is verified, a valid one included: guesses cost what any flood costs.
    expect((await post(limited, { query: '{ __typename }' }, { authorization: `Bearer ${await token('valid after a flood')}` })).status).toBe(429);
    // Anonymous requests from the address keep their own bucket.
    expect((await post(limited, { query: '{ __typename }' })).status).toBe(200);
  });
});
