import type { Server } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createContext } from '../graphql/context.js';
import { formatError, isUnexpected } from '../graphql/errors.js';
import { log } from '../common/log.js';

/**
 * graphql-ws on the same path as HTTP. Each operation (query, mutation or
 * subscription) gets its own context, built exactly as for HTTP.
 */
export function attachWebSocket(httpServer: Server, schema: GraphQLSchema, orm: MikroORM, path: string) {
  const wsServer = new WebSocketServer({ server: httpServer, path });
  const disposable = useServer(
    {
      schema,
      context: () => createContext(orm),
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return result;
        const requestId = (args.contextValue as { requestId?: string } | undefined)?.requestId;
        return {
          ...result,
          errors: result.errors.map((error) => {
            if (isUnexpected(error)) log.error({ err: error.originalError ?? error, requestId }, 'unexpected error');
            const formatted = formatError(error.toJSON(), error);
            return formatted.extensions?.code === 'INTERNAL_SERVER_ERROR'
              ? { ...formatted, extensions: { ...formatted.extensions, requestId } }
              : formatted;
          }),
        };
      },
    },
    wsServer,
  );
  return {
    wsServer,
    /** Closes every socket with 1001 (going away) so clients reconnect elsewhere. */
    async close() {
      await disposable.dispose();
    },
  };
}
