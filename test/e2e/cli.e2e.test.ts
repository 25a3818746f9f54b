import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, startCivgraph } from '../support/cli.js';
import { createTestDatabase } from '../support/database.js';

// The CLI as a user runs it: compiled output (`npm test` builds first).
const run = promisify(execFile);

function cli(args: string[], env: Record<string, string>) {
  return run(process.execPath, [MAIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env } }).then(
    (out) => ({ code: 0, ...out }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

/** Starts `civgraph start` and resolves with the URL it prints. */
const startServer = (env: Record<string, string>) => startCivgraph({ DATABASE_URL: '', PORT: '0', LOG_LEVEL: 'info', ...env });

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

const EXAMPLE = '{ area(code: "511921") { name children(first: 100) { totalCount edges { node { name childCount } } } } }';

describe('npm start', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'civgraph-start-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('starts embedded PostgreSQL, loads Tongjiang, serves, and stops cleanly on SIGTERM; a second start reuses the data', async () => {
    const first = await startServer({ DATA_DIR: dataDir });
    expect(first.output()).toContain('Try:');
    const response = await fetch(first.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: EXAMPLE }) });
    const body = (await response.json()) as { data: { area: { name: string; children: { totalCount: number; edges: { node: { childCount: number } }[] } } } };
    expect(body.data.area.name).toBe('通江县');
    expect(body.data.area.children.totalCount).toBe(33);
    expect(body.data.area.children.edges.reduce((sum, e) => sum + e.node.childCount, 0)).toBe(367);

    const exited = exitOf(first.child);
    first.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(first.output()).toContain('stopped cleanly');
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const second = await startServer({ DATA_DIR: dataDir });
    expect(second.output()).not.toContain('creating embedded PostgreSQL cluster');
    expect(second.output()).not.toContain('loading the seed county');
    const again = await fetch(second.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ areas(level: VILLAGE) { totalCount } }' }),
    });
    expect(await again.json()).toEqual({ data: { areas: { totalCount: 367 } } });
    const secondExit = exitOf(second.child);
    second.child.kill('SIGINT');
    expect(await secondExit).toBe(0);
  }, 120_000);

  it('refuses to start with a bad environment, listing every problem', async () => {
    const result = await cli(['start'], { PORT: 'x', SEED_COUNTY: '1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/PORT must be[\s\S]*SEED_COUNTY must be/);
  });
});

describe('npm run civgraph -- import-areas', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it('loads another county, then finds nothing to change', async () => {
    const first = await cli(['import-areas', '--county', '511923'], { DATABASE_URL: database.url });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/areas: \d+ inserted, 0 updated, 0 unchanged/);
    const second = await cli(['import-areas', '--county', '511923'], { DATABASE_URL: database.url });
    expect(second.stdout).toMatch(/areas: 0 inserted, 0 updated, \d+ unchanged/);
  });

  it('rejects an unknown county with a clear message and exit code 1', async () => {
    const result = await cli(['import-areas', '--county', '519999'], { DATABASE_URL: database.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No county with code 519999');
  });

  it('asks for exactly one scope', async () => {
    const result = await cli(['import-areas'], { DATABASE_URL: database.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('exactly one of --county CODE, --province CODE, --all');
  });
});
