import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { DomainError, ErrorCode } from '../common/errors.js';
import { fromGlobalId } from '../common/global-id.js';
import { Node } from '../common/node.js';
import type { Context } from './context.js';

const MAX_NODES = 100;

/** Fetches any Node by global ID through the features' fetchers (`Feature.nodes`) (their read rules apply); null when unknown. */
export async function fetchNode(ctx: Context, id: string, field: string): Promise<object | null> {
  const { type, key } = fromGlobalId(id, field);
  const fetch = ctx.registry.nodeFetchers.get(type);
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
