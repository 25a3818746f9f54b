import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, sqlOn } from '../support/database.js';
import { importAreas } from '../../src/modules/area/area.import.js';

// A safe production start and `create-admin` (issue 29 items 1 and 5), as an operator runs them:
// the compiled CLI (`npm test` builds first; `npx tsc -p tsconfig.json` alone is enough).
const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;

/** The environment without the test run's own NODE_ENV, token or demo settings. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  const dropped = ['NODE_ENV', 'JWT_SECRET', 'JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE', 'CIVGRAPH_DEMO', 'CIVGRAPH_ADMIN_PASSWORD'];
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !dropped.includes(key)) env[key] = value;
  return env;
}

/** Runs the CLI with `args`, `env` and `stdin`; resolves with its exit code and output. */
function cli(args: string[], env: Record<string, string>, stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [MAIN, ...args], { env: { ...cleanEnv(), LOG_LEVEL: 'warn', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin ?? '');
  });
}

const SECRET = 'a-real-deployment-secret-0123456789-abcdefghij';

describe('NODE_ENV=production', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'civgraph-prod-'));
  });
  afterAll(async () => {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to start without JWT_SECRET or JWT_JWKS_URL: a clear message, exit 1, nothing served', async () => {
    const result = await cli(['start'], { NODE_ENV: 'production', DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: '0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('NODE_ENV=production needs JWT_SECRET');
    expect(result.stderr).toContain('JWT_JWKS_URL');
    expect(result.stdout).not.toContain('serving');
    // It refused before touching the database: no areas were loaded.
    expect(await sqlOn(database.url, 'select count(*)::int as n from area')).toEqual([{ n: 0 }]);
  }, 60_000);

  it('starts with JWT_SECRET, seeds no demo data, and tells the operator how to create the first admin', async () => {
    const child = spawn(process.execPath, [MAIN, 'start'], {
      env: {
        ...cleanEnv(),
        NODE_ENV: 'production',
        JWT_SECRET: SECRET,
        DATABASE_URL: database.url,
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner:\n${output}`)), 90_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (/create-admin .*\n/.test(output)) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
      });
      expect(output).toContain('No account yet');
      expect(output).toContain("CIVGRAPH_ADMIN_PASSWORD='…' npm run civgraph -- create-admin --login admin --name 县民政局管理员 --area 511921");
      expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
      // The county's areas are there (real geography); none of the demo figures, facilities, projects or tasks.
      expect(await sqlOn(database.url, `select count(*)::int as n from area where code like '511921%'`)).not.toEqual([{ n: 0 }]);
      for (const table of ['observation', 'facility', 'project', 'task']) {
        expect(await sqlOn(database.url, `select count(*)::int as n from ${table}`), table).toEqual([{ n: 0 }]);
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});

describe('npm run civgraph -- create-admin', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    await importAreas(database.orm, { county: '511921' });
  });
  afterAll(() => database?.drop());

  const env = () => ({ DATABASE_URL: database.url, JWT_SECRET: SECRET });
  const accounts = () => sqlOn<{ login: string; role: string; area_code: string; password_hash: string }>(database.url, 'select * from account order by id');

  it('creates a county admin with the password from CIVGRAPH_ADMIN_PASSWORD, prints what it created, stores only a hash', async () => {
    const result = await cli(['create-admin', '--login', 'Admin', '--name', '县民政局管理员'], { ...env(), CIVGRAPH_ADMIN_PASSWORD: 'Very-secret-2026' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('created account admin (县民政局管理员): COUNTY_ADMIN of 511921');
    expect(result.stdout + result.stderr).not.toContain('Very-secret-2026');
    const [admin] = await accounts();
    expect(admin).toMatchObject({ login: 'admin', role: 'COUNTY_ADMIN', area_code: '511921000000' });
    expect(admin.password_hash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(admin.password_hash).not.toContain('Very-secret-2026');
  }, 60_000);

  it('reads the password from stdin when the variable is not set', async () => {
    const result = await cli(['create-admin', '--login', 'second', '--name', '副管理员', '--area', '511921'], env(), 'Piped-in-pass-1\n');
    expect(result.code, result.stderr).toBe(0);
    expect((await accounts()).map((a) => a.login)).toEqual(['admin', 'second']);
  }, 60_000);

  it('refuses a weak password, a login in use, a password on the command line; nothing is created', async () => {
    const weak = await cli(['create-admin', '--login', 'third', '--name', 'x'], { ...env(), CIVGRAPH_ADMIN_PASSWORD: 'short' });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('密码至少 10 个字符');
    const taken = await cli(['create-admin', '--login', 'ADMIN', '--name', 'x'], { ...env(), CIVGRAPH_ADMIN_PASSWORD: 'Very-secret-2026' });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('已被使用');
    const argv = await cli(['create-admin', '--login', 'fourth', '--name', 'x', '--password', 'Very-secret-2026'], env());
    expect(argv.code).toBe(1);
    expect(argv.stderr).toContain("Unknown option '--password'");
    expect((await accounts()).map((a) => a.login)).toEqual(['admin', 'second']);
  }, 60_000);
});
