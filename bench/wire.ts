/**
 * `npm run bench:wire`: the dashboard's first screen on a village's connection
 * (issue 30 item 5). Starts its own PostgreSQL with Tongjiang and the demo data,
 * starts civgraph in this process (serving dist/web), and opens each role's page
 * in headless Chromium at 390×844 throttled to about 400 kbit/s each way, 400 ms
 * round trip and a CPU 4× slower. Prints, per role: the time to the first key
 * figures (leaders) or to a usable entry form (operators), the GraphQL requests
 * and WebSocket opens before that, and until the page settles the GraphQL
 * requests, WebSocket opens, HTTP requests and bytes moved. Each role is loaded
 * `--runs` times (default 3) and the median time reported; counts are the same
 * every run. docs/performance.md keeps the figures.
 *
 *   npm run bench:wire
 *   npm run bench:wire -- --runs 5 --chromium /usr/bin/chromium
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { createTokenVerifier, mintToken } from '../src/auth/auth.tokens.js';
import { Role } from '../src/auth/auth.rules.js';
import { ensureDatabase, openDatabase } from '../src/db/orm.js';
import { startEmbeddedPostgres, withDatabase } from '../src/db/embedded.js';
import { sqlFor } from '../src/db/sql.js';
import { seedDemo } from '../src/feature.js';
import { civgraph } from '../src/features.js';
import { importAreas } from '../src/modules/area/area.import.js';
import { startServer } from '../src/server/app.js';
import { webAssetsDir } from '../src/server/web.js';
import { VILLAGE_PROFILE, countBytes, installProbe, throttle, waitForMark, waitForSettled, type FirstScreen } from './wire-measure.js';

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
const RUNS = Math.max(1, Number(options.runs));
const SECRET = 'civgraph-bench-wire-secret-0123456789-0123456789';
const COUNTY = '511921';

interface Row {
  role: string;
  firstScreen: string;
  ms: number;
  graphqlBefore: number;
  socketsBefore: number;
  graphqlSettled: number;
  socketsSettled: number;
  httpSettled: number;
  kilobytes: number;
  settledMs: number;
  operations: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(browser: Browser, base: string, token: string, kind: FirstScreen): Promise<Omit<Row, 'role' | 'firstScreen'> & { cpu: boolean }> {
  // A first visit, as a phone that never opened the page: no cache, no service worker (its own fetches are not the page's).
  const context = await browser.newContext({
    viewport: VILLAGE_PROFILE.viewport,
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    serviceWorkers: 'block',
  });
  try {
    await context.addInitScript(
      (saved) => (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem('civgraph.token', saved),
      token,
    );
    await installProbe(context);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const cpu = await throttle(cdp);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const wire = countBytes(cdp);
    await page.goto(`${base}/`, { waitUntil: 'commit' });
    const mark = await waitForMark(page, kind, 120_000);
    const settled = await waitForSettled(page, 1500, 180_000);
    return {
      cpu,
      ms: Math.round(mark.at),
      graphqlBefore: mark.graphql,
      socketsBefore: mark.sockets,
      graphqlSettled: settled.graphql,
      socketsSettled: settled.sockets,
      httpSettled: wire.requests,
      kilobytes: Math.round(wire.bytes / 1024),
      settledMs: Math.round(settled.lastActivity),
      operations: mark.operations.join(' '),
    };
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'civgraph-bench-wire-'));
  const embedded = await startEmbeddedPostgres({ dataDir, persistent: false });
  const databaseUrl = withDatabase(embedded.adminUrl, 'civgraph_bench_wire');
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const orm = await (async () => {
    await ensureDatabase(databaseUrl);
    return openDatabase(databaseUrl, { entities: civgraph.entities });
  })();
  try {
    if (!webAssetsDir()) throw new Error('dist/web is not built: run `npm run build:web`');
    await importAreas(orm, { county: COUNTY });
    await seedDemo(orm, `${COUNTY}000000`, civgraph);
    const [village] = await sqlFor(orm.em.fork())<{ code: string }>(
      `select code from area where level = 'VILLAGE' and code like '${COUNTY}%' order by code limit 1`,
    );
    server = await startServer({ civgraph, orm, port: 0, host: '127.0.0.1', verifier: createTokenVerifier({ secret: SECRET }) });
    const base = server.url.replace(/\/graphql$/, '');
    browser = await chromium.launch({
      executablePath: options.chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    const roles: { role: Role; area: string; kind: FirstScreen }[] = [
      { role: Role.LEADER, area: COUNTY, kind: 'figures' },
      { role: Role.COUNTY_ADMIN, area: COUNTY, kind: 'figures' },
      { role: Role.VILLAGE_OPERATOR, area: village.code, kind: 'form' },
    ];
    const rows: Row[] = [];
    let cpuThrottled = true;
    for (const { role, area, kind } of roles) {
      const token = await mintToken(SECRET, { name: `${role} bench`, role, area });
      await measure(browser, base, token, kind); // warm the server's caches (compiled queries, the pool)
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, base, token, kind));
      cpuThrottled &&= runs.every((run) => run.cpu);
      const last = runs.at(-1)!;
      rows.push({
        role,
        firstScreen: kind === 'figures' ? '关键指标' : '填报表单',
        ...last,
        ms: median(runs.map((run) => run.ms)),
        settledMs: median(runs.map((run) => run.settledMs)),
        kilobytes: median(runs.map((run) => run.kilobytes)),
      });
    }
    const { latencyMs, downloadBytesPerSecond, cpuSlowdown } = VILLAGE_PROFILE;
    process.stdout.write(
      `Chromium ${browser.version()}, 390×844, ${(downloadBytesPerSecond * 8) / 1000} kbit/s each way, ${latencyMs} ms round trip, ` +
        `CPU ${cpuThrottled ? `${cpuSlowdown}× slower` : 'not throttled (Emulation.setCPUThrottlingRate refused)'}; median of ${RUNS} loads, cache off\n\n`,
    );
    const head = [
      'role',
      'first screen',
      'ms to first screen',
      'GraphQL before',
      'WS before',
      'GraphQL settled',
      'WS settled',
      'HTTP settled',
      'KiB settled',
      'ms settled',
    ];
    const table = rows.map((r) => [
      r.role,
      r.firstScreen,
      r.ms,
      r.graphqlBefore,
      r.socketsBefore,
      r.graphqlSettled,
      r.socketsSettled,
      r.httpSettled,
      r.kilobytes,
      r.settledMs,
    ]);
    process.stdout.write(`| ${head.join(' | ')} |\n|${head.map(() => ' --- ').join('|')}|\n`);
    for (const row of table) process.stdout.write(`| ${row.join(' | ')} |\n`);
    process.stdout.write('\nRequests before the first screen:\n');
    for (const r of rows) process.stdout.write(`  ${r.role}: ${r.operations}\n`);
  } finally {
    await browser?.close();
    await server?.close();
    await orm.close();
    await embedded.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:wire failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
