import type { Server } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createContext } from '../graphql/context.js';
import { formatError, isUnexpected } from '../graphql/errors.js';
import { log } from '../common/log.js';
import { checkOperation, type Limits } from '../graphql/limits.js';
import type { RateLimiter } from './rate-limit.js';
import type { Identity, TokenVerifier } from '../modules/auth/auth.tokens.js';
import { bearerToken } from '../modules/auth/auth.tokens.js';

/** Close code for a refused or expired identity, as graphql-ws uses for `onConnect` refusals. */
export const CLOSE_FORBIDDEN = 4403;

type Extra = {
  identity?: Identity;
  expiryTimer?: NodeJS.Timeout;
  /** Key of this connection's rate-limit bucket. */
  connectionId?: string;
};

/**
 * graphql-ws on the same path as HTTP. Each operation (query, mutation or
 * subscription) gets its own context, built exactly as for HTTP.
 */
export function attachWebSocket(
  httpServer: Server,
  schema: GraphQLSchema,
  orm: MikroORM,
  path: string,
  verifier: TokenVerifier | null,
  guard: { limits: Limits; rateLimiter: RateLimiter; introspection: boolean },
) {
  // As on HTTP, no message over 1 MB: larger ones close the socket with 1009 before being read.
  const wsServer = new WebSocketServer({ server: httpServer, path, maxPayload: 1024 * 1024 });
  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      connectionInitWaitTimeout: 10_000,
      // The token travels in connection_init as { authorization: "Bearer …" } (or { token }).
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const token = bearerToken(params.authorization ?? params.Authorization) ?? (typeof params.token === 'string' ? params.token : null);
        if (!token) return true;
        if (!verifier) return false;
        try {
          const identity = await verifier(token);
          ctx.extra.identity = identity;
          if (identity.expiresAt) {
            const { socket } = ctx.extra;
            const ms = Math.max(0, identity.expiresAt * 1000 - Date.now());
            ctx.extra.expiryTimer = setTimeout(() => socket.close(CLOSE_FORBIDDEN, 'Token expired'), Math.min(ms, 2_147_483_647));
          }
          return true;
        } catch {
          return false;
        }
      },
      onClose: (ctx) => clearTimeout(ctx.extra.expiryTimer),
      // Apollo's parse options and validation rules do not reach graphql-ws: the
      // same limits run here. A refused subscribe gets an error message; the socket stays open.
      onSubscribe: (ctx, _id, payload) => {
        ctx.extra.connectionId ??= randomUUID();
        const taken = guard.rateLimiter.take(`ws:${ctx.extra.connectionId}`);
        if (!taken.ok) {
          return [
            new GraphQLError(`Too many operations on this connection: retry after ${taken.retryAfterSeconds} s`, {
              extensions: { code: 'RATE_LIMITED', retryAfter: taken.retryAfterSeconds },
            }),
          ];
        }
        const checked = checkOperation(schema, guard.limits, payload, { introspection: guard.introspection });
        if ('errors' in checked) return checked.errors;
        return { schema, document: checked.document, variableValues: payload.variables, operationName: payload.operationName };
      },
      context: (ctx) => createContext(orm, { viewer: ctx.extra.identity?.viewer ?? null }),
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return result;
        const requestId = (args.contextValue as { requestId?: string } | undefined)?.requestId;
        return {
          ...result,
          errors: result.errors.map((error) => {
            if (isUnexpected(error)) log.error({ err: error.originalError ?? error, requestId }, 'unexpected error');
            const formatted = formatError(error.toJSON(), error);
            return formatted.extensions?.code === 'INTERNAL_SERVER_ERROR'
              ? { ...formatted, extensions: { ...formatted.extensions, requestId } }
              : formatted;
          }),
        };
      },
    },
    wsServer,
  );
  return {
    wsServer,
    /** Closes every socket with 1001 (going away) so clients reconnect elsewhere. */
    async close() {
      await disposable.dispose();
    },
  };
}
