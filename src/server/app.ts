import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import { DEFAULT_LIMITS, type Limits } from '../graphql/limits.js';
import { RateLimiter, type RateLimit } from './rate-limit.js';
import { civgraphSchema } from '../graphql/schema.js';
import { createHttpApp } from './http.js';
import { attachWebSocket } from './ws.js';
import { createMetrics } from './metrics.js';
import type { TokenVerifier } from '../modules/auth/auth.tokens.js';

export const GRAPHQL_PATH = '/graphql';

export interface RunningServer {
  /** `http://host:port/graphql`; the same URL serves graphql-ws (ws://). */
  url: string;
  port: number;
  /** Stops accepting, finishes requests in flight, closes WebSockets (1001). Leaves the ORM open. */
  close(): Promise<void>;
}

/** Serves GraphQL over HTTP and graphql-ws on one port and path. */
export async function startServer(options: {
  orm: MikroORM;
  port: number;
  host?: string;
  introspection?: boolean;
  verifier?: TokenVerifier | null;
  corsOrigins?: string[];
  /** Abuse limits per operation, on both transports. */
  limits?: Limits;
  /** Per-identity rate limit (off when absent). */
  rateLimit?: RateLimit;
  /** Serve this schema instead of civgraph's own (tests that add probe resolvers). */
  schema?: GraphQLSchema;
}): Promise<RunningServer> {
  const schema = options.schema ?? (await civgraphSchema());
  const limits = options.limits ?? DEFAULT_LIMITS;
  const rateLimit = options.rateLimit ?? { perMinute: 0, burst: 0 };
  const httpServer = createServer();
  const verifier = options.verifier ?? null;
  const ws = attachWebSocket(httpServer, schema, options.orm, GRAPHQL_PATH, verifier, { limits, rateLimiter: new RateLimiter(rateLimit), introspection: options.introspection ?? true });
  const metrics = createMetrics(options.orm);
  const { app, apollo } = await createHttpApp({
    metrics,
    httpServer,
    schema,
    orm: options.orm,
    introspection: options.introspection ?? true,
    verifier,
    corsOrigins: options.corsOrigins ?? [],
    limits,
    rateLimiter: new RateLimiter(rateLimit),
    onDrain: () => ws.close(),
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
    port,
    close() {
      closing ??= apollo.stop();
      return closing;
    },
  };
}
