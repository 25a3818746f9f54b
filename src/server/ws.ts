import type { Server } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import { GraphQLError, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import { MessageType } from 'graphql-ws';
import { serveGraphqlWs } from './ws-binding.js';
import { WebSocket, WebSocketServer } from 'ws';
import { createContext, type ContextExtensions, type Registry } from '../graphql/context.js';
import { subscribeSharingEvents, type DirectSink } from '../graphql/shared-subscribe.js';
import { log } from '../common/log.js';
import { checkOperation, type Limits } from '../graphql/limits.js';
import { ConnectionCounter, DEFAULT_MAX_CONNECTIONS, identityKey, type RateLimiter } from './rate-limit.js';
import { isAllowedWebSocketOrigin } from './http-policy.js';
import type { Identity, TokenVerifier } from '../auth/auth.tokens.js';
import { bearerToken } from '../auth/auth.tokens.js';
import { ErrorCode } from '../common/errors.js';
import { operationNameOf, shapeErrors, type FaultSite } from './edge-errors.js';
import { identifyTokenFrom, SessionStreams, TooManyRefusals } from './identity.js';
import type { TrustedDocuments } from './trusted-documents.js';

/** Close code for a refused or expired identity, as graphql-ws uses for `onConnect` refusals. */
export const CLOSE_FORBIDDEN = 4403;
/**
 * Close code for a connection refused at `connection_init` because its identity
 * already holds `maxConnections` open connections ("Too many connections"), or
 * because its address ran out of tokens verifying bad ones ("Too many requests").
 * The client may retry later (429 is HTTP's Too Many Requests).
 */
export const CLOSE_TOO_MANY = 4429;

/** Keep-alive and limits of the WebSocket transport. */
export interface WebSocketOptions {
  /**
   * Interval of protocol-level pings (ms). A socket that has answered none of
   * the last two pings is terminated: between two and three intervals of
   * silence, since a live peer reading a backlog (a burst of events queued
   * ahead of the ping) may answer one late. Below common proxy idle timeouts
   * (nginx: 60 s) so an idle subscription is not cut by a proxy.
   */
  keepAliveMs?: number;
  /** Open connections one identity (token `sub`, or address when anonymous) may hold at once; 0: no bound. */
  maxConnections?: number;
  /** Operations one connection may have running at once (subscriptions, in practice). */
  maxSubscriptions?: number;
  /**
   * Bytes that may wait in one socket's send buffer; a subscription whose event
   * finds more ends with the queue-full error (resubscribe after the last cursor).
   */
  maxBufferedBytes?: number;
}

export const DEFAULT_KEEP_ALIVE_MS = 25_000;
export const DEFAULT_MAX_SUBSCRIPTIONS = 20;
export { DEFAULT_MAX_CONNECTIONS };
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Keep-alive pings go out in this many slices spread over each interval. */
export const KEEP_ALIVE_SLICES = 25;

/** A result as graphql-ws sends it: its errors shaped (masked and logged, with the request id) when it has any. */
function shapedResult(result: ExecutionResult, site: FaultSite): ExecutionResult | FormattedExecutionResult {
  if (!result.errors?.length) return result;
  return { ...result, errors: shapeErrors(result.errors, site) };
}

/**
 * The push path's writer for one operation: a `next` message written to the
 * socket as graphql-ws would write it (the same bytes: `{"id","type","payload"}`
 * with the result's own JSON), without a promise per send. False once more
 * than `maxBufferedBytes` wait in the socket: the subscription then ends with
 * the queue-full error and the client resumes from its last cursor.
 */
export function socketSink(socket: WebSocket, id: string, requestId: string, maxBufferedBytes: number, operationName: string | null = null): DirectSink {
  const head = `{"id":${JSON.stringify(id)},"type":"${MessageType.Next}","payload":`;
  return {
    send(result, json) {
      if (socket.readyState !== WebSocket.OPEN) return true;
      socket.send(head + (json ?? JSON.stringify(shapedResult(result, { requestId, operationName }))) + '}');
      return socket.bufferedAmount <= maxBufferedBytes;
    },
  };
}

type Extra = {
  identity?: Identity;
  expiryTimer?: NodeJS.Timeout;
  /** Key of this connection's identity's rate-limit bucket (`sub:` or `ip:`), shared with every transport. */
  rateKey?: string;
};

/**
 * graphql-ws on the same path as HTTP. Each operation (query, mutation or
 * subscription) gets its own context, built exactly as for HTTP.
 */
export function attachWebSocket(
  httpServer: Server,
  schema: GraphQLSchema,
  orm: MikroORM,
  registry: Registry,
  path: string,
  verifier: TokenVerifier | null,
  guard: {
    limits: Limits;
    rateLimiter: RateLimiter;
    introspection: boolean;
    trustedDocuments?: TrustedDocuments;
    extensions?: Partial<ContextExtensions>;
    corsOrigins?: readonly string[];
  },
  options: WebSocketOptions = {},
) {
  const connections = new ConnectionCounter(options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  const maxSubscriptions = options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  // As on HTTP, no message over 1 MB: larger ones close the socket with 1009 before being read.
  // A browser page on another origin may not open a socket here (cross-site WebSocket hijacking): its
  // upgrade is refused with 403. Clients that send no Origin (CLI, bench, servers) are not browsers.
  const wsServer = new WebSocketServer({
    server: httpServer,
    path,
    maxPayload: 1024 * 1024,
    verifyClient: ({ req }, done) => {
      const header = (name: string) => (typeof req.headers[name] === 'string' ? req.headers[name] : undefined);
      if (isAllowedWebSocketOrigin({ origin: header('origin'), host: header('host'), forwardedHost: header('x-forwarded-host') }, guard.corsOrigins ?? []))
        return done(true);
      done(false, 403, 'Origin not allowed');
    },
  });
  // Pings from the server: proxies see traffic, and dead peers (no pong) are dropped.
  // Sockets are dealt round-robin into KEEP_ALIVE_SLICES slices, each mapping a socket to the
  // pings sent since its last pong, and each tick (every keepAliveMs / KEEP_ALIVE_SLICES) pings
  // one slice: every socket is still pinged once per interval, but 10,000 sockets cost
  // 10,000 / KEEP_ALIVE_SLICES pings and pongs at a time, not one burst that holds up every
  // delivery behind it.
  const slices = Array.from({ length: KEEP_ALIVE_SLICES }, () => new Map<WebSocket, number>());
  let dealt = 0;
  wsServer.on('connection', (socket) => {
    const slice = slices[dealt++ % KEEP_ALIVE_SLICES];
    slice.set(socket, 0);
    socket.on('pong', () => slice.set(socket, 0));
    socket.once('close', () => slice.delete(socket));
  });
  let tick = 0;
  const keepAlive = setInterval(() => {
    let dropped = 0;
    const slice = slices[tick++ % KEEP_ALIVE_SLICES];
    for (const [socket, missed] of slice) {
      if (missed >= 2) {
        socket.terminate();
        dropped++;
        continue;
      }
      slice.set(socket, missed + 1);
      socket.ping();
    }
    if (dropped) log.warn({ dropped, keepAliveMs }, 'closed WebSockets that answered none of the last two pings');
  }, keepAliveMs / KEEP_ALIVE_SLICES);
  keepAlive.unref();
  // Acknowledged connections, for the metrics (subscriptions are counted from them).
  const live = new Set<{ subscriptions: Record<string, unknown> }>();
  // An account's sockets, closed with 4403 when its session is revoked (sign-out, disabled account).
  const sessions = new SessionStreams<WebSocket>((socket) => socket.close(CLOSE_FORBIDDEN, 'Session revoked'));
  const disposable = serveGraphqlWs<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      // progressUpdated: one execution per event, selection and viewer, shared by every subscriber they match.
      subscribe: subscribeSharingEvents,
      connectionInitWaitTimeout: 10_000,
      // The token travels in connection_init as { authorization: "Bearer …" } (or { token }).
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const token = bearerToken(params.authorization ?? params.Authorization) ?? (typeof params.token === 'string' ? params.token : null);
        const { socket, request } = ctx.extra;
        // A close of our own before graphql-ws's 4403: that one then finds the socket closing and does nothing.
        const refuse = (code: number, reason: string) => {
          socket.close(code, reason);
          return false;
        };
        let identity: Identity | undefined;
        if (token) {
          // As on every transport: a refused token is charged to the address, which is refused once out of them.
          try {
            identity = await identifyTokenFrom(verifier, guard.rateLimiter, token, request.socket.remoteAddress);
          } catch (error) {
            return error instanceof TooManyRefusals ? refuse(CLOSE_TOO_MANY, 'Too many requests') : false;
          }
        }
        // Closed while its token was verified: onClose has run, nothing to count or track.
        if (socket.readyState !== WebSocket.OPEN) return false;
        const key = identityKey(identity?.viewer, request.socket.remoteAddress);
        const release = connections.open(key);
        if (!release) return refuse(CLOSE_TOO_MANY, `Too many connections: at most ${connections.max} per identity`);
        socket.once('close', release);
        ctx.extra.rateKey = key;
        live.add(ctx);
        if (identity) {
          ctx.extra.identity = identity;
          socket.once('close', sessions.hold(identity.viewer.sessionId, socket));
          if (identity.expiresAt) {
            const ms = Math.max(0, identity.expiresAt * 1000 - Date.now());
            ctx.extra.expiryTimer = setTimeout(() => socket.close(CLOSE_FORBIDDEN, 'Token expired'), Math.min(ms, 2_147_483_647));
          }
        }
        return true;
      },
      onClose: (ctx) => {
        clearTimeout(ctx.extra.expiryTimer);
        live.delete(ctx);
      },
      // Apollo's parse options and validation rules do not reach graphql-ws: the
      // same limits run here. A refused subscribe gets an error message; the socket stays open.
      onSubscribe: async (ctx, _id, payload) => {
        // graphql-ws has already reserved this operation's id in ctx.subscriptions.
        if (Object.keys(ctx.subscriptions).length > maxSubscriptions) {
          return [
            new GraphQLError(`A connection may run at most ${maxSubscriptions} subscriptions at once: complete one first, or open another connection`, {
              extensions: { code: ErrorCode.TOO_MANY_SUBSCRIPTIONS, limit: maxSubscriptions },
            }),
          ];
        }
        // One bucket per identity across every socket and transport, not one per connection.
        const taken = guard.rateLimiter.take(ctx.extra.rateKey ?? identityKey(ctx.extra.identity?.viewer, ctx.extra.request.socket.remoteAddress));
        if (!taken.ok) {
          return [
            new GraphQLError(`Too many requests: retry after ${taken.retryAfterSeconds} s`, {
              extensions: { code: ErrorCode.RATE_LIMITED, retryAfter: taken.retryAfterSeconds },
            }),
          ];
        }
        // As on HTTP: a registered document may be sent by hash alone (extensions.persistedQuery or documentId).
        const trusted = guard.trustedDocuments ? await guard.trustedDocuments.documentOf(payload) : { query: payload.query };
        if ('error' in trusted) return [trusted.error];
        const checked = checkOperation(schema, guard.limits, { ...payload, query: trusted.query }, { introspection: guard.introspection });
        if ('errors' in checked) return checked.errors;
        // Without introspection, a variable's coercion error suggests no enum value or input field (as on HTTP).
        return {
          schema,
          document: checked.document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          hideSuggestions: !guard.introspection,
        };
      },
      context: (ctx, id, _payload, args) => {
        const context = createContext(orm, registry, {
          viewer: ctx.extra.identity?.viewer ?? null,
          extensions: { ...guard.extensions, clientAddress: ctx.extra.request.socket.remoteAddress },
        });
        context.directSink = socketSink(ctx.extra.socket, id, context.requestId, maxBufferedBytes, operationNameOf(args.document, args.operationName));
        return context;
      },
      onNext: (_ctx, _id, _payload, args, result) =>
        shapedResult(result, {
          requestId: (args.contextValue as { requestId?: string } | undefined)?.requestId,
          operationName: operationNameOf(args.document, args.operationName),
        }),
    },
    // graphql-ws's own binding, without its keep-alive (ours is above: its 12 s ping closed busy
    // clients with 1006 behind our two-ping rule) and with a bad client's message a 4400, not a 4500.
    wsServer,
  );
  return {
    wsServer,
    /** Open connections and their running operations, read by the metrics. */
    counts() {
      let subscriptions = 0;
      for (const ctx of live) subscriptions += Object.keys(ctx.subscriptions).length;
      return { connections: live.size, subscriptions };
    },
    /** Closes every socket with 1001 (going away) so clients reconnect elsewhere. */
    async close() {
      clearInterval(keepAlive);
      sessions.close();
      await disposable.dispose();
    },
  };
}
