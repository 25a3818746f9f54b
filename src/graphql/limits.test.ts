import { GraphQLInt, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkOperation, DEFAULT_LIMITS, operationCost } from './limits.js';

const Item = new GraphQLObjectType({ name: 'Item', fields: { name: { type: GraphQLString } } });
const ItemConnection = new GraphQLObjectType({ name: 'ItemConnection', fields: { nodes: { type: new GraphQLList(Item) } } });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      items: { type: ItemConnection, args: { first: { type: GraphQLInt } } },
      // type-graphql's `@Field({ complexity })` lands in the field's extensions.
      report: { type: GraphQLString, extensions: { complexity: 1000 } },
    },
  }),
});

describe('operationCost', () => {
  it('multiplies what a connection selects by its page size (100 when not given)', () => {
    expect(operationCost(schema, parse('{ items(first: 10) { nodes { name } } }'), {})).toBe(1 + 10 * (1 + 1));
    expect(operationCost(schema, parse('{ items { nodes { name } } }'), {})).toBe(1 + 100 * 2);
    expect(operationCost(schema, parse('query($n: Int) { items(first: $n) { nodes { name } } }'), { n: 3 })).toBe(7);
  });

  it('prices a document once per operation and variables, never across them', () => {
    const document = parse('query A($n: Int) { items(first: $n) { nodes { name } } } query B { items(first: 1) { nodes { name } } }');
    expect(operationCost(schema, document, { n: 3 }, 'A')).toBe(7);
    expect(operationCost(schema, document, { n: 50 }, 'A')).toBe(101);
    expect(operationCost(schema, document, {}, 'B')).toBe(3);
    expect(operationCost(schema, document, { n: 3 }, 'A')).toBe(7);
    // More combinations than remembered: still priced right.
    for (let n = 1; n <= 150; n++) expect(operationCost(schema, document, { n }, 'A')).toBe(1 + 2 * n);
  });

  it('honours a field complexity declared on the field', () => {
    expect(operationCost(schema, parse('{ report }'), {})).toBe(1000);
  });
});

describe('checkOperation', () => {
  it('passes a small operation and refuses each limit with its name', () => {
    expect('document' in checkOperation(schema, DEFAULT_LIMITS, { query: '{ report }' })).toBe(true);
    const tight = { ...DEFAULT_LIMITS, maxCost: 500, maxAliases: 1 };
    const costly = checkOperation(schema, tight, { query: '{ report }' });
    expect('errors' in costly && costly.errors[0]!.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxCost' });
    const aliased = checkOperation(schema, tight, { query: '{ a: items(first: 1) { nodes { name } } b: items(first: 1) { nodes { name } } }' });
    expect('errors' in aliased && aliased.errors[0]!.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxAliases' });
  });

  it('refuses introspection when it is off', () => {
    const result = checkOperation(schema, DEFAULT_LIMITS, { query: '{ __schema { types { name } } }' }, { introspection: false });
    expect('errors' in result && result.errors[0]!.message).toMatch(/introspection/);
  });
});
