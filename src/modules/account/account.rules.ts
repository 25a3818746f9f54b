import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * 账号 rules: login and password shapes, password hashing, refresh tokens.
 * Pure (no database), unit-tested in account.rules.test.ts.
 */

/** 登录名: 3–32 characters, lower-case letters, digits, `.`, `_`, `-`, starting with a letter or digit (stored lower-case). */
export const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{2,31}$/;

/** The login as stored: trimmed and lower-cased, so `ZhangSan` and `zhangsan` are one login. */
export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase();
}

export const LOGIN_RULE = '登录名须为 3–32 个字符：小写字母、数字、点、下划线或连字符，以字母或数字开头';

/** The stated password rule, in the API's descriptions, the docs and the error message. */
export const PASSWORD_RULE = '密码至少 10 个字符（至多 128 个），且须包含字母、数字、其他符号中的至少两类';

/** Why a password breaks {@link PASSWORD_RULE}; null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < 10 || password.length > 128) return PASSWORD_RULE;
  const classes = [/[A-Za-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  return classes >= 2 ? null : PASSWORD_RULE;
}

/** Whether a phone number is acceptable: 5–20 digits, spaces, `+` or `-`. */
export function isPhone(phone: string): boolean {
  return /^[0-9+ -]{5,20}$/.test(phone);
}

/** The scrypt parameters new hashes are made with: N = 2^15, r = 8, p = 1 (32 MiB per hash). */
export const SCRYPT = { log2N: 15, r: 8, p: 1, keyLength: 32 } as const;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Memory scrypt may use for parameters (N, r): twice what it needs (128·N·r bytes), so raised parameters still run. */
function maxmemFor(N: number, r: number): number {
  return 256 * N * r + 1024 * 1024;
}

/**
 * Hashes a password: scrypt with a random 16-byte salt. The result carries its
 * parameters (`scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`, base64url), so they can
 * be raised later without breaking the hashes stored before.
 */
export async function hashPassword(password: string, params: { log2N: number; r: number; p: number; keyLength: number } = SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const N = 2 ** params.log2N;
  const key = await scrypt(password, salt, params.keyLength, { N, r: params.r, p: params.p, maxmem: maxmemFor(N, params.r) });
  return ['scrypt', params.log2N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Parses a stored hash; null for anything that is not one of ours. */
function parseHash(stored: string): { log2N: number; r: number; p: number; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [log2N, r, p] = parts.slice(1, 4).map(Number);
  if (![log2N, r, p].every(Number.isInteger) || log2N < 10 || log2N > 22 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  return { log2N, r, p, salt: Buffer.from(parts[4], 'base64url'), key: Buffer.from(parts[5], 'base64url') };
}

/**
 * A hash of no password anyone has, made with the current parameters: a
 * sign-in with an unknown login is checked against it, so it costs the same
 * work (and time) as one with a known login.
 */
let dummyHash: Promise<string> | undefined;
function dummy(): Promise<string> {
  return (dummyHash ??= hashPassword(randomBytes(24).toString('base64url')));
}

/**
 * Whether `password` matches `stored` (compared in constant time). With
 * `stored` null (no such login) the same work is done against a dummy hash and
 * the answer is false.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = parseHash(stored ?? (await dummy()));
  if (!parsed) return false;
  const N = 2 ** parsed.log2N;
  const key = await scrypt(password, parsed.salt, parsed.key.length, { N, r: parsed.r, p: parsed.p, maxmem: maxmemFor(N, parsed.r) });
  return timingSafeEqual(key, parsed.key) && stored !== null;
}

/** A new refresh token: 32 random bytes, base64url. Only its {@link refreshTokenHash} is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of a refresh token, as stored (a token of 32 random bytes needs no salt or slow hash). */
export function refreshTokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Accounts' subjects (`sub`) in their access tokens: `account:<id>`. */
export function accountSubject(accountKey: string): string {
  return `account:${accountKey}`;
}

/** The account id in an access token's subject; null for other tokens (development tokens, an identity provider's). */
export function accountKeyOfSubject(sub: string): string | null {
  const match = /^account:(\d{1,19})$/.exec(sub);
  return match ? match[1] : null;
}

/**
 * The bureau's sections (股室) an account of SECTION_STAFF may belong to,
 * besides any section that already owns a key task or a project.
 */
export const BUREAU_SECTIONS: readonly string[] = [
  '办公室',
  '养老服务股',
  '儿童福利股',
  '社会救助股',
  '社会事务股',
  '区划地名股',
  '基层政权和社区治理股',
  '慈善事业促进和社会工作股',
];

/** The area level an account of each role works at (LEADER and VIEWER: any level). */
export const ROLE_LEVELS: Record<string, readonly string[]> = {
  COUNTY_ADMIN: ['COUNTY'],
  SECTION_STAFF: ['COUNTY'],
  TOWNSHIP_OPERATOR: ['TOWNSHIP'],
  VILLAGE_OPERATOR: ['VILLAGE'],
};
