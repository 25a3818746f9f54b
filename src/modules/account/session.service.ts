import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { PayloadErrors, userError, type UserError } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { isRole, requireViewer, type Viewer } from '../../auth/auth.rules.js';
import { accountSigningSettings, mintToken } from '../../auth/auth.tokens.js';
import { RateLimiter } from '../../server/rate-limit.js';
import { AuditOutcome } from '../audit/audit.rules.js';
import { auditService } from '../audit/audit.service.js';
import { ACCOUNT_COLUMNS, accountFromRow, type Account, type AccountRow } from './account.entity.js';
import type { ChangePasswordInput, RefreshSessionInput, SignInInput, SignOutInput } from './account.inputs.js';
import {
  accountKeyOfSubject,
  accountSubject,
  hashPassword,
  newRefreshToken,
  normalizeLogin,
  passwordProblem,
  refreshTokenHash,
  verifyPassword,
} from './account.rules.js';
import { revokeAccountSessions } from './account.service.js';

/** Lifetimes of accounts' tokens (ACCESS_TOKEN_MINUTES, REFRESH_TOKEN_DAYS). */
export interface SessionSettings {
  /** Access token (JWT) lifetime in seconds: 15 minutes by default. */
  accessTokenSeconds: number;
  /** Refresh token lifetime in seconds, from its issue: 30 days by default. */
  refreshTokenSeconds: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = { accessTokenSeconds: 15 * 60, refreshTokenSeconds: 30 * 24 * 60 * 60 };

let settings: SessionSettings = DEFAULT_SESSION_SETTINGS;

/** Sets the token lifetimes (`civgraph start` passes the configured ones). */
export function configureSessions(next: SessionSettings): void {
  settings = { ...next };
}

export function sessionSettings(): SessionSettings {
  return settings;
}

/** The generic answer to a wrong login or password: it never says which was wrong. */
export const SIGN_IN_FAILED = '登录名或密码错误';
const SESSION_EXPIRED = '登录已过期，请重新登录';

/** How long a failed sign-in waits before it answers (slows guessing; the same for every failure). */
export const FAILURE_DELAY_MS = 400;

/**
 * Sign-in attempts that failed, per login (5 at once, then one a minute) and per
 * address (20 at once, then 10 a minute). Once either is empty, signing in with
 * that login or from that address is refused (RATE_LIMITED, with Retry-After)
 * before any password is checked. Per process, like every rate limit here.
 */
const perLogin = new RateLimiter({ perMinute: 1, burst: 5 });
const perAddress = new RateLimiter({ perMinute: 10, burst: 20 });

function throttled(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`登录尝试过于频繁，请 ${retryAfterSeconds} 秒后再试`, {
    extensions: {
      code: ErrorCode.RATE_LIMITED,
      retryAfter: retryAfterSeconds,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}

/** The viewer an account's tokens name (and its audit rows). */
function viewerOf(row: AccountRow, sessionId?: string): Viewer {
  if (!isRole(row.role)) throw new Error(`account ${row.id} has role ${row.role}, which this server does not know`);
  return {
    sub: accountSubject(row.id),
    name: row.display_name,
    role: row.role,
    areaCode: row.area_code,
    ...(row.section ? { section: row.section } : {}),
    ...(sessionId ? { sessionId } : {}),
  };
}

/**
 * A security event of an account, in the audit log beside the call's own row:
 * named `signIn.failed`, `signIn.succeeded`, `refreshSession.reused`, with the
 * account as the actor (so the county admin reads it in auditLog), written in
 * the call's transaction.
 */
async function auditEvent(ctx: Context, event: string, actor: Viewer | null, args: Record<string, unknown>, outcome: AuditOutcome, codes: string[] = []) {
  await auditService.write(ctx.sql, {
    startedAt: new Date(),
    durationMs: 0,
    viewer: actor,
    operationName: null,
    mutation: event,
    args,
    outcome,
    errorCodes: codes,
    requestId: ctx.requestId,
  });
}

type Tokens = {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  account: Account;
};

/** Issues a refresh token for the session and an access token naming it. */
async function issue(ctx: Context, row: AccountRow, sessionId: string): Promise<Tokens> {
  const signing = accountSigningSettings();
  if (!signing) throw new DomainError(ErrorCode.BAD_USER_INPUT, '本服务器使用外部身份认证（JWT_JWKS_URL），不签发账号令牌');
  const refreshToken = newRefreshToken();
  const now = Date.now();
  const refreshTokenExpiresAt = new Date(now + settings.refreshTokenSeconds * 1000);
  await ctx.sql('insert into account_refresh_token (token_hash, session_id, expires_at) values (?, ?::uuid, ?)', [
    refreshTokenHash(refreshToken),
    sessionId,
    refreshTokenExpiresAt,
  ]);
  await ctx.sql('update account_session set last_refreshed_at = now(), expires_at = greatest(expires_at, ?) where id = ?::uuid', [
    refreshTokenExpiresAt,
    sessionId,
  ]);
  const viewer = viewerOf(row);
  const accessTokenExpiresAt = new Date(Math.floor(now / 1000) * 1000 + settings.accessTokenSeconds * 1000);
  const accessToken = await mintToken(
    signing.secret,
    {
      sub: viewer.sub,
      name: viewer.name,
      role: viewer.role,
      area: viewer.areaCode,
      section: viewer.section,
      sid: sessionId,
      mustChangePassword: row.must_change_password,
    },
    { expiresIn: Math.floor(accessTokenExpiresAt.getTime() / 1000), issuer: signing.issuer, audience: signing.audience },
  );
  return { accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt, account: accountFromRow(row) };
}

type Outcome<T> = (T & { userErrors: UserError[] }) | { userErrors: UserError[] };

/**
 * 登录与会话: sign-in, refresh (rotation), sign-out. A refused attempt comes
 * back in userErrors (its audit rows commit with the call); revocations
 * commit with it too.
 */
export const sessionService = {
  async signIn(ctx: Context, input: SignInInput): Promise<Outcome<Tokens>> {
    const login = normalizeLogin(input.login);
    const address = ctx.clientAddress ?? 'unknown';
    const loginKey = `login:${login}`;
    const addressKey = `ip:${address}`;
    for (const waiting of [perLogin.peek(loginKey), perAddress.peek(addressKey)]) {
      if (!waiting.ok) throw throttled(waiting.retryAfterSeconds);
    }
    const [found] = await ctx.sql<AccountRow & { password_hash: string }>(`select ${ACCOUNT_COLUMNS}, password_hash from account where login = ?`, [login]);
    // An unknown login costs the same scrypt work as a known one.
    const matches = await verifyPassword(input.password, found?.password_hash ?? null);
    if (!matches || !found || found.disabled) {
      perLogin.take(loginKey);
      perAddress.take(addressKey);
      const actor = found && isRole(found.role) ? viewerOf(found) : null;
      const reason = !found ? 'UNKNOWN_LOGIN' : !matches ? 'WRONG_PASSWORD' : 'ACCOUNT_DISABLED';
      await auditEvent(ctx, 'signIn.failed', actor, { login, address, reason }, AuditOutcome.USER_ERRORS, [ErrorCode.UNAUTHENTICATED]);
      await sleep(FAILURE_DELAY_MS);
      // A disabled account is told so only when its password was right; anything else gets the one generic message.
      const message = found && matches ? '账号已停用，请联系县民政局管理员' : SIGN_IN_FAILED;
      return { userErrors: [userError(ErrorCode.UNAUTHENTICATED, message)] };
    }
    const sessionId = randomUUID();
    await ctx.sql('insert into account_session (id, account_id, expires_at, address) values (?::uuid, ?::bigint, now(), ?)', [sessionId, found.id, address]);
    const [row] = await ctx.sql<AccountRow>(`update account set last_sign_in_at = now() where id = ?::bigint returning ${ACCOUNT_COLUMNS}`, [found.id]);
    const tokens = await issue(ctx, row, sessionId);
    await auditEvent(ctx, 'signIn.succeeded', viewerOf(row, sessionId), { login, address, session: sessionId }, AuditOutcome.OK);
    return { ...tokens, userErrors: [] };
  },

  /**
   * Spends a refresh token for a new pair. A token already spent means it was
   * copied: the whole session (every token of the family) is revoked and the
   * reuse audited.
   */
  async refresh(ctx: Context, input: RefreshSessionInput): Promise<Outcome<Tokens>> {
    const [found] = await ctx.sql<{
      session_id: string;
      spent: boolean;
      expired: boolean;
      revoked: boolean;
      account_id: string;
    }>(
      `select t.session_id::text as session_id, t.spent_at is not null as spent, t.expires_at <= now() as expired,
              s.revoked_at is not null as revoked, s.account_id::text as account_id
         from account_refresh_token t join account_session s on s.id = t.session_id
        where t.token_hash = ? for update of t, s`,
      [refreshTokenHash(input.refreshToken)],
    );
    const expired = () => ({ userErrors: [userError(ErrorCode.UNAUTHENTICATED, SESSION_EXPIRED, 'refreshToken')] });
    if (!found) return expired();
    const [row] = await ctx.sql<AccountRow>(`select ${ACCOUNT_COLUMNS} from account where id = ?::bigint`, [found.account_id]);
    if (found.spent) {
      const revoked = await ctx.sql(
        `update account_session set revoked_at = now(), revoked_reason = 'REFRESH_REUSED' where id = ?::uuid and revoked_at is null returning id`,
        [found.session_id],
      );
      await auditEvent(
        ctx,
        'refreshSession.reused',
        viewerOf(row, found.session_id),
        { session: found.session_id, revoked: revoked.length > 0, address: ctx.clientAddress ?? 'unknown' },
        AuditOutcome.USER_ERRORS,
        [ErrorCode.UNAUTHENTICATED],
      );
      return expired();
    }
    if (found.expired || found.revoked || row.disabled) return expired();
    await ctx.sql('update account_refresh_token set spent_at = now() where token_hash = ?', [refreshTokenHash(input.refreshToken)]);
    return { ...(await issue(ctx, row, found.session_id)), userErrors: [] };
  },

  /** Ends the session of a refresh token (spent or not); a session already ended stays ended (0). A token never issued is a field error. */
  async signOut(ctx: Context, input: SignOutInput): Promise<Outcome<{ sessionsEnded: number }>> {
    const [found] = await ctx.sql<{ session_id: string }>('select session_id::text as session_id from account_refresh_token where token_hash = ?', [
      refreshTokenHash(input.refreshToken),
    ]);
    if (!found) return { userErrors: [userError(ErrorCode.UNAUTHENTICATED, SESSION_EXPIRED, 'refreshToken')] };
    const rows = await ctx.sql(
      `update account_session set revoked_at = now(), revoked_reason = 'SIGNED_OUT' where id = ?::uuid and revoked_at is null returning id`,
      [found.session_id],
    );
    return { sessionsEnded: rows.length, userErrors: [] };
  },

  /** Ends every session of the caller's account, this one included. */
  async signOutEverywhere(ctx: Context): Promise<{ sessionsEnded: number }> {
    const key = ownAccountKey(ctx);
    return { sessionsEnded: await revokeAccountSessions(ctx.sql, key, 'SIGNED_OUT_EVERYWHERE') };
  },

  /** The caller changes their password; their other sessions end (this one stays). */
  async changePassword(ctx: Context, input: ChangePasswordInput): Promise<{ account: Account }> {
    const key = ownAccountKey(ctx);
    const [found] = await ctx.sql<{ password_hash: string }>('select password_hash from account where id = ?::bigint for update', [key]);
    if (!found || !(await verifyPassword(input.currentPassword, found.password_hash))) {
      await sleep(FAILURE_DELAY_MS);
      throw new PayloadErrors([userError(ErrorCode.BAD_USER_INPUT, '当前密码不正确', 'currentPassword')]);
    }
    const weak = passwordProblem(input.newPassword);
    if (weak) throw new PayloadErrors([userError(ErrorCode.BAD_USER_INPUT, weak, 'newPassword')]);
    if (input.newPassword === input.currentPassword) throw new PayloadErrors([userError(ErrorCode.BAD_USER_INPUT, '新密码不能与当前密码相同', 'newPassword')]);
    const [row] = await ctx.sql<AccountRow>(
      `update account set password_hash = ?, must_change_password = false, version = version + 1, updated_at = now() where id = ?::bigint returning ${ACCOUNT_COLUMNS}`,
      [await hashPassword(input.newPassword), key],
    );
    await revokeAccountSessions(ctx.sql, key, 'PASSWORD_CHANGED', ctx.viewer!.sessionId);
    return { account: accountFromRow(row) };
  },
};

/** The caller's account id: FORBIDDEN for tokens that are not an account's (development tokens, an identity provider's). */
function ownAccountKey(ctx: Context): string {
  const viewer = requireViewer(ctx.viewer);
  const key = viewer.sessionId ? accountKeyOfSubject(viewer.sub) : null;
  if (!key) throw new DomainError(ErrorCode.FORBIDDEN, '此令牌不属于账号（开发令牌或外部身份），没有可操作的账号');
  return key;
}
