import { bearerToken, type Identity, type TokenVerifier } from '../auth/auth.tokens.js';

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
