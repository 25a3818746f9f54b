import { createHash } from 'node:crypto';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';

/**
 * Runs one raw statement (with `?` placeholders, sent as real bind parameters)
 * on the request's connection, inside the entity manager's transaction when one
 * is open, and returns its rows. Trees and roll-ups are read through here: one
 * statement per batch, no entity hydration. JS arrays bind as PostgreSQL arrays
 * (`= any(?::text[])`, `unnest(?::text[])`).
 */
export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[], options?: SqlOptions) => Promise<T[]>;

export interface SqlOptions {
  /**
   * Prepares the statement under this name on each connection that runs it, so
   * PostgreSQL plans it once per connection (a tree statement plans in about as long
   * as it runs). One name, one text: derive it from the text (see preparedName).
   */
  prepared?: string;
}

export function sqlFor(em: EntityManager): Sql {
  const knex = em.getConnection().getKnex();
  return async <T>(text: string, params: unknown[] = [], options?: SqlOptions) => {
    const runner = em.getTransactionContext<Knex.Transaction>() ?? knex;
    const raw = runner.raw(text, params as Knex.RawBinding[]);
    // knex hands `options` to node-postgres's query config: `name` makes it a prepared statement.
    const result = (await (options?.prepared ? raw.options({ name: options.prepared }) : raw)) as { rows: T[] };
    return result.rows;
  };
}

/** A prepared statement's name for this text: a digest, so that one name never means two texts. */
export function preparedName(prefix: string, text: string): string {
  return `${prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
}
