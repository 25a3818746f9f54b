import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type CryptoKey, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { DomainError, ErrorCode } from '../common/errors.js';
import { normalizeCode } from '../common/codes.js';
import { isRole, ROLES, type Role, type Viewer } from './auth.rules.js';

/** How tokens are checked: a shared secret (HS256) or an identity provider's JWKS (RS256/ES256). */
export interface TokenSettings {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

/** A verified token: who, and until when (epoch seconds) the token holds. Every token expires. */
export interface Identity {
  viewer: Viewer;
  expiresAt: number;
}

export type TokenVerifier = (token: string) => Promise<Identity>;

const unauthenticated = (message: string) => new DomainError(ErrorCode.UNAUTHENTICATED, message);

declare module './auth.rules.js' {
  interface Viewer {
    /**
     * 登录会话 — the session (`sid` claim) of an account's access token: the
     * transports refuse it, and close its streams, once the session is revoked.
     * Absent for development tokens and an identity provider's.
     */
    sessionId?: string;
    /**
     * 须改密码 — an account whose password an admin set (`pwc` claim): until it
     * changes it, its token opens only `me`, `viewer`, `changePassword` and signing out.
     */
    mustChangePassword?: boolean;
  }
}

/** Reads civgraph's claims (`sub`, `name`, `role`, `area`, optional `section` and `sid`) from a verified payload. */
export function viewerFromClaims(payload: JWTPayload): Viewer {
  const { sub, name, role, area, section, sid, pwc } = payload as JWTPayload & Record<string, unknown>;
  if (typeof sub !== 'string' || !sub) throw unauthenticated('Token has no subject (sub)');
  if (!isRole(role)) throw unauthenticated(`Token role must be one of ${ROLES.join(', ')}`);
  if (typeof area !== 'string') throw unauthenticated('Token has no area claim');
  let areaCode: string;
  try {
    areaCode = normalizeCode(area, 'area');
  } catch {
    throw unauthenticated('Token area must be a 6-, 9- or 12-digit area code');
  }
  return {
    sub,
    name: typeof name === 'string' && name ? name : sub,
    role,
    areaCode,
    ...(typeof section === 'string' && section ? { section } : {}),
    ...(typeof sid === 'string' && sid ? { sessionId: sid } : {}),
    ...(pwc === true ? { mustChangePassword: true } : {}),
  };
}

/**
 * Builds the verifier for the configured key. Only the expected algorithms are
 * accepted (so `alg: none` and algorithm swaps fail), every token must carry an
 * expiry (`exp`, ours and an identity provider's alike: JWTs carry no revocation,
 * so one without would hold forever) and is refused once it has passed, and the
 * issuer and audience are checked when configured.
 */
export function createTokenVerifier(settings: TokenSettings): TokenVerifier | null {
  let key: Promise<CryptoKey> | JWTVerifyGetKey;
  let algorithms: string[];
  if (settings.jwksUrl) {
    key = createRemoteJWKSet(new URL(settings.jwksUrl));
    algorithms = ['RS256', 'ES256'];
  } else if (settings.secret) {
    // The server that verifies with this secret signs its accounts' access tokens with it.
    useAccountSigning({ secret: settings.secret, issuer: settings.issuer, audience: settings.audience });
    // Imported once: jose would import a raw secret again on every verification.
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(settings.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    algorithms = ['HS256'];
  } else {
    return null;
  }
  // A token that verified holds until its expiry (JWTs carry no revocation), so
  // the same token string is not verified again on every request: kept until
  // its expiry; the map is bounded.
  const verified = new Map<string, Identity>();
  return async (token) => {
    const known = verified.get(token);
    if (known && known.expiresAt > Date.now() / 1000) return known;
    if (known) verified.delete(token);
    try {
      const verifyKey = typeof key === 'function' ? key : await key;
      const { payload } = await jwtVerify(token, verifyKey as CryptoKey, {
        algorithms,
        issuer: settings.issuer,
        audience: settings.audience,
        requiredClaims: ['exp'],
      });
      const identity: Identity = { viewer: viewerFromClaims(payload), expiresAt: payload.exp! };
      if (verified.size >= VERIFIED_TOKENS_KEPT) verified.clear();
      verified.set(token, identity);
      return identity;
    } catch (error) {
      if (error instanceof DomainError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('Token has expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'exp' && error.reason === 'missing') {
        throw unauthenticated('Token has no expiry (exp): every token must expire');
      }
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw unauthenticated(`Token rejected: ${error.message}`);
      throw unauthenticated('Token is not valid');
    }
  };
}

/** How many verified tokens a verifier remembers (a county's users, many times over). */
const VERIFIED_TOKENS_KEPT = 10_000;

/** The longest a token from `civgraph token` may live: a year and a day. */
export const MAX_TOKEN_LIFETIME_SECONDS = 366 * 24 * 60 * 60;

const LIFETIME_UNITS: Record<string, number> = { s: 1, m: 60, h: 60 * 60, d: 24 * 60 * 60 };

/**
 * A token lifetime as `civgraph token --expires` takes it, in seconds: a positive
 * whole number of seconds, minutes, hours or days (`90s`, `30m`, `12h`, `7d`), at
 * most {@link MAX_TOKEN_LIFETIME_SECONDS}. Null for anything else: no token
 * without an expiry, none already expired (`0h`, `-1h`, `1 hour ago`), none for
 * centuries (`99999y`), which is one without an expiry in all but name.
 */
export function tokenLifetime(text: string): number | null {
  const match = /^([1-9][0-9]{0,6})(s|m|h|d)$/.exec(text.trim());
  if (!match) return null;
  const seconds = Number(match[1]) * LIFETIME_UNITS[match[2]];
  return seconds <= MAX_TOKEN_LIFETIME_SECONDS ? seconds : null;
}

/** Mints an HS256 token with civgraph's claims (development and tests, and accounts' access tokens). It always expires: in `expiresIn` (jose's form), 12 hours by default. */
export async function mintToken(
  secret: string,
  claims: { sub?: string; name: string; role: Role; area: string; section?: string; sid?: string; mustChangePassword?: boolean },
  options: { expiresIn?: string | number; issuer?: string; audience?: string } = {},
): Promise<string> {
  const jwt = new SignJWT({
    name: claims.name,
    role: claims.role,
    area: claims.area,
    ...(claims.section ? { section: claims.section } : {}),
    ...(claims.sid ? { sid: claims.sid } : {}),
    ...(claims.mustChangePassword ? { pwc: true } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub ?? `dev:${claims.role.toLowerCase()}:${claims.area}`)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h');
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** The token in an `Authorization: Bearer …` header or a graphql-ws `connection_init` payload. */
export function bearerToken(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match ? match[1] : null;
}

/** How accounts' access tokens are signed: the HS256 secret the server verifies with, and its issuer and audience. */
export interface AccountSigning {
  secret: string;
  issuer?: string;
  audience?: string;
}

let accountSigning: AccountSigning | null = null;

/**
 * Signs accounts' access tokens (`signIn`, `refreshSession`) with this secret
 * from now on. {@link createTokenVerifier} calls it for a secret-based
 * verifier, so the server signs with what it verifies with; a server that
 * verifies an identity provider's tokens (JWKS) signs none, and signing in
 * with an account is refused there.
 */
export function useAccountSigning(settings: AccountSigning): void {
  accountSigning = { secret: settings.secret, issuer: settings.issuer, audience: settings.audience };
}

/** What accounts' access tokens are signed with; null when this process verifies no HS256 secret. */
export function accountSigningSettings(): AccountSigning | null {
  return accountSigning;
}
