import { ErrorCode } from '../common/errors.js';

/**
 * Pure rules of the GraphQL-over-HTTP edge: which answers a shared cache (a CDN,
 * a big-screen vendor's proxy) may keep, which requests are CSRF-shaped, and
 * which status a request error gets for the media type the client asked for.
 * Unit tested in http-policy.test.ts; applied in http.ts.
 */

/** Default `max-age` (seconds) of a public answer to an anonymous GET query. */
export const DEFAULT_CACHE_MAX_AGE = 60;

/** Request headers a cached answer depends on (a shared cache keys on them). */
export const VARY = ['Accept', 'Authorization'] as const;

/** What every answer of `/graphql` carries unless it is a public read. */
export const NO_STORE = 'private, no-store';

/**
 * The `Cache-Control` of an answer. Only an anonymous GET query that succeeded
 * is public: anonymous callers see only the public area hierarchy and the
 * indicator catalogue, the same for everyone, so a CDN may serve it to anyone.
 * Anything with an Authorization header (a viewer's subtree), any error (a
 * refusal, a rate limit, a transient failure) and every POST is `private, no-store`.
 */
export function cacheControlFor(answer: {
  method: string | undefined;
  authorized: boolean;
  operation: string | undefined;
  hasErrors: boolean;
  maxAge: number;
}): string {
  const cacheable = answer.method === 'GET' && !answer.authorized && answer.operation === 'query' && !answer.hasErrors && answer.maxAge > 0;
  return cacheable ? `public, max-age=${answer.maxAge}` : NO_STORE;
}

/** Content types a browser may send cross-site without a CORS preflight (the Fetch spec's CORS-safelisted ones). */
const SIMPLE_CONTENT_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);

/**
 * True for a POST a page on another origin could make a browser send without a
 * preflight: no content type, or a CORS-safelisted one. civgraph reads GraphQL
 * POSTs only as JSON, so such a request is refused before it is parsed.
 */
export function isSimplePost(method: string, contentType: string | undefined): boolean {
  if (method !== 'POST') return false;
  const type = contentType?.split(';')[0]!.trim().toLowerCase();
  return !type || SIMPLE_CONTENT_TYPES.has(type);
}

/**
 * True when the client asked for the legacy `application/json` answer and not
 * `application/graphql-response+json`: for it the spec wants status 200 on a
 * request error (a document that does not parse or validate, variables that do
 * not coerce), the errors being in the body. `*` / `*` and a missing Accept keep
 * civgraph's 400, which its clients and tests rely on (the spec's SHOULD).
 */
export function wantsLegacyJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  return types.includes('application/json') && !types.includes('application/graphql-response+json');
}

/** Codes of request errors (nothing ran) that the legacy media type answers with 200. */
export const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.OPERATION_RESOLUTION_FAILURE,
]);
