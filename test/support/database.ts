import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from '../../src/db/embedded.js';
import { civgraph } from '../../src/features.js';
import { openDatabase } from '../../src/db/orm.js';

/**
 * A database of this test file's own on the run's PostgreSQL server, built by
 * running the migrations (never schema:create), so tests see exactly what
 * production runs.
 */
export async function createTestDatabase(): Promise<{ url: string; orm: MikroORM; drop(): Promise<void> }> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `civgraph_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(adminUrl, 'postgres') });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const orm = await openDatabase(url, { entities: civgraph.entities });
  return {
    url,
    orm,
    async drop() {
      await orm.close();
      const client = new pg.Client({ connectionString: withDatabase(adminUrl, 'postgres') });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
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
