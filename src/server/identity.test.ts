import { describe, expect, it } from 'vitest';
import { identifyHeader, identifyToken, IdentityRefused, KnownAreas, requireKnownArea } from './identity.js';
import { createTokenVerifier, mintToken } from '../auth/auth.tokens.js';
import { Role } from '../auth/auth.rules.js';

const SECRET = 'identity-test-secret-0123456789-abcdefghij';
const verifier = createTokenVerifier({ secret: SECRET });

describe('identifyHeader / identifyToken', () => {
  it("is anonymous without a header and the token's viewer with a good one", async () => {
    expect(await identifyHeader(verifier, undefined)).toBeNull();
    const token = await mintToken(SECRET, { name: '张三', role: Role.VIEWER, area: '511921' });
    expect((await identifyHeader(verifier, `Bearer ${token}`))?.viewer).toMatchObject({ name: '张三', role: 'VIEWER', areaCode: '511921000000' });
    expect((await identifyToken(verifier, token)).viewer.role).toBe('VIEWER');
  });

  it.each([
    ['a header that is not Bearer', () => identifyHeader(verifier, 'Basic abc'), /Bearer <token>/],
    [
      'a forged token',
      async () =>
        identifyHeader(verifier, `Bearer ${await mintToken('another-secret-0123456789-abcdefghijkl', { name: 'x', role: Role.COUNTY_ADMIN, area: '511921' })}`),
      /not valid/,
    ],
    ['a server without a verifier', () => identifyToken(null, 'whatever'), /accepts no tokens/],
  ])('refuses %s', async (_what, attempt, message) => {
    const error = await attempt().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityRefused);
    expect((error as Error).message).toMatch(message);
  });
});

describe('requireKnownArea: a token names an area of this server', () => {
  /** Known areas over a fake `area` table, counting the lookups. */
  function areasOf(table: string[]) {
    const asked: string[] = [];
    const areas = new KnownAreas(async (code) => {
      asked.push(code);
      return table.includes(code);
    });
    return { areas, asked };
  }

  it.each(['999999', '000000', '511921999'])('refuses a token for %s, which is no area, with 401 and a clear message', async (area) => {
    const { areas } = areasOf(['511921000000']);
    const checked = requireKnownArea(verifier, areas);
    const token = await mintToken(SECRET, { name: 'x', role: Role.COUNTY_ADMIN, area });
    const error = await identifyToken(checked, token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityRefused);
    expect((error as Error).message).toBe(`Token area ${area.padEnd(12, '0')} is not an area of this server`);
    expect((await identifyHeader(checked, `Bearer ${token}`).catch((e: unknown) => e)) as Error).toBeInstanceOf(IdentityRefused);
  });

  it('accepts a known area, looks it up once, then answers from memory', async () => {
    const { areas, asked } = areasOf(['511921101001']);
    const checked = requireKnownArea(verifier, areas);
    const token = await mintToken(SECRET, { name: 'x', role: Role.VILLAGE_OPERATOR, area: '511921101001' });
    const [a, b] = await Promise.all([identifyToken(checked, token), identifyToken(checked, token)]);
    expect(a.viewer.areaCode).toBe('511921101001');
    expect(b.viewer.areaCode).toBe('511921101001');
    await identifyToken(checked, token);
    expect(asked).toEqual(['511921101001']);
    expect(areas.has('511921101001')).toBe(true);
  });

  it('never looks up a remembered area (those loaded at start)', async () => {
    const { areas, asked } = areasOf([]);
    areas.remember(['511921000000']);
    const token = await mintToken(SECRET, { name: 'x', role: Role.VIEWER, area: '511921' });
    expect((await identifyToken(requireKnownArea(verifier, areas), token)).viewer.areaCode).toBe('511921000000');
    expect(asked).toEqual([]);
  });

  it('asks again for an area not found, so one added later passes at once', async () => {
    const table: string[] = [];
    const { areas, asked } = areasOf(table);
    const checked = requireKnownArea(verifier, areas);
    const token = await mintToken(SECRET, { name: 'x', role: Role.VILLAGE_OPERATOR, area: '511921101990' });
    await expect(identifyToken(checked, token)).rejects.toBeInstanceOf(IdentityRefused);
    table.push('511921101990');
    expect((await identifyToken(checked, token)).viewer.areaCode).toBe('511921101990');
    expect(asked).toEqual(['511921101990', '511921101990']);
  });

  it('refuses, without the database error, when the lookup fails', async () => {
    const checked = requireKnownArea(verifier, new KnownAreas(() => Promise.reject(new Error('connection terminated: secret-host:5432'))));
    const token = await mintToken(SECRET, { name: 'x', role: Role.VIEWER, area: '511921' });
    const error = await identifyToken(checked, token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityRefused);
    expect((error as Error).message).toBe('Token area 511921000000 could not be checked; try again');
  });

  it('starts its memory over once it holds its limit, and still answers', async () => {
    const asked: string[] = [];
    const small = new KnownAreas(async (code) => (asked.push(code), ['a', 'b', 'c'].includes(code)), 2);
    small.remember(['a', 'b']);
    expect(small.has('a')).toBe(true);
    expect(await small.has('c')).toBe(true);
    expect(small.has('c')).toBe(true);
    expect(await small.has('a')).toBe(true);
    expect(asked).toEqual(['c', 'a']);
  });

  it('leaves a server without tokens without a verifier', () => {
    expect(requireKnownArea(null, areasOf([]).areas)).toBeNull();
  });
});
