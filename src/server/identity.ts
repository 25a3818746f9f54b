import { bearerToken, type Identity, type TokenVerifier } from '../auth/auth.tokens.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { log } from '../common/log.js';
import { refusedTokenKey, type RateLimiter } from './rate-limit.js';

declare module '../graphql/context.js' {
  interface ContextExtensions {
    /** The client's address as the transport saw it (`req.ip`): sign-in is rate-limited per address. */
    clientAddress?: string;
  }
}

/** Credentials were sent but do not identify anyone: HTTP and SSE answer 401, graphql-ws closes with 4403. */
export class IdentityRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityRefused';
  }
}

/**
 * The one place a token becomes a caller, for every transport (HTTP, SSE,
 * graphql-ws, the REST routes): verified with the configured verifier, or
 * refused with a message for the client.
 */
export async function identifyToken(verifier: TokenVerifier | null, token: string): Promise<Identity> {
  if (!verifier) throw new IdentityRefused('This server accepts no tokens: set JWT_SECRET or JWT_JWKS_URL');
  let identity: Identity;
  try {
    identity = await verifier(token);
  } catch (error) {
    throw new IdentityRefused(error instanceof Error ? error.message : 'Token is not valid');
  }
  // After the verifier (whose cache holds a token until its expiry): a revoked session's tokens are refused at once.
  if (identity.viewer.sessionId && revokedSessions.has(identity.viewer.sessionId)) throw new IdentityRefused(SESSION_REVOKED);
  return identity;
}

/** Why an account's access token is refused once its session is revoked (the dashboard shows it). */
export const SESSION_REVOKED = '登录已失效，请重新登录 (session revoked)';

/**
 * The sessions (`sid` of accounts' access tokens) revoked in this process's
 * view: fed by the account feature's watcher, which polls `account_session`
 * every ~2 s on each server. Every transport refuses a token of a session
 * found here (identifyToken), and graphql-ws and SSE close the streams they
 * hold for it (subscribe). One per process: session ids are random UUIDs, so
 * several servers of one process (tests) share it safely. An entry is
 * forgotten after `keepMs`, once every access token of the session has expired.
 */
export class SessionRevocations {
  private readonly revoked = new Map<string, number>();
  private readonly listeners = new Set<(sessionId: string) => void>();

  /** Whether the session is revoked. */
  has(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  /** Marks sessions revoked; the listeners hear each one not known before. */
  revoke(sessionIds: Iterable<string>, keepMs: number, now = Date.now()): void {
    for (const [id, until] of this.revoked) if (until <= now) this.revoked.delete(id);
    for (const id of sessionIds) {
      const known = this.revoked.has(id);
      this.revoked.set(id, now + keepMs);
      if (known) continue;
      for (const listener of this.listeners) {
        try {
          listener(id);
        } catch (error) {
          log.error({ err: error }, 'a session revocation listener failed');
        }
      }
    }
  }

  /** Calls `listener` for every session revoked from now on; returns the unsubscribe. */
  subscribe(listener: (sessionId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** This process's revoked sessions. */
export const revokedSessions = new SessionRevocations();

/**
 * Streams (graphql-ws sockets, SSE responses) held per session, for closing
 * them when it is revoked: `hold` registers one (closing it at once when its
 * session is already revoked) and returns its release.
 */
export class SessionStreams<T> {
  private readonly bySession = new Map<string, Set<T>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly end: (stream: T) => void,
    private readonly revocations: SessionRevocations = revokedSessions,
  ) {
    this.unsubscribe = revocations.subscribe((sessionId) => {
      const streams = this.bySession.get(sessionId);
      if (!streams) return;
      this.bySession.delete(sessionId);
      for (const stream of streams) end(stream);
    });
  }

  hold(sessionId: string | undefined, stream: T): () => void {
    if (!sessionId) return () => {};
    if (this.revocations.has(sessionId)) {
      this.end(stream);
      return () => {};
    }
    let streams = this.bySession.get(sessionId);
    if (!streams) this.bySession.set(sessionId, (streams = new Set()));
    streams.add(stream);
    return () => {
      streams.delete(stream);
      if (!streams.size && this.bySession.get(sessionId) === streams) this.bySession.delete(sessionId);
    };
  }

  /** Stops listening (the transport is closing). */
  close(): void {
    this.unsubscribe();
    this.bySession.clear();
  }
}

/**
 * The caller behind an `Authorization` header (HTTP and SSE): null without one
 * (anonymous); a header that is not `Bearer <valid token>` is refused.
 */
export async function identifyHeader(verifier: TokenVerifier | null, header: string | undefined): Promise<Identity | null> {
  if (!header) return null;
  const token = bearerToken(header);
  if (!token) throw new IdentityRefused('Authorization must be "Bearer <token>"');
  return identifyToken(verifier, token);
}

/** Too many refused tokens came from this address: none is verified for `retryAfterSeconds`. */
export class TooManyRefusals extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests: retry after ${retryAfterSeconds} s`);
    this.name = 'TooManyRefusals';
  }
}

/**
 * {@link identifyToken} under the address's bucket of refused tokens, the rule
 * every transport applies: a token that is refused is charged to its address,
 * and once that bucket is empty no token from there is verified again
 * (TooManyRefusals) until it refills: guessing tokens costs what any flood costs.
 */
export async function identifyTokenFrom(verifier: TokenVerifier | null, limiter: RateLimiter, token: string, address: string | undefined): Promise<Identity> {
  return chargedOnRefusal(limiter, address, () => identifyToken(verifier, token));
}

/** {@link identifyHeader} under the address's bucket of refused tokens (see {@link identifyTokenFrom}); null without a header. */
export async function identifyHeaderFrom(
  verifier: TokenVerifier | null,
  limiter: RateLimiter,
  header: string | undefined,
  address: string | undefined,
): Promise<Identity | null> {
  if (!header) return null;
  return chargedOnRefusal(limiter, address, () => identifyHeader(verifier, header));
}

async function chargedOnRefusal<T>(limiter: RateLimiter, address: string | undefined, identify: () => Promise<T>): Promise<T> {
  const refused = refusedTokenKey(address);
  const waiting = limiter.peek(refused);
  if (!waiting.ok) throw new TooManyRefusals(waiting.retryAfterSeconds);
  try {
    return await identify();
  } catch (error) {
    limiter.take(refused);
    throw error;
  }
}

/** Whether a 12-digit code is a row of the `area` table (one primary-key lookup). */
export type AreaLookup = (code: string) => Promise<boolean>;

/**
 * The area codes a token may name: those of the `area` table. Areas are never
 * deleted (a merger or retirement closes them with `valid_to`), so a code found
 * once is remembered for good: after the first request from an area, checking it
 * is a Set lookup. A code not found is looked up again on the next request (one
 * primary-key lookup; concurrent ones for a code share it), so an area imported
 * beside a running server (the CLI, another instance) is accepted at once.
 */
export class KnownAreas {
  private readonly known = new Set<string>();
  private readonly pending = new Map<string, Promise<boolean>>();

  /** `limit`: how many codes are remembered (then the memory starts over). */
  constructor(
    private readonly lookup: AreaLookup,
    private readonly limit = KNOWN_AREAS_KEPT,
  ) {}

  /** Remembers codes known to exist (the server's start loads those above the villages). */
  remember(codes: Iterable<string>): void {
    for (const code of codes) this.add(code);
  }

  /** `true` at once for a remembered code; otherwise the lookup's answer. */
  has(code: string): true | Promise<boolean> {
    if (this.known.has(code)) return true;
    let asked = this.pending.get(code);
    if (!asked) {
      asked = this.lookup(code)
        .then((found) => {
          if (found) this.add(code);
          return found;
        })
        .finally(() => this.pending.delete(code));
      this.pending.set(code, asked);
    }
    return asked;
  }

  private add(code: string): void {
    if (this.known.size >= this.limit) this.known.clear();
    this.known.add(code);
  }
}

/** How many area codes {@link KnownAreas} remembers: the country's townships and far more villages than one county has. */
const KNOWN_AREAS_KEPT = 100_000;

/**
 * The verifier, plus the check that the token's area is one of `areas`: a token
 * for an area that does not exist (`999999`, `000000`) is refused like a forged
 * one. Every transport identifies through the returned verifier.
 */
export function requireKnownArea(verifier: TokenVerifier | null, areas: KnownAreas): TokenVerifier | null {
  if (!verifier) return null;
  return async (token) => {
    const identity = await verifier(token);
    const { areaCode } = identity.viewer;
    const known = areas.has(areaCode);
    if (known === true) return identity;
    let found: boolean;
    try {
      found = await known;
    } catch (error) {
      log.error({ err: error, areaCode }, "a token's area could not be looked up");
      throw new DomainError(ErrorCode.UNAUTHENTICATED, `Token area ${areaCode} could not be checked; try again`);
    }
    if (!found) throw new DomainError(ErrorCode.UNAUTHENTICATED, `Token area ${areaCode} is not an area of this server`);
    return identity;
  };
}
