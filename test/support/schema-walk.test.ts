import { buildSchema, graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { allFields, SchemaWalk, type ArgumentTable, type WalkResponse } from './schema-walk.js';

/** The walk on a small in-process schema: what it reads, and what it reports. */
const sdl = `
  scalar DateTimeISO
  interface Node { id: ID! }
  type Query { shelf(code: String!): Shelf  node(id: ID!): Node  nodes(ids: [ID!]!): [Node]! }
  type Shelf { code: String! books(first: Int): [Book!]! empty: Book }
  type Book implements Node { id: ID! title: String! addedAt: DateTimeISO! shelf: Shelf! review: Review }
  type Review { stars: Int! }
  type Unreached { never: String }
`;

function walker(overrides: { addedAt?: string; failTitle?: boolean } = {}) {
  const schema = buildSchema(sdl);
  const shelf = { code: 'A', books: () => [book('1'), book('2')], empty: null };
  const book = (id: string) => ({
    __typename: 'Book',
    id: `Book:${id}`,
    title: () => {
      if (overrides.failTitle) throw new Error('title lost');
      return `Book ${id}`;
    },
    addedAt: overrides.addedAt ?? '2026-12-07T16:02:13.831Z',
    shelf,
    review: id === '2' ? { stars: 4 } : null,
  });
  const root = {
    shelf: ({ code }: { code: string }) => (code === 'A' ? shelf : null),
    node: ({ id }: { id: string }) => book(id.split(':')[1]),
    nodes: ({ ids }: { ids: string[] }) => ids.map((id) => book(id.split(':')[1])),
  };
  // Query.node and Query.nodes wait for ids until the walk has seen some (read once the queue has drained).
  const table: ArgumentTable = ({ arg, seen }) => ({ code: 'A', first: 3, id: seen.ids.get('Book')?.[0], ids: seen.ids.get('Book') })[arg.name];
  const request = async (query: string) => (await graphql({ schema, source: query, rootValue: root })) as WalkResponse;
  return { schema, walk: new SchemaWalk(schema, table, request, { maxRequests: 50, maxDepth: 12 }) };
}

describe('SchemaWalk', () => {
  it('reads every field the data reaches, through lists and nodes(ids:), and only those', async () => {
    const { schema, walk } = walker();
    const result = await walk.walk();
    expect(result.errors).toEqual([]);
    const unread = [...allFields(schema)].filter((key) => !result.read.has(key));
    // Review is reached only through the second book; Unreached by nothing.
    expect(unread).toEqual(['Unreached.never']);
    expect(result.seen.ids.get('Book')).toEqual(['Book:1', 'Book:2']);
    expect(result.dateTimes).toBeGreaterThan(0);
    expect(result.badDateTimes).toEqual([]);
  });

  it('reports an error with its path and the request, and leaves the field unread', async () => {
    const { walk } = walker({ failTitle: true });
    const result = await walk.walk();
    expect(result.errors[0]).toMatchObject({ message: 'title lost', path: expect.arrayContaining(['title']) });
    expect(result.errors[0].query).toContain('title');
    expect(result.read.has('Book.title')).toBe(false);
  });

  it('reports a DateTimeISO value without an offset (PostgreSQL text passed through)', async () => {
    const { walk } = walker({ addedAt: '2026-12-07 16:02:13.831017+00' });
    const result = await walk.walk();
    expect(result.badDateTimes).toContain('Book.addedAt = "2026-12-07 16:02:13.831017+00"');
  });
});
