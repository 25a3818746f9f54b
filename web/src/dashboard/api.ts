import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from '../../graphql/generated/graphql';

/** Where the bearer token is kept; the console uses the same key. */
export const TOKEN_KEY = 'civgraph.token';

/**
 * The token: `?token=` wins (and is stored, then removed from the address bar so
 * it does not end up in bookmarks or screenshots), else the stored one.
 */
export function takeToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    localStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url);
    return fromUrl;
  }
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

export function currentToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

/** One GraphQL error as civgraph formats it. */
export interface GqlError {
  message: string;
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

/** The request failed with GraphQL errors (validation errors included: a field the server lacks). */
export class GraphQLRequestError extends Error {
  constructor(readonly errors: GqlError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
  /** The server does not know a field or argument of the operation (it comes with a later version). */
  get unsupported(): boolean {
    // Over graphql-ws, validation errors come without a code: recognise graphql-js's messages too.
    return this.errors.some(
      (e) =>
        e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' || /^(Cannot query field|Unknown argument|Unknown type|Schema is not configured)/.test(e.message),
    );
  }
}

/** A document: a typed one from codegen, or a plain string for a pending operation (web/graphql/pending/). */
export type Document<TResult, TVariables> = TypedDocumentString<TResult, TVariables> | string;

/** POSTs an operation to /graphql with the bearer token; throws on any error. */
export async function gql<TResult, TVariables>(document: Document<TResult, TVariables>, variables?: TVariables): Promise<TResult> {
  const token = currentToken();
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
  });
  const body = (await response.json().catch(() => null)) as { data?: TResult; errors?: GqlError[] } | null;
  if (!body) throw new Error(`HTTP ${response.status}`);
  if (body.errors?.length) throw new GraphQLRequestError(body.errors);
  return body.data as TResult;
}

/** GETs a file from civgraph with the bearer token (report downloads). */
export async function download(path: string, filename: string): Promise<void> {
  const token = currentToken();
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

let wsClient: Client | null = null;

/**
 * The graphql-ws client on the same URL. It does not retry by itself: the live
 * feed resubscribes with its last cursor, so nothing is missed or seen twice.
 */
export function ws(): Client {
  wsClient ??= createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: () => {
      const token = currentToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    lazy: true,
    retryAttempts: 0,
  });
  return wsClient;
}

/** Fields the server offers, as `Type.field`; null when introspection is off (then every panel just tries). */
export class SchemaFields {
  constructor(private readonly fields: Set<string> | null) {}
  has(path: string): boolean {
    return this.fields === null || this.fields.has(path);
  }
  missing(paths: string[]): string[] {
    return paths.filter((path) => !this.has(path));
  }
}
