import { join } from 'node:path';
import type { Config } from '../config.js';
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

/**
 * The database to use: `DATABASE_URL` when set, else an embedded PostgreSQL kept
 * under `<DATA_DIR>/pg` with a `civgraph` database in it.
 */
export async function provideDatabase(config: Config): Promise<ProvidedDatabase> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, async stop() {} };
  }
  const server = await startEmbeddedPostgres({ dataDir: join(config.dataDir, 'pg'), port: config.embeddedPgPort });
  const url = withDatabase(server.adminUrl, DATABASE_NAME);
  await ensureDatabase(url);
  log.info({ port: server.port }, 'embedded PostgreSQL started');
  return { url, embedded: true, stop: () => server.stop() };
}
