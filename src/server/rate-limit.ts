/** How many requests one identity may make: a steady rate and a burst on top of it. */
export interface RateLimit {
  /** Requests per minute refilled into each bucket; 0 turns rate limiting off. */
  perMinute: number;
  /** Bucket size: how many requests may come at once after a quiet spell. */
  burst: number;
}

export type Take = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets idle this long are full again and can be forgotten. */
const MAX_TRACKED = 10_000;

/**
 * Token buckets keyed by identity (a token's `sub`, or the client IP when
 * anonymous), held in this process. With several instances behind a load
 * balancer each instance keeps its own buckets, so the effective limit is per
 * instance (N instances allow up to N × the limit); a shared store (Redis,
 * PostgreSQL) would be needed for one global limit.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.limit.perMinute > 0;
  }

  /**
   * What {@link take} would answer for `key`, without taking anything: used before
   * verifying a token, so a client whose failed verifications emptied its address's
   * bucket is refused without costing another verification.
   */
  peek(key: string): Take {
    if (!this.enabled) return { ok: true, remaining: Infinity };
    const perMs = this.limit.perMinute / 60_000;
    const bucket = this.buckets.get(key);
    const tokens = bucket ? Math.min(this.limit.burst, bucket.tokens + (this.now() - bucket.at) * perMs) : this.limit.burst;
    if (tokens >= 1) return { ok: true, remaining: Math.floor(tokens) };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
  }

  /** Takes one token from `key`'s bucket; when it is empty, says how long until one is back. */
  take(key: string): Take {
    if (!this.enabled) return { ok: true, remaining: Infinity };
    const now = this.now();
    const perMs = this.limit.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= MAX_TRACKED) this.prune(now, perMs);
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true, remaining: Math.floor(bucket.tokens) };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
  }

  /** Forgets buckets that have refilled completely (they behave exactly like new ones). */
  private prune(now: number, perMs: number) {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * perMs >= this.limit.burst) this.buckets.delete(key);
    }
  }
}

/**
 * The one bucket of a caller, whatever the transport (HTTP /graphql, every
 * graphql-ws socket, SSE, the REST routes): `sub:<sub>` for a verified token,
 * `ip:<address>` when anonymous. A token that fails verification is charged to
 * its address (`ip:`), like an anonymous request.
 */
export function identityKey(viewer: { sub: string } | null | undefined, address: string | undefined): string {
  return viewer ? `sub:${viewer.sub}` : `ip:${address ?? 'unknown'}`;
}

/** Open graphql-ws connections one identity may hold when WS_MAX_CONNECTIONS is not set. */
export const DEFAULT_MAX_CONNECTIONS = 20;

/**
 * The bucket that tokens failing verification from `address` are charged to: per
 * address, apart from its anonymous requests' `ip:` bucket, so that neither
 * empties the other (behind one NAT, anonymous dashboards do not lock signed-in
 * users out, nor token guessing the anonymous ones). While it is empty, no token
 * from that address is verified (a valid one included: it cannot be told apart
 * unverified).
 */
export function refusedTokenKey(address: string | undefined): string {
  return `ip:${address ?? 'unknown'}:refused-tokens`;
}

/**
 * Open connections per identity (graphql-ws): `open` refuses once `max` are
 * open for a key (0: no bound); the returned release function gives the place
 * back, once, when the connection closes.
 */
export class ConnectionCounter {
  private readonly counts = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Takes a place for `key`; null when `key` already holds `max`. */
  open(key: string): (() => void) | null {
    const count = this.counts.get(key) ?? 0;
    if (this.max > 0 && count >= this.max) return null;
    this.counts.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    };
  }

  /** Connections `key` holds now. */
  of(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
