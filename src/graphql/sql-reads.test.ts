import { buildSchema, parse, type FragmentDefinitionNode, type GraphQLObjectType, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { columns, compileSqlRead, fieldsOf, NotPlain, plainSelection, record, sql, type CompilationScope, type SqlRead } from './sql-reads.js';

const schema = buildSchema(`
  interface Node { id: ID! }
  type Thing implements Node { id: ID! name: String! }
  type Query { thing(id: ID!): Thing }
  type Mutation { rename(name: String!): Thing }
`);
const thing = schema.getType('Thing') as GraphQLObjectType;

function selection(source: string) {
  const document = parse(source);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === 'FragmentDefinition') fragments.set(d.name.value, d);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const field = operation.selectionSet.selections[0] as { selectionSet: OperationDefinitionNode['selectionSet'] };
  return fieldsOf(field.selectionSet, thing, { schema, fragments, hooks: {} } satisfies CompilationScope);
}

describe('fieldsOf', () => {
  it('gives response keys in answer order, fragments (on the type or its interface) spread in', () => {
    const fields = selection('{ thing(id: 1) { a: name ...F ... on Node { id } } } fragment F on Thing { __typename }');
    expect([...fields!.keys()]).toEqual(['a', '__typename', 'id']);
  });

  it.each([
    ['a directive', '{ thing(id: 1) { name @include(if: true) } }'],
    ['a directive on a fragment spread', '{ thing(id: 1) { ...F @skip(if: false) } } fragment F on Thing { name }'],
    ['a response key twice', '{ thing(id: 1) { name name } }'],
    ['a fragment on another type', '{ thing(id: 1) { ... on Query { __typename } } }'],
    ['an unknown fragment', '{ thing(id: 1) { ...Nope } }'],
  ])('declines %s', (_, source) => {
    expect(selection(source)).toBeNull();
  });
});

describe('plainSelection', () => {
  const plain = buildSchema(`
    enum Unit { PERSONS YUAN }
    type Part { label: String }
    type Value { count: Int! unit: Unit! part: Part total: Int }
    type Query { value: Value }
  `);
  const value = plain.getType('Value') as GraphQLObjectType;
  const compile = (source: string) => {
    const operation = parse(source).definitions[0] as OperationDefinitionNode;
    const field = operation.selectionSet.selections[0] as { selectionSet: OperationDefinitionNode['selectionSet'] };
    return plainSelection(field.selectionSet, value, { schema: plain, fragments: new Map(), hooks: {} });
  };

  it('answers as graphql-js: keys in order, getters read, leaves serialized, nested objects, typenames', () => {
    const answer = compile('{ value { __typename n: count unit part { label } total } }')!;
    const source = {
      count: 2,
      unit: 'YUAN',
      part: { label: 'x' },
      get total() {
        return 7;
      },
    };
    expect(JSON.stringify(answer(source))).toBe('{"__typename":"Value","n":2,"unit":"YUAN","part":{"label":"x"},"total":7}');
    expect(answer({ ...source, part: null, total: undefined })).toMatchObject({ part: null, total: null });
  });

  it('throws NotPlain where graphql-js would raise an error: null in a non-null field, a value the type refuses, a method', () => {
    const answer = compile('{ value { count unit } }')!;
    expect(() => answer({ count: null, unit: 'YUAN' })).toThrow(NotPlain);
    expect(() => answer({ count: 1, unit: 'METRES' })).toThrow();
    expect(() => answer({ count: () => 1, unit: 'YUAN' })).toThrow(NotPlain);
  });

  it('declines a field with a resolver of its own, arguments or an object without a selection', () => {
    (value.getFields().total as { resolve?: unknown }).resolve = () => 1;
    try {
      expect(compile('{ value { total } }')).toBeNull();
    } finally {
      delete (value.getFields().total as { resolve?: unknown }).resolve;
    }
    expect(compile('{ value { count(x: 1) } }')).toBeNull();
    expect(compile('{ value { part } }')).toBeNull();
  });
});

describe('SQL text', () => {
  it('numbers parameters in the order they appear, however nested', () => {
    const inner = sql`b = ${() => 2}`;
    const { text, params } = sql`select ${() => 1}, (${inner}), ${() => 3}`.build();
    expect(text).toBe('select ?, (b = ?), ?');
    expect(params({})).toEqual([1, 2, 3]);
  });

  it('builds rows with quoted column names; declines a key PostgreSQL would truncate', () => {
    expect(
      record([
        ['name', sql`a.name`],
        ['n', sql`1`],
      ])!.build().text,
    ).toBe('(select r from (select a.name as "name", 1 as "n") r)');
    expect(columns([['k'.repeat(64), sql`1`]])).toBeNull();
    expect(columns([])).toBeNull();
  });
});

describe('compileSqlRead', () => {
  const taking: SqlRead = { compile: () => async () => ({ data: { taken: true } }) };
  const declining: SqlRead = { compile: () => null };

  it('takes the first read that compiles the operation; none for mutations', async () => {
    const read = compileSqlRead(schema, parse('{ thing(id: 1) { name } }'), undefined, [declining, taking]);
    expect(await read!({} as never, {})).toEqual({ data: { taken: true } });
    expect(compileSqlRead(schema, parse('mutation { rename(name: "x") { name } }'), undefined, [taking])).toBeNull();
    expect(compileSqlRead(schema, parse('query A { thing(id: 1) { name } }'), 'B', [taking])).toBeNull();
  });

  it('hands coerced variables to the read, and declines variables graphql-js would refuse', async () => {
    let seen: unknown;
    const read = compileSqlRead(schema, parse('query ($id: ID!, $n: String = "x") { thing(id: $id) { name } }'), undefined, [
      { compile: () => async (_, variables) => ((seen = variables), { data: {} }) },
    ]);
    await read!({} as never, { id: 7 });
    expect(seen).toEqual({ id: '7', n: 'x' });
    expect(await read!({} as never, {})).toBeNull();
  });
});
