import { createHmac, randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { badInput } from '../../common/errors.js';
import type { Viewer } from '../../auth/auth.rules.js';
import type { ProgressUpdate, SubjectKind } from '../progress/progress.entity.js';
import { mayDeliver, type ProgressScope } from '../progress/progress.rules.js';
import { envInteger } from '../../common/env.js';

/**
 * The pure rules of webhooks (外部推送): which URLs may be registered, how a
 * delivery is identified, shaped and signed, when a failed one is retried, and
 * which events a webhook may receive. No I/O here but DNS-free address checks.
 */

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export const SIGNATURE_HEADER = 'X-Civgraph-Signature';
/** Header carrying the delivery's stable id (the same on every retry): receivers drop repeats by it. */
export const DELIVERY_HEADER = 'X-Civgraph-Delivery';

/** A new signing secret: shown once, when the webhook is created or its secret rotated. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('hex')}`;
}

/** The signature header's value for `body` sent at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** The stable id of the delivery of event `sequence` to webhook `webhookKey`: the same on every attempt. */
export function deliveryId(webhookKey: string, sequence: string): string {
  return `${webhookKey}-${sequence}`;
}

/** What a receiver gets: JSON of this shape. */
export interface WebhookBody {
  /** The delivery id (also in {@link DELIVERY_HEADER}). */
  id: string;
  /** The event's subject kind (`TASK`, `RECTIFICATION` …). */
  kind: SubjectKind;
  /** ISO 8601 time of the change. */
  occurredAt: string;
  /** 12-digit code of the area the change belongs to. */
  area: string;
  payload: {
    /** Global ID of the progress event (`ProgressUpdate`), and its position in the stream. */
    event: string;
    sequence: string;
    action: string;
    subjectId: string;
    summary: string;
    actor: { sub: string; name: string; role: string | null };
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  };
}

export function webhookBody(webhookKey: string, event: ProgressUpdate): WebhookBody {
  return {
    id: deliveryId(webhookKey, event.sequence),
    kind: event.subjectKind,
    occurredAt: event.occurredAt.toISOString(),
    area: event.areaCode,
    payload: {
      event: event.id,
      sequence: event.sequence,
      action: event.action,
      subjectId: event.subjectId,
      summary: event.summary,
      actor: { sub: event.actor.sub, name: event.actor.name, role: event.actor.role },
      before: event.before,
      after: event.after,
    },
  };
}

/**
 * The wait before the next attempt after `failures` consecutive failures (1, 2, …):
 * exponential from `baseMs`, capped at `capMs`, with "equal jitter" (between half
 * and all of it) so that many webhooks failing together do not retry together.
 */
export function retryDelayMs(failures: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/**
 * Whether a webhook may receive an event: the event lies in the webhook's scope
 * (area subtree and kinds) and its registrant could receive it on the
 * `progressUpdated` subscription — the same rule ({@link mayDeliver}): their own
 * subtree, and the sensitive kinds (审计整改, 督办) only for the roles that may
 * read them. Checked when each event is delivered, after the SQL filter.
 */
export function mayReceive(owner: Viewer, scope: ProgressScope, event: Pick<ProgressUpdate, 'areaCode' | 'subjectKind'>): boolean {
  return mayDeliver(owner, scope, event.areaCode, event.subjectKind);
}

// Addresses a webhook may not reach unless WEBHOOK_ALLOW_PRIVATE=1: the server's own host,
// its networks and the cloud metadata address (SSRF).
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

/** Whether an IP address is loopback, private, link-local, shared, multicast or reserved. */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '');
  const family = isIP(ip);
  if (family === 4) return PRIVATE.check(ip, 'ipv4');
  if (family !== 6) return false;
  // IPv4-mapped (::ffff:10.0.0.1 or ::ffff:a00:1): judged as the IPv4 address.
  const mapped = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (mapped) {
    const v4 = mapped[1] ?? hexToIpv4(mapped[2], mapped[3]);
    return PRIVATE.check(v4, 'ipv4');
  }
  return PRIVATE.check(ip, 'ipv6');
}

function hexToIpv4(high: string, low: string): string {
  const a = parseInt(high, 16);
  const b = parseInt(low, 16);
  return [a >> 8, a & 255, b >> 8, b & 255].join('.');
}

const LOCAL_NAMES = /(^|\.)(localhost|localdomain|local|internal)$/i;

/**
 * Checks a webhook URL and returns it normalised (WHATWG form). http and https
 * only; no user name or password in it (secrets go in the signature, not the
 * URL); no fragment. Unless `allowPrivate`, a literal address that is private
 * (10.x, 127.x, 169.254.x, ::1 …) or a name such as `localhost` is refused here,
 * and names are checked again when each delivery resolves them (see the deliverer).
 * Throws BAD_USER_INPUT on `field` with a message in Chinese.
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean, field = 'url'): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput(field, `网址格式不正确:"${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badInput(field, '网址必须以 http:// 或 https:// 开头');
  }
  if (url.username || url.password) throw badInput(field, '网址中不能包含用户名或密码');
  if (url.hash) throw badInput(field, '网址中不能包含 # 片段');
  if (!url.hostname) throw badInput(field, '网址缺少主机名');
  if (!allowPrivate && (isPrivateAddress(url.hostname) || LOCAL_NAMES.test(url.hostname.replace(/\.$/, '')))) {
    throw badInput(field, '不能推送到本机、内网或链路本地地址');
  }
  if (url.href.length > 2000) throw badInput(field, '网址过长(最多 2000 个字符)');
  return url.href;
}

/** Tunables of webhook delivery, from the environment (see docs/operations.md, "Webhooks"). */
export interface WebhookOptions {
  /** WEBHOOK_ALLOW_PRIVATE=1: allow loopback, private and link-local targets (tests, closed networks). */
  allowPrivate: boolean;
  /** How often the deliverer looks for due work when nothing wakes it (WEBHOOK_POLL_MS, default 1000). */
  pollMs: number;
  /** Time allowed for one POST, connection to response (WEBHOOK_TIMEOUT_MS, default 5000). */
  timeoutMs: number;
  /** First retry delay (WEBHOOK_RETRY_BASE_MS, default 10 s) and the cap (WEBHOOK_RETRY_MAX_MS, default 1 h). */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Attempts kept per webhook (WEBHOOK_DELIVERY_KEEP, default 1000); older ones are deleted. */
  keepAttempts: number;
}

/** Reads {@link WebhookOptions}; a malformed value is an error naming the variable. */
export function webhookOptionsFrom(env: Record<string, string | undefined>): WebhookOptions {
  const number = (name: string, fallback: number, min: number, max: number) => envInteger(env, name, fallback, min, max);
  const allow = env.WEBHOOK_ALLOW_PRIVATE ?? '';
  if (!['', '0', '1', 'true', 'false'].includes(allow)) throw new Error(`WEBHOOK_ALLOW_PRIVATE must be 1 or 0, got "${allow}"`);
  return {
    allowPrivate: allow === '1' || allow === 'true',
    pollMs: number('WEBHOOK_POLL_MS', 1_000, 10, 60_000),
    timeoutMs: number('WEBHOOK_TIMEOUT_MS', 5_000, 100, 60_000),
    retryBaseMs: number('WEBHOOK_RETRY_BASE_MS', 10_000, 1, 3_600_000),
    retryMaxMs: number('WEBHOOK_RETRY_MAX_MS', 3_600_000, 1, 86_400_000),
    keepAttempts: number('WEBHOOK_DELIVERY_KEEP', 1_000, 10, 1_000_000),
  };
}
