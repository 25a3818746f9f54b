import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** What `civgraph watch` needs. */
export interface WatchOptions {
  /** The GraphQL URL (http(s):// or ws(s)://); graphql-ws is served on the same path. */
  url: string;
  area: string;
  /** Resume after this cursor (from an earlier run's output). */
  after?: string;
  token?: string;
  /** Where event lines go (stdout) and where notices go (stderr). */
  out: (line: string) => void;
  notice: (line: string) => void;
  /** Stops watching (Ctrl-C). */
  signal?: AbortSignal;
  /** First and largest wait before reconnecting (ms). */
  retryMinMs?: number;
  retryMaxMs?: number;
}

const WATCH_QUERY = `subscription Watch($area: String!, $after: String) {
  progressUpdated(area: $area, after: $after) {
    cursor
    summary
    action
    occurredAt
    area { code shortName level parent { shortName level } }
  }
}`;

interface WatchedEvent {
  cursor: string;
  summary: string;
  action: string;
  occurredAt: string;
  area: { code: string; shortName: string; level: string; parent: { shortName: string; level: string } | null };
}

/** A refusal that reconnecting cannot fix. */
export class WatchRefused extends Error {}

const FATAL = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'GRAPHQL_VALIDATION_FAILED']);

const time = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** One readable line: local (Beijing) time, the area with its township, the summary, the cursor. */
export function formatWatchedEvent(event: WatchedEvent): string {
  const { area } = event;
  const place = area.level === 'VILLAGE' && area.parent ? `${area.parent.shortName}·${area.shortName}` : area.shortName;
  return `${time.format(new Date(event.occurredAt))}  ${place}  ${event.summary}  [${event.cursor}]`;
}

/**
 * Prints the progress updates of an area's subtree as they happen, over
 * graphql-ws. The cursor of the last printed event is kept in memory: after a
 * dropped connection it resubscribes with `after` set to it, so each event is
 * printed once, none missed (the client library's own retry would resubscribe
 * from the first cursor and repeat events, so reconnecting is done here).
 * Resolves with the last cursor when `signal` aborts; rejects with
 * {@link WatchRefused} when the server refuses the subscription.
 */
export async function watchProgress(options: WatchOptions): Promise<string | null> {
  const url = options.url.replace(/^http/, 'ws');
  const retryMin = options.retryMinMs ?? 500;
  const retryMax = options.retryMaxMs ?? 10_000;
  let cursor = options.after ?? null;
  let delay = retryMin;
  while (!options.signal?.aborted) {
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : undefined,
      retryAttempts: 0,
      lazy: true,
      // Pings from this side too: a half-open connection is noticed.
      keepAlive: 15_000,
    });
    let refused: string | null = null;
    const ended = await new Promise<string>((resolve) => {
      const stop = client.subscribe<{ progressUpdated: WatchedEvent }>(
        { query: WATCH_QUERY, variables: { area: options.area, after: cursor } },
        {
          next: (result) => {
            if (result.errors?.length) {
              const error = result.errors[0];
              const code = String(error.extensions?.code ?? '');
              if (FATAL.has(code)) refused = `${code}: ${error.message}`;
              else options.notice(`error: ${error.message}`);
              return;
            }
            const event = result.data!.progressUpdated;
            cursor = event.cursor;
            delay = retryMin;
            options.out(formatWatchedEvent(event));
          },
          error: (error) => {
            const errors = Array.isArray(error) ? (error as { message: string; extensions?: { code?: string } }[]) : null;
            if (errors?.length) refused = `${errors[0].extensions?.code ?? 'ERROR'}: ${errors[0].message}`;
            resolve(error instanceof Error ? error.message : (error as { reason?: string })?.reason || 'connection closed');
          },
          complete: () => resolve('the server ended the subscription'),
        },
      );
      options.signal?.addEventListener('abort', () => {
        stop();
        resolve('stopped');
      });
    });
    await client.dispose();
    if (refused) throw new WatchRefused(refused);
    if (options.signal?.aborted) break;
    options.notice(`connection lost (${ended}); resuming${cursor ? ` after ${cursor}` : ''} in ${(delay / 1000).toFixed(1)} s`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, retryMax);
  }
  return cursor;
}
