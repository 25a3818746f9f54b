import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { MikroORM } from '@mikro-orm/postgresql';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { log } from '../common/log.js';
import { createContext, type Context } from '../graphql/context.js';
import { errorCode, formatError, isUnexpected } from '../graphql/errors.js';
import { costError, limitRules, parseOptions, type Limits } from '../graphql/limits.js';
import { jitGateway, type GraphqlExecutor } from '../graphql/executor.js';
import type { RateLimiter } from './rate-limit.js';
import { healthRouter } from './health.js';
import type { Metrics } from './metrics.js';
import type { Composition } from '../feature.js';
import { webAssetsDir, webConsole, webDashboard } from './web.js';
import type { Viewer } from '../auth/auth.rules.js';
import { bearerToken, type TokenVerifier } from '../auth/auth.tokens.js';

const REQUEST_ID = /^[\w.-]{1,64}$/;

/** Largest request body accepted; larger ones get 413 before any GraphQL work. */
export const MAX_BODY = '1mb';

/** Refuses a request whose identity has used up its bucket: 429 with Retry-After. */
function assertWithinRate(limiter: RateLimiter, viewer: Viewer | null, req: Request): void {
  const taken = limiter.take(viewer ? `sub:${viewer.sub}` : `ip:${req.ip ?? 'unknown'}`);
  if (taken.ok) return;
  throw new GraphQLError(`Too many requests: retry after ${taken.retryAfterSeconds} s`, {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfter: taken.retryAfterSeconds,
      http: { status: 429, headers: new Map([['retry-after', String(taken.retryAfterSeconds)]]) },
    },
  });
}

/** Body-parser failures as GraphQL-shaped JSON instead of Express's HTML page. */
const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const status = (error as { status?: number }).status;
  if (res.headersSent || !status || status < 400 || status >= 500) return next(error);
  const tooLarge = (error as { type?: string }).type === 'entity.too.large';
  res.status(status).json({
    errors: [
      {
        message: tooLarge ? `Request body is larger than ${MAX_BODY}` : 'Request body is not valid JSON',
        extensions: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' },
      },
    ],
  });
};

/**
 * The caller of an HTTP request: anonymous without an Authorization header; a
 * header that does not carry a valid token fails the whole request with 401.
 */
export async function viewerOf(req: Request, verifier: TokenVerifier | null): Promise<Viewer | null> {
  const header = req.get('authorization');
  if (!header) return null;
  const reject = (message: string) =>
    new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } } });
  const token = bearerToken(header);
  if (!token) throw reject('Authorization must be "Bearer <token>"');
  if (!verifier) throw reject('This server accepts no tokens: set JWT_SECRET or JWT_JWKS_URL');
  try {
    return (await verifier(token)).viewer;
  } catch (error) {
    throw reject(error instanceof Error ? error.message : 'Token is not valid');
  }
}

/** Apollo Server on Express: the HTTP side of `/graphql`. */
export async function createHttpApp(options: {
  httpServer: Server;
  schema: GraphQLSchema;
  orm: MikroORM;
  civgraph: Composition;
  introspection: boolean;
  /** What executes operations: graphql-jit's compiled queries or graphql-js. */
  executor: GraphqlExecutor;
  verifier: TokenVerifier | null;
  corsOrigins: string[];
  metrics: Metrics;
  limits: Limits;
  rateLimiter: RateLimiter;
  /** Runs when Apollo drains, after HTTP stops accepting (closes the WebSocket side). */
  onDrain: () => Promise<void>;
  /** Other handlers under `/graphql/...` (Server-Sent Events), mounted before Apollo's. */
  routes?: [path: string, handler: express.RequestHandler][];
}): Promise<{ app: Express; apollo: ApolloServer<Context> }> {
  const apollo = new ApolloServer<Context>({
    // graphql-jit comes in as a gateway, which then supplies the schema (Apollo takes one or the other).
    ...(options.executor === 'jit' ? { gateway: jitGateway(options.schema) } : { schema: options.schema }),
    introspection: options.introspection,
    formatError,
    includeStacktraceInErrorResponses: false,
    // Abuse limits (src/graphql/limits.ts), the same as graphql-ws applies.
    validationRules: limitRules(options.limits),
    parseOptions: parseOptions(options.limits),
    // Stated although they are Apollo's defaults: one operation per request; simple requests refused.
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // civgraph stops in order itself: HTTP, WebSockets, pool, then PostgreSQL.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      {
        async serverWillStart() {
          return { drainServer: options.onDrain };
        },
        async requestDidStart() {
          const started = process.hrtime.bigint();
          return {
            async didResolveOperation({ request, document, schema }) {
              const error = costError(options.limits, schema, document, request.variables, request.operationName);
              if (error) throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
            },
            async didEncounterErrors({ errors, contextValue }) {
              for (const error of errors) {
                options.metrics.errors.inc({ code: errorCode(error) });
                if (isUnexpected(error)) contextValue.log.error({ err: error.originalError ?? error }, 'unexpected error');
              }
            },
            async willSendResponse({ response, contextValue, operationName, operation }) {
              options.metrics.requestDuration.observe(
                { operation: operationName ?? '(anonymous)', type: operation?.operation ?? 'unknown', transport: 'http' },
                Number(process.hrtime.bigint() - started) / 1e9,
              );
              // Masked errors carry the request id, so a user's report finds the log line.
              if (response.body.kind !== 'single') return;
              for (const error of response.body.singleResult.errors ?? []) {
                if (error.extensions?.code === 'INTERNAL_SERVER_ERROR') {
                  (error as { extensions: Record<string, unknown> }).extensions = { ...error.extensions, requestId: contextValue.requestId };
                }
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.set('x-request-id', requestId);
    next();
  });
  app.use(healthRouter(options.orm, options.metrics));
  // Dashboard (/) and console (GET /graphql from a browser), bundled in dist/web.
  const webDir = webAssetsDir();
  app.use(webConsole(webDir), webDashboard(webDir));
  // Extra transports (Server-Sent Events) under /graphql/…, before Apollo takes /graphql.
  for (const [path, handler] of options.routes ?? []) {
    app.use(path, cors({ origin: options.corsOrigins, allowedHeaders: ['content-type', 'authorization', 'x-request-id'], exposedHeaders: ['x-request-id'], maxAge: 600 }), express.json({ limit: '1mb' }), handler);
  }
  app.use(
    '/graphql',
    cors({
      origin: options.corsOrigins,
      allowedHeaders: ['content-type', 'authorization', 'x-request-id', 'apollo-require-preflight'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    }),
    express.json({ limit: MAX_BODY }),
    bodyErrors,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const viewer = await viewerOf(req, options.verifier);
        assertWithinRate(options.rateLimiter, viewer, req);
        return createContext(options.orm, options.civgraph, { requestId: res.locals.requestId as string, viewer });
      },
    }),
  );
  // The features' REST routes (downloads, uploads), under the same tokens and read rules.
  const routeDeps = { orm: options.orm, registry: options.civgraph, viewerOf: (req: Request) => viewerOf(req, options.verifier) };
  for (const route of options.civgraph.routes) app.use(route(routeDeps));
  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found. GraphQL is served at /graphql.' });
  });
  log.debug('http app ready');
  return { app, apollo };
}
