import { readdirSync, readFileSync } from 'node:fs';
import {
  getIntrospectionQuery,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  Kind,
  parse,
  type DocumentNode,
  type GraphQLFieldConfigMap,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkOperation, DEFAULT_LIMITS, expandedFieldCount, MAX_VARIABLE_DEPTH, operationCost, operationError, variableDepthError } from './limits.js';
import { JIT_MAX_FIELDS } from './executor.js';

const Item = new GraphQLObjectType({ name: 'Item', fields: { name: { type: GraphQLString } } });
const Area: GraphQLObjectType = new GraphQLObjectType({
  name: 'Area',
  fields: (): GraphQLFieldConfigMap<unknown, unknown> => ({ name: { type: GraphQLString }, parent: { type: Area } }),
});
const ItemConnection = new GraphQLObjectType({ name: 'ItemConnection', fields: { nodes: { type: new GraphQLList(Item) } } });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      items: { type: ItemConnection, args: { first: { type: GraphQLInt } } },
      // type-graphql's `@Field({ complexity })` lands in the field's extensions.
      report: { type: GraphQLString, extensions: { complexity: 1000 } },
      area: { type: Area, args: { code: { type: GraphQLString } } },
      sum: { type: GraphQLInt, args: { of: { type: new GraphQLList(new GraphQLNonNull(GraphQLInt)) } } },
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

/** Issue 34's probe: `levels` fragments each spreading the one below `fan` times (3 × fan^levels fields). */
function fragmentBomb(levels: number, fan = 10): string {
  const fragments = ['fragment F0 on Area { name parent { name } }'];
  for (let level = 1; level <= levels; level++)
    fragments.push(`fragment F${level} on Area { ${Array.from({ length: fan }, () => `...F${level - 1}`).join(' ')} }`);
  return `{ area(code: "511921") { ...F${levels} } } ${fragments.join(' ')}`;
}

const operations = (document: DocumentNode) => document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
const countOf = (query: string, budget?: number) => {
  const document = parse(query);
  return expandedFieldCount(document, operations(document)[0]!, budget);
};

describe('expandedFieldCount', () => {
  it('counts every field as executed, each spread counting its fragment again', () => {
    expect(countOf('{ area { name parent { name } } }')).toBe(4);
    expect(countOf('{ area { ...A ...A ... on Area { name } } } fragment A on Area { name parent { name } }')).toBe(1 + 3 + 3 + 1);
    expect(countOf(fragmentBomb(2))).toBe(1 + 300);
    expect(countOf(fragmentBomb(9))).toBe(1 + 3e9);
  });

  it('stops past the budget, at once however large the expansion', () => {
    const started = performance.now();
    const count = countOf(fragmentBomb(300, 2), 1000);
    expect(count).toBeGreaterThan(1000);
    expect(count).toBeLessThan(1e6);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('does not loop on a fragment cycle (refused by validation)', () => {
    expect(countOf('{ area { ...A } } fragment A on Area { name parent { ...B } } fragment B on Area { ...A }')).toBe(3);
  });
});

describe('checkOperation bounds the work of an operation', () => {
  it.each([8, 9, 11])('refuses the fragment bomb of level %i with maxFields, quickly', (levels) => {
    const started = performance.now();
    const result = checkOperation(schema, DEFAULT_LIMITS, { query: fragmentBomb(levels) });
    expect('errors' in result && result.errors.map((error) => error.extensions)).toEqual([{ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxFields' }]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('passes an operation of exactly maxFields fields and refuses one more', () => {
    const fields = (n: number) => `{ ${Array.from({ length: n }, () => '__typename').join(' ')} }`;
    const limits = { ...DEFAULT_LIMITS, maxFields: 40 };
    expect('document' in checkOperation(schema, limits, { query: fields(40) })).toBe(true);
    const refused = checkOperation(schema, limits, { query: fields(41) });
    expect('errors' in refused && refused.errors[0]!.message).toMatch(/^Fields limit of 40 exceeded/);
  });

  it('refuses what graphql-query-complexity cannot price (its 10,000 nodes) instead of letting it through', () => {
    // Over 10,000 nodes once expanded, but let past the field limit.
    const result = checkOperation(schema, { ...DEFAULT_LIMITS, maxFields: 1e9 }, { query: fragmentBomb(4) });
    expect('errors' in result && result.errors[0]!.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxCost' });
    expect('errors' in result && result.errors[0]!.message).toMatch(/maximum allowed number of nodes/);
  });

  it('counts aliases of __typename', () => {
    const query = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const result = checkOperation(schema, DEFAULT_LIMITS, { query });
    expect('errors' in result && result.errors[0]!.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxAliases' });
  });

  it('refuses an operationName the document does not hold, or none among several', () => {
    const unknown = checkOperation(schema, DEFAULT_LIMITS, { query: '{ __typename }', operationName: 'X' });
    expect('errors' in unknown && unknown.errors.map((e) => [e.message, e.extensions.code])).toEqual([
      ['Unknown operation named "X".', 'OPERATION_RESOLUTION_FAILURE'],
    ]);
    const several = checkOperation(schema, DEFAULT_LIMITS, { query: 'query A { __typename } query B { __typename }' });
    expect('errors' in several && several.errors[0]!.extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    expect('document' in checkOperation(schema, DEFAULT_LIMITS, { query: 'query A { __typename } query B { report }', operationName: 'B' })).toBe(true);
  });

  it('refuses variables with more errors than graphql-js reports as BAD_USER_INPUT, and leaves fewer to execution', () => {
    const query = 'query($of: [Int!]) { sum(of: $of) }';
    const bad = (n: number) => ({ query, variables: { of: Array.from({ length: n }, (_, i) => `x${i}`) } });
    const refused = checkOperation(schema, DEFAULT_LIMITS, bad(51));
    expect('errors' in refused && refused.errors.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    expect('errors' in refused && refused.errors[0]!.message).toMatch(
      /^Too many errors in the variables \(more than 50\); the first: Variable "\$of" got invalid value "x0" at "of\[0\]"/,
    );
    expect('document' in checkOperation(schema, DEFAULT_LIMITS, bad(50))).toBe(true);
    expect(operationError(DEFAULT_LIMITS, schema, parse(query), bad(50))).toBeNull();
  });

  it('suggests field names only with introspection on', () => {
    const on = checkOperation(schema, DEFAULT_LIMITS, { query: '{ repor }' });
    expect('errors' in on && on.errors[0]!.message).toBe('Cannot query field "repor" on type "Query". Did you mean "report"?');
    const off = checkOperation(schema, DEFAULT_LIMITS, { query: '{ repor }' }, { introspection: false });
    expect('errors' in off && off.errors[0]!.message).toBe('Cannot query field "repor" on type "Query".');
  });
});

describe('DEFAULT_LIMITS.maxFields', () => {
  /** The operations of every .graphql file in a folder, read as one document (they share fragments). */
  const folder = (path: string) => {
    const dir = new URL(`../../${path}/`, import.meta.url);
    return parse(
      readdirSync(dir)
        .filter((file) => file.endsWith('.graphql'))
        .map((file) => readFileSync(new URL(file, dir), 'utf8'))
        .join('\n'),
    );
  };
  const largest = (document: DocumentNode) => Math.max(...operations(document).map((operation) => expandedFieldCount(document, operation)));

  it("is over four times the largest document the project sends, and graphql-jit compiles all but the console's introspection", () => {
    const project = [folder('web/graphql'), folder('test/graphql'), folder('test/graphql/screen')].map(largest);
    expect(Math.max(...project)).toBeLessThanOrEqual(JIT_MAX_FIELDS);
    const introspection = parse(
      getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }),
    );
    expect(largest(introspection) * 4).toBeLessThanOrEqual(DEFAULT_LIMITS.maxFields);
  });
});

describe('variableDepthError', () => {
  const nested = (levels: number, wrap: (inner: unknown) => unknown): unknown => {
    let value: unknown = 'x';
    for (let i = 0; i < levels; i++) value = wrap(value);
    return value;
  };

  it('passes variables up to MAX_VARIABLE_DEPTH levels, lists and objects alike', () => {
    expect(variableDepthError(undefined)).toBeNull();
    expect(variableDepthError({ a: nested(MAX_VARIABLE_DEPTH - 1, (v) => [v]) })).toBeNull();
    expect(variableDepthError({ a: nested(MAX_VARIABLE_DEPTH - 1, (v) => ({ v })) })).toBeNull();
  });

  it('refuses deeper ones with BAD_USER_INPUT, without recursing (500,000 levels)', () => {
    expect(variableDepthError({ a: nested(MAX_VARIABLE_DEPTH + 1, (v) => [v]) })?.extensions.code).toBe('BAD_USER_INPUT');
    expect(variableDepthError({ a: nested(500_000, (v) => ({ v })) })?.message).toBe(`Variables nest deeper than ${MAX_VARIABLE_DEPTH} levels`);
  });
});
