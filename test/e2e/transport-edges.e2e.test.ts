import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { captureLogLines, type LogLine } from '../support/log.js';
import { civgraph } from '../../src/features.js';
import { seedDemo } from '../../src/feature.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** Edges the fuzz suite (fuzz.e2e.test.ts) found: each was a masked 500 or a 4500 close before. */
let app: TestApp;
let admin: string;
let errorLines: LogLine[] = [];
let releaseLog: () => void;

beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.orm, '511921000000', civgraph);
  admin = await app.token('COUNTY_ADMIN', '511921');
  ({ lines: errorLines, release: releaseLog } = captureLogLines('error'));
}, 180_000);
afterAll(async () => {
  releaseLog?.();
  await app?.close();
});

describe('a subscription over plain HTTP', () => {
  const subscription = 'subscription { progressUpdated(area: "511921") { summary } }';

  it('is refused with 400 BAD_REQUEST naming the transports that carry it, on POST and GET', async () => {
    const post = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: subscription }),
    });
    expect(post.status).toBe(400);
    const body = (await post.json()) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('graphql-ws'), extensions: expect.objectContaining({ code: 'BAD_REQUEST' }) }),
    ]);
    expect(body.errors[0].message).toContain('/graphql/stream');

    const url = new URL(app.url);
    url.searchParams.set('query', subscription);
    const get = await fetch(url, { headers: { authorization: `Bearer ${admin}` } });
    expect([400, 405]).toContain(get.status);
    expect(JSON.stringify(await get.json())).not.toContain('INTERNAL_SERVER_ERROR');
  });

  it('still runs over graphql-ws', async () => {
    const client = app.wsClient({ authorization: `Bearer ${admin}` });
    const first = await new Promise<unknown>((resolve, reject) => {
      const stop = client.subscribe(
        { query: 'subscription { progressUpdated(area: "511921", after: "0") { summary } }' },
        { next: (value) => (stop(), resolve(value)), error: reject, complete: () => resolve(null) },
      );
    });
    expect(JSON.stringify(first)).not.toContain('errors');
  });
});

describe('a graphql-ws client that sends a server message', () => {
  /** Opens a socket, sends `messages`, and resolves with how it closed. */
  function exchange(messages: object[]): Promise<{ code: number; reason: string }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(app.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      socket.once('open', () => messages.forEach((message) => socket.send(JSON.stringify(message))));
      socket.once('close', (code, reason) => resolve({ code, reason: String(reason) }));
      socket.once('error', reject);
    });
  }

  it.each([
    ['connection_ack', { type: 'connection_ack' }],
    ['next', { type: 'next', id: '1', payload: { data: {} } }],
    ['error', { type: 'error', id: '1', payload: [{ message: 'from the client' }] }],
  ])('(%s) is closed with 4400 as a bad request, not 4500 as a server fault, and nothing is logged as an error', async (_type, message) => {
    errorLines.length = 0;
    const closed = await exchange([{ type: 'connection_init', payload: { authorization: `Bearer ${admin}` } }, message]);
    expect(closed).toEqual({ code: 4400, reason: expect.stringMatching(/^Unexpected message of type \w+ received$/) });
    expect(errorLines).toEqual([]);
  });

  it('leaves the server serving other sockets', async () => {
    const client = app.wsClient({ authorization: `Bearer ${admin}` });
    const result = await new Promise<unknown>((resolve, reject) => {
      let last: unknown;
      client.subscribe({ query: '{ area(code: "511921") { name } }' }, { next: (value) => (last = value), error: reject, complete: () => resolve(last) });
    });
    expect(result).toEqual({ data: { area: { name: '通江县' } } });
  });
});

describe('timestamps read with plain SQL', () => {
  const timestamps = `{
    area(code: "511921") {
      facilities(first: 2) { nodes { createdAt updatedAt } }
      projects(first: 2) { nodes { createdAt progress(first: 2) { nodes { recordedAt } } } }
    }
    observations: area(code: "511921001001") { observations(period: "2026-05") { updatedAt } }
  }`;
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

  /** Every string under a key ending in `At`. */
  function times(value: unknown, found: string[] = []): string[] {
    if (Array.isArray(value)) value.forEach((item) => times(item, found));
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key.endsWith('At') && typeof inner === 'string') found.push(inner);
        else times(inner, found);
      }
    }
    return found;
  }

  it('answer as ISO 8601 over HTTP (they were INTERNAL_SERVER_ERROR: "DateTime cannot represent an invalid date-time-string")', async () => {
    const result = await app.request(timestamps, undefined, { token: admin });
    expect(result.errors).toBeUndefined();
    const found = times(result.data);
    expect(found.length).toBeGreaterThan(4);
    for (const time of found) expect(time).toMatch(ISO);
  });

  it('answer as ISO 8601 over graphql-ws', async () => {
    const client = app.wsClient({ authorization: `Bearer ${admin}` });
    const result = await new Promise<{ data?: unknown; errors?: unknown }>((resolve, reject) => {
      let last: unknown;
      client.subscribe({ query: timestamps }, { next: (value) => (last = value), error: reject, complete: () => resolve(last as never) });
    });
    expect(result.errors).toBeUndefined();
    for (const time of times(result.data)) expect(time).toMatch(ISO);
  });
});

describe('variables nested thousands of levels deep', () => {
  // Every walk of the variables recursed: 3,000 levels overflowed the stack into a masked 500 on
  // HTTP and an HTML stack trace on SSE (found by the fuzz suite).
  const deep = (levels: number): unknown => {
    let value: unknown = 'x';
    for (let i = 0; i < levels; i++) value = [value];
    return value;
  };
  const body = { query: 'query ($id: ID!) { node(id: $id) { id } }', variables: { id: deep(3000) } };
  const refusal = expect.objectContaining({ message: 'Variables nest deeper than 32 levels', extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) });

  it('are refused with 400 BAD_USER_INPUT over HTTP', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: unknown[] }).errors).toEqual([refusal]);
  });

  it('are refused over SSE (a JSON 400, not an HTML page) and graphql-ws', async () => {
    const response = await fetch(app.sseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${admin}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: unknown[] }).errors).toEqual([refusal]);

    const client = app.wsClient({ authorization: `Bearer ${admin}` });
    const errors = await new Promise<unknown>((resolve) => client.subscribe(body, { next: () => undefined, error: resolve, complete: () => resolve(null) }));
    expect(errors).toEqual([refusal]);
  });

  it('up to 32 levels reach the operation as before', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ ...body, variables: { id: deep(31) } }),
    });
    const answer = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(answer.errors.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(answer)).not.toContain('nest deeper');
  });
});
