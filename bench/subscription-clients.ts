/**
 * One thread of the subscription benchmark's clients: real graphql-ws clients,
 * each subscribed to one area, that time every delivery on the machine's wall
 * clock (`performance.timeOrigin + performance.now()`, comparable across
 * threads). The benchmark spreads its subscribers over a few of these threads,
 * as they are spread over many browsers in use: one event loop reading 10,000
 * sockets adds its own queue to every delivery's latency.
 *
 * Messages from the benchmark, each answered once (see {@link Request}).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface ClientsSetup {
  url: string;
  token: string;
  query: string;
  areas: string[];
  /** The head when the run began: each subscription starts after it. */
  start: string;
}

export type Request =
  /** Connect and subscribe every client (250 at a time); answered when all are connected. */
  | { type: 'connect' }
  /** Answered once every client has received `sequence` or a later one, or after `timeoutMs`. */
  | { type: 'reach'; sequence: string; timeoutMs: number }
  /** From now on, record deliveries of events above `after`. */
  | { type: 'measure'; after: string }
  /** Answered with how many deliveries of the measured events arrived. */
  | { type: 'count' }
  /** Answered with the {@link ClientsReport} against the measured events' areas (sequence → area). */
  | { type: 'report'; areas: [string, string][] }
  /** Disposes every client; answered when done. */
  | { type: 'close' };

export interface ClientsReport {
  /** sequence → wall-clock receive times (ms) */
  received: [string, number[]][];
  lost: number;
  duplicated: number;
  misdelivered: number;
  outOfOrder: number;
  errors: number;
  firstError: string;
}

interface Subscription {
  area: string;
  /** sequence → times received (measured events only) */
  got: Map<string, number>;
  last: bigint;
  outOfOrder: number;
}

const COUNTY = '511921000000';

/** Whether a subscriber of `area` (the county, a township or a village) should get an event in `eventArea`. */
export function expectedFor(area: string, eventArea: string): boolean {
  return area === COUNTY || (area.endsWith('000') && eventArea.startsWith(area.slice(0, 9))) || area === eventArea;
}

const now = () => performance.timeOrigin + performance.now();

if (parentPort) {
  const port = parentPort;
  const setup = workerData as ClientsSetup;
  const subscriptions: Subscription[] = setup.areas.map((area) => ({ area, got: new Map(), last: BigInt(setup.start), outOfOrder: 0 }));
  const received = new Map<string, number[]>();
  const clients: Client[] = [];
  let measuredAfter: bigint | null = null;
  let deliveries = 0;
  let errors = 0;
  let firstError = '';

  const subscribe = (subscription: Subscription) =>
    new Promise<void>((resolve) => {
      const client = createClient({
        url: setup.url,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${setup.token}` },
        retryAttempts: 0,
        lazy: false,
        on: { connected: () => resolve() },
      });
      clients.push(client);
      client.subscribe<{ progressUpdated: { sequence: string } }>(
        { query: setup.query, variables: { area: subscription.area, after: setup.start } },
        {
          next: (value) => {
            const at = now();
            if (!value.data) {
              errors++;
              return;
            }
            const { sequence } = value.data.progressUpdated;
            const s = BigInt(sequence);
            if (s <= subscription.last) subscription.outOfOrder++;
            subscription.last = s;
            // Warm-up deliveries only move the position: no bookkeeping for events not measured.
            if (measuredAfter === null || s <= measuredAfter) return;
            subscription.got.set(sequence, (subscription.got.get(sequence) ?? 0) + 1);
            let times = received.get(sequence);
            if (!times) received.set(sequence, (times = []));
            times.push(at);
            deliveries++;
          },
          error: (error: unknown) => {
            if (!errors++)
              firstError =
                error && typeof error === 'object' && 'code' in error
                  ? `closed ${String(error.code)} ${String((error as { reason?: string }).reason ?? '')}`
                  : String(error);
          },
          complete: () => undefined,
        },
      );
    });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const answer = async (request: Request): Promise<unknown> => {
    switch (request.type) {
      case 'connect':
        for (let i = 0; i < subscriptions.length; i += 250) await Promise.all(subscriptions.slice(i, i + 250).map(subscribe));
        return null;
      case 'reach': {
        const target = BigInt(request.sequence);
        const deadline = Date.now() + request.timeoutMs;
        while (subscriptions.some((s) => s.last < target) && Date.now() < deadline) await sleep(50);
        return null;
      }
      case 'measure':
        measuredAfter = BigInt(request.after);
        return null;
      case 'count':
        return deliveries;
      case 'report': {
        const report: ClientsReport = { received: [...received], lost: 0, duplicated: 0, misdelivered: 0, outOfOrder: 0, errors, firstError };
        for (const s of subscriptions) {
          report.outOfOrder += s.outOfOrder;
          for (const [sequence, area] of request.areas) {
            const times = s.got.get(sequence) ?? 0;
            if (expectedFor(s.area, area)) {
              if (times === 0) report.lost++;
              if (times > 1) report.duplicated += times - 1;
            } else if (times > 0) report.misdelivered += times;
          }
        }
        return report;
      }
      case 'close':
        await Promise.all(clients.map((client) => client.dispose()));
        return null;
    }
  };

  port.on('message', (request: Request) => {
    void answer(request).then((value) => port.postMessage(value));
  });
}
