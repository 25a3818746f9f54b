import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { badInput } from './errors.js';

/** Largest page a connection serves, as on GitHub's API. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 100;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 0 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Return items after this cursor (an `endCursor` or edge `cursor`).' })
  after?: string | null;
}

/** A validated page request: keyset pagination on a sort key. */
export interface PageRequest {
  first: number;
  /** Sort key to start after, decoded from the cursor. */
  afterKey: string | null;
}

export function encodeCursor(key: string): string {
  return Buffer.from(`k:${key}`, 'utf8').toString('base64url');
}

export function pageRequest(args: PageArgs): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `first must be between 0 and ${MAX_PAGE_SIZE}, got ${first}`);
  }
  let afterKey: string | null = null;
  if (args.after != null) {
    const decoded = Buffer.from(args.after, 'base64url').toString('utf8');
    if (!decoded.startsWith('k:') || encodeCursor(decoded.slice(2)) !== args.after) {
      throw badInput('after', `"${args.after}" is not a cursor from this connection`);
    }
    afterKey = decoded.slice(2);
  }
  return { first, afterKey };
}

@ObjectType({ description: 'Where a page sits in its connection (Relay).', simpleResolvers: true })
export class PageInfo {
  @Field({ description: 'More items follow this page.' })
  hasNextPage!: boolean;

  @Field({ description: 'Items precede this page (true whenever `after` was given).' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item on this page.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item on this page; pass it as `after` for the next page.' })
  endCursor!: string | null;
}

/** An edge at run time; its cursor is encoded only when a client asks for it. */
class PageEdge<T> {
  constructor(
    readonly node: T,
    private readonly keyOf: (node: T) => string,
  ) {}

  get cursor(): string {
    return encodeCursor(this.keyOf(this.node));
  }
}

/**
 * One page of a connection at run time. The GraphQL types made by
 * {@link connectionType} only declare its shape.
 */
export class Page<T> {
  constructor(
    readonly nodes: T[],
    readonly pageInfo: PageInfo,
    private readonly keyOf: (node: T) => string,
    private readonly total: number | (() => Promise<number>),
  ) {}

  get edges(): PageEdge<T>[] {
    return this.nodes.map((node) => new PageEdge(node, this.keyOf));
  }

  /** Counted only when asked for, where it costs a statement of its own. */
  get totalCount(): number | Promise<number> {
    return typeof this.total === 'function' ? this.total() : this.total;
  }
}

/**
 * Builds a page from rows fetched with `LIMIT first + 1`: the extra row only
 * tells that another page exists.
 */
export function toPage<T>(rows: T[], request: PageRequest, keyOf: (node: T) => string, total: number | (() => Promise<number>)): Page<T> {
  const nodes = rows.length > request.first ? rows.slice(0, request.first) : rows;
  return new Page(
    nodes,
    {
      hasNextPage: rows.length > request.first,
      hasPreviousPage: request.afterKey !== null,
      startCursor: nodes.length ? encodeCursor(keyOf(nodes[0])) : null,
      endCursor: nodes.length ? encodeCursor(keyOf(nodes[nodes.length - 1])) : null,
    },
    keyOf,
    total,
  );
}

/** Declares `<Name>Connection` and `<Name>Edge` for a node type (Relay cursor connections). */
export function connectionType<T extends object>(name: string, nodeType: ClassType<T>, what: string) {
  @ObjectType(`${name}Edge`, { description: `One ${what} in a page, with its cursor.`, simpleResolvers: true })
  class Edge {
    @Field({ description: 'Opaque cursor of this item; pass it as `after` to continue after it.' })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${what}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${what}s (Relay connection).`, simpleResolvers: true })
  class Connection {
    @Field(() => [Edge], { description: 'The items of this page with their cursors.' })
    edges!: Edge[];

    @Field(() => [nodeType], { description: 'The items of this page, without cursors.' })
    nodes!: T[];

    @Field(() => PageInfo, { description: 'Paging information.' })
    pageInfo!: PageInfo;

    // A resolver, not a plain read (`simple: false`): the count may be a promise, which graphql-jit,
    // unlike graphql-js, does not await in a field without a resolver.
    @Field(() => Int, { simple: false, description: `Number of ${what}s in the whole connection, across all pages.` })
    totalCount!: number;
  }
  return Connection;
}
