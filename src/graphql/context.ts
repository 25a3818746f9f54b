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
import { createStatsLoaders } from '../modules/stats/stats.loaders.js';
import { createGovernanceLoaders } from '../modules/governance/governance.loaders.js';
import type { Viewer } from '../auth/auth.rules.js';

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
}

export function createContext(orm: MikroORM, options: { requestId?: string; viewer?: Viewer | null } = {}): Context {
  const requestId = options.requestId ?? randomUUID();
  const em = orm.em.fork();
  const sql = sqlFor(em);
  const viewer = options.viewer ?? null;
  return { requestId, viewer, em, sql, loaders: createLoaders(sql), log: log.child({ requestId, user: viewer?.sub }) };
}
