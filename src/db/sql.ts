import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs one raw statement (with `?` placeholders, sent as real bind parameters)
 * on the request's connection, inside the entity manager's transaction when one
 * is open, and returns its rows. Trees and roll-ups are read through here: one
 * statement per batch, no entity hydration. JS arrays bind as PostgreSQL arrays
 * (`= any(?::text[])`, `unnest(?::text[])`).
 */
export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

export function sqlFor(em: EntityManager): Sql {
  const knex = em.getConnection().getKnex();
  return async <T>(text: string, params: unknown[] = []) => {
    const runner = em.getTransactionContext() ?? knex;
    const result = await runner.raw(text, params as never[]);
    return result.rows as T[];
  };
}
