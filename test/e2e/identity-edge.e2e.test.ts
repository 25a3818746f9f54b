import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';

/**
 * Tokens that are signed with the right key and still must not pass: a role that
 * is an Object.prototype key (`role in Role` once took it), an area that is no
 * area of this server, no expiry. Each is refused on all four transports the way
 * a forged token is: HTTP /graphql and SSE 401, graphql-ws closes with 4403, a
 * REST route 401. A good token still passes on all four.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

type Claims = { role?: string; area?: string; exp?: boolean };

/** A token signed with the test app's secret: a township operator of 民胜镇 unless `claims` says otherwise. */
function signed({ role = 'TOWNSHIP_OPERATOR', area = '511921101', exp = true }: Claims = {}): Promise<string> {
  const jwt = new SignJWT({ name: '边界', role, area }).setProtectedHeader({ alg: 'HS256' }).setSubject('edge-1').setIssuedAt();
  if (exp) jwt.setExpirationTime('1h');
  return jwt.sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

const refused: [string, Claims, RegExp][] = [
  ['role constructor', { role: 'constructor' }, /role must be one of/],
  ['role toString', { role: 'toString' }, /role must be one of/],
  ['role __proto__', { role: '__proto__' }, /role must be one of/],
  ['role hasOwnProperty', { role: 'hasOwnProperty' }, /role must be one of/],
  ['an unknown role', { role: 'SUPER_ADMIN' }, /role must be one of/],
  ['area 999999 (no such area)', { area: '999999' }, /999999000000 is not an area/],
  ['area 000000 (no such area)', { area: '000000' }, /000000000000 is not an area/],
  ['a village code that does not exist', { area: '511921101999' }, /511921101999 is not an area/],
  ['no expiry (exp)', { exp: false }, /expiry/],
];

const VIEWER = '{ viewer { role area { code } } }';

/** POSTs `{ viewer … }` over HTTP with `token`. */
function overHttp(token: string) {
  return fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: VIEWER }),
  });
}

/** The same over graphql-sse (a single-connection-free POST with an event-stream answer). */
function overSse(token: string) {
  return fetch(app.sseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: VIEWER }),
  });
}

/** A REST download: the facility ledger as CSV. */
function overRest(token: string) {
  return fetch(app.url.replace(/\/graphql$/, '/exports/facilities.csv'), { headers: { authorization: `Bearer ${token}` } });
}

/** Opens a raw graphql-ws socket, sends connection_init with the token, and reports how the server answered. */
function wsHandshake(token: string): Promise<{ acked: boolean; closeCode?: number; socket: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(app.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve({ acked: true, socket });
    });
    socket.on('close', (code) => resolve({ acked: false, closeCode: code, socket }));
  });
}

describe.each(refused)('a signed token with %s', (_what, claims, message) => {
  it('is refused over HTTP with 401 UNAUTHENTICATED and a message saying why', async () => {
    const response = await overHttp(await signed(claims));
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[]; data?: unknown };
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.errors[0].message).toMatch(message);
    expect(body.data).toBeUndefined();
  });

  it('is refused over graphql-ws: the socket closes with 4403, never acknowledged', async () => {
    const outcome = await wsHandshake(await signed(claims));
    expect(outcome).toMatchObject({ acked: false, closeCode: 4403 });
  });

  it('is refused over SSE with 401 UNAUTHENTICATED', async () => {
    const response = await overSse(await signed(claims));
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.errors[0].message).toMatch(message);
  });

  it('is refused by a REST download with 401 UNAUTHENTICATED', async () => {
    const response = await overRest(await signed(claims));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'UNAUTHENTICATED', error: expect.stringMatching(message) });
  });
});

describe('a good token', () => {
  it('still passes on all four transports', async () => {
    const token = await signed();
    const http = await overHttp(token);
    expect(http.status, await http.clone().text()).toBe(200);
    expect(await http.json()).toEqual({ data: { viewer: { role: 'TOWNSHIP_OPERATOR', area: { code: '511921101000' } } } });

    const sse = await overSse(token);
    expect(sse.status).toBe(200);
    const events = [...(await sse.text()).matchAll(/^event: next\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]) as unknown);
    expect(events).toEqual([{ data: { viewer: { role: 'TOWNSHIP_OPERATOR', area: { code: '511921101000' } } } }]);

    const rest = await overRest(token);
    expect(rest.status).toBe(200);
    expect(rest.headers.get('content-type')).toMatch(/csv/);

    const client = app.wsClient({ authorization: `Bearer ${token}` });
    const result = await new Promise((resolve, reject) => {
      let value: unknown;
      client.subscribe({ query: VIEWER }, { next: (v) => (value = v), error: reject, complete: () => resolve(value) });
    });
    expect(result).toEqual({ data: { viewer: { role: 'TOWNSHIP_OPERATOR', area: { code: '511921101000' } } } });
  });

  it('for an area added after the server started (another process importing, a merger) passes at once', async () => {
    const code = '511921101990';
    const refusedBefore = await overHttp(await signed({ role: 'VILLAGE_OPERATOR', area: code }));
    expect(refusedBefore.status).toBe(401);
    await app.orm.em
      .fork()
      .getConnection()
      .execute(`insert into area (code, name, level, kind, parent_code, source) values (?, '边界村', 'VILLAGE', 'VILLAGE', '511921101000', 'TEST')`, [code]);
    const response = await overHttp(await signed({ role: 'VILLAGE_OPERATOR', area: code }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { viewer: { role: 'VILLAGE_OPERATOR', area: { code } } } });
  });
});
