import type { MikroORM } from '@mikro-orm/postgresql';
import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import { createContext, type Context, type ContextExtensions, type Registry } from '../graphql/context.js';
import type { Identity, TokenVerifier } from '../auth/auth.tokens.js';
import { ErrorCode } from '../common/errors.js';
import { operationNameOf, shapeErrors } from './edge-errors.js';
import { identifyHeaderFrom, SessionStreams, TooManyRefusals } from './identity.js';
import type { TrustedDocuments } from './trusted-documents.js';
import { checkOperation, type Limits } from '../graphql/limits.js';
import { identityKey, type RateLimiter } from './rate-limit.js';

/** Where the Server-Sent Events transport is mounted. */
export const SSE_PATH = '/graphql/stream';

/**
 * GraphQL over Server-Sent Events (graphql-sse, "distinct connections" mode) for
 * clients behind gateways that block WebSockets: the same schema, subscriptions
 * and context as HTTP and graphql-ws. The bearer token travels in the
 * Authorization header of the request; a bad one is refused with 401 before any
 * stream opens.
 */
export function sseHandler(
  schema: GraphQLSchema,
  orm: MikroORM,
  registry: Registry,
  verifier: TokenVerifier | null,
  guard: { limits: Limits; rateLimiter: RateLimiter; introspection: boolean; trustedDocuments?: TrustedDocuments; extensions?: Partial<ContextExtensions> },
) {
  const open = new Set<Response>();
  // An account's streams end when its session is revoked (sign-out, disabled account).
  const sessions = new SessionStreams<Response>((res) => res.end());
  const contextOf = (res: Response) =>
    createContext(orm, registry, {
      requestId: res.locals.requestId as string,
      viewer: res.locals.viewer ?? null,
      extensions: { ...guard.extensions, clientAddress: res.req.ip },
    }) as SseContext;
  const refuse = (status: number, error: GraphQLError, headers: Record<string, string> = {}) =>
    [
      JSON.stringify({ errors: [error.toJSON()] }),
      { status, statusText: 'Refused', headers: { 'content-type': 'application/json; charset=utf-8', ...headers } },
    ] as [string, { status: number; statusText: string; headers: Record<string, string> }];
  const handler = createHandler<SseContext>({
    schema,
    // Every request is its own stream: no reservations to keep in this (stateless) process.
    authenticate: () => null,
    context: (req) => contextOf(req.context.res),
    // The same rate limit and operation limits as HTTP and graphql-ws.
    onSubscribe: async (req, params) => {
      const { res } = req.context;
      const viewer = res.locals.viewer as { sub: string } | null;
      const taken = guard.rateLimiter.take(identityKey(viewer, req.raw.ip));
      if (!taken.ok) {
        return refuse(
          429,
          new GraphQLError(`Too many requests: retry after ${taken.retryAfterSeconds} s`, {
            extensions: { code: ErrorCode.RATE_LIMITED, retryAfter: taken.retryAfterSeconds },
          }),
          { 'retry-after': String(taken.retryAfterSeconds) },
        );
      }
      // As on HTTP: a registered document may be sent by hash alone (extensions.persistedQuery or documentId).
      const trusted = guard.trustedDocuments
        ? await guard.trustedDocuments.documentOf({ query: params.query, extensions: params.extensions, documentId: res.locals.documentId })
        : { query: params.query };
      if ('error' in trusted) return refuse(400, trusted.error);
      const checked = checkOperation(
        schema,
        guard.limits,
        { query: trusted.query, variables: params.variables, operationName: params.operationName },
        { introspection: guard.introspection },
      );
      if ('errors' in checked) return refuse(400, checked.errors[0]);
      // The name a fault's log line carries (onNext).
      res.locals.operationName = operationNameOf(checked.document, params.operationName);
      // Without introspection, a variable's coercion error suggests no enum value or input field (as on HTTP).
      return {
        schema,
        document: checked.document,
        variableValues: params.variables,
        operationName: params.operationName,
        contextValue: contextOf(res),
        hideSuggestions: !guard.introspection,
      };
    },
    onNext: (ctx, req, result) => {
      if (!result.errors?.length) return result;
      const site = { requestId: ctx.requestId, operationName: (req.context.res.locals.operationName as string | null | undefined) ?? null };
      // graphql-sse sends errors with toJSON(), so the shaped ones go back as GraphQLErrors.
      return {
        ...result,
        errors: shapeErrors(result.errors, site).map(
          (formatted) => new GraphQLError(formatted.message, { path: formatted.path, extensions: formatted.extensions }),
        ),
      };
    },
  });
  const handle = async (req: Request, res: Response, next: NextFunction) => {
    placeholderForHash(req, res);
    // As on every transport: a refused token is charged to the address, which is refused (429) once out of them.
    let identity: Identity | null;
    try {
      identity = await identifyHeaderFrom(verifier, guard.rateLimiter, req.get('authorization'), req.ip);
    } catch (error) {
      if (error instanceof TooManyRefusals) {
        const retryAfter = error.retryAfterSeconds;
        res
          .status(429)
          .set('retry-after', String(retryAfter))
          .json({ errors: [{ message: error.message, extensions: { code: ErrorCode.RATE_LIMITED, retryAfter } }] });
        return;
      }
      res
        .status(401)
        .set('www-authenticate', 'Bearer')
        .json({ errors: [{ message: (error as Error).message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] });
      return;
    }
    res.locals.viewer = identity?.viewer ?? null;
    if (identity?.expiresAt) {
      // As on graphql-ws: a stream ends when its token does; the client reconnects with a new one.
      const ms = Math.max(0, identity.expiresAt * 1000 - Date.now());
      const expiry = setTimeout(() => res.end(), Math.min(ms, 2_147_483_647));
      res.once('close', () => clearTimeout(expiry));
    }
    open.add(res);
    res.once('close', () => open.delete(res));
    res.once('close', sessions.hold(identity?.viewer.sessionId, res));
    try {
      await handler(req, res);
    } catch (error) {
      // A fault of graphql-sse or of ours: the app's last handler answers it masked, as JSON, and logs it.
      next(error);
    }
  };
  return {
    handle,
    /** Ends every open event stream (on shutdown, so draining does not wait for them). */
    async close() {
      sessions.close();
      for (const res of open) res.end();
    },
  };
}

type SseContext = Context & Record<PropertyKey, unknown>;

/** True when `extensions` (an object, or its JSON text from a URL) names a document by `persistedQuery`. */
function sendsPersistedQuery(extensions: unknown): boolean {
  if (typeof extensions === 'string') return extensions.includes('persistedQuery');
  return Boolean(extensions && typeof extensions === 'object' && 'persistedQuery' in extensions);
}

/**
 * graphql-sse answers "Missing query" before onSubscribe runs, so a request that names a
 * trusted document by hash alone (`extensions.persistedQuery` or `documentId`) gets an empty
 * `query` here, and its `documentId` (which graphql-sse drops) kept in `res.locals`;
 * onSubscribe puts the registered text in the empty query's place.
 */
function placeholderForHash(req: Request, res: Response): void {
  if (req.method === 'POST' && req.body && typeof req.body === 'object' && !Array.isArray(req.body)) {
    const body = req.body as Record<string, unknown>;
    if (body.documentId !== undefined) res.locals.documentId = body.documentId;
    if (body.query == null && (body.documentId !== undefined || sendsPersistedQuery(body.extensions))) body.query = '';
  } else if (req.method === 'GET') {
    const url = new URL(req.url, 'http://civgraph');
    const documentId = url.searchParams.get('documentId');
    if (documentId !== null) res.locals.documentId = documentId;
    if (!url.searchParams.has('query') && (documentId !== null || sendsPersistedQuery(url.searchParams.get('extensions')))) {
      url.searchParams.set('query', '');
      req.url = `${url.pathname}${url.search}`;
    }
  }
}
