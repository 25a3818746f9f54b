import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { DomainError, ErrorCode } from '../common/errors.js';
import { fromGlobalId } from '../common/global-id.js';
import { Node } from '../common/node.js';
import { areaService } from '../modules/area/area.service.js';
import { auditService } from '../modules/audit/audit.service.js';
import { taskService } from '../modules/task/task.service.js';
import { rectificationService } from '../modules/rectification/rectification.service.js';
import { supervisionService } from '../modules/supervision/supervision.service.js';
import { facilityService } from '../modules/facility/facility.service.js';
import { projectService } from '../modules/project/project.service.js';
import { statsNodeFetchers } from '../modules/stats/stats.node.js';
import { governanceNodeFetchers } from '../modules/governance/governance.nodes.js';
import { progressService } from '../modules/progress/progress.service.js';
import type { Context } from './context.js';

/** How each `Node` type is fetched from the key in its global ID. */
const fetchers: Record<string, (ctx: Context, key: string) => Promise<object | null>> = {
  Area: (ctx, key) => areaService.byCode(ctx, key, 'id'),
  AuditEntry: (ctx, key) => auditService.byKey(ctx, key),
  Task: (ctx, key) => taskService.byKey(ctx, key),
  TaskAssignment: (ctx, key) => taskService.assignmentByKey(ctx, key),
  Rectification: (ctx, key) => rectificationService.byKey(ctx, key),
  SupervisionAction: (ctx, key) => supervisionService.byKey(ctx, key),
  Facility: (ctx, key) => facilityService.byKey(ctx, key),
  Project: (ctx, key) => projectService.byKey(ctx, key),
  ...statsNodeFetchers,
  ...governanceNodeFetchers,
  ProgressUpdate: (ctx, key) => progressService.bySequence(ctx, key),
};

const MAX_NODES = 100;

/** Fetches any Node by global ID through the registered fetchers (their read rules apply); null when unknown. */
export async function fetchNode(ctx: Context, id: string, field: string): Promise<object | null> {
  const { type, key } = fromGlobalId(id, field);
  const fetch = fetchers[type];
  if (!fetch) return null;
  try {
    return await fetch(ctx, key);
  } catch (error) {
    // A well-formed ID whose key no longer parses names nothing.
    if (error instanceof DomainError && error.code === ErrorCode.BAD_USER_INPUT) return null;
    throw error;
  }
}

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Fetches any object by its global ID (Relay); null when it does not exist.' })
  node(@Arg('id', () => ID, { description: 'A global ID from an `id` field.' }) id: string, @Ctx() ctx: Context) {
    return fetchNode(ctx, id, 'id');
  }

  @Query(() => [Node], { nullable: 'items', description: `Fetches up to ${MAX_NODES} objects by global ID, in order; null for each that does not exist.` })
  nodes(@Arg('ids', () => [ID], { description: 'Global IDs from `id` fields.' }) ids: string[], @Ctx() ctx: Context) {
    if (ids.length > MAX_NODES) throw new DomainError(ErrorCode.BAD_USER_INPUT, `ids may hold at most ${MAX_NODES} IDs`, 'ids');
    // One promise per item, not Promise.all: an ID the caller may not read fails its own
    // item (an error at ["nodes", i], the item null) and the others still come back.
    return ids.map((id) => fetchNode(ctx, id, 'ids'));
  }
}
