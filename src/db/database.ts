import { join } from 'node:path';
import { log } from '../common/log.js';
import { startEmbeddedPostgres, withDatabase } from './embedded.js';
import { ensureDatabase } from './orm.js';

export interface ProvidedDatabase {
  url: string;
  /** Whether civgraph started this server itself (and so stops it). */
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
 * under `<DATA_DIR>/pg` with a `civgraph` database in it.
 */
export async function provideDatabase(config: DatabaseSettings): Promise<ProvidedDatabase> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, async stop() {} };
  }
  const server = await startEmbeddedPostgres({ dataDir: join(config.dataDir, 'pg'), port: config.embeddedPgPort });
  const url = withDatabase(server.adminUrl, DATABASE_NAME);
  await ensureDatabase(url);
  log.info({ port: server.port }, 'embedded PostgreSQL started');
  return { url, embedded: true, stop: () => server.stop() };
}
