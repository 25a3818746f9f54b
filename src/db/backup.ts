import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { migrationsList } from '../../migrations/index.js';
import { log } from '../common/log.js';
import { ormOptions } from './orm.js';

/**
 * Backups of everything civgraph stores (see docs/adr/0001-backup-format.md).
 *
 * A backup is a logical snapshot: every table of the database's schema read in
 * ONE `REPEATABLE READ, READ ONLY` transaction (PostgreSQL's snapshot isolation,
 * as `pg_dump` takes it), each with `COPY (SELECT … ORDER BY <primary key>) TO
 * STDOUT` in text format, streamed (never a table in memory) into one gzip file:
 *
 *   "CIVGRAPH-BACKUP1\n", then frames: type (1 byte), length (4 bytes, big-endian), payload
 *   H  header JSON (format, civgraph version, migrations, tables and columns, created at)
 *   T  a table starts (JSON: name)      D  a chunk of its COPY text      E  it ends
 *   M  the manifest JSON (the header plus row counts, SHA-256 per table, sequences)
 *
 * Restore migrates an empty database to the backup's migration, loads every
 * table with `COPY … FROM STDIN` in one transaction (foreign keys dropped and
 * re-added, so they are checked once over the whole data), checks each table's
 * row count and SHA-256 against the manifest before committing, sets the
 * sequences, and then runs the migrations the code has beyond the backup's.
 */
export const BACKUP_FORMAT = 1;
const MAGIC = Buffer.from('CIVGRAPH-BACKUP1\n');
/** `civgraph-20261207T190000123Z.backup`: what `backup` writes and the schedule keeps. */
export const BACKUP_FILE = /^civgraph-\d{8}T\d{9}Z\.backup$/;
const MIGRATIONS_TABLE = 'mikro_orm_migrations';
/** Rows the migrations themselves insert (reference data): a database holding only these is empty. */
const SEEDED_BY_MIGRATIONS = new Set(['indicator', 'openness_item', 'event_sequence']);

const FRAME = { header: 0x48, table: 0x54, data: 0x44, end: 0x45, manifest: 0x4d } as const;

export interface BackupTable {
  name: string;
  columns: string[];
  rows: number;
  /** SHA-256 (hex) of the table's COPY text, rows in primary-key order. */
  sha256: string;
}

export interface BackupManifest {
  format: number;
  civgraphVersion: string;
  createdAt: string;
  /** Migrations applied in the backed-up database, in order: its schema. */
  migrations: string[];
  tables: BackupTable[];
  /** Each sequence's `last_value` (null: never used), for `setval` on restore. */
  sequences: { name: string; lastValue: string | null }[];
  /** PostgreSQL's `server_version` of the backed-up database. */
  serverVersion: string;
}

type Header = Omit<BackupManifest, 'tables' | 'sequences'> & { tables: { name: string; columns: string[] }[] };

export interface BackupResult {
  path: string;
  bytes: number;
  sha256: string;
  manifest: BackupManifest;
  ms: number;
}

/** A restore that would lose data or cannot work (non-empty target, newer schema, damaged file): nothing was changed. */
export class BackupRefused extends Error {
  override name = 'BackupRefused';
}

function civgraphVersion(): string {
  for (const path of ['../../package.json', '../../../package.json']) {
    try {
      const parsed = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'civgraph' && parsed.version) return parsed.version;
    } catch {
      // not here (dist/ is one level deeper)
    }
  }
  return 'unknown';
}

/** Rows in a piece of COPY text: one line each (newlines inside values are escaped as `\n`). */
function newlines(chunk: Buffer): number {
  let count = 0;
  for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) count++;
  return count;
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

function frame(type: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'civgraph backup' });
  await client.connect();
  return client;
}

/** The schema's base tables with their columns (in order) and primary-key columns. */
async function tablesOf(client: pg.Client): Promise<{ name: string; columns: string[]; key: string[] }[]> {
  const { rows } = await client.query<{ name: string; columns: string[]; key: string[] | null }>(
    `
    select c.relname as name,
           array_agg(a.attname::text order by a.attnum) as columns,
           (select array_agg(k.attname::text order by array_position(i.indkey::int2[], k.attnum))
              from pg_index i join pg_attribute k on k.attrelid = i.indrelid and k.attnum = any(i.indkey)
             where i.indrelid = c.oid and i.indisprimary) as key
      from pg_class c
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
     where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p') and c.relname <> $1
     group by c.oid, c.relname
     order by c.relname`,
    [MIGRATIONS_TABLE],
  );
  return rows.map((row) => ({ name: row.name, columns: row.columns, key: row.key ?? row.columns }));
}

/**
 * Writes a backup of the database at `url` into `outDir` (created if missing) as
 * `civgraph-<time>.backup`, while the server keeps serving and writing: one
 * snapshot, streamed table by table. The file appears under its name only once
 * complete (written as `.partial`, then renamed).
 */
export async function backupDatabase(url: string, outDir: string, options: { now?: () => Date } = {}): Promise<BackupResult> {
  const started = Date.now();
  const createdAt = (options.now ?? (() => new Date()))();
  await mkdir(outDir, { recursive: true });
  const path = resolve(outDir, `civgraph-${createdAt.toISOString().replace(/[-:.]/g, '')}.backup`);
  const partial = `${path}.partial`;
  const client = await connect(url);
  const gzip = createGzip();
  const fileHash = createHash('sha256');
  let bytes = 0;
  const written = pipeline(
    gzip,
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        fileHash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    }),
    createWriteStream(partial, { mode: 0o600 }),
  );
  written.catch(() => undefined); // awaited below; a failure also ends the writes
  const write = async (buffer: Buffer) => {
    if (!gzip.write(buffer)) await Promise.race([once(gzip, 'drain'), written]);
  };
  try {
    await client.query('begin isolation level repeatable read read only');
    const tables = await tablesOf(client);
    const [{ schema }] = (await client.query<{ schema: string | null }>(`select to_regclass($1)::text as schema`, [MIGRATIONS_TABLE])).rows as [
      { schema: string | null },
    ];
    if (!schema) throw new BackupRefused('nothing to back up: this database holds no civgraph schema (no migrations were run in it)');
    const migrations = (await client.query<{ name: string }>(`select name from ${MIGRATIONS_TABLE} order by id`)).rows.map((row) => row.name);
    const serverVersion = (await client.query<{ server_version: string }>('show server_version')).rows[0].server_version;
    const header: Header = {
      format: BACKUP_FORMAT,
      civgraphVersion: civgraphVersion(),
      createdAt: createdAt.toISOString(),
      migrations,
      tables: tables.map(({ name, columns }) => ({ name, columns })),
      serverVersion,
    };
    await write(MAGIC);
    await write(frame(FRAME.header, Buffer.from(JSON.stringify(header))));
    const done: BackupTable[] = [];
    for (const table of tables) {
      await write(frame(FRAME.table, Buffer.from(JSON.stringify({ name: table.name }))));
      const hash = createHash('sha256');
      let rows = 0;
      const columns = table.columns.map(ident).join(', ');
      const stream = client.query(copyTo(`copy (select ${columns} from ${ident(table.name)} order by ${table.key.map(ident).join(', ')}) to stdout`));
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        rows += newlines(chunk);
        await write(frame(FRAME.data, chunk));
      }
      await write(frame(FRAME.end, Buffer.alloc(0)));
      done.push({ ...header.tables.find((t) => t.name === table.name)!, rows, sha256: hash.digest('hex') });
    }
    // Sequences are not transactional: read now, each is at or past every value the snapshot holds.
    const sequences = (
      await client.query<{ name: string; last_value: string | null }>(
        'select sequencename as name, last_value::text from pg_sequences where schemaname = current_schema() order by sequencename',
      )
    ).rows.map((row) => ({ name: row.name, lastValue: row.last_value }));
    await client.query('commit');
    const manifest: BackupManifest = { ...header, tables: done, sequences };
    await write(frame(FRAME.manifest, Buffer.from(JSON.stringify(manifest))));
    gzip.end();
    await written;
    await rename(partial, path);
    return { path, bytes, sha256: fileHash.digest('hex'), manifest, ms: Date.now() - started };
  } catch (error) {
    gzip.destroy();
    await written.catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Reads a backup's frames in order, streaming (a data frame at a time). */
async function* framesOf(file: string): AsyncGenerator<{ type: number; payload: Buffer }> {
  let buffered: Buffer = Buffer.alloc(0);
  let magicSeen = false;
  const source = createReadStream(file);
  const input = source.pipe(createGunzip());
  source.once('error', (error) => input.destroy(error));
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      if (!magicSeen) {
        if (buffered.length < MAGIC.length) continue;
        if (!buffered.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupRefused(`${file} is not a civgraph backup`);
        buffered = buffered.subarray(MAGIC.length);
        magicSeen = true;
      }
      while (buffered.length >= 5) {
        const length = buffered.readUInt32BE(1);
        if (buffered.length < 5 + length) break;
        yield { type: buffered[0], payload: buffered.subarray(5, 5 + length) };
        buffered = buffered.subarray(5 + length);
      }
    }
  } catch (error) {
    if (error instanceof BackupRefused) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') throw new BackupRefused(`cannot read ${file}`);
    if (code?.startsWith('Z_')) throw new BackupRefused(`${file} is not a civgraph backup, or is damaged (${(error as Error).message})`);
    throw error;
  } finally {
    source.destroy();
  }
  if (!magicSeen || buffered.length) throw new BackupRefused(`${file} is cut short or damaged`);
}

/** The header of a backup (read from its first bytes): its schema's migrations and tables. */
export async function readBackupHeader(file: string): Promise<Header> {
  for await (const { type, payload } of framesOf(file)) {
    if (type !== FRAME.header) break;
    return JSON.parse(payload.toString('utf8')) as Header;
  }
  throw new BackupRefused(`${file} has no civgraph backup header`);
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** Migrations the code ran after loading the data (its schema is newer than the backup's). */
  migratedAfter: string[];
  ms: number;
}

/** Why `url`'s database is not empty (a table with rows), or undefined when it is empty. */
export async function nonEmptyReason(url: string): Promise<string | undefined> {
  const client = await connect(url);
  try {
    for (const table of await tablesOf(client)) {
      if (table.name === 'event_sequence') {
        const { rows } = await client.query<{ value: string }>('select value::text from event_sequence');
        if (rows.some((row) => row.value !== '0')) return 'event_sequence has handed out events';
        continue;
      }
      if (SEEDED_BY_MIGRATIONS.has(table.name)) continue;
      const { rowCount } = await client.query(`select 1 from ${ident(table.name)} limit 1`);
      if (rowCount) return `table ${table.name} has rows`;
    }
    return undefined;
  } finally {
    await client.end();
  }
}

export interface RestoreOptions {
  /** Replace the target's data (its tables are dropped first). */
  force?: boolean;
  /**
   * Run the code's migrations beyond the backup's after loading (default true).
   * False leaves the database at the backup's schema, as the older civgraph that
   * took it left it: the next `civgraph start` upgrades it (test/e2e/upgrade.e2e.test.ts
   * restores the v0.1.0 fixture so).
   */
  migrateForward?: boolean;
}

/**
 * Restores `file` into the database at `url`: refused when that database holds
 * data (unless `force`: its tables are then dropped), when the backup's schema
 * is newer than the code's, and when the file is damaged (checked before commit).
 */
export async function restoreDatabase(url: string, file: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const started = Date.now();
  const header = await readBackupHeader(file);
  if (header.format !== BACKUP_FORMAT) throw new BackupRefused(`${file} is backup format ${header.format}; this civgraph reads format ${BACKUP_FORMAT}`);
  const known = migrationsList.map((migration) => migration.name);
  const unknown = header.migrations.filter((name) => !known.includes(name));
  if (unknown.length) {
    throw new BackupRefused(
      `${file} comes from a newer civgraph (${header.civgraphVersion}): its schema has migrations this civgraph does not know (${unknown.join(', ')}). Restore it with that version or a later one.`,
    );
  }
  // The backup's newest migration in the code's order, not the last it applied: early civgraph
  // (v0.1.0 among them) ran its migrations in the order their branches merged (statistics after
  // audit_log), so a backup of one that stopped before governance ended at statistics.
  const last = known.filter((name) => header.migrations.includes(name)).at(-1);
  if (!last) throw new BackupRefused(`${file} records no migrations`);
  const reason = await nonEmptyReason(url);
  if (reason && !options.force)
    throw new BackupRefused(`the target database is not empty (${reason}); restore into an empty DATA_DIR or database, or pass --force to replace its data`);

  // Start from nothing: an empty database may still be migrated past the backup's schema.
  const client = await connect(url);
  try {
    const existing = await tablesOf(client);
    const drop = [...existing.map((table) => table.name), MIGRATIONS_TABLE].map(ident).join(', ');
    await client.query(`drop table if exists ${drop} cascade`);
  } finally {
    await client.end();
  }
  const orm = await MikroORM.init(ormOptions(url));
  try {
    await orm.getMigrator().up({ to: last });
  } finally {
    await orm.close(true);
  }
  const manifest = await loadData(url, file, header);
  if (options.migrateForward === false) return { manifest, migratedAfter: [], ms: Date.now() - started };
  const after = await MikroORM.init(ormOptions(url));
  let migratedAfter: string[];
  try {
    migratedAfter = (await after.getMigrator().up()).map((migration) => migration.name);
  } finally {
    await after.close(true);
  }
  return { manifest, migratedAfter, ms: Date.now() - started };
}

/** Loads every table in one transaction, checking counts and digests against the manifest before committing. */
async function loadData(url: string, file: string, header: Header): Promise<BackupManifest> {
  const client = await connect(url);
  let current: { name: string; hash: ReturnType<typeof createHash>; rows: number; stream: ReturnType<typeof copyFrom>; finished: Promise<unknown> } | undefined;
  try {
    await client.query('begin');
    const names = header.tables.map((table) => table.name);
    const present = new Set((await tablesOf(client)).map((table) => table.name));
    const missing = names.filter((name) => !present.has(name));
    if (missing.length) throw new BackupRefused(`${file} holds tables the migrated schema lacks: ${missing.join(', ')}`);
    await client.query(`truncate ${names.map(ident).join(', ')}`);
    // Foreign keys come off for the load and go back on after it: checked once, over all the data, in any table order.
    const { rows: foreignKeys } = await client.query<{ table_name: string; name: string; definition: string }>(
      `select c.conrelid::regclass::text as table_name, c.conname as name, pg_get_constraintdef(c.oid) as definition
         from pg_constraint c where c.contype = 'f' and c.connamespace = current_schema()::regnamespace`,
    );
    for (const key of foreignKeys) await client.query(`alter table ${key.table_name} drop constraint ${ident(key.name)}`);
    const loaded = new Map<string, { rows: number; sha256: string }>();
    let manifest: BackupManifest | undefined;
    for await (const { type, payload } of framesOf(file)) {
      if (type === FRAME.header) continue;
      if (type === FRAME.table) {
        const { name } = JSON.parse(payload.toString('utf8')) as { name: string };
        const table = header.tables.find((t) => t.name === name);
        if (!table || current) throw new BackupRefused(`${file} is damaged (unexpected table ${name})`);
        const stream = client.query(copyFrom(`copy ${ident(name)} (${table.columns.map(ident).join(', ')}) from stdin`));
        current = { name, hash: createHash('sha256'), rows: 0, stream, finished: once(stream, 'finish') };
        current.finished.catch(() => undefined); // awaited at the table's end, or on failure
      } else if (type === FRAME.data) {
        if (!current) throw new BackupRefused(`${file} is damaged (data outside a table)`);
        current.hash.update(payload);
        current.rows += newlines(payload);
        // The payload is a view on the reader's buffer: copy it, the COPY stream may hold it.
        if (!current.stream.write(Buffer.from(payload))) await once(current.stream, 'drain');
      } else if (type === FRAME.end) {
        if (!current) throw new BackupRefused(`${file} is damaged (a table ends twice)`);
        current.stream.end();
        await current.finished;
        loaded.set(current.name, { rows: current.rows, sha256: current.hash.digest('hex') });
        current = undefined;
      } else if (type === FRAME.manifest) {
        manifest = JSON.parse(payload.toString('utf8')) as BackupManifest;
      } else {
        throw new BackupRefused(`${file} is damaged (unknown frame ${type})`);
      }
    }
    if (!manifest) throw new BackupRefused(`${file} is cut short: it has no manifest (the backup did not finish)`);
    for (const table of manifest.tables) {
      const got = loaded.get(table.name);
      if (!got || got.rows !== table.rows || got.sha256 !== table.sha256) {
        throw new BackupRefused(`${file} is damaged: table ${table.name} does not match its manifest (${got?.rows ?? 0} rows read, ${table.rows} recorded)`);
      }
    }
    for (const key of foreignKeys) await client.query(`alter table ${key.table_name} add constraint ${ident(key.name)} ${key.definition}`);
    for (const sequence of manifest.sequences) {
      await client.query(
        sequence.lastValue === null ? 'select setval($1::regclass, 1, false)' : 'select setval($1::regclass, $2::bigint, true)',
        sequence.lastValue === null ? [ident(sequence.name)] : [ident(sequence.name), sequence.lastValue],
      );
    }
    await client.query('commit');
    return manifest;
  } catch (error) {
    if (current) {
      // A COPY under way: abort it (CopyFail) so that the connection takes the rollback.
      current.stream.destroy(error as Error);
      await current.finished.catch(() => undefined);
    }
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** SHA-256 (hex) of a file, streamed. */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

/** What the schedule has done: the server's `/metrics` and `/readyz` show it. */
export interface BackupStatus {
  /** When the last successful backup was taken (also one found in the folder at start). */
  lastSuccessAt: Date | undefined;
  lastFile: string | undefined;
  /** The last attempt's failure, cleared by the next success. */
  lastError: string | undefined;
  lastErrorAt: Date | undefined;
  running: boolean;
}

export interface BackupScheduleOptions {
  /** Folder the backups go to (BACKUP_DIR). */
  dir: string;
  /** Time between backups, ms (BACKUP_EVERY_HOURS × 3,600,000). */
  everyMs: number;
  /** How many of the newest backups to keep (BACKUP_KEEP). */
  keep: number;
}

/**
 * Takes a backup every `everyMs` into `dir`, keeping the newest `keep`. One at a
 * time: the next is planned only when the last has ended. A failure is logged
 * and shown on `/metrics` and `/readyz`, and the next attempt comes on schedule;
 * it never stops the server. The first backup comes when the newest one in the
 * folder is `everyMs` old (at once when there is none).
 */
export class BackupScheduler {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopped = false;
  private readonly state: BackupStatus = { lastSuccessAt: undefined, lastFile: undefined, lastError: undefined, lastErrorAt: undefined, running: false };
  /** Backups taken since start (tests wait on it). */
  taken = 0;

  constructor(
    private readonly url: string,
    private readonly options: BackupScheduleOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  status(): BackupStatus {
    return { ...this.state };
  }

  async start(): Promise<void> {
    try {
      const newest = (await backupsIn(this.options.dir))[0];
      if (newest) {
        this.state.lastSuccessAt = (await stat(join(this.options.dir, newest))).mtime;
        this.state.lastFile = join(this.options.dir, newest);
      }
    } catch (error) {
      // Unreadable now: the first backup, at once, will say why.
      log.warn({ err: error, dir: this.options.dir }, 'cannot read BACKUP_DIR');
    }
    const due = this.state.lastSuccessAt ? this.state.lastSuccessAt.getTime() + this.options.everyMs - this.now().getTime() : 0;
    this.plan(Math.max(0, due));
  }

  private plan(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.runOnce().finally(() => {
        this.current = undefined;
        this.plan(this.options.everyMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  /** One backup and the pruning after it; never throws. */
  async runOnce(): Promise<void> {
    this.state.running = true;
    try {
      const result = await backupDatabase(this.url, this.options.dir, { now: this.now });
      this.state.lastSuccessAt = new Date(result.manifest.createdAt);
      this.state.lastFile = result.path;
      this.state.lastError = undefined;
      this.taken++;
      log.info({ file: result.path, bytes: result.bytes, sha256: result.sha256, ms: result.ms }, 'scheduled backup written');
      await pruneBackups(this.options.dir, this.options.keep);
    } catch (error) {
      this.state.lastError = error instanceof Error ? error.message : String(error);
      this.state.lastErrorAt = this.now();
      log.error({ err: error, dir: this.options.dir }, 'scheduled backup failed');
    } finally {
      this.state.running = false;
    }
  }

  /** Stops planning; waits for a backup under way to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }
}

/** The backups in `dir`, newest first. */
export async function backupsIn(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return names
    .filter((name) => BACKUP_FILE.test(name))
    .sort()
    .reverse();
}

/** Deletes all but the newest `keep` backups in `dir` (0 keeps all). */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  if (keep <= 0) return [];
  const old = (await backupsIn(dir)).slice(keep);
  for (const name of old) await rm(join(dir, name), { force: true });
  return old;
}
