import type { MikroORM } from '@mikro-orm/postgresql';
import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import { log } from '../common/log.js';
import { createContext, type Context } from '../graphql/context.js';
import { formatError, isUnexpected } from '../graphql/errors.js';
import { bearerToken, type Identity, type TokenVerifier } from '../modules/auth/auth.tokens.js';
import { checkOperation, type Limits } from '../graphql/limits.js';
import type { RateLimiter } from './rate-limit.js';
import type { ProgressFeed } from '../modules/progress/progress.rules.js';

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
  verifier: TokenVerifier | null,
  guard: { limits: Limits; rateLimiter: RateLimiter; introspection: boolean; progressFeed: ProgressFeed | null },
) {
  const open = new Set<Response>();
  const contextOf = (res: Response) =>
    createContext(orm, { requestId: res.locals.requestId as string, viewer: res.locals.viewer ?? null, progressFeed: guard.progressFeed }) as SseContext;
  const refuse = (status: number, error: GraphQLError) =>
    [JSON.stringify({ errors: [error.toJSON()] }), { status, statusText: 'Refused', headers: { 'content-type': 'application/json; charset=utf-8' } }] as [string, { status: number; statusText: string; headers: Record<string, string> }];
  const handler = createHandler<SseContext>({
    schema,
    // Every request is its own stream: no reservations to keep in this (stateless) process.
    authenticate: () => null,
    context: (req) => contextOf(req.context.res),
    // The same rate limit and operation limits as HTTP and graphql-ws.
    onSubscribe: (req, params) => {
      const { res } = req.context;
      const viewer = res.locals.viewer as { sub: string } | null;
      const taken = guard.rateLimiter.take(viewer ? `sub:${viewer.sub}` : `ip:${req.raw.ip ?? 'unknown'}`);
      if (!taken.ok) {
        return refuse(429, new GraphQLError(`Too many requests: retry after ${taken.retryAfterSeconds} s`, { extensions: { code: 'RATE_LIMITED', retryAfter: taken.retryAfterSeconds } }));
      }
      const checked = checkOperation(schema, guard.limits, { query: params.query, variables: params.variables, operationName: params.operationName }, { introspection: guard.introspection });
      if ('errors' in checked) return refuse(400, checked.errors[0]!);
      return { schema, document: checked.document, variableValues: params.variables, operationName: params.operationName, contextValue: contextOf(res) };
    },
    onNext: (ctx, _req, result) => {
      if (!result.errors?.length) return result;
      return {
        ...result,
        errors: result.errors.map((error) => {
          if (isUnexpected(error)) log.error({ err: error.originalError ?? error, requestId: ctx.requestId }, 'unexpected error');
          const formatted = formatError(error.toJSON(), error);
          return new GraphQLError(formatted.message, { path: formatted.path, extensions: formatted.extensions });
        }),
      };
    },
  });
  const handle = async (req: Request, res: Response, next: NextFunction) => {
    let identity: Identity | null = null;
    const header = req.get('authorization');
    if (header) {
      const token = bearerToken(header);
      try {
        if (!token) throw new Error('Authorization must be "Bearer <token>"');
        if (!verifier) throw new Error('This server accepts no tokens: set JWT_SECRET or JWT_JWKS_URL');
        identity = await verifier(token);
      } catch (error) {
        const message = error instanceof Error ? error.message : 'Token is not valid';
        res.status(401).set('www-authenticate', 'Bearer').json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
        return;
      }
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
    try {
      await handler(req, res);
    } catch (error) {
      next(error);
    }
  };
  return {
    handle,
    /** Ends every open event stream (on shutdown, so draining does not wait for them). */
    async close() {
      for (const res of open) res.end();
    },
  };
}

type SseContext = Context & Record<PropertyKey, unknown>;
