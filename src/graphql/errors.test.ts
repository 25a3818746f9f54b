import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../common/errors.js';
import { formatError, isUnexpected } from './errors.js';

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
    expect(formatted).toEqual({ message: 'Internal server error', locations: located.locations, path: ['area'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(isUnexpected(error)).toBe(true);
  });

  it('passes GraphQL validation errors through', () => {
    const error = new GraphQLError('Cannot query field "nope"', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const formatted = { message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    expect(formatError(formatted, error)).toBe(formatted);
    expect(isUnexpected(error)).toBe(false);
  });
});
