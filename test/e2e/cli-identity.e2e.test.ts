import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.js';

// The CLI as a user runs it: compiled output (`npm test` builds first).
const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;

/** A JWT as `start` would print it: header `{"alg":…` in base64url. */
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

/** The environment without NODE_ENV and without any token settings of the test run's own. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !['NODE_ENV', 'JWT_SECRET', 'JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE'].includes(key)) env[key] = value;
  }
  return env;
}

/**
 * Runs `civgraph start` until `last` has been printed; resolves with what it
 * printed so far, the URL, and `stop()` (SIGTERM, then everything it printed).
 */
async function startUntil(env: Record<string, string>, last: RegExp): Promise<{ output: string; url: string; stop(): Promise<string> }> {
  const child = spawn(process.execPath, [MAIN, 'start'], { env: { ...cleanEnv(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env } });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const printed = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`never printed ${last}:\n${output}`));
    }, 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (last.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return {
    output: printed,
    url: /serving GraphQL .* at (http:\/\/\S+)/.exec(printed)![1],
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return output;
    },
  };
}

describe('npm start: a token only in development', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'civgraph-banner-'));
  });
  afterAll(async () => {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['JWT_SECRET set and no NODE_ENV', {}],
    ['JWT_SECRET set and NODE_ENV=development', { NODE_ENV: 'development' }],
  ])(
    'prints no token with %s, only where tokens come from',
    async (_what, extra) => {
      const secret = 'a-real-deployment-secret-0123456789-abcdefghij';
      // Whichever comes last: the line about tokens, or the development banner's.
      const started = await startUntil(
        { DATABASE_URL: database.url, DATA_DIR: dataDir, JWT_SECRET: secret, ...extra },
        /(No token is printed outside development|Console \(GraphiQL\)).*\n/,
      );
      const output = await started.stop();
      expect(output).not.toMatch(JWT);
      expect(output).not.toContain('eyJ');
      expect(output).not.toContain('for development (12 h)');
      expect(output).not.toContain('?token=');
      expect(output).toContain(
        'No token is printed outside development; tokens are minted with JWT_SECRET: npm run civgraph -- token --role COUNTY_ADMIN --area 511921',
      );
    },
    120_000,
  );

  it('prints the development banner, with a county-admin token that works, without NODE_ENV and JWT_SECRET', async () => {
    const started = await startUntil({ DATABASE_URL: database.url, DATA_DIR: dataDir }, /Console \(GraphiQL\).*\n/);
    try {
      expect(started.output).toContain('A county-admin token for development (12 h)');
      const token = JWT.exec(started.output)![0];
      // The dashboard drops `?token=` from its address: the banner says to paste the token into 开发者入口 instead.
      expect(started.output).not.toContain('?token=');
      expect(started.output).toMatch(/Dashboard \(看板\): http:\/\/[^ ]+\/ — sign in with 开发者入口 .* paste the token above/);
      const response = await fetch(started.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ viewer { role area { code } } }' }),
      });
      expect(await response.json()).toEqual({ data: { viewer: { role: 'COUNTY_ADMIN', area: { code: '511921000000' } } } });
    } finally {
      await started.stop();
    }
  }, 120_000);
});

describe('npm run civgraph -- token', () => {
  const secret = 'a-real-deployment-secret-0123456789-abcdefghij';
  function token(...args: string[]) {
    return promisify(execFile)(process.execPath, [MAIN, 'token', ...args], { env: { ...cleanEnv(), JWT_SECRET: secret, LOG_LEVEL: 'warn' } }).then(
      (out) => ({ code: 0, ...out }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  }

  // Each run loads the whole CLI (seconds on a busy machine): one case of each refusal here,
  // the rest in the unit tests of isRole and tokenLifetime.
  it('refuses the role constructor (an Object.prototype key)', async () => {
    const result = await token('--role', 'constructor', '--area', '511921');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--role must be one of COUNTY_ADMIN, SECTION_STAFF, TOWNSHIP_OPERATOR, VILLAGE_OPERATOR, VIEWER, LEADER');
  });

  it('mints a token for a leader (县/局领导): --role LEADER', async () => {
    const leader = await token('--role', 'LEADER', '--area', '511921', '--name', '县委副书记');
    expect(leader.code, leader.stderr).toBe(0);
    expect(decodeJwt(leader.stdout.trim())).toMatchObject({ role: 'LEADER', area: '511921000000', name: '县委副书记' });
  });

  it('mints no token that never expires in all but name (--expires 99999999999999999999y)', async () => {
    const result = await token('--role', 'VIEWER', '--area', '511921', '--expires', '99999999999999999999y');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--expires must be a lifetime like 30m, 12h or 7d');
  });

  it('mints one that expires after --expires', async () => {
    const short = await token('--role', 'VIEWER', '--area', '511921', '--expires', '30m');
    expect(short.code, short.stderr).toBe(0);
    const claims = decodeJwt(short.stdout.trim());
    expect(claims).toMatchObject({ role: 'VIEWER', area: '511921000000' });
    expect(claims.exp! - claims.iat!).toBe(1800);
  });
});
