import { afterEach, describe, expect, it, vi } from 'vitest';
import { Role } from './auth.rules.js';
import { createTokenVerifier, mintToken } from './auth.tokens.js';

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
