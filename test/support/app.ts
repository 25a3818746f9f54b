import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { importAreas } from '../../src/modules/area/area.import.js';
import type { Limits } from '../../src/graphql/limits.js';
import type { GraphqlExecutor } from '../../src/graphql/executor.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import type { RateLimit } from '../../src/server/rate-limit.js';
import type { TrustedDocumentMode } from '../../src/server/trusted-documents.js';
import type { GraphQLSchema } from 'graphql';
import { createTestDatabase, statementCounter } from './database.js';
import type { Role } from '../../src/auth/auth.rules.js';
import { createTokenVerifier, mintToken } from '../../src/auth/auth.tokens.js';
import { civgraph } from '../../src/features.js';
import { ProgressHub } from '../../src/modules/progress/progress.hub.js';

/** The HS256 secret every test app accepts tokens for. */
export const TEST_JWT_SECRET = 'civgraph-test-secret-not-for-production-0123456789';

export type Result<T> = FormattedExecutionResult<T, { code?: string; field?: string; [key: string]: unknown }>;

/**
 * A running civgraph for one test file: its own migrated database holding the
 * Tongjiang hierarchy, a real HTTP server on a free port, and clients for it.
 */
export async function startTestApp(
  options: {
    county?: string | null;
    limits?: Limits;
    rateLimit?: RateLimit;
    schema?: GraphQLSchema;
    introspection?: boolean;
    executor?: GraphqlExecutor;
    cacheMaxAge?: number;
    trustedDocuments?: TrustedDocumentMode;
  } = {},
) {
  const database = await createTestDatabase();
  const county = options.county === undefined ? '511921' : options.county;
  if (county) await importAreas(database.orm, { county });
  const server = await startServer({
    civgraph,
    orm: database.orm,
    port: 0,
    host: '127.0.0.1',
    verifier: createTokenVerifier({ secret: TEST_JWT_SECRET }),
    limits: options.limits,
    rateLimit: options.rateLimit,
    schema: options.schema,
    introspection: options.introspection,
    executor: options.executor,
    cacheMaxAge: options.cacheMaxAge,
    trustedDocuments: options.trustedDocuments,
    // /metrics on a port of its own (not on the public one), as `civgraph start` serves it.
    metrics: { port: 0 },
  });
  const counter = statementCounter(database.orm);

  /** Runs one SQL statement on the test database (on an EntityManager fork of its own) and returns its rows. */
  const rows = <T>(text: string, params: unknown[] = []) => database.orm.em.fork().getConnection().execute<T[]>(text, params);
  const wsClients: Client[] = [];

  /** POSTs a typed operation over HTTP and returns the whole response body. */
  async function request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables> | string,
    variables?: TVariables,
    options: { token?: string; headers?: Record<string, string> } = {},
  ): Promise<Result<TData>> {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
    });
    return (await response.json()) as Result<TData>;
  }

  /** Like {@link request}, but fails the test on any error and returns `data`. */
  async function query<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables> | string,
    variables?: TVariables,
    options: { token?: string } = {},
  ): Promise<TData> {
    const result = await request(document, variables, options);
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data!;
  }

  /** A graphql-ws client on the same URL (ws://). Closed with the app. */
  function wsClient(connectionParams?: Record<string, unknown>): Client {
    const client = createClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: true,
    });
    wsClients.push(client);
    return client;
  }

  /** A valid token for a role at an area (6, 9 or 12 digits), signed with {@link TEST_JWT_SECRET}. */
  function token(role: `${Role}`, area: string, extra: { name?: string; section?: string; expiresIn?: string | number } = {}) {
    return mintToken(
      TEST_JWT_SECRET,
      { name: extra.name ?? `${role} ${area}`, role: role as Role, area, section: extra.section },
      { expiresIn: extra.expiresIn },
    );
  }

  return {
    url: server.url,
    sseUrl: server.sseUrl,
    /** `GET` this for Prometheus metrics (the metrics port, 127.0.0.1). */
    metricsUrl: server.metricsUrl!,
    token,
    orm: database.orm,
    databaseUrl: database.url,
    /** The server's live progress hub (its counters). */
    progressHub: progressHubOf(server),
    request,
    query,
    wsClient,
    /** Statements sent while `work` runs. */
    measure: counter.measure,
    rows,
    async close() {
      await Promise.all(wsClients.map((client) => client.dispose()));
      await server.close();
      await database.drop();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/** A second server on `app`'s database that executes with graphql-js (resolvers only): what the app's own executor must answer alike. */
export function startInterpretedServer(app: TestApp, schema?: GraphQLSchema): Promise<RunningServer> {
  return startServer({
    civgraph,
    orm: app.orm,
    port: 0,
    host: '127.0.0.1',
    verifier: createTokenVerifier({ secret: TEST_JWT_SECRET }),
    schema,
    executor: 'graphql-js',
  });
}

/** The progress hub a server runs (the progress feature's service), carried by its streaming contexts. */
export function progressHubOf(server: RunningServer): ProgressHub {
  const feed = server.extensions.progressFeed;
  if (!(feed instanceof ProgressHub)) throw new Error('This server runs no progress hub');
  return feed;
}
