import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { MikroORM } from '@mikro-orm/postgresql';
import express, { type Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import { log } from '../common/log.js';
import { createContext, type Context } from '../graphql/context.js';
import { formatError, isUnexpected } from '../graphql/errors.js';

const REQUEST_ID = /^[\w.-]{1,64}$/;

/** Apollo Server on Express: the HTTP side of `/graphql`. */
export async function createHttpApp(options: {
  httpServer: Server;
  schema: GraphQLSchema;
  orm: MikroORM;
  introspection: boolean;
  /** Runs when Apollo drains, after HTTP stops accepting (closes the WebSocket side). */
  onDrain: () => Promise<void>;
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
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ res }) => createContext(options.orm, res.locals.requestId as string),
    }),
  );
  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found. GraphQL is served at /graphql.' });
  });
  log.debug('http app ready');
  return { app, apollo };
}
