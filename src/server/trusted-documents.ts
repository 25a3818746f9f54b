import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, Kind, parse } from 'graphql';
import { DomainError, ErrorCode } from '../common/errors.js';
import { wantsLegacyJson } from './http-policy.js';
import type { RateLimiter } from './rate-limit.js';

/**
 * Trusted documents (persisted operations) for third-party frontends: a client
 * registers the operations it will send (a GraphQL Code Generator
 * `persisted-documents.json`, hash → document), then sends only a hash — the
 * GraphQL-over-HTTP `documentId` or Apollo's `extensions.persistedQuery.sha256Hash`.
 *
 * - `off`: hashes are not accepted (PERSISTED_QUERY_NOT_SUPPORTED); any document runs.
 * - `allow` (default): hashes of registered documents run; any document text runs too.
 * - `require`: only registered documents run, sent by hash or as text whose hash is
 *   registered (TRUSTED_DOCUMENT_REQUIRED otherwise), on HTTP, graphql-ws and SSE.
 *
 * Documents live in PostgreSQL (`trusted_document`), so every process serves what any
 * process (or the CLI) registered. A hash names its text for ever, so a found document
 * is kept in this process; an unknown hash is asked of the database every time.
 */
export const TRUSTED_DOCUMENT_MODES = ['off', 'allow', 'require'] as const;
export type TrustedDocumentMode = (typeof TRUSTED_DOCUMENT_MODES)[number];

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Documents kept in memory per process (each a few kB at most). */
const MAX_CACHED = 10_000;

/** The hash a document is registered and sent under: sha256 of its exact text, lower-case hex. */
export function documentHash(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/** A `documentId` (`sha256:<hex>` or bare `<hex>`) or an Apollo `sha256Hash` as a hex hash; null when malformed. */
export function parseDocumentId(id: unknown): string | null {
  if (typeof id !== 'string') return null;
  const hex = id.startsWith('sha256:') ? id.slice('sha256:'.length) : id;
  return SHA256_HEX.test(hex) ? hex : null;
}

/** A manifest entry that cannot be registered, and why. */
export interface ManifestProblem {
  hash: string;
  code: typeof ErrorCode.BAD_USER_INPUT;
  message: string;
}

/**
 * Checks a manifest (hash → document): every key must be the sha256 of its
 * document (optionally `sha256:`-prefixed) and every document must parse.
 * Returns the problems (empty when the manifest is good); pure, no database.
 */
export function checkManifest(manifest: unknown): { documents: Map<string, string>; problems: ManifestProblem[] } {
  const documents = new Map<string, string>();
  const problems: ManifestProblem[] = [];
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) {
    problems.push({ hash: '', code: ErrorCode.BAD_USER_INPUT, message: 'A manifest is a JSON object of hash → document (persisted-documents.json)' });
    return { documents, problems };
  }
  const entries = Object.entries(manifest as Record<string, unknown>);
  if (!entries.length) problems.push({ hash: '', code: ErrorCode.BAD_USER_INPUT, message: 'The manifest holds no documents' });
  for (const [key, body] of entries) {
    const hash = parseDocumentId(key);
    if (typeof body !== 'string' || !body.trim()) {
      problems.push({ hash: key, code: ErrorCode.BAD_USER_INPUT, message: 'The document must be a non-empty string' });
      continue;
    }
    if (!hash) {
      problems.push({
        hash: key,
        code: ErrorCode.BAD_USER_INPUT,
        message: 'The key must be a sha256 hash (64 hex digits): set persistedDocuments.hashAlgorithm to sha256 in codegen',
      });
      continue;
    }
    if (documentHash(body) !== hash) {
      problems.push({ hash: key, code: ErrorCode.BAD_USER_INPUT, message: `The key is not the sha256 of its document (that is ${documentHash(body)})` });
      continue;
    }
    try {
      parse(body);
    } catch (error) {
      problems.push({ hash: key, code: ErrorCode.BAD_USER_INPUT, message: `The document does not parse: ${(error as Error).message}` });
      continue;
    }
    documents.set(hash, body);
  }
  return { documents, problems };
}

/** The registered documents of one database, with this process's cache of them. */
export class TrustedDocuments {
  private readonly cache = new Map<string, string>();
  /** Operation names of the documents this process has found (for bounded metric labels). */
  private readonly names = new Set<string>();

  constructor(
    private readonly orm: MikroORM,
    readonly mode: TrustedDocumentMode,
  ) {}

  /** True when this process holds `hash`'s text (a lookup costs no statement). */
  has(hash: string): boolean {
    return this.cache.has(hash);
  }

  /** The text registered under `hash`, or null. */
  async lookup(hash: string): Promise<string | null> {
    const cached = this.cache.get(hash);
    if (cached !== undefined) return cached;
    const [row] = await rawSql<{ body: string }>(this.orm, 'select body from trusted_document where hash = ? limit 1', [hash]);
    if (!row) return null;
    if (this.cache.size >= MAX_CACHED) {
      this.cache.clear();
      this.names.clear();
    }
    this.cache.set(hash, row.body);
    for (const name of operationNames(row.body)) this.names.add(name);
    return row.body;
  }

  /** True when `name` names an operation of a registered document this process has served. */
  isRegisteredName(name: string): boolean {
    return this.names.has(name);
  }

  /**
   * The document an operation sent over graphql-ws or SSE runs, with the mode applied as
   * HTTP's middleware does: its `query`, or the registered document its hash names
   * (`extensions.persistedQuery.sha256Hash`, version 1, or `documentId`) when it sends none
   * (an empty `query` counts as none). Otherwise the error to answer, with HTTP's codes:
   * PERSISTED_QUERY_NOT_SUPPORTED (`off`), BAD_REQUEST (a malformed hash, or one that is not
   * the `query`'s), PERSISTED_QUERY_NOT_FOUND, TRUSTED_DOCUMENT_REQUIRED (`require`, a
   * document whose hash is not registered). Without a hash or a text the `query` is returned
   * as sent, for the parser to refuse.
   */
  async documentOf(params: { query?: unknown; extensions?: unknown; documentId?: unknown }): Promise<{ query: string } | { error: GraphQLError }> {
    const persisted =
      params.extensions && typeof params.extensions === 'object'
        ? (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } }).persistedQuery
        : undefined;
    const sent = params.documentId ?? persisted?.sha256Hash;
    const query = typeof params.query === 'string' && params.query !== '' ? params.query : undefined;
    if (sent === undefined) {
      if (query !== undefined && this.mode === 'require' && !(await this.lookup(documentHash(query)))) return { error: requiredError() };
      return { query: typeof params.query === 'string' ? params.query : '' };
    }
    if (this.mode === 'off') return { error: transportError(ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, NOT_SUPPORTED) };
    const hash = parseDocumentId(sent);
    if (!hash || (persisted && params.documentId === undefined && persisted.version !== 1))
      return { error: transportError(ErrorCode.BAD_REQUEST, MALFORMED_HASH) };
    if (query !== undefined) {
      if (documentHash(query) !== hash) return { error: transportError(ErrorCode.BAD_REQUEST, HASH_MISMATCH) };
      if (this.mode === 'require' && !(await this.lookup(hash))) return { error: requiredError() };
      return { query };
    }
    const text = await this.lookup(hash);
    return text === null ? { error: transportError(ErrorCode.PERSISTED_QUERY_NOT_FOUND, notFound(hash)) } : { query: text };
  }
}

const NOT_SUPPORTED = 'This server does not take documents by hash (GRAPHQL_TRUSTED_DOCUMENTS=off): send the document text as `query`';
const MALFORMED_HASH = 'A document hash is `sha256:<64 hex digits>` (documentId) or 64 hex digits (extensions.persistedQuery, version 1)';
const HASH_MISMATCH = 'The document hash does not match the sha256 of `query`';
const notFound = (hash: string) => `No document is registered under ${hash}: register it, or send its text as \`query\``;

function transportError(code: ErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/**
 * Registers a client's manifest: all of it or, when any entry is bad, nothing
 * (a {@link DomainError} BAD_USER_INPUT naming every bad entry). Registering a
 * document twice is a no-op. Returns how many were new.
 */
export async function registerDocuments(
  orm: MikroORM,
  input: { client: string; manifest: unknown; registeredBy: string },
): Promise<{ client: string; registered: number; alreadyRegistered: number }> {
  const client = input.client.trim();
  if (!/^[\w.@-]{1,64}$/.test(client)) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'The client name must be 1–64 letters, digits, . _ - or @', 'client');
  const { documents, problems } = checkManifest(input.manifest);
  if (problems.length) {
    throw new DomainError(
      ErrorCode.BAD_USER_INPUT,
      `Nothing registered: ${problems.map((p) => (p.hash ? `${p.hash}: ${p.message}` : p.message)).join('; ')}`,
      'manifest',
    );
  }
  const hashes = [...documents.keys()];
  const rows = await rawSql<{ hash: string }>(
    orm,
    `insert into trusted_document (hash, client, body, registered_by)
     select hash, ?, body, ? from unnest(?::text[], ?::text[]) as d(hash, body)
     on conflict (hash, client) do nothing
     returning hash`,
    [client, input.registeredBy, hashes, hashes.map((hash) => documents.get(hash)!)],
  );
  return { client, registered: rows.length, alreadyRegistered: hashes.length - rows.length };
}

/** One statement on the pool, outside any request's entity manager (arrays bind as PostgreSQL arrays). */
async function rawSql<T>(orm: MikroORM, text: string, params: unknown[]): Promise<T[]> {
  const result = await orm.em
    .getConnection()
    .getKnex()
    .raw(text, params as never[]);
  return result.rows as T[];
}

/** The names of a document's operations (registered documents parse: checkManifest saw to it). */
function operationNames(body: string): string[] {
  try {
    return parse(body).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));
  } catch {
    return [];
  }
}

function requiredError(): GraphQLError {
  return new GraphQLError('This server runs registered documents only: register the operation (npm run civgraph -- documents register) and send its hash', {
    extensions: { code: ErrorCode.TRUSTED_DOCUMENT_REQUIRED },
  });
}

function refuse(req: Request, res: Response, code: ErrorCode, message: string): void {
  const legacy = wantsLegacyJson(req.get('accept'));
  res
    .status(legacy ? 200 : 400)
    .type(legacy ? 'application/json; charset=utf-8' : 'application/graphql-response+json; charset=utf-8')
    .send(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

function jsonParam(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Express middleware before Apollo on `/graphql`: turns a hash into its registered
 * document (POST body or GET query string) and applies the mode. What reaches
 * Apollo is an ordinary request with `query` and without the hash.
 */
export function trustedDocumentsMiddleware(documents: TrustedDocuments, limiter?: RateLimiter) {
  // Hash lookups run before Apollo's context (identity, rate limit): one that this process cannot
  // answer from memory costs a statement, so it also takes a token from the client IP's bucket,
  // and a flood of unknown hashes is refused with 429 like any other flood.
  const lookup = async (req: Request, res: Response, hash: string): Promise<string | null | 'limited'> => {
    if (limiter && !documents.has(hash)) {
      const taken = limiter.take(`ip:${req.ip ?? 'unknown'}`);
      if (!taken.ok) {
        res
          .set('retry-after', String(taken.retryAfterSeconds))
          .status(429)
          .json({
            errors: [
              {
                message: `Too many requests: retry after ${taken.retryAfterSeconds} s`,
                extensions: { code: ErrorCode.RATE_LIMITED, retryAfter: taken.retryAfterSeconds },
              },
            ],
          });
        return 'limited';
      }
    }
    return documents.lookup(hash);
  };
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'POST') return next();
    const url = new URL(req.url, 'http://civgraph');
    const get = req.method === 'GET';
    const params: Record<string, unknown> = get
      ? Object.fromEntries(url.searchParams)
      : req.body && typeof req.body === 'object' && !Array.isArray(req.body)
        ? (req.body as Record<string, unknown>)
        : {};
    const extensions = jsonParam(params.extensions);
    const persisted =
      extensions && typeof extensions === 'object'
        ? (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } }).persistedQuery
        : undefined;
    const sent = params.documentId ?? persisted?.sha256Hash;
    const query = typeof params.query === 'string' && params.query !== '' ? params.query : undefined;
    try {
      if (sent === undefined) {
        if (documents.mode === 'require' && query !== undefined) {
          const found = await lookup(req, res, documentHash(query));
          if (found === 'limited') return;
          if (!found) return refuse(req, res, ErrorCode.TRUSTED_DOCUMENT_REQUIRED, requiredError().message);
        }
        return next();
      }
      if (documents.mode === 'off') {
        return refuse(req, res, ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, NOT_SUPPORTED);
      }
      const hash = parseDocumentId(sent);
      if (!hash || (persisted && params.documentId === undefined && persisted.version !== 1)) {
        return refuse(req, res, ErrorCode.BAD_REQUEST, MALFORMED_HASH);
      }
      let text = query;
      if (text !== undefined) {
        if (documentHash(text) !== hash) return refuse(req, res, ErrorCode.BAD_REQUEST, HASH_MISMATCH);
        if (documents.mode === 'require') {
          const found = await lookup(req, res, hash);
          if (found === 'limited') return;
          if (!found) return refuse(req, res, ErrorCode.TRUSTED_DOCUMENT_REQUIRED, requiredError().message);
        }
      } else {
        const found = await lookup(req, res, hash);
        if (found === 'limited') return;
        text = found ?? undefined;
        if (text === undefined) return refuse(req, res, ErrorCode.PERSISTED_QUERY_NOT_FOUND, notFound(hash));
      }
      // Apollo sees an ordinary request: the text, and no hash (its own persisted queries are off).
      const rest = extensions && typeof extensions === 'object' ? { ...(extensions as Record<string, unknown>) } : undefined;
      if (rest) delete rest.persistedQuery;
      if (get) {
        url.searchParams.set('query', text);
        url.searchParams.delete('documentId');
        if (rest) url.searchParams.set('extensions', JSON.stringify(rest));
        req.url = `${url.pathname}${url.search}`;
      } else {
        const body = req.body as Record<string, unknown>;
        body.query = text;
        delete body.documentId;
        if (rest) body.extensions = rest;
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
