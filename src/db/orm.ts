import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import pg from 'pg';
import { migrationsList } from '../../migrations/index.js';
import { log } from '../common/log.js';

// `date` columns as 'YYYY-MM-DD' strings: a calendar date has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

/**
 * The ORM's options. Entities come from the features' manifests (`Feature.entities`,
 * passed in `overrides` by the composition root): registered explicitly, no folder
 * scanning at start-up. Features read and write through SQL (`db/sql.ts`), so a
 * connection opened without them (a test's, a bench's) works the same.
 */
export function ormOptions(clientUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl,
    entities: [],
    extensions: [Migrator],
    migrations: {
      migrationsList,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    pool: { min: 0, max: 20 },
    allowGlobalContext: false,
    ensureDatabase: false,
    discovery: { checkDuplicateTableNames: true, warnWhenNoEntities: false },
    logger: (message) => log.debug(message),
    ...overrides,
  });
}

/** Connects and applies pending migrations; the schema is always migrations' output. */
export async function openDatabase(clientUrl: string, overrides: Partial<Options> = {}): Promise<MikroORM> {
  const orm = await MikroORM.init(ormOptions(clientUrl, overrides));
  const applied = await orm.getMigrator().up();
  if (applied.length) log.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');
  return orm;
}

/** Creates the database named in `url` when it does not exist yet (connecting to `postgres`). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}
