import { Field, ID, InterfaceType } from 'type-graphql';

/**
 * Relay `Node`: anything with a global ID that `node(id)` can fetch again.
 * Each implementing type exposes `id` as `toGlobalId(typeName, naturalKey)`.
 */
@InterfaceType('Node', { description: 'An object with a global ID (Relay). Fetch it again with `node(id)`.' })
export abstract class Node {
  @Field(() => ID, { description: 'Global ID: opaque, stable, and accepted by `node(id)`.' })
  id!: string;
}
