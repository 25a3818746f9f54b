import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { log } from '../common/log.js';

/** What graphql-ws's server hands every hook as `ctx.extra`, as its own `ws` binding does. */
export interface SocketExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/** graphql-ws's words for a message type a server never takes from a client (connection_ack, next, error). */
const UNEXPECTED_MESSAGE = /^Unexpected message of type \S+ received$/;

/**
 * graphql-ws closes the socket (4400) for a `subscribe` message without a string `query`
 * before any hook runs. One that names a trusted document by hash alone
 * (`extensions.persistedQuery` or `documentId`) gets `query: ""` here, which onSubscribe
 * (ws.ts) replaces with the registered text; every other message passes unchanged (and
 * unparsed unless it mentions a hash).
 */
export function withQueryPlaceholder(text: string): string {
  if (!text.includes('persistedQuery') && !text.includes('documentId')) return text;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return text;
  }
  if (!message || typeof message !== 'object') return text;
  const { type, payload } = message as { type?: unknown; payload?: unknown };
  if (type !== 'subscribe' || !payload || typeof payload !== 'object' || 'query' in payload) return text;
  const { extensions, documentId } = payload as { extensions?: unknown; documentId?: unknown };
  const byHash = documentId !== undefined || Boolean(extensions && typeof extensions === 'object' && 'persistedQuery' in extensions);
  return byHash ? JSON.stringify({ ...message, payload: { ...payload, query: '' } }) : text;
}

/**
 * graphql-ws on a `ws` server: what `graphql-ws/use/ws`'s `useServer` does, with
 * the two differences a public server needs.
 *
 * - A client that sends a message of a type only a server sends (`connection_ack`,
 *   `next`, `error`) is a bad client: closed with 4400, as for any other invalid
 *   message. useServer closes it with 4500 "Internal server error", as if civgraph had failed.
 * - Anything else that throws while a message is handled is a server fault: logged
 *   through civgraph's log (useServer writes to console.error, outside the log) and the
 *   socket closed with 4500 and no detail.
 *
 * It sends no pings of its own (civgraph's keep-alive is in ws.ts), like
 * `useServer(options, ws, 0)`.
 */
export function serveGraphqlWs<P extends Record<string, unknown> | undefined, E extends Record<PropertyKey, unknown>>(
  options: ServerOptions<P, SocketExtra & Partial<E>>,
  wsServer: WebSocketServer,
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  wsServer.options.handleProtocols = handleProtocols;
  wsServer.on('error', (error) => log.error({ err: error }, 'WebSocket server error'));
  wsServer.on('connection', (socket, request) => {
    // A malformed frame or an oversized message: `ws` closes the socket itself (1002, 1009).
    socket.on('error', (error) => log.debug({ err: error }, 'WebSocket closed for a protocol error'));
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            try {
              await handle(withQueryPlaceholder(String(data)));
            } catch (error) {
              const message = error instanceof Error ? error.message : String(error);
              if (UNEXPECTED_MESSAGE.test(message)) {
                socket.close(CloseCode.BadRequest, message);
                return;
              }
              log.error({ err: error }, 'graphql-ws failed to handle a message');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request } as SocketExtra & Partial<E>,
    );
    socket.once('close', (code, reason) => void closed(code, String(reason)));
  });
  return {
    /** Closes every socket with 1001 (going away) and the server. */
    async dispose() {
      for (const client of wsServer.clients) client.close(1001, 'Going away');
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) => wsServer.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
