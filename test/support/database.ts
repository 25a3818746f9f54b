import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from '../../src/db/embedded.js';
import { civgraph } from '../../src/features.js';
import { openDatabase } from '../../src/db/orm.js';

/** One statement on `url` through a connection of its own (for databases no ORM is open on). */
export async function sqlOn<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A new, empty database on the run's PostgreSQL server, named after `prefix`; `drop()` removes it. */
export async function createEmptyDatabase(prefix = 'civgraph_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = withDatabase(inject('adminDatabaseUrl'), 'postgres');
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await sqlOn(admin, `create database ${name}`);
  return {
    url: withDatabase(admin, name),
    drop: async (): Promise<void> => void (await sqlOn(admin, `drop database if exists ${name} with (force)`)),
  };
}

/**
 * A database of this test file's own on the run's PostgreSQL server, built by
 * running the migrations (never schema:create), so tests see exactly what
 * production runs.
 */
export async function createTestDatabase(): Promise<{ url: string; orm: MikroORM; drop(): Promise<void> }> {
  const database = await createEmptyDatabase();
  const orm = await openDatabase(database.url, { entities: civgraph.entities });
  return {
    url: database.url,
    orm,
    async drop() {
      await orm.close();
      await database.drop();
    },
  };
}

/**
 * Counts SQL statements sent through the ORM's connection pool (every resolver
 * query goes through it). Used to prove a tree query costs a constant number of
 * statements, whatever the size of the tree.
 */
export function statementCounter(orm: MikroORM) {
  const knex = orm.em.getConnection().getKnex();
  let count = 0;
  const statements: string[] = [];
  const bindings: unknown[][] = [];
  knex.on('query', (query: { sql: string; bindings?: unknown[] }) => {
    // A server's own periodic work (the revoked-session poll) is not a request's cost.
    if (query.sql.startsWith('/* background:')) return;
    count++;
    statements.push(query.sql);
    bindings.push(query.bindings ?? []);
  });
  return {
    /**
     * Runs `work` and returns how many statements it sent, with their text
     * (`$n` placeholders) and the values bound to each.
     */
    async measure<T>(work: () => Promise<T>): Promise<{ result: T; count: number; statements: string[]; bindings: unknown[][] }> {
      const before = count;
      const result = await work();
      return { result, count: count - before, statements: statements.slice(before), bindings: bindings.slice(before) };
    },
  };
}
