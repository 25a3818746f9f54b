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

/** Advisory lock key held while migrating ('civgraph' in ASCII). */
const MIGRATION_LOCK = 0x63697667726170;

/** What opening the database did to its schema: the migrations found applied, and those applied now. */
export interface MigrationReport {
  /** Migrations already applied when this process came (empty: a new database). */
  before: string[];
  /** Migrations this process applied, in order (empty: the schema was current). */
  applied: string[];
}

/** Connects and applies pending migrations; the schema is always migrations' output. */
export async function openDatabase(clientUrl: string, overrides: Partial<Options> = {}): Promise<MikroORM> {
  return (await openAndMigrate(clientUrl, overrides)).orm;
}

/**
 * {@link openDatabase}, also saying which migrations it applied: an older
 * database (a newer civgraph started on an older DATA_DIR) is upgraded here.
 * Under an advisory lock, so that processes starting together on one database
 * migrate it once: the first applies what is pending, the others wait for the
 * lock and then find nothing pending.
 */
export async function openAndMigrate(clientUrl: string, overrides: Partial<Options> = {}): Promise<{ orm: MikroORM; migrations: MigrationReport }> {
  const orm = await MikroORM.init(ormOptions(clientUrl, overrides));
  // One process migrates at a time (a CLI command and a server starting together).
  const guard = new pg.Client({ connectionString: clientUrl });
  await guard.connect();
  try {
    await guard.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const migrator = orm.getMigrator();
    const before = (await migrator.getExecutedMigrations()).map((m) => m.name);
    const applied = (await migrator.up()).map((m) => m.name);
    if (applied.length) log.info({ migrations: applied, from: before.at(-1) ?? null, to: applied.at(-1) }, 'applied migrations');
    return { orm, migrations: { before, applied } };
  } catch (error) {
    await orm.close(true);
    throw error;
  } finally {
    await guard.end();
  }
}

/**
 * The line `civgraph start` prints about the schema: which migrations this
 * start applied to an existing database ("Upgraded the database: …"), or that
 * it created a new one; undefined when nothing was pending.
 */
export function migrationSummary(report: MigrationReport): string | undefined {
  const { before, applied } = report;
  if (!applied.length) return undefined;
  const count = `${applied.length} migration${applied.length === 1 ? '' : 's'}`;
  if (!before.length) return `Created the database schema: applied ${count} (up to ${applied.at(-1)})`;
  return `Upgraded the database: applied ${count} (${applied.join(', ')}); it was at ${before.at(-1)}`;
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
    if (!rowCount) {
      await client.query(`create database "${name.replaceAll('"', '""')}"`).catch((error: { code?: string }) => {
        // Created at the same moment by another civgraph process.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}
