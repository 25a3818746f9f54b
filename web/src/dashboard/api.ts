import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from '../../graphql/generated/graphql';

/**
 * A development token (`civgraph token`), kept where the GraphQL console keeps it:
 * a developer's tool only (the sign-in page's 开发者入口 on a loopback address).
 */
export const TOKEN_KEY = 'civgraph.token';
/**
 * The refresh token of a signed-in account. In localStorage, so a session survives
 * a reload and a new tab (the access token does not: it lives in this page's memory
 * only); docs/security.md says why.
 */
export const REFRESH_KEY = 'civgraph.refresh';
/**
 * The signed-in account (id, login, name, role) as the last sign-in or renewal returned it,
 * beside the refresh token and cleared with it: a page reloaded without a network starts
 * from it (issue 30 item 2), and its id names the session's kept reads (web/public/sw.js).
 */
export const ACCOUNT_KEY = 'civgraph.account';
/** The header naming the account whose reads the service worker keeps (not the access token, which changes every 15 minutes). */
const READER_HEADER = 'x-civgraph-reader';

/** The message of a session that ended (expired, signed out elsewhere, revoked, account disabled). */
export const SESSION_EXPIRED = '登录已过期，请重新登录';

/** A signed-in account as the sign-in and refresh payloads return it. */
export interface SessionAccount {
  id: string;
  login: string;
  displayName: string;
  role: string;
  mustChangePassword: boolean;
}

interface SessionPayload {
  accessToken: string | null;
  accessTokenExpiresAt: string | null;
  refreshToken: string | null;
  account: SessionAccount | null;
  userErrors: { field?: string[] | null; message: string; messageZh?: string | null; code: string }[];
}

const SESSION_FIELDS = `accessToken accessTokenExpiresAt refreshToken
  account { id login displayName role mustChangePassword }
  userErrors { field message messageZh code }`;
const SIGN_IN = `mutation DashboardSignIn($input: SignInInput!) { signIn(input: $input) { ${SESSION_FIELDS} } }`;
const REFRESH = `mutation DashboardRefreshSession($input: RefreshSessionInput!) { refreshSession(input: $input) { ${SESSION_FIELDS} } }`;
const SIGN_OUT = `mutation DashboardSignOut($input: SignOutInput!) { signOut(input: $input) { sessionsEnded userErrors { message messageZh code } } }`;
const SIGN_OUT_EVERYWHERE = `mutation DashboardSignOutEverywhere { signOutEverywhere { sessionsEnded userErrors { message messageZh code } } }`;

/** Refresh this long before the access token expires (and never sooner than this after a refresh). */
const REFRESH_EARLY_MS = 60_000;
const REFRESH_MIN_MS = 5_000;

/** The access token, in memory only: never in storage, never in the address bar. */
let access: string | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<SessionAccount | null> | null = null;
let lostHandler: ((message: string) => void) | null = null;
/** The session this page had has been reported lost (once: several panels may fail at once); a new sign-in resets it. */
let lost = false;

/** The session ended (a 401 the refresh token could not cure, a 4403 on the feed): the page shows `message` and the sign-in form. */
export class SessionExpiredError extends Error {
  constructor(readonly messageZh = SESSION_EXPIRED) {
    super('session expired');
  }
}

/**
 * A link that still carries `?token=` (an old bookmark, an old `civgraph token`
 * banner): the token leaves the address bar at once and is not kept or used.
 */
export function dropTokenFromUrl(): void {
  const url = new URL(location.href);
  if (!url.searchParams.has('token')) return;
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url);
}

/** A development token a developer entered (or the console saved), if any. */
export function developerToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setDeveloperToken(token: string | null): void {
  if (token) lost = false;
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** The bearer token requests carry: the account's access token, else a developer's token. */
export function currentToken(): string | null {
  return access ?? developerToken();
}

/** What to do when the session ends (main.ts: dispose the panels, show the sign-in form with the message). */
export function onSessionLost(handler: (message: string) => void): void {
  lostHandler = handler;
}

/** Forget the account's tokens (memory, storage, the refresh timer). */
function clearSession(): void {
  access = null;
  clearTimeout(refreshTimer);
  localStorage.removeItem(REFRESH_KEY);
  localStorage.removeItem(ACCOUNT_KEY);
}

/** The account of the stored session as last renewed (for a reload without a network), or null. */
export function storedAccount(): SessionAccount | null {
  if (!hasStoredSession()) return null;
  try {
    return JSON.parse(localStorage.getItem(ACCOUNT_KEY) ?? 'null') as SessionAccount | null;
  } catch {
    return null;
  }
}

/**
 * Who the offline queue's entries belong to (issue 30 item 2): the signed-in
 * account (`account:<id>`, from the stored account, so also offline), else the
 * developer token's `sub` (`token:<sub>`); null when nobody is signed in.
 * Never role, area or display name, which two accounts can share.
 */
export function queueOwner(): string | null {
  const account = storedAccount();
  if (account) return `account:${account.id}`;
  const token = developerToken();
  if (!token) return null;
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const sub = (JSON.parse(atob(part)) as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub ? `token:${sub}` : null;
  } catch {
    return null;
  }
}

/** Whether a failure is the network's (fetch rejected: offline, no route), not a refusal. */
export function isOffline(error: unknown): boolean {
  return error instanceof TypeError;
}

/** Ends the session on this page: tokens forgotten, the handler told (once per loss). */
export function sessionLost(message = SESSION_EXPIRED): void {
  clearSession();
  setDeveloperToken(null);
  if (lost) return;
  lost = true;
  lostHandler?.(message);
}

function keep(payload: SessionPayload): SessionAccount {
  lost = false;
  access = payload.accessToken;
  localStorage.setItem(REFRESH_KEY, payload.refreshToken!);
  localStorage.setItem(ACCOUNT_KEY, JSON.stringify(payload.account));
  clearTimeout(refreshTimer);
  const expiresAt = new Date(payload.accessTokenExpiresAt ?? 0).getTime();
  const delay = Math.max(REFRESH_MIN_MS, expiresAt - Date.now() - REFRESH_EARLY_MS);
  // A refused renewal ends the session here and now (no anonymous reads after it); a network error
  // leaves the access token until a request is refused, which tries again.
  refreshTimer = setTimeout(
    () =>
      void refreshNow().then(
        (account) => account ?? sessionLost(),
        () => undefined,
      ),
    delay,
  );
  return payload.account!;
}

let reachability: ((reached: boolean) => void) | null = null;
/** Told whether each request reached the server (the page's 离线 mark: the `online` event does not always come). */
export function onReachability(handler: (reached: boolean) => void): void {
  reachability = handler;
}

async function post<T>(query: string, variables: Record<string, unknown>, token: string | null): Promise<{ status: number; data?: T; errors?: GqlError[] }> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...readerHeader(token),
    },
    body: JSON.stringify({ query, variables }),
  }).then(
    (answer) => {
      // A service worker's kept answer is no sign of a network.
      if (!answer.headers.has('x-civgraph-kept')) reachability?.(true);
      return answer;
    },
    (error: unknown) => {
      if (isOffline(error)) reachability?.(false);
      throw error;
    },
  );
  const body = (await response.json().catch(() => null)) as { data?: T; errors?: GqlError[] } | null;
  if (!body) throw new Error(`HTTP ${response.status}`);
  return { status: response.status, ...body };
}

/** For a signed-in account's requests: its id, which the service worker keys its kept reads by. */
function readerHeader(token: string | null): Record<string, string> {
  const account = token === null || token === access ? storedAccount() : null;
  return account ? { [READER_HEADER]: `account:${account.id}` } : {};
}

/** The text of a refusal: the server's Chinese (`messageZh`, or a GraphQL error's own Chinese message), never English. */
function refusalText(errors: { message: string; messageZh?: string | null; extensions?: GqlError['extensions'] }[]): string {
  const first = errors[0];
  if (!first) return '登录未成功，请稍后重试';
  if (first.messageZh) return first.messageZh;
  if (/[\u4e00-\u9fff]/.test(first.message)) return first.message;
  return first.extensions?.code === 'RATE_LIMITED' ? '登录尝试过于频繁，请稍后再试' : '登录未成功，请稍后重试';
}

/** Signs in with a login and a password: the account, or the server's Chinese message. */
export async function signIn(login: string, password: string): Promise<{ account: SessionAccount } | { message: string }> {
  const result = await post<{ signIn: SessionPayload }>(SIGN_IN, { input: { login, password } }, null);
  if (result.errors?.length) return { message: refusalText(result.errors) };
  const payload = result.data!.signIn;
  if (payload.userErrors.length || !payload.accessToken) return { message: refusalText(payload.userErrors) };
  setDeveloperToken(null);
  return { account: keep(payload) };
}

/**
 * A new token pair for the stored refresh token (one refresh at a time: the old
 * refresh token is spent by it). Null when there is no session or it has ended.
 */
export function refreshNow(): Promise<SessionAccount | null> {
  refreshing ??= (async () => {
    const refreshToken = localStorage.getItem(REFRESH_KEY);
    if (!refreshToken) return null;
    const result = await post<{ refreshSession: SessionPayload }>(REFRESH, { input: { refreshToken } }, null);
    const payload = result.data?.refreshSession;
    if (result.errors?.length || !payload || payload.userErrors.length || !payload.accessToken) {
      clearSession();
      return null;
    }
    return keep(payload);
  })().finally(() => (refreshing = null));
  return refreshing;
}

/** On opening the page: the stored refresh token's account (a new access token), or null. */
export async function resumeSession(): Promise<SessionAccount | null> {
  return refreshNow();
}

/** Whether a refresh token is stored (a session to resume, or one that just ended). */
export function hasStoredSession(): boolean {
  return localStorage.getItem(REFRESH_KEY) !== null;
}

/** 退出登录 (this session) or 退出所有设备 (every session of the account). Tokens are forgotten either way. */
export async function signOut(everywhere = false): Promise<void> {
  const refreshToken = localStorage.getItem(REFRESH_KEY);
  try {
    if (everywhere && access) await post(SIGN_OUT_EVERYWHERE, {}, access);
    else if (refreshToken) await post(SIGN_OUT, { input: { refreshToken } }, null);
  } finally {
    clearSession();
    setDeveloperToken(null);
    lost = true; // signed out on purpose: a late refusal (this page's feed closing) is no news
  }
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

/** Whether a response says the bearer token was refused (401, or UNAUTHENTICATED). */
function refused(result: { status: number; errors?: GqlError[] }): boolean {
  return result.status === 401 || Boolean(result.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED'));
}

/**
 * POSTs an operation to /graphql with the bearer token; throws on any error. A
 * refused access token is refreshed once and the operation sent again; when that
 * fails the session has ended ({@link SessionExpiredError}, the page signs in again).
 */
export async function gql<TResult, TVariables>(document: Document<TResult, TVariables>, variables?: TVariables): Promise<TResult> {
  const query = document.toString();
  const vars = (variables ?? {}) as Record<string, unknown>;
  await renewIfNeeded();
  let token = currentToken();
  let result = await post<TResult>(query, vars, token);
  if (token && refused(result)) {
    if (token === access && (await refreshNow())) {
      token = currentToken();
      result = await post<TResult>(query, vars, token);
    }
    if (refused(result)) {
      sessionLost();
      throw new SessionExpiredError();
    }
  }
  if (result.errors?.length) throw new GraphQLRequestError(result.errors);
  return result.data as TResult;
}

/**
 * A stored session without an access token (the page was reloaded without a network):
 * renew first. A renewal the network prevents leaves the request to go without a token
 * (the service worker may answer a kept read; anything else fails as offline); a refused
 * one ends the session (登录已过期).
 */
async function renewIfNeeded(): Promise<void> {
  if (access || !hasStoredSession() || typeof localStorage === 'undefined') return;
  let account: SessionAccount | null;
  try {
    account = await refreshNow();
  } catch (error) {
    if (isOffline(error)) return;
    throw error;
  }
  if (!account) {
    sessionLost();
    throw new SessionExpiredError();
  }
}

/** Sends a request with the bearer token, refreshing a refused access token once (file routes: downloads, imports). */
export async function authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const send = () => {
    const token = currentToken();
    return fetch(path, { ...init, headers: { ...(init.headers as Record<string, string>), ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  };
  await renewIfNeeded();
  const tokenUsed = currentToken();
  let response = await send();
  if (response.status === 401 && tokenUsed) {
    if (tokenUsed === access && (await refreshNow())) response = await send();
    if (response.status === 401) {
      sessionLost();
      throw new SessionExpiredError();
    }
  }
  return response;
}

/** GETs a file from civgraph with the bearer token (report downloads). */
export async function download(path: string, filename: string): Promise<void> {
  const response = await authorizedFetch(path);
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
    // After a reload without a network the page has no access token yet: renew before the socket says who it is.
    connectionParams: async () => {
      await renewIfNeeded();
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
