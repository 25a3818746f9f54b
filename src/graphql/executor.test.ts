import {
  buildSchema,
  execute,
  GraphQLError,
  GraphQLScalarType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  type ExecutionResult,
  type GraphQLFieldResolver,
} from 'graphql';
import * as graphqlJit from 'graphql-jit';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DomainError, ErrorCode } from '../common/errors.js';
import { errorCode, formatError, isUnexpected } from './errors.js';
import { jitExecutor } from './executor.js';

// Counts compilations; compiles as graphql-jit does unless a test says otherwise.
vi.mock('graphql-jit', async (importOriginal) => {
  const original = await importOriginal<typeof import('graphql-jit')>();
  return { ...original, compileQuery: vi.fn(original.compileQuery) };
});
const compileQuery = vi.mocked(graphqlJit.compileQuery);
beforeEach(() => {
  compileQuery.mockClear();
});

/** Money: serializes "bad" with an error and "none" to nothing; parses "nan" to NaN, which only graphql-jit refuses. */
const Money = new GraphQLScalarType({
  name: 'Money',
  serialize(value) {
    if (value === 'bad') throw new GraphQLError('Money cannot represent bad');
    return value === 'none' ? undefined : value;
  },
  parseValue(value) {
    if (value === 'nan') return NaN;
    if (typeof value !== 'string') throw new GraphQLError(`${String(value)} is not money`);
    return value;
  },
});

const sdl = `
  scalar Money
  interface Node { id: ID! }
  type Thing implements Node { id: ID! name: String! price: Money owner: Thing tags: [String] }
  type Other implements Node { id: ID! }
  input EchoInput { name: String! count: Int = 3 }
  type UserError { field: String message: String! code: String! }
  type RenamePayload { thing: Thing userErrors: [UserError!]! }
  type Query {
    thing(id: ID!): Thing
    things(ids: [ID!]!): [Thing]!
    node(id: ID!): Node
    fail(kind: String!): String
    mustHave: String!
    notAList: [String]
    echo(input: EchoInput!, money: Money, n: Int): String
  }
  type Mutation { rename(id: ID!, name: String!): RenamePayload! }
`;

const things: Record<string, { id: string; name: string | null; price: string | null; tags: unknown; ownerId?: string }> = {
  '1': { id: '1', name: 'one', price: '1.00', tags: ['a', 'b'], ownerId: '2' },
  '2': { id: '2', name: 'two', price: null, tags: null },
  '3': { id: '3', name: null, price: 'bad', tags: 42 },
  '4': { id: '4', name: 'four', price: 'none', tags: [] },
};
const thingById = async (id: string) => {
  if (id === 'secret') throw new DomainError(ErrorCode.FORBIDDEN, 'You may not read this');
  return things[id] ?? null;
};

const resolvers: Record<string, Record<string, GraphQLFieldResolver<any, unknown, any>>> = {
  Query: {
    thing: (_, { id }) => thingById(id),
    things: (_, { ids }) => ids.map(thingById),
    node: async (_, { id }) => (id === 'other' ? { __typename: 'Other', id } : id === 'nothing' ? { id } : thingById(id)),
    fail: (_, { kind }) => {
      if (kind === 'domain') throw new DomainError(ErrorCode.NOT_FOUND, 'No such thing', 'kind');
      if (kind === 'graphql') throw new GraphQLError('Refused', { extensions: { code: 'RATE_LIMITED', retryAfter: 3 } });
      if (kind === 'reject') return Promise.reject(undefined);
      throw new Error('connection refused: password=secret');
    },
    mustHave: () => null,
    notAList: () => 42,
    echo: (_, args) => JSON.stringify(args),
  },
  Thing: { owner: (thing) => (thing.ownerId ? thingById(thing.ownerId) : null) },
  Mutation: {
    rename: (_, { id, name }) =>
      name.trim()
        ? { thing: { ...things[id], name }, userErrors: [] }
        : { thing: null, userErrors: [{ field: 'name', message: 'name must not be blank', code: 'VALIDATION' }] },
  },
};

const schema = buildSchema(sdl);
Object.assign(schema.getType('Money')!, { serialize: Money.serialize, parseValue: Money.parseValue });
const node = schema.getType('Node');
if (!isInterfaceType(node)) throw new Error('Node');
// As type-graphql's: the type by the object's class (here its shape), a throw for an object of none.
node.resolveType = (value) => {
  if (value.__typename) return value.__typename;
  if ('name' in value) return 'Thing';
  throw new Error(`Cannot resolve the type of ${JSON.stringify(value)}`);
};
for (const [typeName, fields] of Object.entries(resolvers)) {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(typeName);
  for (const [name, resolve] of Object.entries(fields)) type.getFields()[name]!.resolve = resolve;
}

/** What a client gets from a result (after formatError), and what the server logs and counts of it. */
function view(result: ExecutionResult) {
  return {
    keys: Object.keys(result),
    data: result.data,
    errors: result.errors?.map((error) => ({
      formatted: formatError(error.toJSON(), error),
      unexpected: isUnexpected(error),
      code: errorCode(error),
      // Apollo answers 400 BAD_USER_INPUT only to variable errors located at their definition.
      atVariable: error.nodes?.[0]?.kind === Kind.VARIABLE_DEFINITION,
    })),
  };
}

/** Whether the one compilation so far gave a compiled query (so graphql-jit executed). */
const compiledOnce = () => compileQuery.mock.results.length === 1 && graphqlJit.isCompiledQuery(compileQuery.mock.results[0]!.value);

async function both(query: string, variableValues?: Record<string, unknown>, operationName?: string) {
  const args = { schema, variableValues, operationName, contextValue: {} };
  // Separate documents: graphql-jit annotates the nodes it compiles.
  const byJit = await jitExecutor(schema)({ ...args, document: parse(query) });
  const byGraphqlJs = await execute({ ...args, document: parse(query) });
  return { jit: view(byJit), graphqlJs: view(byGraphqlJs) };
}

describe('jitExecutor answers as graphql-js', () => {
  it.each([
    ['plain data, a nested resolver, lists and a custom scalar', '{ thing(id: "1") { id name price tags owner { id name price } } }'],
    ['a refused item of a list: that item null, the error at its path', '{ things(ids: ["1", "secret", "9", "2"]) { id name } }'],
    ['a domain error, with its code and field', '{ fail(kind: "domain") }'],
    ['an unexpected error, masked', '{ fail(kind: "plain") }'],
    ['a GraphQLError with extensions, passed through', '{ fail(kind: "graphql") }'],
    ['a rejection without a reason, masked', '{ fail(kind: "reject") }'],
    // In this order: graphql-js stops executing a selection set at a null in a non-null field
    // that resolved synchronously, where graphql-jit runs (and reports) the later fields too.
    ['a null in a non-null field: masked, the data null', '{ fail(kind: "domain") mustHave }'],
    ['a null in a non-null field of a list item: the item null', '{ things(ids: ["1", "3"]) { id name } }'],
    ['a value a scalar cannot serialize: masked, a server fault', '{ thing(id: "3") { id price } }'],
    ['a scalar serializing to nothing: masked', '{ thing(id: "4") { id price } }'],
    ['a list field that is not iterable', '{ notAList thing(id: "3") { tags } }'],
    [
      'interfaces: __typename, inline fragments and an unresolvable type (masked, no hang)',
      '{ a: node(id: "1") { __typename id ... on Thing { name } } b: node(id: "other") { __typename id } c: node(id: "nothing") { id } }',
    ],
    ['an input object with a default field and a custom scalar', '{ echo(input: { name: "x" }, money: "2.50") }'],
    [
      '@include and @skip on fields and fragments of an interface',
      '{ node(id: "1") { id ...T @include(if: false) ... on Thing { name @skip(if: true) price } } } fragment T on Thing { tags }',
    ],
  ])('%s', async (_, query) => {
    const { jit, graphqlJs } = await both(query);
    expect(jit).toEqual(graphqlJs);
    expect(JSON.stringify(jit)).toBe(JSON.stringify(graphqlJs));
    expect(compiledOnce()).toBe(true);
  });

  it("an argument refused during execution (a defaulted variable sent null): the client's error, BAD_USER_INPUT on both", async () => {
    const { jit, graphqlJs } = await both('query($id: ID = "1") { thing(id: $id) { name } }', { id: null });
    expect(jit).toEqual(graphqlJs);
    expect(jit.errors).toEqual([expect.objectContaining({ unexpected: false, code: 'BAD_USER_INPUT' })]);
    expect(jit.errors![0]!.formatted).toMatchObject({
      message: 'Argument "id" of non-null type "ID!" must not be null.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('a mutation payload with userErrors', async () => {
    const { jit, graphqlJs } = await both('mutation { rename(id: "1", name: " ") { thing { id } userErrors { field message code } } }');
    expect(jit).toEqual(graphqlJs);
    expect(compiledOnce()).toBe(true);
    expect(jit.data).toEqual({ rename: { thing: null, userErrors: [{ field: 'name', message: 'name must not be blank', code: 'VALIDATION' }] } });
  });

  it('leaves to graphql-js a fragment spread more than once under @skip/@include (graphql-jit #111, #166)', async () => {
    const query = `query($on: Boolean!) {
      a: thing(id: "1") @skip(if: $on) { ...F }
      b: thing(id: "1") @include(if: $on) { ...F }
      c: thing(id: "2") { ...F @skip(if: $on) ...F @include(if: $on) }
    } fragment F on Thing { id name }`;
    for (const on of [true, false]) {
      const { jit, graphqlJs } = await both(query, { on });
      expect(jit).toEqual(graphqlJs);
    }
    expect((await both(query, { on: true })).jit.data).toEqual({ b: { id: '1', name: 'one' }, c: { id: '2', name: 'two' } });
    expect(compileQuery).not.toHaveBeenCalled();
  });

  it.each([
    ['a missing required variable', {}],
    ['a variable of the wrong type', { input: { name: 'x' }, n: 'many' }],
    ['an unknown input field', { input: { name: 'x', colour: 'red' } }],
    ['a null for a non-null input field', { input: { name: null } }],
    ['a custom scalar that refuses the value', { input: { name: 'x' }, money: 12 }],
    ['several at once', { input: { count: 'x' }, money: 12, n: 1.5 }],
  ])('refuses variables as graphql-js does: %s', async (_, variables) => {
    const { jit, graphqlJs } = await both('query($input: EchoInput!, $money: Money, $n: Int) { echo(input: $input, money: $money, n: $n) }', variables);
    expect(graphqlJs.data).toBeUndefined();
    expect(jit).toEqual(graphqlJs);
    expect(jit.errors![0]!.atVariable).toBe(true);
  });

  it('executes with graphql-js what graphql-jit refuses but graphql-js accepts (a scalar parsed to NaN)', async () => {
    const { jit, graphqlJs } = await both('query($money: Money) { echo(input: { name: "x" }, money: $money) }', { money: 'nan' });
    expect(graphqlJs.data).toEqual({ echo: '{"input":{"name":"x","count":3},"money":null}' });
    expect(jit).toEqual(graphqlJs);
  });
});

describe('jitExecutor compiles', () => {
  it('each operation of a document once', async () => {
    const run = jitExecutor(schema);
    const document = parse('query A { thing(id: "1") { name } } query B { thing(id: "2") { name } }');
    for (const operationName of ['A', 'B', 'A', 'B', 'A']) {
      const result = await run({ schema, document, operationName, contextValue: {} });
      expect(result.data).toEqual({ thing: { name: operationName === 'A' ? 'one' : 'two' } });
    }
    expect(compileQuery.mock.calls.map((call) => call[2])).toEqual(['A', 'B']);
  });

  it('again for another document of the same text (Apollo hands out one node per text)', async () => {
    const run = jitExecutor(schema);
    await run({ schema, document: parse('{ thing(id: "1") { name } }'), contextValue: {} });
    await run({ schema, document: parse('{ thing(id: "1") { name } }'), contextValue: {} });
    expect(compileQuery).toHaveBeenCalledTimes(2);
  });
});

describe('jitExecutor falls back to graphql-js', () => {
  it("for an operation graphql-jit does not compile, once, with graphql-js's answer", async () => {
    compileQuery.mockReturnValueOnce({ errors: [new GraphQLError('graphql-jit cannot compile this')] });
    const run = jitExecutor(schema);
    const document = parse('{ things(ids: ["1", "secret"]) { id owner { name } } }');
    const first = await run({ schema, document, contextValue: {} });
    const second = await run({ schema, document, contextValue: {} });
    const byGraphqlJs = await execute({ schema, document: parse('{ things(ids: ["1", "secret"]) { id owner { name } } }'), contextValue: {} });
    expect(view(first)).toEqual(view(byGraphqlJs));
    expect(view(second)).toEqual(view(byGraphqlJs));
    expect(compileQuery).toHaveBeenCalledTimes(1);
  });

  it("for an operation name the document does not have, with graphql-js's error", async () => {
    const { jit, graphqlJs } = await both('query A { mustHave }', undefined, 'B');
    expect(jit).toEqual(graphqlJs);
    expect(jit.errors![0]!.formatted.message).toBe('Unknown operation named "B".');
  });
});
