import { describe, expect, it } from 'vitest';
import { accountKeyOfSubject, hashPassword, normalizeLogin, LOGIN_PATTERN, passwordProblem, refreshTokenHash, verifyPassword } from './account.rules.js';
import { SessionRevocations, SessionStreams } from '../../server/identity.js';

describe('the password rule', () => {
  it.each([
    ['short1!', false],
    ['abcdefghij', false],
    ['1234567890', false],
    ['!!!!!!!!!!', false],
    ['abcdefghi1', true],
    ['密码是很长的一句话!!', false],
    ['密码是很长的一句话12', true],
    ['x'.repeat(120) + '12345678', true],
    ['x'.repeat(128) + '1', false],
  ])('%s → %s', (password, ok) => {
    expect(passwordProblem(password) === null).toBe(ok);
  });
});

describe('logins', () => {
  it('are compared lower-case and trimmed, and have a stated shape', () => {
    expect(normalizeLogin('  ZhangSan ')).toBe('zhangsan');
    expect(LOGIN_PATTERN.test('zhang.san-01')).toBe(true);
    expect(LOGIN_PATTERN.test('ab')).toBe(false);
    expect(LOGIN_PATTERN.test('-abc')).toBe(false);
  });

  it("name an account's subject only in the account:<id> form", () => {
    expect(accountKeyOfSubject('account:42')).toBe('42');
    expect(accountKeyOfSubject('dev:county_admin:511921000000')).toBeNull();
    expect(accountKeyOfSubject('account:42:x')).toBeNull();
  });
});

describe('password hashes', () => {
  it('are salted scrypt with their parameters, and verify only the right password', async () => {
    const [a, b] = [await hashPassword('Correct-horse-1'), await hashPassword('Correct-horse-1')];
    expect(a).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('Correct-horse-1', a)).toBe(true);
    expect(await verifyPassword('correct-horse-1', a)).toBe(false);
    expect(await verifyPassword('Correct-horse-1', null)).toBe(false);
    expect(await verifyPassword('Correct-horse-1', 'plain text')).toBe(false);
  });

  it('made with other (raised) parameters still verify', async () => {
    const raised = await hashPassword('Correct-horse-1', { log2N: 16, r: 8, p: 1, keyLength: 32 });
    expect(raised).toMatch(/^scrypt\$16\$8\$1\$/);
    expect(await verifyPassword('Correct-horse-1', raised)).toBe(true);
  });

  it('refresh tokens are stored as 32-byte SHA-256 hashes', () => {
    expect(refreshTokenHash('x')).toHaveLength(32);
  });
});

describe('session revocations', () => {
  it('refuse a revoked session and end the streams held for it, once', () => {
    const revocations = new SessionRevocations();
    const ended: string[] = [];
    const streams = new SessionStreams<string>((s) => ended.push(s), revocations);
    const release = streams.hold('s1', 'socket-a');
    streams.hold('s1', 'socket-b');
    streams.hold('s2', 'socket-c');
    release();
    revocations.revoke(['s1'], 60_000);
    revocations.revoke(['s1'], 60_000);
    expect(revocations.has('s1')).toBe(true);
    expect(revocations.has('s2')).toBe(false);
    expect(ended).toEqual(['socket-b']);
    // A stream of a session already revoked ends at once.
    streams.hold('s1', 'socket-d');
    expect(ended).toEqual(['socket-b', 'socket-d']);
  });

  it('forget a session once its access tokens have expired', () => {
    const revocations = new SessionRevocations();
    revocations.revoke(['s1'], 1_000, 0);
    revocations.revoke(['s2'], 1_000, 5_000);
    expect(revocations.has('s1')).toBe(false);
    expect(revocations.has('s2')).toBe(true);
  });
});
