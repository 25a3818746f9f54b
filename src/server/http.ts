import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { MikroORM } from '@mikro-orm/postgresql';
import cors from 'cors';
import express, { type Express, type Request } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { log } from '../common/log.js';
import { createContext, type Context } from '../graphql/context.js';
import { formatError, isUnexpected } from '../graphql/errors.js';
import type { Viewer } from '../modules/auth/auth.rules.js';
import { bearerToken, type TokenVerifier } from '../modules/auth/auth.tokens.js';

const REQUEST_ID = /^[\w.-]{1,64}$/;

/**
 * The caller of an HTTP request: anonymous without an Authorization header; a
 * header that does not carry a valid token fails the whole request with 401.
 */
async function viewerOf(req: Request, verifier: TokenVerifier | null): Promise<Viewer | null> {
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
  introspection: boolean;
  verifier: TokenVerifier | null;
  corsOrigins: string[];
  /** Runs when Apollo drains, after HTTP stops accepting (closes the WebSocket side). */
  onDrain: () => Promise<void>;
  /** Other handlers under `/graphql/...` (Server-Sent Events), mounted before Apollo's. */
  routes?: [path: string, handler: express.RequestHandler][];
}): Promise<{ app: Express; apollo: ApolloServer<Context> }> {
  const apollo = new ApolloServer<Context>({
    schema: options.schema,
    introspection: options.introspection,
    formatError,
    includeStacktraceInErrorResponses: false,
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
          return {
            async didEncounterErrors({ errors, contextValue }) {
              for (const error of errors) {
                if (isUnexpected(error)) contextValue.log.error({ err: error.originalError ?? error }, 'unexpected error');
              }
            },
            async willSendResponse({ response, contextValue }) {
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
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
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
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        createContext(options.orm, { requestId: res.locals.requestId as string, viewer: await viewerOf(req, options.verifier) }),
    }),
  );
  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found. GraphQL is served at /graphql.' });
  });
  log.debug('http app ready');
  return { app, apollo };
}
