import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, startCivgraph } from '../support/cli.js';
import WebSocket from 'ws';
import { freePort } from '../../src/db/embedded.js';
import { watch as subscribe } from '../support/progress.js';

// The compiled CLI and server (`npm test` builds first), as a bureau runs them.
const run = promisify(execFile);
const ENV = { DATABASE_URL: '', EMBEDDED_PG_PORT: '', JWT_SECRET: '', NODE_ENV: 'development' };

function cli(args: string[], env: Record<string, string>) {
  return run(process.execPath, [MAIN, ...args], { env: { ...process.env, ...ENV, LOG_LEVEL: 'info', ...env } }).then(
    (out) => ({ code: 0, ...out }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

/** The CLI with stdout as bytes (an export's file). */
function cliBytes(args: string[], env: Record<string, string>) {
  return run(process.execPath, [MAIN, ...args], { env: { ...process.env, ...ENV, LOG_LEVEL: 'info', ...env }, encoding: 'buffer' }).then(
    (out) => ({ code: 0, stdout: out.stdout, stderr: out.stderr.toString() }),
    (error: { code: number; stdout: Buffer; stderr: Buffer }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr.toString() }),
  );
}

/**
 * The CLI on a terminal (a pseudo-terminal from util-linux's `script`), as an
 * operator sees it: stdout and stderr interleaved, carriage returns kept.
 */
function cliOnTerminal(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const child = spawn('script', ['-qec', [process.execPath, MAIN, ...args].map(quote).join(' '), '/dev/null'], {
    env: { ...process.env, ...ENV, LOG_LEVEL: 'warn', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

/** Every cell value of every worksheet, as exceljs reads them. */
async function cells(body: Buffer): Promise<{ name: string; rows: unknown[] }[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
  return workbook.worksheets.map((sheet) => ({ name: sheet.name, rows: JSON.parse(JSON.stringify(sheet.getSheetValues())) as unknown[] }));
}

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop(): Promise<number | null>;
}

async function startServer(dataDir: string, onSpawn?: (child: ChildProcess) => void): Promise<Server> {
  let exited: Promise<number | null> = Promise.resolve(null);
  const spawned = (child: ChildProcess) => {
    exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    onSpawn?.(child);
  };
  const server = await startCivgraph({ ...ENV, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' }, { timeoutMs: 90_000, spawned });
  return {
    ...server,
    stop() {
      server.child.kill('SIGTERM');
      return exited;
    },
  };
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
    const client = createClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
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
      expect(event.area.code).toBe('511921104200');
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

  describe('export, beside the server', () => {
    let token: string;
    let base: string;
    let outDir: string;
    beforeAll(async () => {
      token = (await cli(['token', '--role', 'COUNTY_ADMIN', '--area', '511921'], { DATA_DIR: dataDir })).stdout.trim();
      base = server.url.replace(/\/graphql$/, '');
      outDir = join(dataDir, 'exports');
      await mkdir(outDir);
    });
    const download = async (path: string) => {
      const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status, path).toBe(200);
      const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
      return { name, body: Buffer.from(await response.arrayBuffer()) };
    };
    /** `file: N row(s), B bytes, to TARGET` on stderr. */
    const summary = (stderr: string) => {
      const match = /^(\S+): ([\d,]+) row\(s\), ([\d,]+) bytes, to (.+)$/m.exec(stderr);
      expect(match, stderr).not.toBeNull();
      return { name: match![1], rows: Number(match![2].replaceAll(',', '')), bytes: Number(match![3].replaceAll(',', '')), to: match![4] };
    };

    // Every download the server offers, with the CLI's arguments for the same file.
    const CASES: [string[], string][] = [
      [['monthly', '--period', '2026-06', '--format', 'md'], '/reports/monthly/2026-06.md'],
      [['monthly', '--period', '2026-06', '--area', '511921104'], '/reports/monthly/2026-06.csv?area=511921104'],
      [['stats-table', '--area', '511921', '--period', '2026-05'], '/exports/stats-table.csv?parent=511921&period=2026-05'],
      [['stats-table', '--period', '2026Q2'], '/exports/stats-table.csv?period=2026Q2'],
      [['facilities'], '/exports/facilities.csv'],
      [['tasks', '--as-of', '2026-06-30'], '/exports/tasks.csv?asOf=2026-06-30'],
      [['rectifications', '--area', '511921', '--as-of', '2026-07-15'], '/exports/rectifications.csv?area=511921&asOf=2026-07-15'],
      [['monthly-report', '--period', '2026-06'], '/exports/monthly-report.csv?month=2026-06'],
      [['observations-template'], '/templates/observations.csv'],
      [['facilities-template'], '/templates/facilities.csv'],
    ];

    it('writes every download to stdout byte for byte as the server sends it, the log and a summary on stderr', async () => {
      const results = await Promise.all(CASES.map(([args]) => cliBytes(['export', ...args], { DATA_DIR: dataDir })));
      for (const [i, [args, path]] of CASES.entries()) {
        const result = results[i];
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain('using the embedded PostgreSQL already running from DATA_DIR');
        const served = await download(path);
        expect(result.stdout.equals(served.body), `export ${args.join(' ')} vs GET ${path}`).toBe(true);
        expect(summary(result.stderr)).toMatchObject({ name: served.name, bytes: served.body.length, to: 'stdout' });
      }
      // Not empty files compared: the demo data reaches every report.
      const rows = Object.fromEntries(CASES.map(([args], i) => [args.join(' '), summary(results[i].stderr).rows]));
      expect(Object.values(rows).filter((n) => n > 0).length, JSON.stringify(rows)).toBeGreaterThanOrEqual(8);
      expect(readFileSync(join(dataDir, 'server.json'), 'utf8')).toContain(server.url);
    }, 120_000);

    it('writes xlsx into --out with the cells the download has, and takes the format from --out', async () => {
      const sheets: [string[], string][] = CASES.filter(([args]) => args[0] !== 'monthly').map(([args, path]) => [args, path.replace('.csv', '.xlsx')]);
      const results = await Promise.all(sheets.map(([args], i) => cliBytes(['export', ...args, '--out', join(outDir, `${i}.xlsx`)], { DATA_DIR: dataDir })));
      for (const [i, [args, path]] of sheets.entries()) {
        const result = results[i];
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout.length).toBe(0);
        const written = await readFile(join(outDir, `${i}.xlsx`));
        const served = await download(path);
        expect(await cells(written), `export ${args.join(' ')} vs GET ${path}`).toEqual(await cells(served.body));
        expect(summary(result.stderr)).toMatchObject({ name: served.name, bytes: written.length, to: join(outDir, `${i}.xlsx`) });
      }
      const csv = await cliBytes(['export', 'facilities', '--out', join(outDir, 'facilities.csv')], { DATA_DIR: dataDir });
      expect(csv.code, csv.stderr).toBe(0);
      expect((await readFile(join(outDir, 'facilities.csv'))).equals((await download('/exports/facilities.csv')).body)).toBe(true);
      expect(readdirSync(outDir).filter((name) => name.includes('.partial'))).toEqual([]);
    }, 120_000);

    it.each([
      [['monthly', '--period', '2026-13'], '--period: month must be a month like "2026-05", got "2026-13"'],
      [['stats-table', '--period', '2026Q5'], '--period: a quarter is Q1–Q4, got "2026Q5"'],
      [['monthly-report'], 'export monthly-report needs --period (a month like 2026-05)'],
      [['facilities', '--area', '511921999999'], '--area: No area with code 511921999999'],
      [['facilities', '--area', '5119'], '--area: area must be a statistical division code of 6, 9 or 12 digits, got "5119"'],
      [['monthly', '--period', '2026-06', '--area', '511922'], 'This lies outside your area 511921000000'],
      [['facilities', '--format', 'pdf'], '--format: facilities is written as xlsx or csv, not "pdf"'],
      [['monthly', '--period', '2026-06', '--format', 'xlsx'], '--format: monthly is written as md or csv, not "xlsx"'],
      [['facilities', '--period', '2026-06'], 'export facilities takes no --period (it takes --area)'],
      [
        ['nothing'],
        'unknown export "nothing"; export one of: monthly, stats-table, facilities, tasks, rectifications, monthly-report, observations-template, facilities-template',
      ],
    ])(
      'export %j: exit 1, "%s", no file written and an existing one untouched',
      async (args, message) => {
        const out = join(outDir, `refused-${args.join('_')}.csv`);
        const refused = await cliBytes(['export', ...args, '--out', out], { DATA_DIR: dataDir });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(`civgraph: ${message}\n`);
        expect(refused.stdout.length).toBe(0);
        expect(existsSync(out)).toBe(false);
        writeFileSync(out, 'kept');
        expect((await cliBytes(['export', ...args, '--out', out], { DATA_DIR: dataDir })).code).toBe(1);
        expect(readFileSync(out, 'utf8')).toBe('kept');
        expect(readdirSync(outDir).filter((name) => name.includes('.partial'))).toEqual([]);
      },
      30_000,
    );

    it('refuses xlsx to stdout and an --out it cannot write', async () => {
      const binary = await cliBytes(['export', 'facilities', '--format', 'xlsx'], { DATA_DIR: dataDir });
      expect(binary.code).toBe(1);
      expect(binary.stderr).toContain('civgraph: --out FILE is required for xlsx');
      expect(binary.stdout.length).toBe(0);
      const missing = join(outDir, 'no-such-folder', 'f.csv');
      const unwritable = await cliBytes(['export', 'facilities', '--out', missing], { DATA_DIR: dataDir });
      expect(unwritable.code).toBe(1);
      expect(unwritable.stderr).toContain(`civgraph: --out: cannot write ${missing}`);
      expect(existsSync(join(outDir, 'no-such-folder'))).toBe(false);
    }, 30_000);
  });

  it('import shows rows done / total on a terminal, then a summary', async () => {
    // Three villages from the template, as an operator would fill it in.
    const template = (await cliBytes(['export', 'observations-template'], { DATA_DIR: dataDir })).stdout
      .toString()
      .replace(/^\ufeff/, '')
      .split(/\r?\n/);
    const villages = template.slice(1, 4).map((line) => line.split(',').slice(0, 2).join(','));
    expect(villages).toHaveLength(3);
    const figures = join(dataDir, 'three-villages.csv');
    writeFileSync(figures, `\ufeff区划代码,名称,ORPHANS\r\n${villages.map((v, i) => `${v},${i + 1}`).join('\r\n')}\r\n`);
    const observations = await cliOnTerminal(['import', 'observations', figures, '--period', '2026-03'], { DATA_DIR: dataDir });
    expect(observations.code, observations.output).toBe(0);
    expect(observations.output).toMatch(/\robservations \[#+ *\] 1\/3\robservations \[#+ *\] 2\/3\robservations \[#{30}\] 3\/3\r?\n/);
    expect(observations.output).toMatch(new RegExp(`${figures}: 3 row\\(s\\) applied, 0 unchanged \\(\\d+\\.\\d s\\)`));

    const facilities = join(dataDir, 'two-facilities.csv');
    writeFileSync(
      facilities,
      `\ufeff名称,类别,区划代码,运营模式,状态,床位,在住\r\n进度测试站一,MINOR_PROTECTION_POINT,${villages[0].split(',')[0]},PUBLIC,PLANNED,10,0\r\n进度测试站二,MINOR_PROTECTION_POINT,${villages[1].split(',')[0]},PUBLIC,PLANNED,12,0\r\n`,
    );
    const registered = await cliOnTerminal(['import', 'facilities', facilities], { DATA_DIR: dataDir });
    expect(registered.code, registered.output).toBe(0);
    expect(registered.output).toMatch(/\rfacilities \[#+ *\] 1\/2\rfacilities \[#{30}\] 2\/2\r?\n/);
    expect(registered.output).toMatch(/2 row\(s\) applied, 0 unchanged \(\d+\.\d s\)/);

    // Not on a terminal (a CI log): a line per tenth instead of the bar.
    const again = await cli(['import', 'facilities', facilities], { DATA_DIR: dataDir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('facilities 50% (1/2)\nfacilities 100% (2/2)\n');
    expect(again.stderr).not.toContain('\r');
    expect(again.stdout).toMatch(/0 row\(s\) applied, 2 unchanged/);
  }, 60_000);

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
  ])(
    'ignores and replaces a stale pg.json %s',
    async (_, stale) => {
      const { pid, port } = await stale();
      writeFileSync(
        join(dataDir, 'pg.json'),
        JSON.stringify({ pid, port, adminUrl: `postgres://postgres:civgraph@127.0.0.1:${port}/postgres`, startedBy: pid, startedAt: new Date().toISOString() }),
      );
      const result = await cli(['import-areas', '--county', '511921'], { DATA_DIR: dataDir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('embedded PostgreSQL started');
      expect(result.stdout).toMatch(/403 areas: 0 inserted, 0 updated, 403 unchanged/);
      expect(existsSync(join(dataDir, 'pg.json'))).toBe(false);
    },
    120_000,
  );

  it('stops cleanly on a SIGTERM sent the moment it prints its URL', async () => {
    const server = await startServer(dataDir);
    const pg = runtime(dataDir).pid;
    // startServer resolves on the line with the URL: the signal goes out at once.
    expect(await server.stop(), server.output()).toBe(0);
    expect(server.output()).toContain('stopped cleanly');
    await gone(pg);
  }, 120_000);

  it('hands its PostgreSQL over to a server that starts while it imports', async () => {
    // The CLI is paused (SIGSTOP) once it has started PostgreSQL and registered as
    // its client, until the server has joined: the hand-over then does not depend
    // on the import outlasting the server's start-up, which under load it may not.
    const importing = run(process.execPath, [MAIN, 'import-areas', '--province', '51'], {
      env: { ...process.env, ...ENV, LOG_LEVEL: 'info', DATA_DIR: dataDir },
    });
    const cliPid = importing.child.pid!;
    const clients = join(dataDir, 'pg.clients');
    const holder = () => (existsSync(join(dataDir, 'pg.lock')) ? readFileSync(join(dataDir, 'pg.lock'), 'utf8').split('-')[0] : '');
    await until(() => existsSync(join(dataDir, 'pg.json')) && existsSync(join(clients, String(cliPid))) && holder() !== String(cliPid));
    process.kill(cliPid, 'SIGSTOP');
    const started = runtime(dataDir);
    let serverPid = 0;
    const starting = startServer(dataDir, (child) => (serverPid = child.pid!));
    try {
      await until(() => serverPid > 0 && existsSync(join(clients, String(serverPid))));
    } finally {
      process.kill(cliPid, 'SIGCONT');
    }
    const server = await starting;
    try {
      const result = await importing.then(
        (out) => ({ code: 0, ...out }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(result.code, result.stderr).toBe(0);
      // The CLI started PostgreSQL; the server joined it, so it stays up after the CLI is done.
      expect(started.startedBy).toBe(cliPid);
      expect(runtime(dataDir).pid).toBe(started.pid);
      expect(alive(started.pid)).toBe(true);
      expect(await graphql(server.url, '{ area(code: "510000") { name } }')).toEqual({ data: { area: { name: '四川省' } } });
    } finally {
      expect(await server.stop(), server.output()).toBe(0);
    }
    await gone(started.pid);
  }, 180_000);
});

/** Resolves once `condition` holds; throws after `ms`. */
async function until(condition: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}
