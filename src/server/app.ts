import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import { DEFAULT_LIMITS, type Limits } from '../graphql/limits.js';
import type { GraphqlExecutor } from '../graphql/executor.js';
import { RateLimiter, type RateLimit } from './rate-limit.js';
import { schemaOf } from '../graphql/schema.js';
import type { Composition } from '../feature.js';
import { createHttpApp } from './http.js';
import { attachWebSocket, type WebSocketOptions } from './ws.js';
import { createMetrics } from './metrics.js';
import { SSE_PATH, sseHandler } from './sse.js';
import { ProgressHub, type ProgressHubOptions } from '../modules/progress/progress.hub.js';
import type { TokenVerifier } from '../auth/auth.tokens.js';
import { TrustedDocuments, type TrustedDocumentMode } from './trusted-documents.js';

export const GRAPHQL_PATH = '/graphql';

export interface RunningServer {
  /** `http://host:port/graphql`; the same URL serves graphql-ws (ws://). */
  url: string;
  /** `http://host:port/graphql/stream`: the same operations over Server-Sent Events (graphql-sse). */
  sseUrl: string;
  port: number;
  /** This server's live progress fan-out (its contexts carry it; tests read its counters). */
  progressHub: ProgressHub;
  /** Stops accepting, finishes requests in flight, closes WebSockets (1001). Leaves the ORM open. */
  close(): Promise<void>;
}

/** Serves GraphQL over HTTP and graphql-ws on one port and path. */
export async function startServer(options: {
  orm: MikroORM;
  /** What the features contribute (`civgraph` from src/features.ts). */
  civgraph: Composition;
  port: number;
  host?: string;
  introspection?: boolean;
  /** What executes HTTP operations (default `jit`); graphql-ws and SSE always use graphql-js. */
  executor?: GraphqlExecutor;
  verifier?: TokenVerifier | null;
  corsOrigins?: string[];
  /** Abuse limits per operation, on both transports. */
  limits?: Limits;
  /** Per-identity rate limit (off when absent). */
  rateLimit?: RateLimit;
  /** Serve this schema instead of civgraph's own (tests that add probe resolvers). */
  schema?: GraphQLSchema;
  /** Keep-alive interval and subscription cap of graphql-ws. */
  webSocket?: WebSocketOptions;
  /** `max-age` (s) of public answers to anonymous GET queries (default 60; 0: none are public). */
  cacheMaxAge?: number;
  /** Trusted documents: `off`, `allow` (default) or `require` (registered documents only, on every transport). */
  trustedDocuments?: TrustedDocumentMode;
  /** Tunables of this server's live progress fan-out. */
  progressHub?: ProgressHubOptions;
}): Promise<RunningServer> {
  const schema = options.schema ?? (await schemaOf(options.civgraph));
  const limits = options.limits ?? DEFAULT_LIMITS;
  const rateLimit = options.rateLimit ?? { perMinute: 0, burst: 0 };
  const httpServer = createServer();
  const verifier = options.verifier ?? null;
  const rateLimiter = new RateLimiter(rateLimit);
  const introspection = options.introspection ?? true;
  const trustedDocuments = new TrustedDocuments(options.orm, options.trustedDocuments ?? 'allow');
  // One LISTEN connection per server wakes every subscription of this server; the
  // graphql-ws and SSE contexts carry the hub, so services reach it through the context.
  const progressHub = new ProgressHub(options.orm, options.orm.config.get('clientUrl')!, options.progressHub);
  await progressHub.start();
  const extensions = { progressFeed: progressHub };
  // graphql-ws and SSE execute with graphql-js whatever `executor` says: their operations are
  // mostly subscriptions, each event a small selection, where compiling buys little.
  const ws = attachWebSocket(httpServer, schema, options.orm, options.civgraph, GRAPHQL_PATH, verifier, { limits, rateLimiter, introspection, trustedDocuments, extensions }, options.webSocket);
  const sse = sseHandler(schema, options.orm, options.civgraph, verifier, { limits, rateLimiter, introspection, trustedDocuments, extensions });
  const metrics = createMetrics(options.orm, () => ws.counts());
  progressHub.onDelivered = (lag) => metrics.deliveryLag.observe(Math.max(0, lag));
  const { app, apollo } = await createHttpApp({
    metrics,
    httpServer,
    schema,
    orm: options.orm,
    civgraph: options.civgraph,
    introspection,
    executor: options.executor ?? 'jit',
    verifier,
    corsOrigins: options.corsOrigins ?? [],
    limits,
    rateLimiter,
    cacheMaxAge: options.cacheMaxAge,
    trustedDocuments,
    onDrain: async () => {
      await Promise.all([ws.close(), sse.close()]);
    },
    routes: [[SSE_PATH, sse.handle]],
  });
  httpServer.on('request', app);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}${GRAPHQL_PATH}`,
    sseUrl: `http://localhost:${port}${SSE_PATH}`,
    port,
    progressHub,
    close() {
      closing ??= apollo.stop().then(() => progressHub.stop());
      return closing;
    },
  };
}
