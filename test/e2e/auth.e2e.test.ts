import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const VIEWER_QUERY = '{ viewer { sub name role section area { code name } } }';
const claims = { name: '张三', role: 'TOWNSHIP_OPERATOR', area: '511921101' };

async function signed(secret: string, build: (jwt: SignJWT) => SignJWT = (jwt) => jwt.setExpirationTime('1h')) {
  return build(new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('u-1').setIssuedAt()).sign(new TextEncoder().encode(secret));
}

/** Opens a raw graphql-ws socket, sends connection_init, and reports how the server answered. */
function wsHandshake(payload: Record<string, unknown>): Promise<{ acked: boolean; closeCode?: number; socket: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(app.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve({ acked: true, socket });
    });
    socket.on('close', (code) => resolve({ acked: false, closeCode: code, socket }));
  });
}

const rejected: [string, () => Promise<string>][] = [
  ['a wrong secret', () => signed('another-secret-of-sufficient-length-0123456789')],
  ['an expired token', () => signed(TEST_JWT_SECRET, (jwt) => jwt.setExpirationTime(Math.floor(Date.now() / 1000) - 60))],
  ['alg: none', async () => new UnsecuredJWT(claims).setSubject('u-1').setExpirationTime('1h').encode()],
  [
    'a forged payload',
    async () => {
      const [header, , signature] = (await signed(TEST_JWT_SECRET)).split('.');
      const payload = Buffer.from(JSON.stringify({ ...claims, role: 'COUNTY_ADMIN', sub: 'u-1' })).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
  ],
  [
    'an unknown role',
    () =>
      new SignJWT({ ...claims, role: 'GOD' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('u')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(TEST_JWT_SECRET)),
  ],
  ['garbage', async () => 'not.a.jwt'],
];

describe('bearer tokens over HTTP', () => {
  it('identify the caller', async () => {
    const token = await app.token('TOWNSHIP_OPERATOR', '511921101', { name: '张三' });
    const data = await app.query<{ viewer: unknown }, never>(VIEWER_QUERY, undefined, { token });
    expect(data.viewer).toMatchObject({ name: '张三', role: 'TOWNSHIP_OPERATOR', section: null, area: { code: '511921101000', name: '民胜镇' } });
  });

  it('are optional: without one the caller is anonymous', async () => {
    expect(await app.query(VIEWER_QUERY)).toEqual({ viewer: null });
  });

  it.each(rejected)('reject %s with 401 UNAUTHENTICATED', async (_what, make) => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await make()}` },
      body: JSON.stringify({ query: VIEWER_QUERY }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[]; data?: unknown };
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data).toBeUndefined();
  });

  it('rejects an Authorization header that is not a bearer token', async () => {
    const result = await app.request(VIEWER_QUERY, undefined, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(result.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });
});

describe('bearer tokens over graphql-ws', () => {
  it('identify the caller from the connection_init payload', async () => {
    const token = await app.token('VIEWER', '511921', { name: '李四' });
    const client = app.wsClient({ authorization: `Bearer ${token}` });
    const result = await new Promise((resolve, reject) => {
      let value: unknown;
      client.subscribe({ query: '{ viewer { name role } }' }, { next: (v) => (value = v), error: reject, complete: () => resolve(value) });
    });
    expect(result).toEqual({ data: { viewer: { name: '李四', role: 'VIEWER' } } });
  });

  it.each(rejected)('close the socket with 4403 for %s', async (_what, make) => {
    const outcome = await wsHandshake({ authorization: `Bearer ${await make()}` });
    expect(outcome).toMatchObject({ acked: false, closeCode: 4403 });
  });

  it('close the socket with 4403 when the token expires', async () => {
    const token = await app.token('VIEWER', '511921', { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const outcome = await wsHandshake({ authorization: `Bearer ${token}` });
    expect(outcome.acked).toBe(true);
    const code = await new Promise<number>((resolve) => outcome.socket.on('close', (c) => resolve(c)));
    expect(code).toBe(4403);
  });

  it('accept anonymous connections, which see only public data', async () => {
    const outcome = await wsHandshake({});
    expect(outcome.acked).toBe(true);
    outcome.socket.close();
  });
});
