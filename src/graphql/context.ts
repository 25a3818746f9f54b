import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { log, type Logger } from '../common/log.js';
import { sqlFor, type Sql } from '../db/sql.js';
import { createAreaLoaders } from '../modules/area/area.loaders.js';
import { createTaskLoaders } from '../modules/task/task.loaders.js';
import { createRectificationLoaders } from '../modules/rectification/rectification.loaders.js';
import { createSupervisionLoaders } from '../modules/supervision/supervision.loaders.js';
import { createFacilityLoaders } from '../modules/facility/facility.loaders.js';
import { createProjectLoaders } from '../modules/project/project.loaders.js';
import type { Viewer } from '../modules/auth/auth.rules.js';
import type { ProgressFeed } from '../modules/progress/progress.rules.js';
import { createStatsLoaders } from '../modules/stats/stats.loaders.js';
import { createGovernanceLoaders } from '../modules/governance/governance.loaders.js';

/** Fresh per operation: DataLoader caches must never outlive the request that filled them. */
export function createLoaders(sql: Sql) {
  return {
    area: createAreaLoaders(sql),
    task: createTaskLoaders(sql),
    rectification: createRectificationLoaders(sql),
    supervision: createSupervisionLoaders(sql),
    facility: createFacilityLoaders(sql),
    project: createProjectLoaders(sql),
    stats: createStatsLoaders(sql),
    governance: createGovernanceLoaders(sql),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;

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
  /** The server's live progress stream, for subscriptions (graphql-ws, SSE); null on plain HTTP requests and the CLI. */
  progressFeed?: ProgressFeed | null;
}

export function createContext(orm: MikroORM, options: { requestId?: string; viewer?: Viewer | null; progressFeed?: ProgressFeed | null } = {}): Context {
  const requestId = options.requestId ?? randomUUID();
  const viewer = options.viewer ?? null;
  // Made on first use: a subscription holds its context for as long as it runs
  // (10,000 of them on one process), and most never touch the fork or the loaders.
  let em: EntityManager | undefined;
  let sql: Sql | undefined;
  let loaders: Loaders | undefined;
  let logger: Logger | undefined;
  return {
    requestId,
    viewer,
    progressFeed: options.progressFeed ?? null,
    get em() {
      return (em ??= orm.em.fork());
    },
    get sql() {
      return (sql ??= sqlFor(this.em));
    },
    get loaders() {
      return (loaders ??= createLoaders(this.sql));
    },
    get log() {
      return (logger ??= log.child({ requestId, user: viewer?.sub }));
    },
  };
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
      loaders: { get: () => (state.loaders ??= createLoaders(ctx.sql)), configurable: true, enumerable: true },
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
