import { describe, expect, it } from 'vitest';
import { ConnectionCounter, identityKey, RateLimiter, refusedTokenKey } from './rate-limit.js';

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the seconds until a token is back', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 60, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('u').ok)).toEqual([true, true, true]);
    expect(limiter.take('u')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 1000;
    expect(limiter.take('u').ok).toBe(true);
    expect(limiter.take('u').ok).toBe(false);
  });

  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter({ perMinute: 1, burst: 1 }, () => 0);
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect(limiter.take('b').ok).toBe(true);
  });

  it('never refills beyond the burst', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 600, burst: 2 }, () => now);
    now += 3_600_000;
    expect([1, 2, 3].map(() => limiter.take('u').ok)).toEqual([true, true, false]);
  });

  it('is off at 0 per minute', () => {
    const limiter = new RateLimiter({ perMinute: 0, burst: 0 });
    expect(limiter.take('u').ok).toBe(true);
  });
});

describe('RateLimiter.peek', () => {
  it('says what take would answer without taking', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 60, burst: 2 }, () => now);
    expect(limiter.peek('u')).toEqual({ ok: true, remaining: 2 });
    expect(limiter.peek('u')).toEqual({ ok: true, remaining: 2 });
    limiter.take('u');
    limiter.take('u');
    expect(limiter.peek('u')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 1000;
    expect(limiter.peek('u').ok).toBe(true);
    expect(limiter.take('u').ok).toBe(true);
  });
});

describe('identityKey', () => {
  it('is the token subject, or the address when anonymous', () => {
    expect(identityKey({ sub: 'u1' }, '10.0.0.1')).toBe('sub:u1');
    expect(identityKey(null, '10.0.0.1')).toBe('ip:10.0.0.1');
    expect(identityKey(undefined, undefined)).toBe('ip:unknown');
  });

  it('keeps refused tokens of an address apart from its anonymous requests', () => {
    expect(refusedTokenKey('10.0.0.1')).not.toBe(identityKey(null, '10.0.0.1'));
    expect(refusedTokenKey('10.0.0.1')).not.toBe(refusedTokenKey('10.0.0.2'));
  });
});

describe('ConnectionCounter', () => {
  it('bounds the connections of one key, and a release gives one place back once', () => {
    const counter = new ConnectionCounter(2);
    const first = counter.open('k')!;
    expect(counter.open('k')).not.toBeNull();
    expect(counter.open('k')).toBeNull();
    expect(counter.open('other')).not.toBeNull();
    first();
    first();
    expect(counter.of('k')).toBe(1);
    expect(counter.open('k')).not.toBeNull();
    expect(counter.open('k')).toBeNull();
  });

  it('bounds nothing at 0', () => {
    const counter = new ConnectionCounter(0);
    for (let i = 0; i < 100; i++) expect(counter.open('k')).not.toBeNull();
  });
});
