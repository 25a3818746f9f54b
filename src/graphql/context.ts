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

/**
 * What a feature adds to every context (interface merging, like `Loaders`): the
 * progress feature's live feed for subscriptions, say. Set by whoever creates the
 * context (the server's transports); absent elsewhere.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ContextExtensions {}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- what the context carries is ContextExtensions, augmented by the features
export interface Context extends ContextExtensions {}

export function createContext(
  orm: MikroORM,
  registry: Registry,
  options: { requestId?: string; viewer?: Viewer | null; extensions?: Partial<ContextExtensions> } = {},
): Context {
  const requestId = options.requestId ?? randomUUID();
  const viewer = options.viewer ?? null;
  const state: Lazy = { orm, registry, requestId, viewer };
  const ctx = Object.create(LAZY) as Context & { [STATE]: Lazy };
  return Object.assign(ctx, { requestId, viewer, registry, ...options.extensions, [STATE]: state });
}

/** What the lazy parts of a context are made from, and once made, they themselves. */
interface Lazy {
  orm: MikroORM;
  registry: Registry;
  requestId: string;
  viewer: Viewer | null;
  em?: EntityManager;
  sql?: Sql;
  loaders?: Loaders;
  logger?: Logger;
}

const STATE = Symbol('civgraph.context');

/**
 * The lazy parts of every context, made on first use: a subscription holds its
 * context for as long as it runs (10,000 of them on one process), and most never
 * touch the fork or the loaders. They are getters on the prototype, their state in
 * one symbol-keyed property: Apollo Server copies each context for its operation
 * (`Object.assign` onto an object of the same prototype), which would call own
 * getters and make all of them for every request; the copy shares the state instead.
 */
const LAZY = Object.create(Object.prototype, {
  em: {
    get(this: { [STATE]: Lazy }) {
      const state = this[STATE];
      return (state.em ??= state.orm.em.fork());
    },
  },
  sql: {
    get(this: { [STATE]: Lazy; em: EntityManager }) {
      return (this[STATE].sql ??= sqlFor(this.em));
    },
  },
  loaders: {
    get(this: { [STATE]: Lazy; sql: Sql }) {
      const state = this[STATE];
      return (state.loaders ??= state.registry.createLoaders(this.sql));
    },
  },
  log: {
    get(this: { [STATE]: Lazy }) {
      const state = this[STATE];
      return (state.logger ??= log.child({ requestId: state.requestId, user: state.viewer?.sub }));
    },
  },
}) as object;

/**
 * The same caller on another EntityManager (a transaction's): its own SQL
 * handle and fresh loaders, which see the transaction's writes.
 */
export function contextWith(ctx: Context, em: EntityManager): Context {
  const sql = sqlFor(em);
  // Own properties (the lazies' state among them) and, made now, the log the prototype would give.
  return { ...ctx, em, sql, loaders: ctx.registry.createLoaders(sql), log: ctx.log };
}

/**
 * A subscription's context lives as long as the subscription: give each
 * delivered event a fresh EntityManager fork and fresh loaders, so nothing it
 * resolves (its area, say) comes from an earlier event's cache. Call it once per
 * event, before resolving anything of it.
 */
export function renewContext(ctx: Context): void {
  let fresh = renewable.get(ctx);
  if (!fresh) {
    const state: Fresh = { root: ctx.em };
    fresh = state;
    renewable.set(ctx, state);
    // Made on first use: an event whose selection reads nothing more costs no fork.
    Object.defineProperties(ctx, {
      em: { get: () => (state.em ??= state.root.fork()), configurable: true, enumerable: true },
      sql: { get: () => (state.sql ??= sqlFor(ctx.em)), configurable: true, enumerable: true },
      loaders: { get: () => (state.loaders ??= ctx.registry.createLoaders(ctx.sql)), configurable: true, enumerable: true },
    });
  }
  fresh.em = undefined;
  fresh.sql = undefined;
  fresh.loaders = undefined;
}

interface Fresh {
  root: EntityManager;
  em?: EntityManager;
  sql?: Sql;
  loaders?: Loaders;
}

const renewable = new WeakMap<Context, Fresh>();
