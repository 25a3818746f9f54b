import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import { civgraphSchema } from '../graphql/schema.js';
import { createHttpApp } from './http.js';
import { attachWebSocket, type WebSocketOptions } from './ws.js';
import { SSE_PATH, sseHandler } from './sse.js';
import { acquireProgressHub, releaseProgressHub, type ProgressHubOptions } from '../modules/progress/progress.hub.js';
import type { TokenVerifier } from '../modules/auth/auth.tokens.js';

export const GRAPHQL_PATH = '/graphql';

export interface RunningServer {
  /** `http://host:port/graphql`; the same URL serves graphql-ws (ws://). */
  url: string;
  /** `http://host:port/graphql/stream`: the same operations over Server-Sent Events (graphql-sse). */
  sseUrl: string;
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
  /** Keep-alive interval and subscription cap of graphql-ws. */
  webSocket?: WebSocketOptions;
  /** Tunables of the live progress fan-out (shared by every server on the same ORM). */
  progressHub?: ProgressHubOptions;
}): Promise<RunningServer> {
  const schema = await civgraphSchema();
  const httpServer = createServer();
  const verifier = options.verifier ?? null;
  // One LISTEN connection per process wakes every subscription of this process.
  await acquireProgressHub(options.orm, options.progressHub);
  const ws = attachWebSocket(httpServer, schema, options.orm, GRAPHQL_PATH, verifier, options.webSocket);
  const sse = sseHandler(schema, options.orm, verifier);
  const { app, apollo } = await createHttpApp({
    httpServer,
    schema,
    orm: options.orm,
    introspection: options.introspection ?? true,
    verifier,
    corsOrigins: options.corsOrigins ?? [],
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
    close() {
      closing ??= apollo.stop().then(() => releaseProgressHub(options.orm));
      return closing;
    },
  };
}
