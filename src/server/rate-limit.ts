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
