/**
 * `npm run bench`: starts its own PostgreSQL, loads the data, starts civgraph, the
 * raw-SQL floor and PostGraphile v4 as separate processes on the same database,
 * and measures each scenario with autocannon (10 connections). Prints a table and
 * writes JSON under bench/results/.
 *
 *   npm run bench                      # Tongjiang + the whole country
 *   npm run bench -- --duration 5      # seconds per measurement (default 10)
 *   npm run bench -- --county-only     # skip the national import and scenarios
 *   npm run bench -- --skip-live       # skip the subscription benchmark (bench/subscriptions.ts)
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { startEmbeddedPostgres, withDatabase } from '../src/db/embedded.js';
import { openDatabase } from '../src/db/orm.js';
import { civgraph } from '../src/features.js';
import { sqlFor } from '../src/db/sql.js';
import { importAreas } from '../src/modules/area/area.import.js';
import { SERVER_NODE_FLAGS } from './server-flags.js';
import { Role } from '../src/auth/auth.rules.js';
import { mintToken } from '../src/auth/auth.tokens.js';

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    'county-only': { type: 'boolean', default: false },
    'skip-live': { type: 'boolean', default: false },
  },
});
const DURATION = Number(options.duration);
const CONNECTIONS = 10;
const SECRET = 'civgraph-bench-secret-0123456789-0123456789';
// Compiled to dist/bench/run.js: the repository is two levels up.
const root = new URL('../../', import.meta.url).pathname;

interface Target {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
}

interface Measurement {
  scenario: string;
  server: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  ratioToFloor?: number;
}

/** Starts a server process and resolves with the first URL it prints. */
function startProcess(name: string, command: string, args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env } });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} printed no URL:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/(?:localhost|127\.0\.0\.1):\d+\/?\S*)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
  });
}

async function fetchJson(target: Target): Promise<unknown> {
  const response = await fetch(target.url, { method: target.method, headers: target.headers, body: target.body });
  return response.json();
}

async function measure(scenario: string, target: Target): Promise<Measurement> {
  // Warm up: JIT, pools, PostgreSQL caches.
  await autocannon({ url: target.url, method: target.method, body: target.body, headers: target.headers, connections: CONNECTIONS, duration: 2 });
  const result = await autocannon({
    url: target.url,
    method: target.method,
    body: target.body,
    headers: target.headers,
    connections: CONNECTIONS,
    duration: DURATION,
  });
  return {
    scenario,
    server: target.name,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

const graphql = (url: string, query: string, token?: string): Target => ({
  name: 'civgraph',
  url,
  method: 'POST',
  body: JSON.stringify({ query }),
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
});

/** Counts the areas in a county tree answer, whatever the server's shape. */
function countNames(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + countNames(item), 0);
  if (value && typeof value === 'object') {
    return Object.entries(value).reduce((n, [key, item]) => n + (key === 'name' ? 1 : countNames(item)), 0);
  }
  return 0;
}

async function main(): Promise<void> {
  const started = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'civgraph-bench-'));
  const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir, persistent: false });
  const adminUrl = process.env.DATABASE_URL ?? embedded!.adminUrl;
  const databaseUrl = withDatabase(adminUrl, 'civgraph_bench');
  const admin = new pg.Client({ connectionString: withDatabase(adminUrl, 'postgres') });
  await admin.connect();
  await admin.query('drop database if exists civgraph_bench with (force)');
  await admin.query('create database civgraph_bench');
  await admin.end();

  const figures: Record<string, number> = {};
  const month = (() => {
    const d = new Date();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - 1);
    return d.toISOString().slice(0, 7);
  })();
  const indicators = ['ELDERLY_60_PLUS', 'MINORS_0_17', 'DIBAO_RURAL', 'EXTREMELY_POOR_SUPPORTED', 'ASSISTANCE_FUNDS_YUAN'];
  /** The quarter and the year of the month `back` months before `month`: periods 四川 has figures for. */
  const periodBack = (back: number) => {
    const d = new Date(`${month}-01T00:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() - back);
    return { year: String(d.getUTCFullYear()), quarter: `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}` };
  };
  const orm = await openDatabase(databaseUrl, { entities: civgraph.entities });
  let t = Date.now();
  if (options['county-only']) {
    await importAreas(orm, { county: '511921' });
    figures.countyImportMs = Date.now() - t;
  } else {
    // As a bureau starts: the whole country into the empty table (COPY, indexes built after);
    // then 通江县 again, which finds every area unchanged.
    const national = await importAreas(orm, { all: true });
    figures.nationalImportMs = Date.now() - t;
    figures.nationalAreas = national.total;
    t = Date.now();
    await importAreas(orm, { county: '511921' });
    figures.countyReimportMs = Date.now() - t;
    // A month of figures for every village in the country (通江县's twelve months come from
    // civgraph's own demo seeder when it starts), for roll-ups at national scale.
    t = Date.now();
    const [{ n }] = await sqlFor(orm.em.fork())<{ n: number }>(
      `with written as (
         insert into observation (area_code, indicator, period_month, value, source, updated_by)
         select a.code, i.code, ?::date, (abs(hashtext(a.code || i.code)) % 900 + 10)::numeric, 'DEMO', 'bench'
           from area a cross join unnest(?::text[]) as i(code)
          where a.level = 'VILLAGE' and a.valid_to is null and a.code not like '511921%'
         on conflict do nothing returning 1)
       select count(*)::int as n from written`,
      [`${month}-01`, indicators],
    );
    figures.nationalObservations = n;
    figures.nationalObservationsMs = Date.now() - t;
    // 四川's villages also get the eleven months before: a quarter and a year of a province.
    t = Date.now();
    const [{ n: year }] = await sqlFor(orm.em.fork())<{ n: number }>(
      `with written as (
         insert into observation (area_code, indicator, period_month, value, source, updated_by)
         select a.code, i.code, m::date, (abs(hashtext(a.code || i.code || m::text)) % 900 + 10)::numeric, 'DEMO', 'bench'
           from area a cross join unnest(?::text[]) as i(code)
          cross join generate_series(?::date - interval '11 months', ?::date - interval '1 month', interval '1 month') as m
          where a.level = 'VILLAGE' and a.valid_to is null and a.code like '51%' and a.code not like '511921%'
         on conflict do nothing returning 1)
       select count(*)::int as n from written`,
      [indicators, `${month}-01`, `${month}-01`],
    );
    figures.sichuanEarlierObservations = year;
    figures.sichuanEarlierObservationsMs = Date.now() - t;
  }
  await orm.em.getConnection().execute('analyze');
  await orm.close();

  const processes: ChildProcess[] = [];
  const measurements: Measurement[] = [];
  const rollups: { label: string; period: string; p50: number; max: number }[] = [];
  try {
    // e.g. BENCH_SERVER_NODE_ARGS=--cpu-prof to profile civgraph's server
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const civgraph = await startProcess('civgraph', process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, 'dist/src/main.js', 'start'], {
      DATABASE_URL: databaseUrl,
      PORT: '0',
      NODE_ENV: 'production',
      GRAPHQL_INTROSPECTION: 'true',
      LOG_LEVEL: 'warn',
      JWT_SECRET: SECRET,
      RATE_LIMIT_PER_MINUTE: '100000000',
    });
    processes.push(civgraph.child);
    const floor = await startProcess('floor', process.execPath, ['dist/bench/floor-server.js'], { DATABASE_URL: databaseUrl, PORT: '0' });
    processes.push(floor.child);
    const postgraphile = await startProcess('postgraphile', process.execPath, ['bench/postgraphile-server.cjs'], { DATABASE_URL: databaseUrl, PORT: '0' });
    processes.push(postgraphile.child);
    const token = await mintToken(SECRET, { name: 'bench', role: Role.VIEWER, area: '511921' });

    // `same`: the first two targets must answer identically (civgraph and the floor).
    const scenarios: { name: string; targets: Target[]; areas: number; same?: boolean }[] = [
      {
        name: 'county tree, names (1 + 33 + 367 areas)',
        areas: 401,
        targets: [
          graphql(civgraph.url, '{ area(code: "511921") { name children { edges { node { name children { edges { node { name } } } } } } } }', token),
          { name: 'raw-SQL floor', url: `${floor.url.replace(/\/$/, '')}/tree?code=511921000000`, method: 'GET' },
          {
            ...graphql(
              postgraphile.url,
              '{ areaByCode(code: "511921000000") { name areasByParentCode { nodes { name areasByParentCode { nodes { name } } } } } }',
            ),
            name: 'PostGraphile v4',
          },
        ],
      },
    ];
    const stats = `stats(period: "${month}", indicators: ${JSON.stringify(indicators)}) { indicator { code } persons amount reportedAreas expectedAreas }`;
    scenarios.push({
      name: `county tree with rolled-up statistics (401 areas × ${indicators.length} indicators, ${month})`,
      areas: 401,
      same: true,
      targets: [
        graphql(
          civgraph.url,
          `{ area(code: "511921") { name ${stats} children { edges { node { name ${stats} children { edges { node { name ${stats} } } } } } } } }`,
          token,
        ),
        {
          name: 'raw-SQL floor',
          url: `${floor.url.replace(/\/$/, '')}/tree-stats?code=511921000000&month=${month}&indicators=${indicators.join(',')}`,
          method: 'GET',
        },
      ],
    });
    if (!options['county-only']) {
      const sichuan = await fetchJson(graphql(civgraph.url, '{ area(code: "510000") { descendantCount(level: COUNTY) } }', token));
      const counties = (sichuan as { data: { area: { descendantCount: number } } }).data.area.descendantCount;
      scenarios.push({
        name: `province drill-down, national data (四川: 1 + 21 cities + ${counties} counties with village counts)`,
        areas: 1 + 21 + counties,
        targets: [
          graphql(
            civgraph.url,
            '{ area(code: "510000") { name children { nodes { name children { nodes { name villages: descendantCount(level: VILLAGE) } } } } } }',
            token,
          ),
          { name: 'raw-SQL floor', url: `${floor.url.replace(/\/$/, '')}/province?code=510000000000`, method: 'GET' },
        ],
      });
    }

    for (const scenario of scenarios) {
      if (scenario.same) {
        const [a, b] = await Promise.all(scenario.targets.slice(0, 2).map(fetchJson));
        if (JSON.stringify(a) !== JSON.stringify(b)) {
          throw new Error(
            `${scenario.targets[0].name} and ${scenario.targets[1].name} disagree on "${scenario.name}":\n${JSON.stringify(a).slice(0, 400)}\n${JSON.stringify(b).slice(0, 400)}`,
          );
        }
      }
      for (const target of scenario.targets) {
        const answer = await fetchJson(target);
        const names = countNames(answer);
        if (names !== scenario.areas)
          throw new Error(`${target.name} answered ${names} areas for "${scenario.name}":\n${JSON.stringify(answer).slice(0, 500)}`);
      }
      const results: Measurement[] = [];
      for (const target of scenario.targets) results.push(await measure(scenario.name, target));
      const floorResult = results.find((r) => r.server === 'raw-SQL floor');
      for (const result of results) {
        if (floorResult) result.ratioToFloor = Number((floorResult.requestsPerSecond / result.requestsPerSecond).toFixed(2));
        measurements.push(result);
      }
    }
    if (!options['county-only']) {
      // One roll-up at a time (no concurrency): a county's and a province's five indicators.
      const { quarter } = periodBack(3);
      const { year } = periodBack(6);
      for (const [label, code, period] of [
        ['county roll-up 通江县', '511921', month],
        ['county roll-up 南海区', '440605', month],
        ['province roll-up 四川省', '510000', month],
        ['province roll-up 广东省', '440000', month],
        ['province roll-up 四川省', '510000', quarter],
        ['province roll-up 四川省', '510000', year],
      ] as const) {
        // A dashboard of that province reads it.
        const reader = await mintToken(SECRET, { name: 'bench', role: Role.VIEWER, area: `${code.slice(0, 2)}0000` });
        const target = graphql(
          civgraph.url,
          `{ area(code: "${code}") { stats(period: "${period}", indicators: ${JSON.stringify(indicators)}) { persons amount reportedAreas } } }`,
          reader,
        );
        const times: number[] = [];
        for (let i = 0; i < 25; i++) {
          const started = performance.now();
          const answer = (await fetchJson(target)) as { errors?: unknown };
          if (answer.errors) throw new Error(`${label}: ${JSON.stringify(answer.errors).slice(0, 300)}`);
          if (i >= 5) times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        rollups.push({ label, period, p50: Math.round(times[Math.floor(times.length / 2)]), max: Math.round(times.at(-1)!) });
      }
    }
  } finally {
    for (const child of processes) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await embedded?.stop();
  }

  figures.totalSeconds = Math.round((Date.now() - started) / 1000);
  const rows = measurements.map((m) => [
    m.scenario,
    m.server,
    String(m.requestsPerSecond),
    `${m.p50} ms`,
    `${m.p99} ms`,
    m.ratioToFloor === undefined ? '' : `${m.ratioToFloor}×`,
    String(m.errors),
  ]);
  const header = ['scenario', 'server', 'req/s', 'p50', 'p99', 'floor/this', 'errors'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  process.stdout.write(`\ncivgraph benchmark — ${CONNECTIONS} connections, ${DURATION} s each, Node ${process.version}\n\n`);
  process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n\n`);
  for (const { label, period, p50, max } of rollups) process.stdout.write(`${label} (5 indicators, ${period}, national data): p50 ${p50} ms, max ${max} ms\n`);
  for (const [key, value] of Object.entries(figures)) process.stdout.write(`${key}: ${value}\n`);

  await mkdir(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(
    file,
    JSON.stringify({ at: new Date().toISOString(), connections: CONNECTIONS, durationSeconds: DURATION, measurements, rollups, figures }, null, 2),
  );
  process.stdout.write(`\nwritten to ${file}\n`);

  if (!options['skip-live']) {
    // Subscriptions: 1,000 and 5,000 graphql-ws clients, commit-to-client latency, lost and duplicated.
    process.stdout.write('\nsubscription benchmark (bench/subscriptions.ts)\n');
    const live = spawn(process.execPath, ['dist/bench/subscriptions.js'], { cwd: root, stdio: 'inherit' });
    const code = await new Promise<number | null>((resolve) => live.on('exit', resolve));
    if (code !== 0) throw new Error(`the subscription benchmark exited with ${code}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
