import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../../src/db/embedded.js';
import { watch as subscribe } from '../support/progress.js';

// The compiled CLI and server (`npm test` builds first), as a bureau runs them.
const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;
const run = promisify(execFile);
const ENV = { DATABASE_URL: '', EMBEDDED_PG_PORT: '', JWT_SECRET: '', NODE_ENV: 'development' };

function cli(args: string[], env: Record<string, string>) {
  return run(process.execPath, [MAIN, ...args], { env: { ...process.env, ...ENV, LOG_LEVEL: 'info', ...env } }).then(
    (out) => ({ code: 0, ...out }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop(): Promise<number | null>;
}

function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, [MAIN, 'start'], { env: { ...process.env, ...ENV, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' } });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving GraphQL .* at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1]!,
          output: () => output,
          stop() {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

async function graphql(url: string, query: string, token?: string): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: Record<string, unknown> };
}

const runtime = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, 'pg.json'), 'utf8')) as { pid: number; port: number; startedBy: number };
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};
async function gone(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(alive(pid)).toBe(false);
}

describe('the CLI beside a running server on the same DATA_DIR', () => {
  let dataDir: string;
  let server: Server;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'civgraph-beside-'));
    server = await startServer(dataDir);
  }, 120_000);
  afterAll(async () => {
    if (server && server.child.exitCode === null) await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('records the running PostgreSQL in DATA_DIR/pg.json', () => {
    const info = runtime(dataDir);
    expect(info.startedBy).toBe(server.child.pid);
    expect(alive(info.pid)).toBe(true);
    expect(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]).toBe(String(info.pid));
  });

  it('imports another county into the served database, and the server answers with it', async () => {
    const before = runtime(dataDir);
    const result = await cli(['import-areas', '--county', '511922'], { DATA_DIR: dataDir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('using the embedded PostgreSQL already running from DATA_DIR');
    expect(result.stdout).toMatch(/449 areas: 447 inserted, 0 updated, 2 unchanged \(\d+\.\d s\)/);
    // The server's PostgreSQL is the one used, and it is still up.
    expect(runtime(dataDir)).toEqual(before);
    expect(await graphql(server.url, '{ area(code: "511922") { name children(first: 100) { totalCount } } }')).toEqual({
      data: { area: { name: '南江县', children: { totalCount: 32 } } },
    });
  }, 60_000);

  it('runs two imports at once beside the server', async () => {
    const [a, b] = await Promise.all([
      cli(['import-areas', '--county', '511923'], { DATA_DIR: dataDir }),
      cli(['import-areas', '--county', '511902'], { DATA_DIR: dataDir }),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const answer = await graphql(server.url, '{ a: area(code: "511923") { name } b: area(code: "511902") { name } }');
    expect(answer).toEqual({ data: { a: { name: '平昌县' }, b: { name: '巴州区' } } });
  }, 60_000);

  it('mints a token the server accepts, for an export', async () => {
    const minted = await cli(['token', '--role', 'COUNTY_ADMIN', '--area', '511921', '--name', '张三'], { DATA_DIR: dataDir });
    expect(minted.code, minted.stderr).toBe(0);
    const token = minted.stdout.trim();
    expect(await graphql(server.url, '{ viewer { name role } }', token)).toEqual({ data: { viewer: { name: '张三', role: 'COUNTY_ADMIN' } } });
    const exported = await fetch(server.url.replace(/\/graphql$/, '/exports/facilities.csv'), { headers: { authorization: `Bearer ${token}` } });
    expect(exported.status).toBe(200);
    expect(await exported.text()).toContain('511921');
  });

  it("reaches the server's subscribers: figures imported by the CLI arrive over graphql-ws", async () => {
    const token = (await cli(['token', '--role', 'COUNTY_ADMIN', '--area', '511921'], { DATA_DIR: dataDir })).stdout.trim();
    const client = createClient({ url: server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
    try {
      const live = subscribe(client, { area: '511921', includeDescendants: true });
      // Let the subscription reach the server before the import commits.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const file = join(dataDir, 'figures.csv');
      writeFileSync(file, '\ufeff区划代码,名称,ORPHANS\r\n511921104200,平坝村,4\r\n');
      const imported = await cli(['import', 'observations', file, '--period', '2026-05'], { DATA_DIR: dataDir });
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toContain('1 row(s) applied');
      const [event] = await live.until(1, 15_000);
      expect(event!.area.code).toBe('511921104200');
      live.stop();
    } finally {
      await client.dispose();
    }
  }, 60_000);

  it('watch finds the server from DATA_DIR without --url', async () => {
    const token = (await cli(['token', '--role', 'VIEWER', '--area', '511921'], { DATA_DIR: dataDir })).stdout.trim();
    const child = spawn(process.execPath, [MAIN, 'watch', '--area', '511921', '--token', token], {
      env: { ...process.env, ...ENV, CIVGRAPH_URL: '', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 15_000;
    while (!stderr.includes('watching') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stderr).toContain(`watching 511921 and below at ${server.url}`);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 30_000);

  it('stops PostgreSQL when the server, the last one using it, stops', async () => {
    const { pid } = runtime(dataDir);
    expect(await server.stop()).toBe(0);
    await gone(pid);
    expect(existsSync(join(dataDir, 'pg.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 30_000);
});

describe('the CLI with no server running', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'civgraph-alone-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('starts its own PostgreSQL and stops it afterwards', async () => {
    const result = await cli(['import-areas', '--county', '511921'], { DATA_DIR: dataDir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('embedded PostgreSQL started');
    expect(result.stdout).toMatch(/403 areas: 403 inserted/);
    expect(existsSync(join(dataDir, 'pg.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 120_000);

  it.each([
    ['whose postmaster is dead', async () => ({ pid: await deadPid(), port: await freePort() })],
    ['whose port does not answer', async () => ({ pid: process.pid, port: await freePort() })],
  ])('ignores and replaces a stale pg.json %s', async (_, stale) => {
    const { pid, port } = await stale();
    writeFileSync(join(dataDir, 'pg.json'), JSON.stringify({ pid, port, adminUrl: `postgres://postgres:civgraph@127.0.0.1:${port}/postgres`, startedBy: pid, startedAt: new Date().toISOString() }));
    const result = await cli(['import-areas', '--county', '511921'], { DATA_DIR: dataDir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('embedded PostgreSQL started');
    expect(result.stdout).toMatch(/403 areas: 0 inserted, 0 updated, 403 unchanged/);
    expect(existsSync(join(dataDir, 'pg.json'))).toBe(false);
  }, 120_000);

  it('hands its PostgreSQL over to a server that starts while it imports', async () => {
    // A province takes long enough for the server to join the CLI's PostgreSQL.
    const importing = cli(['import-areas', '--province', '51'], { DATA_DIR: dataDir });
    const deadline = Date.now() + 60_000;
    while (!existsSync(join(dataDir, 'pg.json')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = runtime(dataDir);
    const server = await startServer(dataDir);
    try {
      const result = await importing;
      expect(result.code, result.stderr).toBe(0);
      // The CLI started PostgreSQL; the server joined it, so it stays up after the CLI is done.
      expect(started.startedBy).not.toBe(server.child.pid);
      expect(runtime(dataDir).pid).toBe(started.pid);
      expect(alive(started.pid)).toBe(true);
      expect(await graphql(server.url, '{ area(code: "510000") { name } }')).toEqual({ data: { area: { name: '四川省' } } });
    } finally {
      expect(await server.stop(), server.output()).toBe(0);
    }
    await gone(started.pid);
  }, 180_000);
});

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}
