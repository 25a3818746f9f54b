import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode } from '../common/errors.js';

/**
 * The one edge where failures become GraphQL errors. A {@link DomainError} keeps
 * its message and stable code (and the argument at fault); a client error (see
 * {@link isUnexpected}) passes through; a server fault is masked as
 * INTERNAL_SERVER_ERROR, to be logged with the request id by the caller
 * (`logServerFault` in server/edge-errors.ts). A request id already in the
 * extensions is kept on the masked error.
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
  if (!isUnexpected(error)) {
    // Apollo labels an uncoded error INTERNAL_SERVER_ERROR: a code only a masked (and logged) fault may carry.
    if (isArgumentRefusal(original)) return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_USER_INPUT } };
    if (formatted.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR)
      return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_REQUEST } };
    return formatted;
  }
  const requestId = formatted.extensions?.requestId;
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(typeof requestId === 'string' ? { requestId } : {}) },
  };
}

/**
 * True when the error is a server fault: the client gets it masked as
 * INTERNAL_SERVER_ERROR and its details go to the log. What is NOT a fault (a
 * client error, shown as it is):
 *
 * - a {@link DomainError};
 * - a GraphQLError with a code of its own other than INTERNAL_SERVER_ERROR:
 *   civgraph's coded errors (limits, rate limits, trusted documents, scalars'
 *   parse refusals), type-graphql's, and Apollo's parse, validation, variable
 *   and operation errors — whatever they wrap;
 * - graphql-js's refusal of an argument's value during execution (a variable
 *   set to null where the argument may not be null): the request's fault;
 * - an uncoded GraphQLError raised outside execution (no path: graphql-js's
 *   parse, validation and variable errors on graphql-ws and SSE), unless it only
 *   wraps an error that is not a GraphQLError without pointing into the
 *   document (Apollo's wrapping of a failure in a plugin or the context).
 *
 * Everything else is a fault: anything that is not a GraphQLError, and any
 * other GraphQLError raised during execution (a field error): a scalar that
 * cannot serialize a value ("DateTime cannot represent …", a non-finite Int),
 * a list that is not iterable, a type that cannot be resolved, an uncoded
 * GraphQLError a resolver throws.
 */
export function isUnexpected(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return false;
  if (!(original instanceof GraphQLError)) return true;
  const code = original.extensions?.code;
  if (typeof code === 'string') return code === ErrorCode.INTERNAL_SERVER_ERROR;
  if (isArgumentRefusal(original)) return false;
  if (raisedInExecution(error)) return true;
  const wrapped = original.originalError;
  return wrapped !== undefined && !(wrapped instanceof GraphQLError) && !original.nodes?.length;
}

/** A field error: raised while executing, at a path of the response (the located error, or what it wraps). */
function raisedInExecution(error: unknown): boolean {
  return error instanceof GraphQLError && error.path !== undefined;
}

/**
 * graphql-js's words (graphql-jit's too) for an argument value refused during
 * execution (`getArgumentValues`); validation catches every other bad argument.
 */
const ARGUMENT_REFUSED = /^Argument "[^"]+" (?:of required type "[^"]+" was |of non-null type "[^"]+" must not be null\.$|has invalid value )/;

function isArgumentRefusal(error: unknown): boolean {
  return error instanceof GraphQLError && error.extensions?.code === undefined && ARGUMENT_REFUSED.test(error.message);
}

/** The stable code a client will see for this error (before masking). */
export function errorCode(error: unknown): string {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return original.code;
  if (isUnexpected(error)) return ErrorCode.INTERNAL_SERVER_ERROR;
  if (isArgumentRefusal(original)) return ErrorCode.BAD_USER_INPUT;
  const code = (error as GraphQLError).extensions?.code;
  return typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR ? code : ErrorCode.BAD_REQUEST;
}
