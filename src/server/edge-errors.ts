import { unwrapResolverError } from '@apollo/server/errors';
import type { Response } from 'express';
import { getOperationAST, GraphQLError, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode } from '../common/errors.js';
import { log } from '../common/log.js';
import { formatError, isUnexpected } from '../graphql/errors.js';

/** Where a server fault happened: what the log line of a masked error carries besides the error. */
export interface FaultSite {
  /** The request id the client got with the masked error (`extensions.requestId`, or `requestId` of a REST answer). */
  requestId: string | undefined;
  /** The operation's name (see {@link operationNameOf}); null for an anonymous one or outside GraphQL. */
  operationName?: string | null;
  /** The GraphQL response path of the failed field (`["area","facilities"]`); by default the error's own, else null. */
  path?: readonly (string | number)[] | null;
  /** The HTTP path of a fault outside GraphQL (a REST route, the app's last error handler). */
  route?: string;
}

/**
 * Logs a server fault, once, at error level: every answer masked as
 * INTERNAL_SERVER_ERROR (or a REST route's masked 500), on every transport,
 * goes through here. The line carries the request id the client got, the
 * operation name, the response path and the original error with its stack
 * (`err`, serialized by pino), so a user's report finds it.
 */
export function logServerFault(error: unknown, site: FaultSite, message = 'server fault'): void {
  const path = site.path !== undefined ? site.path : error instanceof GraphQLError ? error.path : undefined;
  log.error(
    {
      err: causeOf(error),
      requestId: site.requestId ?? null,
      operationName: site.operationName ?? null,
      path: path ?? null,
      ...(site.route ? { route: site.route } : {}),
    },
    message,
  );
}

/** What was raised: the error a located GraphQL error (or Apollo's wrapping) carries, down to the first with no original. */
function causeOf(error: unknown): unknown {
  let cause = unwrapResolverError(error);
  while (cause instanceof GraphQLError && cause.originalError) cause = cause.originalError;
  return cause;
}

/** The name of the operation `document` runs for `operationName`: the resolved operation's, else the one asked for, else null. */
export function operationNameOf(document: DocumentNode | undefined, operationName: string | null | undefined): string | null {
  return (document && getOperationAST(document, operationName)?.name?.value) ?? operationName ?? null;
}

/**
 * Errors of an execution result as graphql-ws and SSE send them (Apollo's
 * formatError and plugin do the same on HTTP): formatted by the one formatter,
 * a masked INTERNAL_SERVER_ERROR logged ({@link logServerFault}) and carrying
 * the request id, so a user's report finds the log line.
 */
export function shapeErrors(errors: readonly GraphQLError[], site: Omit<FaultSite, 'path' | 'route'>): GraphQLFormattedError[] {
  return errors.map((error) => {
    if (isUnexpected(error)) logServerFault(error, site);
    return withRequestId(formatError(error.toJSON(), error), site.requestId);
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

/**
 * Answers a REST route's failure: a DomainError with its status and code,
 * anything else as a masked 500 with the request id, logged ({@link logServerFault}, `what` as its message).
 */
export function sendRestError(res: Response, error: unknown, context: { requestId: string }, what: string): void {
  if (error instanceof DomainError) {
    res.status(REST_STATUS[error.code] ?? 400).json({ error: error.message, code: error.code, field: error.field });
    return;
  }
  logServerFault(error, { requestId: context.requestId, route: res.req.baseUrl + res.req.path }, what);
  res.status(500).json({ error: 'Internal error', requestId: context.requestId });
}

/** 401 for a REST route: no token, or one that is refused. */
export function sendUnauthenticated(res: Response, message: string): void {
  res.status(401).set('www-authenticate', 'Bearer').json({ error: message, code: ErrorCode.UNAUTHENTICATED });
}
