import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/auth.rules.js';
import { log, type Logger } from '../common/log.js';
import { sqlFor, type Sql } from '../db/sql.js';

/**
 * Per-operation DataLoaders, one property per feature. Each feature declares its
 * own property where it defines its loaders (interface merging:
 * `declare module '../../graphql/context.js' { interface Loaders { task: TaskLoaders } }`)
 * and lists the factory in its manifest; nothing here names a feature.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Loaders {}

/**
 * Extension points: a feature that runs hooks of other features declares the
 * point here by interface merging (the area feature's `areaMerge`), and the
 * features that join in list their hooks in their manifests.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Hooks {}

/** Fetches one `Node` type from the key in its global ID (its read rules apply); null when absent. */
export type NodeFetcher = (ctx: Context, key: string) => Promise<object | null>;

/**
 * What the composition root (`src/features.ts`) hands every operation: built once
 * per process from the features' manifests.
 */
export interface Registry {
  /** Fresh per operation: DataLoader caches must never outlive the request that filled them. */
  createLoaders(sql: Sql): Loaders;
  /** `node(id)` fetchers by type name. */
  nodeFetchers: ReadonlyMap<string, NodeFetcher>;
  /** Every feature's hooks, by extension point; a point nobody joined is absent. */
  hooks: { readonly [K in keyof Hooks]?: Hooks[K] };
}

/**
 * Everything a resolver may use, built the same way for HTTP and WebSocket
 * operations. Never reach for the global `orm.em`: each operation has its own fork.
 */
export interface Context {
  requestId: string;
  /** The verified caller; null when anonymous. */
  viewer: Viewer | null;
  em: EntityManager;
  sql: Sql;
  loaders: Loaders;
  log: Logger;
  /** The features' contributions (loaders, node fetchers, hooks). */
  registry: Registry;
}

export function createContext(orm: MikroORM, registry: Registry, options: { requestId?: string; viewer?: Viewer | null } = {}): Context {
  const requestId = options.requestId ?? randomUUID();
  const em = orm.em.fork();
  const sql = sqlFor(em);
  const viewer = options.viewer ?? null;
  return { requestId, viewer, em, sql, loaders: registry.createLoaders(sql), log: log.child({ requestId, user: viewer?.sub }), registry };
}

/**
 * The same caller on another EntityManager (a transaction's): its own SQL
 * handle and fresh loaders, which see the transaction's writes.
 */
export function contextWith(ctx: Context, em: EntityManager): Context {
  const sql = sqlFor(em);
  return { ...ctx, em, sql, loaders: ctx.registry.createLoaders(sql) };
}
