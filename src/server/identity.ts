import { bearerToken, type Identity, type TokenVerifier } from '../auth/auth.tokens.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { log } from '../common/log.js';
import { refusedTokenKey, type RateLimiter } from './rate-limit.js';

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
  try {
    return await verifier(token);
  } catch (error) {
    throw new IdentityRefused(error instanceof Error ? error.message : 'Token is not valid');
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
