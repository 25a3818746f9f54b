import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { MikroORM } from '@mikro-orm/postgresql';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { log } from '../common/log.js';
import { createContext, type Context } from '../graphql/context.js';
import { errorCode, formatError, isUnexpected } from '../graphql/errors.js';
import {
  limitRules,
  operationError,
  operationResolutionError,
  parseOptions,
  standInIfOverFields,
  variableDepthError,
  withoutSuggestions,
  type Limits,
} from '../graphql/limits.js';
import { controlCharacterErrors } from '../graphql/text-input.js';
import { jitGateway, type GraphqlExecutor } from '../graphql/executor.js';
import { stringifyResult } from '../graphql/sql-reads.js';
import { identityKey, type RateLimiter } from './rate-limit.js';
import { healthRouter } from './health.js';
import type { Metrics } from './metrics.js';
import type { Composition } from '../feature.js';
import type { Viewer } from '../auth/auth.rules.js';
import type { TokenVerifier } from '../auth/auth.tokens.js';
import { identifyHeader, identifyHeaderFrom, TooManyRefusals } from './identity.js';
import { ErrorCode } from '../common/errors.js';
import { logServerFault, withRequestId } from './edge-errors.js';
import { SSE_PATH } from './sse.js';
import { documentsRouter } from './documents.http.js';
import { trustedDocumentsMiddleware, type TrustedDocuments } from './trusted-documents.js';
import { webAssetsDir, webConsole, webDashboard } from './web.js';
import { cacheControlFor, DEFAULT_CACHE_MAX_AGE, isSimplePost, NO_STORE, REQUEST_ERROR_CODES, SECURITY_HEADERS, VARY, wantsLegacyJson } from './http-policy.js';

const REQUEST_ID = /^[\w.-]{1,64}$/;

/** Largest request body accepted; larger ones get 413 before any GraphQL work. */
export const MAX_BODY = '1mb';

/** A request refused because its identity has used up its bucket: 429 with Retry-After. */
function rateLimited(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`Too many requests: retry after ${retryAfterSeconds} s`, {
    extensions: {
      code: ErrorCode.RATE_LIMITED,
      retryAfter: retryAfterSeconds,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}

/**
 * The caller of an HTTP request (/graphql, the REST routes, /trusted-documents),
 * charged one token of its identity's bucket (`sub:` or `ip:`, shared with every
 * other transport): throws 429 when it is empty. A token that fails verification
 * is charged to its address's bucket of refused tokens before the 401, and once
 * that bucket is empty a request with an Authorization header is refused with 429
 * before its token is verified again: guessing tokens costs what any flood costs.
 */
export async function admittedViewerOf(req: Request, verifier: TokenVerifier | null, limiter: RateLimiter): Promise<Viewer | null> {
  let viewer: Viewer | null;
  try {
    viewer = (await identifyHeaderFrom(verifier, limiter, req.get('authorization'), req.ip))?.viewer ?? null;
  } catch (error) {
    if (error instanceof TooManyRefusals) throw rateLimited(error.retryAfterSeconds);
    throw unauthenticated(error);
  }
  const taken = limiter.take(identityKey(viewer, req.ip));
  if (!taken.ok) throw rateLimited(taken.retryAfterSeconds);
  return viewer;
}

/**
 * Admission of the REST routes and /trusted-documents, before their handlers
 * read a body: the caller is verified and charged once here (429 with
 * Retry-After when its bucket is empty); the handlers' `viewerOf` then returns
 * that caller, or rethrows the refusal of a bad token for them to answer 401.
 */
function restAdmission(verifier: TokenVerifier | null, limiter: RateLimiter) {
  const admitted = new WeakMap<Request, { viewer: Viewer | null } | { refusal: unknown }>();
  const admit: express.RequestHandler = async (req, res, next) => {
    if (admitted.has(req)) return next();
    try {
      admitted.set(req, { viewer: await admittedViewerOf(req, verifier, limiter) });
    } catch (error) {
      const retryAfter = error instanceof GraphQLError && error.extensions.code === ErrorCode.RATE_LIMITED ? Number(error.extensions.retryAfter) : null;
      if (retryAfter !== null) {
        res
          .status(429)
          .set('retry-after', String(retryAfter))
          .json({ error: error instanceof Error ? error.message : 'Too many requests', code: ErrorCode.RATE_LIMITED, retryAfter });
        return;
      }
      admitted.set(req, { refusal: error });
    }
    next();
  };
  const viewerOfAdmitted = async (req: Request): Promise<Viewer | null> => {
    const entry = admitted.get(req);
    if (!entry) return admittedViewerOf(req, verifier, limiter);
    if ('refusal' in entry) throw entry.refusal;
    return entry.viewer;
  };
  return { admit, viewerOf: viewerOfAdmitted };
}

/** Headers of every answer: see {@link SECURITY_HEADERS}. */
const securityHeaders: express.RequestHandler = (_req, res, next) => {
  res.set(SECURITY_HEADERS);
  next();
};

/**
 * Refuses POSTs a cross-site page could send without a preflight (no content
 * type, text/plain, forms): GraphQL POSTs are JSON. GETs are not refused: see
 * "GET, caching and CSRF" in docs/api.md (civgraph takes credentials only from the
 * Authorization header, so a cross-site GET is always anonymous).
 */
const refuseSimplePosts: express.RequestHandler = (req, res, next) => {
  if (!isSimplePost(req.method, req.get('content-type'))) return next();
  res.status(400).json({
    errors: [
      {
        message: 'This operation has been blocked as a potential Cross-Site Request Forgery (CSRF): send it with content-type application/json',
        extensions: { code: ErrorCode.BAD_REQUEST },
      },
    ],
  });
};

/**
 * Express hashes every answer it sends into an ETag (a SHA-1 of the body: for a
 * county tree with statistics, 232 KB per request). Only GET answers can be
 * revalidated with one; answers to POST are never stored, so they are sent without.
 */
const etagsForGetOnly: express.RequestHandler = (req, res, next) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const app = res.app;
    // The response's own settings view (Express reads `etag fn` through `res.app`); every other setting is the app's.
    res.app = Object.create(app, { get: { value: (setting: string) => (setting === 'etag fn' ? undefined : app.get(setting)) } }) as typeof app;
  }
  next();
};

/** Until an answer says otherwise (a public read), no shared cache stores it; it depends on Accept and Authorization. */
const noStoreByDefault: express.RequestHandler = (_req, res, next) => {
  res.set('cache-control', NO_STORE);
  for (const header of VARY) res.vary(header);
  next();
};

/**
 * Whatever a handler let through (a fault in a route or in graphql-sse): logged
 * with the request id and answered masked, as JSON: never Express's HTML page
 * with a stack trace. A client's own failure (a status under 500 on the error)
 * keeps its status.
 */
const lastErrors: ErrorRequestHandler = (error, req, res, next) => {
  if (res.headersSent) return next(error);
  const status = (error as { status?: number }).status;
  const requestId = res.locals.requestId as string | undefined;
  if (status && status >= 400 && status < 500) {
    res.status(status).json({ errors: [{ message: 'Bad request', extensions: { code: ErrorCode.BAD_REQUEST } }] });
    return;
  }
  logServerFault(error, { requestId, route: req.originalUrl.split('?')[0] });
  res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } }] });
};

/** Body-parser failures as GraphQL-shaped JSON instead of Express's HTML page. */
const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const status = (error as { status?: number }).status;
  if (res.headersSent || !status || status < 400 || status >= 500) return next(error);
  const tooLarge = (error as { type?: string }).type === 'entity.too.large';
  res.status(status).json({
    errors: [
      {
        message: tooLarge ? `Request body is larger than ${MAX_BODY}` : 'Request body is not valid JSON',
        extensions: { code: tooLarge ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.BAD_REQUEST },
      },
    ],
  });
};

/**
 * The caller of an HTTP request: anonymous without an Authorization header; a
 * header that does not carry a valid token fails the whole request with 401.
 */
export async function viewerOf(req: Request, verifier: TokenVerifier | null): Promise<Viewer | null> {
  try {
    return (await identifyHeader(verifier, req.get('authorization')))?.viewer ?? null;
  } catch (error) {
    throw unauthenticated(error);
  }
}

/** A refused credential as the request's error: 401 with `WWW-Authenticate: Bearer`. */
function unauthenticated(error: unknown): GraphQLError {
  return new GraphQLError((error as Error).message, {
    extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
  });
}

/** Apollo Server on Express: the HTTP side of `/graphql`. */
export async function createHttpApp(options: {
  httpServer: Server;
  schema: GraphQLSchema;
  orm: MikroORM;
  civgraph: Composition;
  introspection: boolean;
  /** What executes operations: graphql-jit's compiled queries or graphql-js. */
  executor: GraphqlExecutor;
  verifier: TokenVerifier | null;
  corsOrigins: string[];
  metrics: Metrics;
  /** When set, `/metrics` on this port answers to `Authorization: Bearer <metricsToken>`; otherwise it is not served here. */
  metricsToken?: string;
  limits: Limits;
  rateLimiter: RateLimiter;
  /** `max-age` (s) of public answers to anonymous GET queries; 0 never marks an answer public. */
  cacheMaxAge?: number;
  /** Registered documents and the mode that applies them (see trusted-documents.ts). */
  trustedDocuments: TrustedDocuments;
  /** Runs when Apollo drains, after HTTP stops accepting (closes the WebSocket side). */
  onDrain: () => Promise<void>;
  /** Other handlers under `/graphql/...` (Server-Sent Events), mounted before Apollo's. */
  routes?: [path: string, handler: express.RequestHandler][];
}): Promise<{ app: Express; apollo: ApolloServer<Context> }> {
  const apollo = new ApolloServer<Context>({
    // graphql-jit comes in as a gateway, which then supplies the schema (Apollo takes one or the other).
    ...(options.executor === 'jit' ? { gateway: jitGateway(options.schema, options.civgraph.sqlReads, options.civgraph.hooks) } : { schema: options.schema }),
    introspection: options.introspection,
    // Without introspection, validation errors suggest no field names ("Did you mean …?"), as on graphql-ws and SSE.
    hideSchemaDetailsFromClientErrors: !options.introspection,
    formatError,
    // A SQL read's answer is JSON text already: written as it is (graphql/sql-reads.ts).
    stringifyResult,
    includeStacktraceInErrorResponses: false,
    // Abuse limits (src/graphql/limits.ts), the same as graphql-ws applies.
    validationRules: limitRules(options.limits),
    parseOptions: parseOptions(options.limits),
    // Stated although it is Apollo's default: one operation per request.
    allowBatchedHttpRequests: false,
    // Documents by hash are civgraph's trusted documents (PostgreSQL, every process), not
    // Apollo's automatic persisted queries (in memory, registered by anyone who sends a text).
    persistedQueries: false,
    // Apollo's CSRF prevention also refuses every GET without a preflight-forcing header, which
    // breaks spec GETs and CDN caching. civgraph's credentials are bearer tokens, never cookies,
    // so a cross-site GET is anonymous; simple POSTs are refused by refuseSimplePosts instead.
    csrfPrevention: false,
    // civgraph stops in order itself: HTTP, WebSockets, pool, then PostgreSQL.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      {
        async serverWillStart() {
          return { drainServer: options.onDrain };
        },
        async requestDidStart() {
          const started = process.hrtime.bigint();
          return {
            async validationDidStart(requestContext) {
              // Refused before graphql-js's validation, whose cost grows with the square of repeated fields.
              const standIn = standInIfOverFields(requestContext.document, options.limits.maxFields);
              if (standIn) (requestContext as { document: DocumentNode }).document = standIn;
            },
            async didResolveOperation({ request, document, schema, operation }) {
              // No operation of the request's name (or several, none named): 400 OPERATION_RESOLUTION_FAILURE, nothing compiled.
              if (!operation) {
                const unresolved = operationResolutionError(document, request.operationName)!;
                throw new GraphQLError(unresolved.message, { extensions: { ...unresolved.extensions, http: { status: 400 } } });
              }
              // A subscription is a stream: graphql-ws and SSE carry it. Over plain HTTP it would run its
              // resolver once without an event (a masked null in a non-null field); refused instead.
              if (operation.operation === 'subscription') {
                throw new GraphQLError(`Subscriptions are not served over plain HTTP: use graphql-ws on this URL, or Server-Sent Events at ${SSE_PATH}`, {
                  extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } },
                });
              }
              // Text that PostgreSQL cannot store (NUL…): 400, nothing runs (text-input.ts). One error: a hook throws one.
              const tooDeep = variableDepthError(request.variables);
              if (tooDeep) throw new GraphQLError(tooDeep.message, { extensions: { ...tooDeep.extensions, http: { status: 400 } } });
              const unsafeText = controlCharacterErrors(document, request.variables, request.operationName)[0];
              if (unsafeText) throw new GraphQLError(unsafeText.message, { extensions: { ...unsafeText.extensions, http: { status: 400 } } });
              // Variables past graphql-js's error cap, and the cost (limits.ts): before graphql-jit compiles anything.
              const error = operationError(options.limits, schema, document, request, { introspection: options.introspection });
              if (error) throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
            },
            async didEncounterErrors({ errors, contextValue, request, operationName }) {
              for (const error of errors) {
                options.metrics.errors.inc({ code: errorCode(error) });
                // What formatError masks, logged here once (willSendResponse adds the same request id to the answer).
                if (isUnexpected(error))
                  logServerFault(error, { requestId: contextValue.requestId, operationName: operationName ?? request.operationName ?? null });
              }
            },
            async willSendResponse({ request, response, contextValue, operationName, operation }) {
              options.metrics.requestDuration.observe(
                { operation: options.metrics.operations.label(operationName), type: operation?.operation ?? 'unknown', transport: 'http' },
                Number(process.hrtime.bigint() - started) / 1e9,
              );
              if (response.body.kind !== 'single') return;
              const result = response.body.singleResult;
              response.http.headers.set(
                'cache-control',
                cacheControlFor({
                  method: request.http?.method,
                  authorized: Boolean(request.http?.headers.get('authorization')),
                  operation: operation?.operation,
                  hasErrors: Boolean(result.errors?.length),
                  maxAge: options.cacheMaxAge ?? DEFAULT_CACHE_MAX_AGE,
                }),
              );
              // The spec's legacy media type: a request error (nothing ran) is 200 with the errors in the body.
              if (
                response.http.status === 400 &&
                !('data' in result) &&
                wantsLegacyJson(request.http?.headers.get('accept')) &&
                result.errors?.every((error) => REQUEST_ERROR_CODES.has(String(error.extensions?.code)))
              ) {
                response.http.status = 200;
              }
              // Without introspection, a variable's coercion error suggests no enum value or input field.
              if (result.errors && !options.introspection) {
                result.errors = result.errors.map((error) =>
                  error.extensions?.code === ErrorCode.BAD_USER_INPUT ? { ...error, message: withoutSuggestions(error.message) } : error,
                );
              }
              // Masked errors carry the request id, so a user's report finds the log line.
              if (result.errors) result.errors = result.errors.map((error) => withRequestId(error, contextValue.requestId));
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.set('x-request-id', requestId);
    next();
  });
  app.use(healthRouter(options.orm, options.metrics, options.metricsToken));
  // Dashboard (/) and console (GET /graphql from a browser), bundled in dist/web.
  const webDir = webAssetsDir();
  app.use(webConsole(webDir), webDashboard(webDir));
  // Extra transports (Server-Sent Events) under /graphql/…, before Apollo takes /graphql.
  for (const [path, handler] of options.routes ?? []) {
    app.use(
      path,
      cors({ origin: options.corsOrigins, allowedHeaders: ['content-type', 'authorization', 'x-request-id'], exposedHeaders: ['x-request-id'], maxAge: 600 }),
      express.json({ limit: '1mb' }),
      handler,
    );
  }
  app.use(
    '/graphql',
    cors({
      origin: options.corsOrigins,
      allowedHeaders: ['content-type', 'authorization', 'x-request-id', 'apollo-require-preflight'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    }),
    noStoreByDefault,
    etagsForGetOnly,
    refuseSimplePosts,
    express.json({ limit: MAX_BODY }),
    bodyErrors,
    trustedDocumentsMiddleware(options.trustedDocuments, options.rateLimiter),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const viewer = await admittedViewerOf(req, options.verifier, options.rateLimiter);
        return createContext(options.orm, options.civgraph, { requestId: res.locals.requestId as string, viewer, extensions: { clientAddress: req.ip } });
      },
    }),
  );
  // Registration and the features' REST routes (downloads, uploads) take from the same buckets as /graphql.
  const admission = restAdmission(options.verifier, options.rateLimiter);
  app.use('/trusted-documents', admission.admit, documentsRouter(options.orm, options.civgraph, admission.viewerOf));
  // The features' REST routes, under the same tokens and read rules; what reaches here is charged once.
  const routeDeps = { orm: options.orm, registry: options.civgraph, viewerOf: admission.viewerOf };
  app.use(admission.admit);
  for (const route of options.civgraph.routes) app.use(route(routeDeps));
  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found. GraphQL is served at /graphql.' });
  });
  app.use(lastErrors);
  log.debug('http app ready');
  return { app, apollo };
}
