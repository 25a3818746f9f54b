/**
 * Subscription benchmark: N real graphql-ws clients subscribed to different
 * subtrees of 通江县 (the county, its townships, its villages), a stream of
 * progress events committed one transaction each, and for every run:
 * commit-to-client latency p50/p99, messages per second, and lost and duplicated
 * deliveries (both must be 0).
 *
 *   npm run bench:live                      # 1,000, 5,000 and 10,000 subscribers
 *   npm run bench:live -- --subscribers 2000 --rate 30 --seconds 10
 *   npm run bench:live -- --client-threads 1 --per-event
 *
 * It starts its own embedded PostgreSQL (in a temp folder) and runs the server
 * as a separate `civgraph start` process from dist/ (as in production: the
 * clients and the writer here do not share the server's event loop). The
 * clients run in `--client-threads` worker threads (bench/subscription-clients.ts)
 * and the writer alone on the main thread, so that neither the writer's pace
 * nor a delivery's time waits behind one event loop reading every socket.
 * Times are wall-clock (`performance.timeOrigin + now()`), the same in every thread.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Worker } from 'node:worker_threads';
import { toGlobalId } from '../src/common/global-id.js';
import { startEmbeddedPostgres, withDatabase } from '../src/db/embedded.js';
import { civgraph } from '../src/features.js';
import { ensureDatabase, openDatabase } from '../src/db/orm.js';
import { sqlFor } from '../src/db/sql.js';
import { importAreas } from '../src/modules/area/area.import.js';
import { ProgressAction, SubjectKind } from '../src/modules/progress/progress.entity.js';
import { appendProgressUpdate } from '../src/modules/progress/progress.outbox.js';
import { SERVER_NODE_FLAGS } from './server-flags.js';
import { Role, systemViewer } from '../src/auth/auth.rules.js';
import { mintToken } from '../src/auth/auth.tokens.js';
import { expectedFor, type ClientsReport, type ClientsSetup, type Request } from './subscription-clients.js';

const MAIN = new URL('../src/main.js', import.meta.url).pathname;
const CLIENTS = new URL('./subscription-clients.js', import.meta.url);
const QUERY = 'subscription ($area: String!, $after: String) { progressUpdated(area: $area, after: $after) { sequence cursor summary } }';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000,5000,10000' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
    // Writes one line per measured event: when it was committed, and its first, median and last delivery.
    'per-event': { type: 'boolean', default: false },
    'client-threads': { type: 'string', default: '2' },
  },
});
const runs = values.subscribers.split(',').map(Number);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const perEvent = values['per-event'];
const clientThreads = Number(values['client-threads']);

/** The open-files limits of this process (soft and hard). */
function openFilesLimits(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  if (!line) return { soft: Number.POSITIVE_INFINITY, hard: Number.POSITIVE_INFINITY };
  const [soft, hard] = line
    .split(/\s+/)
    .slice(3, 5)
    .map((v) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v)));
  return { soft: soft, hard: hard };
}

/**
 * Each subscriber is a socket here and one in the server (a child of this
 * process, which inherits the limit). Node raises its soft open-files limit to
 * the hard limit when it starts, so only a hard limit below the need stops the run.
 */
function ensureOpenFiles(needed: number): void {
  const { soft, hard } = openFilesLimits();
  process.stdout.write(`open files limit ${soft} (hard ${hard}; need about ${needed} in this process and in the server's)\n`);
  if (soft >= needed) return;
  process.stderr.write(
    `the open-files limit is too low: raise the hard limit to at least ${needed} (\`ulimit -Hn\`, /etc/security/limits.conf or the container's nofile)\n`,
  );
  process.exit(2);
}

/** The server's CPU time so far (user + system, ms) and resident memory (MB), from /proc. */
function processUsage(pid: number): { cpuMs: number; rssMb: number } {
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuMs: (ticks * 1000) / CLOCK_TICKS, rssMb: rss ? Number(rss[1]) / 1024 : NaN };
}
// USER_HZ: 100 on every Linux build this runs on (`getconf CLK_TCK`).
const CLOCK_TICKS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function startServerProcess(databaseUrl: string, secret: string): Promise<{ child: ChildProcess; url: string }> {
  // e.g. BENCH_SERVER_NODE_ARGS=--cpu-prof to profile the server
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, MAIN, 'start'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: secret,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      // Thousands of sockets and subscribes under one token: the per-identity bounds are not what is measured.
      RATE_LIMIT_PER_MINUTE: '0',
      WS_MAX_CONNECTIONS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving GraphQL .* at (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  // From here on the server's log (LOG_LEVEL=warn: warnings and errors, on stdout) and stderr show.
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  child.stdout.on('data', (chunk: Buffer) => process.stderr.write(`[server] ${chunk.toString()}`));
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`[server] ${chunk.toString()}`));
  return { child, url };
}

async function head(orm: MikroORM): Promise<string> {
  const [row] = await sqlFor(orm.em.fork())<{ value: string }>('select value::text as value from event_sequence');
  return row.value;
}

async function append(orm: MikroORM, areaCodes: string[], summary: string): Promise<string[]> {
  return orm.em.fork().transactional(async (em) => {
    const sql = sqlFor(em);
    const sequences: string[] = [];
    for (const areaCode of areaCodes) {
      sequences.push(
        await appendProgressUpdate(sql, {
          subjectKind: SubjectKind.FACILITY,
          subjectId: toGlobalId('Facility', areaCode),
          areaCode,
          action: ProgressAction.PROGRESS_RECORDED,
          actor: systemViewer('511921000000'),
          summary,
        }),
      );
    }
    return sequences;
  });
}

/** A thread of clients (bench/subscription-clients.ts), asked one request at a time. */
class ClientThread {
  private readonly worker: Worker;
  constructor(setup: ClientsSetup) {
    this.worker = new Worker(CLIENTS, { workerData: setup });
  }
  ask<T = null>(request: Request): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.worker.once('error', onError);
      this.worker.once('message', (value: T) => {
        this.worker.off('error', onError);
        resolve(value);
      });
      this.worker.postMessage(request);
    });
  }
  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

async function run(n: number, orm: MikroORM, url: string, serverPid: number, token: string, townships: string[], villages: string[]) {
  // 10% the county, 30% townships, 60% villages, round-robin over each level.
  const areas = Array.from({ length: n }, (_, i) => {
    const bucket = i % 10;
    if (bucket === 0) return '511921000000';
    if (bucket <= 3) return townships[i % townships.length];
    return villages[i % villages.length];
  });
  const start = await head(orm);
  const wsUrl = url.replace(/^http/, 'ws');
  // Subscriber i in thread i % threads: each thread gets its share of every level.
  const threads = Array.from(
    { length: clientThreads },
    (_, t) => new ClientThread({ url: wsUrl, token, query: QUERY, start, areas: areas.filter((_, i) => i % clientThreads === t) }),
  );
  const all = <T = null>(request: Request) => Promise.all(threads.map((thread) => thread.ask<T>(request)));
  try {
    const connectStarted = performance.now();
    await all({ type: 'connect' });
    const connectMs = performance.now() - connectStarted;

    // Warm-up: one event in every village reaches every subscriber, so all are live before measuring.
    const warm = await append(orm, villages, 'warm-up');
    const warmLast = warm[warm.length - 1];
    await all({ type: 'reach', sequence: warmLast, timeoutMs: 60_000 });
    await all({ type: 'measure', after: warmLast });

    // Measured stream: one event per transaction, a random village each, at `rate` per second.
    const committedAt = new Map<string, number>(); // sequence → wall-clock commit time (ms)
    const commitMs = new Map<string, number>();
    const eventArea = new Map<string, string>();
    const total = rate * seconds;
    // The writer's own stalls, shown with --per-event.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    if (perEvent) loopDelay.enable();
    const usageBefore = processUsage(serverPid);
    const clientBefore = process.cpuUsage();
    const began = performance.now();
    for (let i = 0; i < total; i++) {
      const village = villages[Math.floor(Math.random() * villages.length)];
      const writing = performance.now();
      const [sequence] = await append(orm, [village], `bench ${i}`);
      const committed = performance.now();
      committedAt.set(sequence, performance.timeOrigin + committed);
      commitMs.set(sequence, committed - writing);
      eventArea.set(sequence, village);
      const next = began + ((i + 1) * 1000) / rate;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
    }
    let expected = 0;
    for (const area of eventArea.values()) for (const subscriber of areas) if (expectedFor(subscriber, area)) expected++;
    const drainDeadline = Date.now() + 15_000;
    while (Date.now() < drainDeadline) {
      const counts = await all<number>({ type: 'count' });
      if (counts.reduce((sum, count) => sum + count, 0) >= expected) break;
      await sleep(50);
    }
    const usageAfter = processUsage(serverPid);
    const clientCpu = process.cpuUsage(clientBefore);
    const wallMs = performance.now() - began;
    loopDelay.disable();
    await sleep(500); // late duplicates would show here

    const reports = await all<ClientsReport>({ type: 'report', areas: [...eventArea] });
    const received = new Map<string, number[]>(); // sequence → wall-clock receive times
    for (const report of reports) {
      for (const [sequence, times] of report.received) {
        const list = received.get(sequence);
        if (list) list.push(...times);
        else received.set(sequence, times);
      }
    }
    const sum = (field: 'lost' | 'duplicated' | 'misdelivered' | 'outOfOrder' | 'errors') => reports.reduce((total, report) => total + report[field], 0);
    const latencies: number[] = [];
    const beganAt = performance.timeOrigin + began;
    let lastDelivery = beganAt;
    // p99 of the events committed in each second of the stream: a tail from the warm-up's aftermath shows in the first.
    const bySecond: number[][] = [];
    for (const [sequence, committed] of committedAt) {
      const second = Math.floor((committed - beganAt) / 1000);
      for (const at of received.get(sequence) ?? []) {
        latencies.push(at - committed);
        (bySecond[second] ??= []).push(at - committed);
        if (at > lastDelivery) lastDelivery = at;
      }
    }
    latencies.sort((a, b) => a - b);
    const delivered = latencies.length;
    if (perEvent) {
      process.stdout.write(
        `writer's event loop delay: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms\n`,
      );
      for (const [sequence, committed] of committedAt) {
        const times = (received.get(sequence) ?? []).map((at) => at - committed).sort((a, b) => a - b);
        process.stdout.write(
          `event ${sequence} at ${Math.round(committed - beganAt)} ms (commit ${Math.round(commitMs.get(sequence)!)} ms): ${times.length} deliveries, ` +
            `first ${Math.round(times[0] ?? NaN)}, median ${Math.round(percentile(times, 50))}, last ${Math.round(times[times.length - 1] ?? NaN)} ms\n`,
        );
      }
    }
    const p99BySecond = bySecond.map((values) =>
      Math.round(
        percentile(
          values.sort((a, b) => a - b),
          99,
        ),
      ),
    );
    return {
      subscribers: n,
      events: total,
      connectMs: Math.round(connectMs),
      expected,
      delivered,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? NaN,
      p99BySecond,
      messagesPerSecond: delivered / ((lastDelivery - beganAt) / 1000),
      /** Server CPU (user + system) while the measured stream was delivered, ms, and as a share of one core. */
      serverCpuMs: Math.round(usageAfter.cpuMs - usageBefore.cpuMs),
      serverCpuShare: (usageAfter.cpuMs - usageBefore.cpuMs) / wallMs,
      serverRssMb: Math.round(usageAfter.rssMb),
      /** This process's CPU meanwhile (its client threads and the writer), ms. */
      clientCpuMs: Math.round((clientCpu.user + clientCpu.system) / 1000),
      /** The machine's 1-minute load average at the end: other work on the same cores shows here. */
      loadAverage: loadavg()[0],
      lost: sum('lost'),
      duplicated: sum('duplicated'),
      misdelivered: sum('misdelivered'),
      outOfOrder: sum('outOfOrder'),
      errors: sum('errors'),
      firstError: reports.find((report) => report.firstError)?.firstError ?? '',
    };
  } finally {
    await all({ type: 'close' }).catch(() => undefined);
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}

async function main() {
  ensureOpenFiles(Math.max(...runs) + 500);
  const dataDir = await mkdtemp(join(tmpdir(), 'civgraph-bench-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir, persistent: false });
  const databaseUrl = withDatabase(pg.adminUrl, 'civgraph_bench');
  let server: ChildProcess | undefined;
  let orm: MikroORM | undefined;
  try {
    await ensureDatabase(databaseUrl);
    orm = await openDatabase(databaseUrl, { entities: civgraph.entities });
    await importAreas(orm, { county: '511921' });
    const secret = randomBytes(32).toString('base64url');
    const started = await startServerProcess(databaseUrl, secret);
    server = started.child;
    const token = await mintToken(secret, { name: 'bench', role: Role.COUNTY_ADMIN, area: '511921' });
    const conn = sqlFor(orm.em.fork());
    const townships = (await conn<{ code: string }>(`select code from area where level = 'TOWNSHIP' and code like '511921%' order by code`)).map((r) => r.code);
    const villages = (await conn<{ code: string }>(`select code from area where level = 'VILLAGE' and code like '511921%' order by code`)).map((r) => r.code);
    process.stdout.write(`server ${started.url}; ${townships.length} townships, ${villages.length} villages; ${rate} events/s for ${seconds} s per run\n\n`);
    const rows = [];
    for (const n of runs) {
      const result = await run(n, orm, started.url, started.child.pid!, token, townships, villages);
      rows.push(result);
      process.stdout.write(
        `${String(n).padStart(5)} subscribers: ${result.events} events, ${result.delivered}/${result.expected} deliveries; ` +
          `latency p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, max ${result.max.toFixed(1)} ms; ` +
          `p99 by second ${result.p99BySecond.join(' ')} ms; ` +
          `${Math.round(result.messagesPerSecond).toLocaleString()} messages/s; lost ${result.lost}, duplicated ${result.duplicated}, ` +
          `misdelivered ${result.misdelivered}, out of order ${result.outOfOrder}, errors ${result.errors} (connect ${result.connectMs} ms); ` +
          (result.firstError ? `first error: ${result.firstError}; ` : '') +
          `server CPU ${(result.serverCpuMs / 1000).toFixed(1)} s (${Math.round(result.serverCpuShare * 100)}% of a core), RSS ${result.serverRssMb} MB; clients' CPU ${(result.clientCpuMs / 1000).toFixed(1)} s; load average ${result.loadAverage.toFixed(1)}\n`,
      );
    }
    const failed = rows.some((r) => r.lost || r.duplicated || r.misdelivered || r.outOfOrder || r.errors);
    process.exitCode = failed ? 1 : 0;
  } finally {
    server?.kill('SIGTERM');
    if (server && server.exitCode === null) await new Promise((resolve) => server!.once('exit', resolve));
    await orm?.close();
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
