import type { Response } from 'express';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { formatError, isUnexpected } from '../graphql/errors.js';

/**
 * Errors of an execution result as every transport sends them (graphql-ws and
 * SSE here; Apollo's formatError and plugin do the same on HTTP): logged with
 * the request id when unexpected, formatted by the one formatter, and a masked
 * INTERNAL_SERVER_ERROR carries the request id so a user's report finds the log line.
 */
export function shapeErrors(errors: readonly GraphQLError[], requestId: string | undefined, log: Logger): GraphQLFormattedError[] {
  return errors.map((error) => {
    if (isUnexpected(error)) log.error({ err: error.originalError ?? error, requestId }, 'unexpected error');
    return withRequestId(formatError(error.toJSON(), error), requestId);
  });
}

/** A masked error with the request id added; any other error as it is. */
export function withRequestId(error: GraphQLFormattedError, requestId: string | undefined): GraphQLFormattedError {
  return error.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR ? { ...error, extensions: { ...error.extensions, requestId } } : error;
}

/** HTTP status of a {@link DomainError} on the REST routes (reports, spreadsheet exchange, documents); other codes are 400. */
export const REST_STATUS: Partial<Record<string, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.VALIDATION]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
};

/** Answers a REST route's failure: a DomainError with its status and code, anything else as a masked 500 with the request id. */
export function sendRestError(res: Response, error: unknown, context: { requestId: string; log: Logger }, what: string): void {
  if (error instanceof DomainError) {
    res.status(REST_STATUS[error.code] ?? 400).json({ error: error.message, code: error.code, field: error.field });
    return;
  }
  context.log.error({ err: error }, what);
  res.status(500).json({ error: 'Internal error', requestId: context.requestId });
}

/** 401 for a REST route: no token, or one that is refused. */
export function sendUnauthenticated(res: Response, message: string): void {
  res.status(401).set('www-authenticate', 'Bearer').json({ error: message, code: ErrorCode.UNAUTHENTICATED });
}
