import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../common/log.js';
import { processAlive, withDatabase } from './embedded.js';
import { attachEmbeddedPostgres } from './shared.js';
import { ensureDatabase } from './orm.js';

export interface ProvidedDatabase {
  url: string;
  /** Whether this is the embedded PostgreSQL under DATA_DIR (shared by every civgraph process using that folder). */
  embedded: boolean;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'civgraph';

/** Where the database is: the part of the configuration (`config.ts`) this file reads. */
export interface DatabaseSettings {
  databaseUrl?: string;
  dataDir: string;
  embeddedPgPort?: number;
}

/**
 * The database to use: `DATABASE_URL` when set, else an embedded PostgreSQL kept
 * under `<DATA_DIR>/pg` with a `civgraph` database in it: the one already running
 * from that folder (a server beside this CLI command, say), else one started
 * here. `stop()` leaves it, stopping it when no other civgraph process uses it.
 */
export async function provideDatabase(config: DatabaseSettings): Promise<ProvidedDatabase> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, async stop() {} };
  }
  const server = await attachEmbeddedPostgres({ dataDir: join(config.dataDir, 'pg'), port: config.embeddedPgPort });
  const url = withDatabase(server.adminUrl, DATABASE_NAME);
  try {
    await ensureDatabase(url);
  } catch (error) {
    await server.release();
    throw error;
  }
  log.info({ port: server.port }, server.started ? 'embedded PostgreSQL started' : 'using the embedded PostgreSQL already running from DATA_DIR');
  return { url, embedded: true, stop: () => server.release() };
}

/** `<DATA_DIR>/server.json`: the URL a running `civgraph start` serves, for CLI commands beside it (`watch`). */
const serverFile = (dataDir: string) => join(dataDir, 'server.json');

/** Records the serving URL (atomically); the returned function removes the record again. */
export function announceServer(dataDir: string, url: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const temporary = `${serverFile(dataDir)}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ pid: process.pid, url })}\n`);
  renameSync(temporary, serverFile(dataDir));
  return () => {
    if (announcedBy(dataDir) === process.pid) rmSync(serverFile(dataDir), { force: true });
  };
}

function announcedBy(dataDir: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(serverFile(dataDir), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

/** The URL of the server running from `dataDir`, when its process is alive. */
export function announcedServerUrl(dataDir: string): string | undefined {
  try {
    const { pid, url } = JSON.parse(readFileSync(serverFile(dataDir), 'utf8')) as { pid: number; url: string };
    return processAlive(pid) ? url : undefined;
  } catch {
    return undefined;
  }
}
