import type { MikroORM } from '@mikro-orm/postgresql';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Histogram } from 'prom-client';
import { badInput } from '../../common/errors.js';
import { log } from '../../common/log.js';
import { sqlFor } from '../../db/sql.js';
import { PROGRESS_COLUMNS, progressUpdateFromRow, type ProgressUpdate, type ProgressUpdateRow } from './progress.entity.js';
import { mayDeliver, scopeKey, type ProgressFeed, type ProgressScope } from './progress.rules.js';
import { PROGRESS_CHANNEL } from './progress.outbox.js';
import type { Viewer } from '../../auth/auth.rules.js';
import { Subscriber } from './progress.subscriber.js';
import type { ServerService, ServiceDeps } from '../../feature.js';

/** Tunables of a {@link ProgressHub}; the defaults suit production. */
export interface ProgressHubOptions {
  /** Rows read per scope per statement; a replay longer than this is read in several. */
  batchSize?: number;
  /** Safety net: how often the committed head is compared with what was read (ms). */
  pollMs?: number;
  /** First and largest delay between attempts to re-LISTEN after the connection drops (ms). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Events queued for one subscriber that has not taken them; beyond it the subscription ends with an error. */
  maxQueued?: number;
}

/** Counters for tests and the benchmark. */
export interface ProgressHubStats {
  notifications: number;
  /** Statements that read events (one per wake-up, however many scopes and subscribers). */
  reads: number;
  /** Events handed to subscribers. */
  delivered: number;
  reconnects: number;
  subscribers: number;
  scopes: number;
}

interface ScopeGroup {
  scope: ProgressScope;
  subscribers: Set<Subscriber>;
}

type HubRow = ProgressUpdateRow & { idx: number; horizon: string; newest: string | null; fetched: number };

/**
 * Live fan-out of the progress stream inside one process.
 *
 * One dedicated PostgreSQL connection LISTENs on {@link PROGRESS_CHANNEL}. A
 * notification carries only a sequence number and is used only as a hint that
 * something newer than what was read has committed: the events themselves are
 * always read from `progress_update`, with a fresh EntityManager fork, filtered
 * in SQL by each scope's code range and kinds, and checked again per subscriber
 * against the viewer's own subtree.
 *
 * Subscribers with the same scope share a group; one wake-up reads every group
 * that is behind in ONE statement (a lateral join over the groups), so N
 * subscribers of the same subtree cost one row set, not N queries, and a burst
 * of notifications while a read runs is coalesced into one more read.
 *
 * The process holds no state that matters: each subscriber's position is its
 * last cursor, and a client that reconnects anywhere resumes from it. When the
 * LISTEN connection drops, the hub reconnects with backoff and then reads every
 * group from its position, so notifications lost meanwhile lose no events.
 */
export class ProgressHub implements ProgressFeed {
  private readonly options: Required<ProgressHubOptions>;
  private readonly groups = new Map<string, ScopeGroup>();
  private listener: pg.Client | null = null;
  /** Highest sequence known to be committed; null when unknown (start, after a reconnect). */
  private knownHead: bigint | null = null;
  private dirty = false;
  private pumping: Promise<void> | null = null;
  private stopped = false;
  private reconnectDelay: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  readonly stats: ProgressHubStats = { notifications: 0, reads: 0, delivered: 0, reconnects: 0, subscribers: 0, scopes: 0 };
  /** Called with each delivery's lag (seconds from the event's time to its hand-over); the server wires it to Prometheus. */
  onDelivered: ((lagSeconds: number) => void) | null = null;

  constructor(
    private readonly orm: MikroORM,
    private readonly databaseUrl: string,
    options: ProgressHubOptions = {},
  ) {
    this.options = { batchSize: 500, pollMs: 5_000, reconnectMinMs: 100, reconnectMaxMs: 5_000, maxQueued: 10_000, ...options };
    this.reconnectDelay = this.options.reconnectMinMs;
  }

  /** Connects the LISTEN connection; resolves once it listens. */
  async start(): Promise<void> {
    await this.listen();
    this.pollTimer = setInterval(() => void this.poll(), this.options.pollMs);
    this.pollTimer.unref();
  }

  /** Ends every subscription and the LISTEN connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [this.reconnectTimer, this.pollTimer, this.retryTimer]) if (timer) clearTimeout(timer);
    for (const group of this.groups.values()) for (const subscriber of group.subscribers) void subscriber.return();
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.pumping;
  }

  /** Backend pid of the LISTEN connection (tests terminate it to prove recovery). */
  get listenerPid(): number | null {
    return (this.listener as unknown as { processID?: number } | null)?.processID ?? null;
  }

  /**
   * A live stream of the events in `scope` that `viewer` may see, in sequence
   * order, starting after `after` (replayed from the table first) or, without
   * it, after the last event committed now. Replay and live delivery are one
   * path — reads of `sequence > position` — so the seam has no gap and no
   * duplicate.
   */
  async subscribe(viewer: Viewer, scope: ProgressScope, after: bigint | null): Promise<AsyncGenerator<ProgressUpdate, undefined>> {
    if (this.stopped) throw new Error('The progress hub is stopped');
    const head = await this.committedHead();
    if (after !== null && after > head) throw badInput('after', `Cursor ${after} is beyond the last committed update (${head})`);
    this.raiseHead(head);
    const key = scopeKey(scope);
    let group = this.groups.get(key);
    if (!group) {
      group = { scope, subscribers: new Set() };
      this.groups.set(key, group);
    }
    const subscriber = new Subscriber(viewer, scope, after ?? head, (s) => this.remove(key, s), this.options.maxQueued);
    group.subscribers.add(subscriber);
    this.stats.subscribers++;
    this.stats.scopes = this.groups.size;
    // A subscriber at the head has nothing to read until the next notification.
    if (this.knownHead === null || subscriber.position < this.knownHead) this.wake();
    return subscriber;
  }

  private remove(key: string, subscriber: Subscriber): void {
    const group = this.groups.get(key);
    if (!group?.subscribers.delete(subscriber)) return;
    this.stats.subscribers--;
    if (!group.subscribers.size) this.groups.delete(key);
    this.stats.scopes = this.groups.size;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'civgraph-progress-listener' });
    client.on('notification', (message) => {
      this.stats.notifications++;
      if (message.payload && /^\d+$/.test(message.payload)) this.raiseHead(BigInt(message.payload));
      else this.knownHead = null;
      this.wake();
    });
    const dropped = (error?: unknown) => {
      if (this.listener !== client) return;
      this.listener = null;
      log.warn({ err: error }, 'progress listener connection lost; reconnecting');
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', dropped);
    client.on('end', () => dropped());
    await client.connect();
    await client.query(`listen ${PROGRESS_CHANNEL}`);
    if (this.stopped) {
      await client.end();
      return;
    }
    this.listener = client;
    this.reconnectDelay = this.options.reconnectMinMs;
    // Whatever was announced while nobody listened is in the table: read it all.
    this.knownHead = null;
    this.wake();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.options.reconnectMaxMs);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.stats.reconnects++;
      this.listen().catch((error: unknown) => {
        log.warn({ err: error, retryInMs: this.reconnectDelay }, 'progress listener could not reconnect');
        this.scheduleReconnect();
      });
    }, delay);
    this.reconnectTimer.unref();
  }

  private async committedHead(): Promise<bigint> {
    const [row] = await sqlFor(this.orm.em.fork())<{ value: string }>('select value::text as value from event_sequence');
    return BigInt(row.value);
  }

  /** Belt and braces: a notification lost without the connection dropping still gets read. */
  private async poll(): Promise<void> {
    if (this.stopped || !this.groups.size) return;
    try {
      const head = await this.committedHead();
      if (this.knownHead === null || head > this.knownHead) {
        this.raiseHead(head);
        this.wake();
      }
    } catch (error) {
      log.warn({ err: error }, 'progress poll failed');
    }
  }

  private raiseHead(sequence: bigint): void {
    if (this.knownHead !== null && sequence > this.knownHead) this.knownHead = sequence;
  }

  private wake(): void {
    this.dirty = true;
    if (this.pumping || this.stopped) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.dirty && !this.stopped) this.wake();
    });
  }

  private async pump(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        await this.readOnce();
      } catch (error) {
        log.error({ err: error }, 'reading progress updates failed; retrying');
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = null;
          this.wake();
        }, 1_000);
        return;
      }
    }
  }

  /**
   * One pass: subscribers near the head ("live") are read in one statement, and
   * any far behind (replaying an old cursor) in a second, so a long replay never
   * holds up live delivery to the others.
   */
  private async readOnce(): Promise<void> {
    const head = this.knownHead;
    const threshold = head === null ? null : head - BigInt(this.options.batchSize);
    const live: WorkItem[] = [];
    const behind: WorkItem[] = [];
    // Only the subscribers present now: one that joins during the read is read for on the next pass.
    for (const group of this.groups.values()) {
      const near: Subscriber[] = [];
      const far: Subscriber[] = [];
      for (const subscriber of group.subscribers) {
        if (head !== null && subscriber.position >= head) continue;
        (threshold === null || subscriber.position >= threshold ? near : far).push(subscriber);
      }
      if (near.length) live.push(workItem(group, near));
      if (far.length) behind.push(workItem(group, far));
    }
    if (live.length) await this.read(live);
    if (behind.length) await this.read(behind);
  }

  /**
   * Reads, in ONE statement, the events after the lowest position among `items`
   * (by primary key: cheap however wide the scopes and long the history), joined
   * in SQL to each item's scope, together with the committed head of the same
   * snapshot; then hands each subscriber the rows above its own position.
   */
  private async read(items: WorkItem[]): Promise<void> {
    const limit = this.options.batchSize;
    const from = items.reduce((min, item) => (item.from < min ? item.from : min), items[0].from);
    const started = performance.now();
    const rows = await sqlFor(this.orm.em.fork())<HubRow>(
      `with fresh as materialized (
         select ${PROGRESS_COLUMNS}, p.sequence as seq from progress_update p
          -- p.sequence: the bare name would sort by the text column of the same name
          where p.sequence > ?::bigint order by p.sequence limit ?),
       newest as (select max(seq)::text as seq, count(*)::int as n from fresh)
       select s.idx, (select value from event_sequence)::text as horizon, newest.seq as newest, newest.n as fetched, e.*
         from unnest(?::int[], ?::text[], ?::text[], ?::text[], ?::bigint[]) as s(idx, lo, hi, kinds, after)
         cross join newest
         left join fresh e
           on e.seq > s.after
          and e.area_code between s.lo and s.hi
          and (s.kinds is null or e.subject_kind = any(string_to_array(s.kinds, ',')))
        order by s.idx, e.seq`,
      [
        from.toString(),
        limit,
        items.map((_, index) => index),
        items.map((item) => item.group.scope.lo),
        items.map((item) => item.group.scope.hi),
        items.map((item) => item.group.scope.kinds?.join(',') ?? null),
        items.map((item) => item.from.toString()),
      ],
    );
    this.stats.reads++;
    const ms = performance.now() - started;
    if (ms > 100) log.warn({ ms: Math.round(ms), scopes: items.length, rows: rows.length }, 'slow progress read');
    if (!rows.length) return;
    const { horizon: horizonText, newest, fetched } = rows[0];
    const horizon = BigInt(horizonText);
    if (this.knownHead === null || horizon > this.knownHead) this.knownHead = horizon;
    // Everything up to `covered` was in this snapshot: the horizon, unless the batch was cut short.
    const complete = fetched < limit;
    const covered = complete ? horizon : BigInt(newest!);
    if (!complete) this.dirty = true;
    const byItem = new Map<number, ProgressUpdate[]>();
    for (const row of rows) {
      let list = byItem.get(row.idx);
      if (!list) byItem.set(row.idx, (list = []));
      if (row.sequence !== null) list.push(progressUpdateFromRow(row));
    }
    items.forEach(({ group, members }, index) => {
      const updates = byItem.get(index) ?? [];
      // Parsed once per event, not once per subscriber.
      const sequences = updates.map((update) => BigInt(update.sequence));
      for (const subscriber of members) {
        if (subscriber.closed) continue;
        for (let i = 0; i < updates.length; i++) {
          const update = updates[i];
          const sequence = sequences[i];
          if (sequence <= subscriber.position) continue;
          subscriber.position = sequence;
          if (!mayDeliver(subscriber.viewer, group.scope, update.areaCode, update.subjectKind)) continue;
          subscriber.push(update);
          this.stats.delivered++;
          this.onDelivered?.((Date.now() - update.occurredAt.getTime()) / 1000);
        }
        // Sequence is commit order: nothing at or below `covered` can still appear.
        if (covered > subscriber.position) subscriber.position = covered;
      }
    });
  }
}

interface WorkItem {
  group: ScopeGroup;
  members: Subscriber[];
  /** Lowest position among the members. */
  from: bigint;
}

function workItem(group: ScopeGroup, members: Subscriber[]): WorkItem {
  return { group, members, from: members.reduce((min, s) => (s.position < min ? s.position : min), members[0].position) };
}

/**
 * The hub as a server service (the progress manifest's `services`): each server
 * runs one, carried by its graphql-ws and SSE contexts as `progressFeed`, and
 * each delivery's lag is recorded in `civgraph_event_delivery_lag_seconds`.
 */
export function progressHubService({ orm, metrics }: ServiceDeps): ServerService {
  const hub = new ProgressHub(orm, orm.config.get('clientUrl'));
  const deliveryLag = new Histogram({
    name: 'civgraph_event_delivery_lag_seconds',
    help: "Time from an event's commit to its delivery to a subscriber.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics],
  });
  hub.onDelivered = (lag) => deliveryLag.observe(Math.max(0, lag));
  return { extensions: { progressFeed: hub }, start: () => hub.start(), stop: () => hub.stop() };
}
