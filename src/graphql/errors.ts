import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode } from '../common/errors.js';

/**
 * The one edge where failures become GraphQL errors. A {@link DomainError} keeps
 * its message and stable code (and the argument at fault); GraphQL's own errors
 * (syntax, validation, variable coercion) pass through; anything else is masked
 * as INTERNAL_SERVER_ERROR, to be logged with the request id by the caller.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) },
    };
  }
  if (original instanceof GraphQLError && !(original.originalError && !(original.originalError instanceof GraphQLError))) {
    return formatted;
  }
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/** True when the error will reach the client masked, so its details must be logged. */
export function isUnexpected(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return false;
  return !(original instanceof GraphQLError) || (original.originalError !== undefined && !(original.originalError instanceof GraphQLError));
}

/** The stable code a client will see for this error (before masking). */
export function errorCode(error: unknown): string {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return original.code;
  if (isUnexpected(error)) return ErrorCode.INTERNAL_SERVER_ERROR;
  const code = (error as GraphQLError).extensions?.code;
  return typeof code === 'string' ? code : ErrorCode.INTERNAL_SERVER_ERROR;
}
