import { describe, expect, it } from 'vitest';
import { identifyHeader, identifyToken, IdentityRefused } from './identity.js';
import { createTokenVerifier, mintToken } from '../auth/auth.tokens.js';
import { Role } from '../auth/auth.rules.js';

const SECRET = 'identity-test-secret-0123456789-abcdefghij';
const verifier = createTokenVerifier({ secret: SECRET });

describe('identifyHeader / identifyToken', () => {
  it('is anonymous without a header and the token\'s viewer with a good one', async () => {
    expect(await identifyHeader(verifier, undefined)).toBeNull();
    const token = await mintToken(SECRET, { name: '张三', role: Role.VIEWER, area: '511921' });
    expect((await identifyHeader(verifier, `Bearer ${token}`))?.viewer).toMatchObject({ name: '张三', role: 'VIEWER', areaCode: '511921000000' });
    expect((await identifyToken(verifier, token)).viewer.role).toBe('VIEWER');
  });

  it.each([
    ['a header that is not Bearer', () => identifyHeader(verifier, 'Basic abc'), /Bearer <token>/],
    ['a forged token', async () => identifyHeader(verifier, `Bearer ${await mintToken('another-secret-0123456789-abcdefghijkl', { name: 'x', role: Role.COUNTY_ADMIN, area: '511921' })}`), /not valid/],
    ['a server without a verifier', () => identifyToken(null, 'whatever'), /accepts no tokens/],
  ])('refuses %s', async (_what, attempt, message) => {
    const error = await attempt().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityRefused);
    expect((error as Error).message).toMatch(message);
  });
});
