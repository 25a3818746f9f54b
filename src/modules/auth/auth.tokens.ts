import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { normalizeCode } from '../area/area.rules.js';
import { Role, type Viewer } from './auth.rules.js';

/** How tokens are checked: a shared secret (HS256) or an identity provider's JWKS (RS256/ES256). */
export interface TokenSettings {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

/** A verified token: who, and until when (epoch seconds) the token holds. */
export interface Identity {
  viewer: Viewer;
  expiresAt: number | undefined;
}

export type TokenVerifier = (token: string) => Promise<Identity>;

const unauthenticated = (message: string) => new DomainError(ErrorCode.UNAUTHENTICATED, message);

/** Reads civgraph's claims (`sub`, `name`, `role`, `area`, optional `section`) from a verified payload. */
export function viewerFromClaims(payload: JWTPayload): Viewer {
  const { sub, name, role, area, section } = payload as JWTPayload & Record<string, unknown>;
  if (typeof sub !== 'string' || !sub) throw unauthenticated('Token has no subject (sub)');
  if (typeof role !== 'string' || !(role in Role)) throw unauthenticated(`Token role must be one of ${Object.keys(Role).join(', ')}`);
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
    role: role as Role,
    areaCode,
    ...(typeof section === 'string' && section ? { section } : {}),
  };
}

/**
 * Builds the verifier for the configured key. Only the expected algorithms are
 * accepted (so `alg: none` and algorithm swaps fail), expiry is enforced, and the
 * issuer and audience are checked when configured.
 */
export function createTokenVerifier(settings: TokenSettings): TokenVerifier | null {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (settings.jwksUrl) {
    key = createRemoteJWKSet(new URL(settings.jwksUrl));
    algorithms = ['RS256', 'ES256'];
  } else if (settings.secret) {
    key = new TextEncoder().encode(settings.secret);
    algorithms = ['HS256'];
  } else {
    return null;
  }
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key as Uint8Array, {
        algorithms,
        issuer: settings.issuer,
        audience: settings.audience,
      });
      return { viewer: viewerFromClaims(payload), expiresAt: payload.exp };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('Token has expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw unauthenticated(`Token rejected: ${error.message}`);
      throw unauthenticated('Token is not valid');
    }
  };
}

/** Mints an HS256 token with civgraph's claims (development and tests). */
export async function mintToken(
  secret: string,
  claims: { sub?: string; name: string; role: Role; area: string; section?: string },
  options: { expiresIn?: string | number; issuer?: string; audience?: string } = {},
): Promise<string> {
  const jwt = new SignJWT({ name: claims.name, role: claims.role, area: claims.area, ...(claims.section ? { section: claims.section } : {}) })
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
  return match ? match[1]! : null;
}
