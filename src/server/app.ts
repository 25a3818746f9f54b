import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import { DEFAULT_LIMITS, type Limits } from '../graphql/limits.js';
import type { GraphqlExecutor } from '../graphql/executor.js';
import { RateLimiter, type RateLimit } from './rate-limit.js';
import { schemaOf } from '../graphql/schema.js';
import type { Composition, ServerService, ServiceDeps, ServiceFactory } from '../feature.js';
import type { ContextExtensions } from '../graphql/context.js';
import { log } from '../common/log.js';
import { createHttpApp } from './http.js';
import { attachWebSocket, type WebSocketOptions } from './ws.js';
import { createMetrics, OperationLabels } from './metrics.js';
import { startMetricsServer, type MetricsOptions } from './health.js';
import { SSE_PATH, sseHandler } from './sse.js';
import type { TokenVerifier } from '../auth/auth.tokens.js';
import { TrustedDocuments, type TrustedDocumentMode } from './trusted-documents.js';
import { KnownAreas, requireKnownArea } from './identity.js';
import { sqlFor } from '../db/sql.js';
import { BackupScheduler, type BackupScheduleOptions } from '../db/backup.js';

export const GRAPHQL_PATH = '/graphql';

export interface RunningServer {
  /** `http://host:port/graphql`; the same URL serves graphql-ws (ws://). */
  url: string;
  /** `http://host:port/graphql/stream`: the same operations over Server-Sent Events (graphql-sse). */
  sseUrl: string;
  port: number;
  /** `http://host:port/metrics` on the metrics port, when there is one. */
  metricsUrl: string | undefined;
  /** What the features' services add to this server's graphql-ws and SSE contexts (tests read the progress hub's counters there). */
  extensions: Partial<ContextExtensions>;
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
  /** Where `/metrics` is served: a port of its own and/or the public port behind a bearer token (neither when absent). */
  metrics?: MetricsOptions;
  /** Keep-alive interval, connections per identity and subscription cap of graphql-ws. */
  webSocket?: WebSocketOptions;
  /** `max-age` (s) of public answers to anonymous GET queries (default 60; 0: none are public). */
  cacheMaxAge?: number;
  /** Trusted documents: `off`, `allow` (default) or `require` (registered documents only, on every transport). */
  trustedDocuments?: TrustedDocumentMode;
  /** Scheduled backups of the ORM's database into a folder (BACKUP_DIR); none when absent. */
  backup?: BackupScheduleOptions;
}): Promise<RunningServer> {
  const schema = options.schema ?? (await schemaOf(options.civgraph));
  const limits = options.limits ?? DEFAULT_LIMITS;
  const rateLimit = options.rateLimit ?? { perMinute: 0, burst: 0 };
  const httpServer = createServer();
  // Every transport identifies through this verifier: a token must name an area of this database.
  const verifier = options.verifier ? requireKnownArea(options.verifier, await knownAreasOf(options.orm)) : null;
  const rateLimiter = new RateLimiter(rateLimit);
  const introspection = options.introspection ?? true;
  const trustedDocuments = new TrustedDocuments(options.orm, options.trustedDocuments ?? 'allow');
  // Read at scrape time: `ws` exists long before anything can scrape.
  // Operation names label latency series: registered documents' names and the first 200 others, the rest "(other)".
  const backups = options.backup ? new BackupScheduler(options.orm.config.get('clientUrl'), options.backup) : undefined;
  const metrics = createMetrics(
    options.orm,
    () => ws.counts(),
    new OperationLabels(undefined, (name) => trustedDocuments.isRegisteredName(name)),
    backups && (() => backups.status()),
  );
  // The features' services (the progress hub: one LISTEN connection wakes every
  // subscription of this server) run before anything listens; the graphql-ws and
  // SSE contexts carry what they add, so feature code reaches them through the context.
  const services = await startServices(options.civgraph.services, { orm: options.orm, metrics: metrics.registry });
  const extensions = services.extensions;
  // graphql-ws and SSE execute with graphql-js whatever `executor` says: their operations are
  // mostly subscriptions, each event a small selection, where compiling buys little.
  const ws = attachWebSocket(
    httpServer,
    schema,
    options.orm,
    options.civgraph,
    GRAPHQL_PATH,
    verifier,
    { limits, rateLimiter, introspection, trustedDocuments, extensions, corsOrigins: options.corsOrigins ?? [] },
    options.webSocket,
  );
  const sse = sseHandler(schema, options.orm, options.civgraph, verifier, { limits, rateLimiter, introspection, trustedDocuments, extensions });
  const { app, apollo } = await createHttpApp({
    metrics,
    metricsToken: options.metrics?.token,
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
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  if (options.metrics?.port !== undefined) {
    try {
      metricsServer = await startMetricsServer(metrics, { port: options.metrics.port, host: options.metrics.host, token: options.metrics.token });
    } catch (error) {
      await apollo.stop().then(() => services.stop());
      throw new Error(`The metrics port ${options.metrics.port} cannot be opened (${(error as Error).message}): set METRICS_PORT to a free port, or 0`, {
        cause: error,
      });
    }
  }
  // After everything listens: a backup failing never keeps the server from serving.
  await backups?.start();
  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}${GRAPHQL_PATH}`,
    sseUrl: `http://localhost:${port}${SSE_PATH}`,
    port,
    metricsUrl: metricsServer?.url,
    extensions,
    close() {
      // Apollo's drain closes the listener, finishes HTTP requests and closes graphql-ws and SSE; then nothing uses the services.
      closing ??= Promise.all([apollo.stop(), metricsServer?.close(), backups?.stop()]).then(() => services.stop());
      return closing;
    },
  };
}

/**
 * The areas tokens may name, for the identity check of every request. Those above
 * the villages are loaded now (a country's are some 45,000 codes, one index-only
 * scan), so a county's, a township's or a province's token never waits for a
 * lookup; a village's code is looked up once, on its first request.
 */
async function knownAreasOf(orm: MikroORM): Promise<KnownAreas> {
  const lookup = async (code: string) => (await sqlFor(orm.em.fork())('select 1 from area where code = ?', [code])).length > 0;
  const areas = new KnownAreas(lookup);
  const rows = await sqlFor(orm.em.fork())<{ code: string }>(`select code from area where level in ('PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP')`);
  areas.remember(rows.map((row) => row.code));
  return areas;
}

/**
 * Starts the composition's services in order. If one fails to start, those
 * already started are stopped (in reverse) and the failure is rethrown.
 */
async function startServices(
  factories: readonly ServiceFactory[],
  deps: ServiceDeps,
): Promise<{ extensions: Partial<ContextExtensions>; stop(): Promise<void> }> {
  const started: ServerService[] = [];
  const extensions: Record<string, unknown> = {};
  const stop = async () => {
    let failure: unknown;
    for (const service of started.splice(0).reverse()) {
      try {
        await service.stop();
      } catch (error) {
        log.error({ err: error }, 'a server service failed to stop');
        failure ??= error;
      }
    }
    if (failure) throw failure;
  };
  try {
    for (const create of factories) {
      const service = create(deps);
      for (const key of Object.keys(service.extensions)) {
        if (key in extensions) throw new Error(`Two server services add "${key}" to the context`);
      }
      await service.start?.();
      started.push(service);
      Object.assign(extensions, service.extensions);
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { extensions: extensions, stop };
}
