import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRole, Role } from './auth.rules.js';
import { accountSigningSettings, createTokenVerifier, MAX_TOKEN_LIFETIME_SECONDS, mintToken, tokenLifetime } from './auth.tokens.js';

const SECRET = 'unit-test-secret-0123456789-0123456789';

describe('token verifier', () => {
  afterEach(() => vi.useRealTimers());

  it('accepts a token again from memory, and refuses it once it has expired', async () => {
    const verify = createTokenVerifier({ secret: SECRET })!;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-28T00:00:00Z'));
    const token = await mintToken(SECRET, { name: '张三', role: Role.TOWNSHIP_OPERATOR, area: '511921101' }, { expiresIn: '1h' });
    const first = await verify(token);
    expect(first.viewer).toMatchObject({ name: '张三', role: Role.TOWNSHIP_OPERATOR, areaCode: '511921101000' });
    await expect(verify(token)).resolves.toEqual(first);
    vi.setSystemTime(new Date('2026-11-28T01:00:01Z'));
    await expect(verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'Token has expired' });
  });

  it('does not take a tampered token for a remembered one', async () => {
    const verify = createTokenVerifier({ secret: SECRET })!;
    const token = await mintToken(SECRET, { name: '张三', role: Role.VIEWER, area: '511921' });
    await verify(token);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = [header, Buffer.from(JSON.stringify({ ...claims, role: 'COUNTY_ADMIN' })).toString('base64url'), signature].join('.');
    await expect(verify(forged)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const otherSecret = await mintToken(`${SECRET}-other`, { name: '张三', role: Role.COUNTY_ADMIN, area: '511921' });
    await expect(verify(otherSecret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

/** A token signed with {@link SECRET} with exactly these claims (and `exp` when `expiresIn` is given). */
function signed(claims: Record<string, unknown>, expiresIn?: string) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('u-1');
  if (expiresIn) jwt.setExpirationTime(expiresIn);
  return jwt.sign(new TextEncoder().encode(SECRET));
}

describe('token claims', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'GOD', 'viewer', ''])('refuse the role "%s"', async (role) => {
    const verify = createTokenVerifier({ secret: SECRET })!;
    await expect(verify(await signed({ name: 'x', role, area: '511921' }, '1h'))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Token role must be one of COUNTY_ADMIN, SECTION_STAFF, TOWNSHIP_OPERATOR, VILLAGE_OPERATOR, VIEWER, LEADER',
    });
  });

  it('refuse a token without an expiry, however well signed', async () => {
    const verify = createTokenVerifier({ secret: SECRET })!;
    await expect(verify(await signed({ name: 'x', role: 'VIEWER', area: '511921' }))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Token has no expiry (exp): every token must expire',
    });
  });

  it("refuse an identity provider's token without an expiry too (JWT_JWKS_URL)", async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const server = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const verify = createTokenVerifier({ jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks` })!;
      const token = (expiresIn?: string) => {
        const jwt = new SignJWT({ name: 'x', role: 'VIEWER', area: '511921' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('idp-1');
        if (expiresIn) jwt.setExpirationTime(expiresIn);
        return jwt.sign(privateKey);
      };
      expect((await verify(await token('1h'))).viewer.role).toBe('VIEWER');
      await expect(verify(await token())).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'Token has no expiry (exp): every token must expire' });
    } finally {
      server.close();
    }
  });

  it('accept every role by its name', async () => {
    const verify = createTokenVerifier({ secret: SECRET })!;
    for (const role of Object.values(Role)) {
      expect((await verify(await signed({ name: 'x', role, area: '511921' }, '1h'))).viewer.role).toBe(role);
    }
  });
});

describe('isRole', () => {
  it('is true for the five roles only, never for what Object.prototype holds', () => {
    expect(Object.values(Role).every(isRole)).toBe(true);
    for (const value of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'isPrototypeOf', 'GOD', '', undefined, null, 1, {}]) {
      expect(isRole(value), String(value)).toBe(false);
    }
  });
});

describe('tokenLifetime (civgraph token --expires)', () => {
  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['12h', 43_200],
    ['7d', 604_800],
    ['366d', MAX_TOKEN_LIFETIME_SECONDS],
  ])('takes %s as %i seconds', (text, seconds) => {
    expect(tokenLifetime(text)).toBe(seconds);
  });

  it.each(['', '0h', '0', '12', 'never', '-1h', '1 hour ago', '367d', '99999999999999999999y', '1y', '1.5h', 'NaN', 'Infinity', '12 h'])(
    'refuses "%s"',
    (text) => {
      expect(tokenLifetime(text)).toBeNull();
    },
  );
});

describe("accounts' access tokens", () => {
  it('carry the session (sid) into the viewer, and are signed with the secret the verifier checks', async () => {
    const verify = createTokenVerifier({ secret: SECRET })!;
    const signing = accountSigningSettings();
    expect(signing?.secret).toBe(SECRET);
    const token = await mintToken(SECRET, { sub: 'account:7', name: '张三', role: Role.VILLAGE_OPERATOR, area: '511921101001', sid: 'a-session' });
    expect((await verify(token)).viewer).toMatchObject({ sub: 'account:7', sessionId: 'a-session' });
    // Development tokens carry none.
    const dev = await mintToken(SECRET, { name: 'x', role: Role.VIEWER, area: '511921' });
    expect((await verify(dev)).viewer.sessionId).toBeUndefined();
  });
});
