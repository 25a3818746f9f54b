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
  const types = accept.split(',').map((part) => part.split(';')[0].trim().toLowerCase());
  return types.includes('application/json') && !types.includes('application/graphql-response+json');
}

/** Codes of request errors (nothing ran) that the legacy media type answers with 200. */
export const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.OPERATION_RESOLUTION_FAILURE,
]);

/**
 * The Content-Security-Policy of the dashboard and the console. Government networks
 * are closed: the pages may reach this server and nothing else. `connect-src 'self'`
 * covers the live feed's same-origin WebSocket: CSP Level 3 matches `ws:`/`wss:` to
 * an `http:`/`https:` 'self' on the same host and port (Chromium, Firefox and Safari
 * 15.4+ do); the former `ws: wss:` let a page open a WebSocket to any host.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'self'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/**
 * Headers on every HTTP answer: no MIME sniffing (a JSON or CSV answer is never run
 * as a script or page), and no Referer leaves a page (dashboard URLs may carry a
 * `?token=`).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Whether a graphql-ws upgrade may proceed given its `Origin` (cross-site WebSocket
 * hijacking: browsers send a page's origin and no preflight). Allowed: no Origin (a
 * non-browser client: CLI, bench, server-to-server), the server's own origin (the
 * Origin's host and port equal the request's Host, or the X-Forwarded-Host a proxy
 * set; the scheme is not compared since a TLS-terminating proxy changes it), or one
 * of the configured CORS origins. Everything else, `null` included, is refused.
 */
export function isAllowedWebSocketOrigin(
  request: { origin: string | undefined; host: string | undefined; forwardedHost?: string | undefined },
  corsOrigins: readonly string[],
): boolean {
  const { origin } = request;
  if (origin === undefined || origin === '') return true;
  const normalized = origin.toLowerCase();
  if (corsOrigins.some((allowed) => allowed.toLowerCase() === normalized)) return true;
  let host: string;
  try {
    const url = new URL(normalized);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    host = url.host;
  } catch {
    return false;
  }
  const own = [request.host, ...(request.forwardedHost?.split(',') ?? [])].map((h) => h?.trim().toLowerCase()).filter(Boolean);
  return own.includes(host);
}
