import { execute, GraphQLError, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../common/errors.js';
import { errorCode, formatError, isUnexpected } from './errors.js';
import { DateTimeISO } from './scalars.js';

const located = { message: 'x', locations: [{ line: 1, column: 3 }], path: ['area'] };
const fromResolver = (original: Error) => new GraphQLError(original.message, { originalError: original, path: ['area'] });

describe('formatError', () => {
  it('keeps a domain error with its code and field', () => {
    const error = fromResolver(new DomainError('BAD_USER_INPUT', 'code must be…', 'code'));
    expect(formatError({ ...located, message: error.message }, error)).toEqual({
      message: 'code must be…',
      locations: located.locations,
      path: ['area'],
      extensions: { code: 'BAD_USER_INPUT', field: 'code' },
    });
    expect(isUnexpected(error)).toBe(false);
  });

  it('masks an unknown error, hiding its message', () => {
    const error = fromResolver(new Error('connection to 10.0.0.5 refused: password=secret'));
    const formatted = formatError({ ...located, message: error.message }, error);
    expect(formatted).toEqual({
      message: 'Internal server error',
      locations: located.locations,
      path: ['area'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(isUnexpected(error)).toBe(true);
  });

  it('passes GraphQL validation errors through', () => {
    const error = new GraphQLError('Cannot query field "nope"', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const formatted = { message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    expect(formatError(formatted, error)).toBe(formatted);
    expect(isUnexpected(error)).toBe(false);
  });
});

describe('client errors and server faults (isUnexpected), as graphql-js raises them', () => {
  const Plain = new GraphQLScalarType({
    name: 'Plain',
    parseValue: () => {
      throw new TypeError('no plain values here');
    },
  });
  const schema = new GraphQLSchema({
    types: [Plain],
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        count: { type: GraphQLInt, resolve: () => Infinity },
        openedAt: { type: DateTimeISO, resolve: () => 'infinity' },
        area: { type: GraphQLString, args: { code: { type: new GraphQLNonNull(GraphQLString) } }, resolve: (_, args: { code: string }) => args.code },
        uncoded: {
          type: GraphQLString,
          resolve: () => {
            throw new GraphQLError('Expected something else: secret detail');
          },
        },
        coded: {
          type: GraphQLString,
          resolve: () => {
            throw new GraphQLError('Too many requests', { extensions: { code: 'RATE_LIMITED' } });
          },
        },
        plain: { type: GraphQLString, args: { value: { type: Plain } }, resolve: () => 'x' },
      },
    }),
  });
  const errorsOf = async (query: string, variableValues?: Record<string, unknown>) =>
    (await execute({ schema, document: parse(query), variableValues })).errors ?? [];
  /** As Apollo formats before calling formatError: an uncoded error labelled INTERNAL_SERVER_ERROR. */
  const byApollo = (error: GraphQLError) => ({ ...error.toJSON(), extensions: { code: 'INTERNAL_SERVER_ERROR', ...error.extensions } });

  it.each([
    ['a non-finite Int', '{ count }', ['count'], 'Int cannot represent non-integer value: Infinity'],
    ['an invalid DateTime', '{ openedAt }', ['openedAt'], 'DateTime cannot represent an invalid date-time-string infinity.'],
  ])("a value a scalar cannot serialize (%s) is a fault: masked, never the scalar's message", async (_, query, path, message) => {
    const [error] = await errorsOf(query);
    expect(error!.message).toBe(message);
    expect(isUnexpected(error)).toBe(true);
    expect(errorCode(error)).toBe('INTERNAL_SERVER_ERROR');
    expect(formatError(byApollo(error!), error)).toEqual({
      message: 'Internal server error',
      locations: [{ line: 1, column: 3 }],
      path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it("an uncoded GraphQLError a resolver throws is a fault; a coded one is the client's", async () => {
    const [uncoded] = await errorsOf('{ uncoded }');
    expect(isUnexpected(uncoded)).toBe(true);
    expect(JSON.stringify(formatError(byApollo(uncoded!), uncoded))).not.toContain('secret');
    const [coded] = await errorsOf('{ coded }');
    expect(isUnexpected(coded)).toBe(false);
    expect(formatError(byApollo(coded!), coded)).toMatchObject({ message: 'Too many requests', extensions: { code: 'RATE_LIMITED' } });
  });

  it("an argument refused during execution (a defaulted variable sent null) is the client's: BAD_USER_INPUT, not INTERNAL_SERVER_ERROR", async () => {
    const [error] = await errorsOf('query ($code: String = "511921") { area(code: $code) }', { code: null });
    expect(error!.message).toBe('Argument "code" of non-null type "String!" must not be null.');
    expect(isUnexpected(error)).toBe(false);
    expect(errorCode(error)).toBe('BAD_USER_INPUT');
    expect(formatError(byApollo(error!), error)).toMatchObject({ message: error!.message, path: ['area'], extensions: { code: 'BAD_USER_INPUT' } });
    // graphql-jit raises it without an original (executor.ts rebuilds it as a GraphQLError of the same message).
    const byJit = new GraphQLError(error!.message, { path: ['area'], originalError: new GraphQLError(error!.message) });
    expect(isUnexpected(byJit)).toBe(false);
  });

  it("a variable a scalar refuses with a plain Error is the client's (graphql-ws and SSE: uncoded; HTTP: Apollo's BAD_USER_INPUT)", async () => {
    const [error] = await errorsOf('query ($value: Plain) { plain(value: $value) }', { value: 1 });
    expect((error!.originalError as GraphQLError).originalError).toBeInstanceOf(TypeError);
    expect(isUnexpected(error)).toBe(false);
    const apollos = new GraphQLError(error!.message, { nodes: error!.nodes, originalError: error!.originalError, extensions: { code: 'BAD_USER_INPUT' } });
    expect(isUnexpected(apollos)).toBe(false);
  });

  it('a failure Apollo wraps (a plugin or the context threw) is a fault; a masked error keeps the request id it carries', () => {
    const wrapped = new GraphQLError('Context creation failed: pool exhausted', { originalError: new Error('pool exhausted') });
    expect(isUnexpected(wrapped)).toBe(true);
    const formatted = formatError({ message: wrapped.message, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'r-1' } }, wrapped);
    expect(formatted).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'r-1' } });
  });
});
