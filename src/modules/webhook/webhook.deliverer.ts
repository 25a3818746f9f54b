import { randomUUID } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { codeRange } from '../../common/codes.js';
import { log } from '../../common/log.js';
import type { ServerService, ServiceDeps } from '../../feature.js';
import type { Role, Viewer } from '../../auth/auth.rules.js';
import { PROGRESS_COLUMNS, progressUpdateFromRow, type ProgressUpdateRow, type SubjectKind } from '../progress/progress.entity.js';
import { progressScope } from '../progress/progress.rules.js';
import {
  DELIVERY_HEADER,
  deliveryId,
  isPrivateAddress,
  mayReceive,
  retryDelayMs,
  SIGNATURE_HEADER,
  signatureHeader,
  webhookBody,
  webhookOptionsFrom,
  type WebhookOptions,
} from './webhook.rules.js';

/** Webhooks worked at once by one deliverer (each in order; a slow receiver holds up only its own). */
const MAX_IN_FLIGHT = 8;
/** Events read per webhook per turn. */
const BATCH = 50;

interface ClaimedWebhook {
  id: string;
  url: string;
  secret: string;
  area_code: string;
  event_kinds: SubjectKind[];
  owner_sub: string;
  owner_name: string;
  owner_role: Role;
  owner_area_code: string;
  cursor: string;
  failed_attempts: number;
}

/** The outcome of one POST. */
interface Attempt {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * Delivers progress events to webhooks, from the stored stream: each webhook's
 * `cursor` is the last sequence dealt with, and the events after it (of its kinds
 * in its subtree, that its registrant may read) are POSTed one at a time, in
 * order. A failure stops that webhook until its next attempt (exponential
 * backoff with jitter); the same event, with the same delivery id, is sent again.
 * Nothing lives only in memory: a restart resumes from the cursors.
 *
 * Writers never wait for it: they only append events (progress.outbox.ts). It
 * polls (every `pollMs`) on a small connection pool of its own, off the ORM's,
 * and claims each webhook with a lease (`lease_owner`, `lease_until`) so that
 * several servers on one database never deliver the same webhook at once.
 */
export class WebhookDeliverer {
  private readonly owner = randomUUID();
  private readonly leaseMs: number;
  private pool: pg.Pool | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private readonly inFlight = new Map<string, { done: Promise<void>; abort: AbortController }>();
  /** Counters for tests. */
  readonly stats = { ticks: 0, attempts: 0, delivered: 0, failed: 0 };

  constructor(
    private readonly databaseUrl: string,
    readonly options: WebhookOptions,
  ) {
    this.leaseMs = options.timeoutMs * 2 + 30_000;
  }

  start(): Promise<void> {
    this.pool = new pg.Pool({ connectionString: this.databaseUrl, max: 3, application_name: 'civgraph-webhooks', idleTimeoutMillis: 30_000 });
    this.pool.on('error', (error) => log.warn({ err: error }, 'webhook deliverer: idle connection lost'));
    this.schedule(0);
    return Promise.resolve();
  }

  /** Stops polling, aborts the POSTs in flight (their webhooks are released for the next start) and closes the pool. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const { abort } of this.inFlight.values()) abort.abort();
    await this.ticking;
    await Promise.all([...this.inFlight.values()].map(({ done }) => done));
    await this.pool?.end().catch(() => undefined);
  }

  /** Looks for due work now (tests; the poll does it anyway). */
  wake(): void {
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.ticking) return this.schedule(this.options.pollMs);
      this.ticking = this.tick().finally(() => {
        this.ticking = null;
        this.schedule(this.options.pollMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async query<T>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool!.query(text, params)).rows as T[];
  }

  /** Claims the due webhooks (not leased, enabled, behind the head, retry time reached) and works each on its own. */
  private async tick(): Promise<void> {
    this.stats.ticks++;
    const room = MAX_IN_FLIGHT - this.inFlight.size;
    if (room <= 0 || this.stopped) return;
    let claimed: ClaimedWebhook[];
    try {
      claimed = await this.query<ClaimedWebhook>(
        `with due as (
           select id from webhook
            where enabled and cursor < (select value from event_sequence)
              and (lease_until is null or lease_until < now())
              and (next_attempt_at is null or next_attempt_at <= now())
            order by next_attempt_at nulls first, id
            limit $2
            for update skip locked)
         update webhook w set lease_owner = $1, lease_until = now() + make_interval(secs => $3::float8 / 1000)
           from due where w.id = due.id
         returning w.id::text as id, w.url, w.secret, w.area_code, w.event_kinds::text[] as event_kinds, w.owner_sub, w.owner_name,
                   w.owner_role, w.owner_area_code, w.cursor::text as cursor, w.failed_attempts`,
        [this.owner, room, this.leaseMs],
      );
    } catch (error) {
      log.warn({ err: error }, 'webhook deliverer: could not read due webhooks');
      return;
    }
    for (const webhook of claimed) {
      const abort = new AbortController();
      const done = this.work(webhook, abort.signal)
        .catch((error: unknown) => log.error({ err: error, webhook: webhook.id }, 'webhook deliverer: a webhook failed unexpectedly'))
        .finally(() => {
          this.inFlight.delete(webhook.id);
          // A webhook with more to send, or a free slot, is worth another look at once.
          this.schedule(0);
        });
      this.inFlight.set(webhook.id, { done, abort });
    }
  }

  /** Sends one webhook the events after its cursor, in order, until one fails or the batch ends; then releases it. */
  private async work(webhook: ClaimedWebhook, signal: AbortSignal): Promise<void> {
    const owner: Viewer = { sub: webhook.owner_sub, name: webhook.owner_name, role: webhook.owner_role, areaCode: webhook.owner_area_code };
    const scope = progressScope(webhook.area_code, codeRange(webhook.area_code), true, webhook.event_kinds);
    // The head first: every event at or below it has committed (sequence order is commit order), so the read below sees them all.
    const [{ head }] = await this.query<{ head: string }>('select value::text as head from event_sequence');
    const rows = await this.query<ProgressUpdateRow>(
      `select ${PROGRESS_COLUMNS} from progress_update p
        where p.sequence > $1::bigint and p.sequence <= $2::bigint and p.area_code between $3 and $4 and p.subject_kind = any($5::text[])
        order by p.sequence limit $6`,
      [webhook.cursor, head, scope.lo, scope.hi, scope.kinds, BATCH],
    );
    let failures = webhook.failed_attempts;
    for (const row of rows) {
      const event = progressUpdateFromRow(row);
      if (!mayReceive(owner, scope, event)) continue;
      if (this.stopped) return this.release(webhook.id, null);
      const body = JSON.stringify(webhookBody(webhook.id, event));
      const id = deliveryId(webhook.id, event.sequence);
      const attempt = await this.post(webhook.url, webhook.secret, id, body, signal);
      if (this.stopped && !attempt.ok) return this.release(webhook.id, null);
      this.stats.attempts++;
      const retryAt = attempt.ok ? null : retryDelayMs(failures + 1, this.options.retryBaseMs, this.options.retryMaxMs);
      const [state] = await this.query<{ updated: number }>(
        `with attempt as (
           insert into webhook_delivery (webhook_id, delivery_id, event_sequence, attempt, ok, status_code, error, duration_ms)
           select $1::bigint, $2, $3::bigint, $4, $5, $6, $7, $8 where exists (select 1 from webhook where id = $1::bigint)),
         state as (
           update webhook set
             last_attempt_at = now(),
             cursor = case when $5 then greatest(cursor, $3::bigint) else cursor end,
             delivered_count = delivered_count + case when $5 then 1 else 0 end,
             last_success_at = case when $5 then now() else last_success_at end,
             failing_since = case when $5 then null else coalesce(failing_since, now()) end,
             failed_attempts = case when $5 then 0 else failed_attempts + 1 end,
             last_error = case when $5 then null else $7 end,
             next_attempt_at = case when $5 then null else now() + make_interval(secs => $9::float8 / 1000) end,
             lease_until = case when $5 then now() + make_interval(secs => $10::float8 / 1000) else null end,
             lease_owner = case when $5 then lease_owner else null end
           where id = $1::bigint and lease_owner = $11 and enabled
           returning id)
         select count(*)::int as updated from state`,
        [
          webhook.id,
          id,
          event.sequence,
          failures + 1,
          attempt.ok,
          attempt.statusCode,
          attempt.error,
          attempt.durationMs,
          retryAt ?? 0,
          this.leaseMs,
          this.owner,
        ],
      );
      await this.prune(webhook.id);
      if (attempt.ok) this.stats.delivered++;
      else {
        this.stats.failed++;
        log.info({ webhook: webhook.id, delivery: id, error: attempt.error, retryInMs: retryAt }, 'webhook delivery failed');
      }
      // Disabled, deleted or leased elsewhere meanwhile: stop here.
      if (!state.updated) return this.release(webhook.id, null);
      // A failure released the webhook until its next attempt.
      if (!attempt.ok) return;
      failures = 0;
    }
    // Everything read was delivered or not this webhook's: move past it (to the head when the batch was not full).
    const covered = rows.length < BATCH ? head : rows[rows.length - 1].sequence;
    await this.release(webhook.id, covered);
  }

  /** Ends the lease; with `covered`, moves the cursor up to it (never back). */
  private async release(id: string, covered: string | null): Promise<void> {
    await this.query(
      `update webhook set lease_owner = null, lease_until = null, cursor = case when $3::bigint is null then cursor else greatest(cursor, $3::bigint) end
        where id = $1::bigint and lease_owner = $2`,
      [id, this.owner, covered],
    );
  }

  /** Keeps the newest `keepAttempts` attempts of a webhook. */
  private async prune(id: string): Promise<void> {
    await this.query(
      `delete from webhook_delivery where webhook_id = $1::bigint
          and id <= (select id from webhook_delivery where webhook_id = $1::bigint order by id desc offset $2 limit 1)`,
      [id, this.options.keepAttempts],
    );
  }

  /** One signed POST; never throws. */
  private post(url: string, secret: string, id: string, body: string, signal: AbortSignal): Promise<Attempt> {
    const started = performance.now();
    const finish = (ok: boolean, statusCode: number | null, error: string | null): Attempt => ({
      ok,
      statusCode,
      error: error && error.slice(0, 500),
      durationMs: Math.round(performance.now() - started),
    });
    return new Promise<Attempt>((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return resolve(finish(false, null, '网址无效'));
      }
      const host = target.hostname.replace(/^\[|\]$/g, '');
      if (!this.options.allowPrivate && isIP(host) && isPrivateAddress(host)) return resolve(finish(false, null, '拒绝:内网或本机地址'));
      const timestamp = Math.floor(Date.now() / 1000);
      const client = target.protocol === 'https:' ? https : http;
      let settled = false;
      const settle = (attempt: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(attempt);
      };
      const request = client.request(
        target,
        {
          method: 'POST',
          agent: false,
          signal,
          lookup: this.options.allowPrivate ? undefined : guardedLookup,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'civgraph-webhooks/1',
            [SIGNATURE_HEADER]: signatureHeader(secret, timestamp, body),
            [DELIVERY_HEADER]: id,
          },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          response.resume();
          response.on('error', () => undefined);
          settle(status >= 200 && status < 300 ? finish(true, status, null) : finish(false, status, `HTTP ${status}`));
        },
      );
      const timer = setTimeout(() => {
        settle(finish(false, null, `超时(${this.options.timeoutMs} ms 内无应答)`));
        request.destroy();
      }, this.options.timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => settle(finish(false, null, `连接失败:${error.code ?? error.message}`)));
      request.end(body);
    });
  }
}

/** DNS lookup that refuses names resolving to a private, loopback or link-local address (checked at each connection: no rebinding). */
function guardedLookup(
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((entry) => isPrivateAddress(entry.address));
    if (refused) {
      const denied: NodeJS.ErrnoException = new Error(`${hostname} resolves to a private address (${refused.address})`);
      denied.code = 'EPRIVATEADDRESS';
      return callback(denied, []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

/** The deliverer as a server service (the webhook manifest's `services`): each server runs one. */
export function webhookDelivererService({ orm }: ServiceDeps): ServerService {
  const deliverer = new WebhookDeliverer(orm.config.get('clientUrl'), webhookOptionsFrom(process.env));
  return { extensions: { webhookDeliverer: deliverer }, start: () => deliverer.start(), stop: () => deliverer.stop() };
}

declare module '../../graphql/context.js' {
  interface ContextExtensions {
    /** The server's webhook deliverer (tests read its counters and wake it). */
    webhookDeliverer?: WebhookDeliverer;
  }
}
