import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type Result, type TestApp } from '../support/app.js';
import { createAdmin } from '../../src/modules/account/account.cli.js';
import { toGlobalId } from '../../src/common/global-id.js';

// Accounts, sign-in and sessions (issue 29 items 1 and 2), over real HTTP, graphql-ws and SSE.

let app: TestApp;
let devAdmin: string;
const ADMIN_PASSWORD = 'Admin-pass-2026';

beforeAll(async () => {
  app = await startTestApp();
  await createAdmin(app.orm, { login: 'admin', name: '县管理员', area: '511921', password: ADMIN_PASSWORD });
  devAdmin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

type Payload = { userErrors: { field: string[] | null; message: string; code: string }[]; [key: string]: any };

async function sql<T = Record<string, any>>(text: string, params: unknown[] = []): Promise<T[]> {
  return app.orm.em.fork().getConnection().execute(text, params);
}

const ACCOUNT = 'account { id login displayName role section phone disabled mustChangePassword version area { code } }';
const TOKENS = `accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt account { id login mustChangePassword }`;
const ERRORS = 'userErrors { field message code }';

/** Calls one mutation with `input` and returns its result (errors and payload). */
async function mutate(field: string, inputType: string | null, input: Record<string, unknown> | null, selection: string, token?: string) {
  const query = inputType
    ? `mutation M($input: ${inputType}!) { ${field}(input: $input) { ${selection} ${ERRORS} } }`
    : `mutation M { ${field} { ${selection} ${ERRORS} } }`;
  const result: Result<Record<string, Payload>> = await app.request(query, inputType ? { input } : undefined, { token });
  return { errors: result.errors, payload: result.data?.[field] ?? null };
}

let loginCounter = 0;
const nextLogin = () => `user${++loginCounter}`;
const GOOD_PASSWORD = 'Village-2026!';

/** Creates an account as the county's (development-token) admin; fails the test on any error. */
async function createAccount(input: Partial<Record<string, unknown>> = {}) {
  const { errors, payload } = await mutate(
    'createAccount',
    'CreateAccountInput',
    { login: nextLogin(), displayName: '李四', role: 'VILLAGE_OPERATOR', area: '511921101001', password: GOOD_PASSWORD, ...input },
    ACCOUNT,
    devAdmin,
  );
  expect(errors).toBeUndefined();
  expect(payload!.userErrors).toEqual([]);
  return payload!.account as { id: string; login: string; version: number };
}

async function signIn(login: string, password: string) {
  return mutate('signIn', 'SignInInput', { login, password }, TOKENS);
}

/** Signs in and returns the tokens; fails on any error. */
async function session(login: string, password = GOOD_PASSWORD) {
  const { errors, payload } = await signIn(login, password);
  expect(errors).toBeUndefined();
  expect(payload!.userErrors).toEqual([]);
  return payload as unknown as { accessToken: string; refreshToken: string; accessTokenExpiresAt: string; refreshTokenExpiresAt: string };
}

/** Signs in, changes the admin-set password (as the first sign-in must) and refreshes: a token that opens everything the role may. */
async function activeSession(login: string) {
  const first = await session(login);
  const changed = await mutate(
    'changePassword',
    'ChangePasswordInput',
    { currentPassword: GOOD_PASSWORD, newPassword: 'Own-choice-2026' },
    'account { id }',
    first.accessToken,
  );
  expect(changed.payload!.userErrors).toEqual([]);
  const refreshed = await mutate('refreshSession', 'RefreshSessionInput', { refreshToken: first.refreshToken }, TOKENS);
  expect(refreshed.payload!.userErrors).toEqual([]);
  return refreshed.payload as unknown as Awaited<ReturnType<typeof session>>;
}

async function httpStatus(token: string): Promise<number> {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { sub } }' }),
  });
  return response.status;
}

/** Polls `check` until it holds (the revocation watcher polls every 2 s), at most `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 8_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

const accountCount = async () => (await sql<{ n: number }>('select count(*)::int as n from account'))[0].n;

describe('the first admin (create-admin) and me', () => {
  it('signs in with a short-lived access token naming its session, and `me` is its account', async () => {
    const tokens = await session('ADMIN', ADMIN_PASSWORD);
    const claims = decodeJwt(tokens.accessToken);
    expect(claims).toMatchObject({ role: 'COUNTY_ADMIN', area: '511921000000', name: '县管理员' });
    expect(claims.sub).toMatch(/^account:\d+$/);
    expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.exp! - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(15 * 60);
    expect(claims.exp! - Math.floor(Date.now() / 1000)).toBeGreaterThan(14 * 60);
    expect(new Date(tokens.refreshTokenExpiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);
    const me = await app.query<{ me: { login: string; role: string; area: { code: string }; lastSignInAt: string } }, never>(
      '{ me { login role area { code } lastSignInAt } }',
      undefined,
      { token: tokens.accessToken },
    );
    expect(me.me).toMatchObject({ login: 'admin', role: 'COUNTY_ADMIN', area: { code: '511921000000' } });
    expect(me.me.lastSignInAt).toBeTruthy();
  });

  it('`me` is null for a development token and for anonymous callers', async () => {
    expect((await app.query<{ me: null }, never>('{ me { id } }', undefined, { token: devAdmin })).me).toBeNull();
    expect((await app.query<{ me: null }, never>('{ me { id } }')).me).toBeNull();
  });

  it('stores passwords only as scrypt hashes with their parameters, never the text', async () => {
    const rows = await sql<{ password_hash: string }>('select password_hash from account');
    for (const row of rows) {
      expect(row.password_hash).toMatch(/^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
      expect(row.password_hash).not.toContain(ADMIN_PASSWORD);
    }
    const dump = JSON.stringify(await sql('select * from account'));
    expect(dump).not.toContain(ADMIN_PASSWORD);
  });
});

describe('account management by the county admin', () => {
  it('creates, edits, disables and enables an account, each audited', async () => {
    const created = await createAccount({ role: 'SECTION_STAFF', area: '511921', section: '养老服务股', phone: '0827-7221234' });
    expect(created).toMatchObject({ role: 'SECTION_STAFF', section: '养老服务股', mustChangePassword: true, disabled: false, area: { code: '511921000000' } });
    const updated = await mutate('updateAccount', 'UpdateAccountInput', { id: created.id, displayName: '王五', version: created.version }, ACCOUNT, devAdmin);
    expect(updated.payload).toMatchObject({ userErrors: [], account: { displayName: '王五', version: created.version + 1 } });
    const disabled = await mutate('disableAccount', 'AccountIdInput', { id: created.id }, ACCOUNT, devAdmin);
    expect(disabled.payload).toMatchObject({ userErrors: [], account: { disabled: true } });
    const list = await app.query<{ accounts: { nodes?: unknown; edges: { node: { login: string } }[] } }, never>(
      '{ accounts(role: SECTION_STAFF) { edges { node { login } } } }',
      undefined,
      { token: devAdmin },
    );
    expect(list.accounts.edges.map((e) => e.node.login)).not.toContain(created.login);
    const withDisabled = await app.query<{ accounts: { edges: { node: { login: string } }[] } }, never>(
      '{ accounts(role: SECTION_STAFF, includeDisabled: true) { edges { node { login } } } }',
      undefined,
      { token: devAdmin },
    );
    expect(withDisabled.accounts.edges.map((e) => e.node.login)).toContain(created.login);
    const enabled = await mutate('enableAccount', 'AccountIdInput', { id: created.id }, ACCOUNT, devAdmin);
    expect(enabled.payload).toMatchObject({ userErrors: [], account: { disabled: false } });
    const audited = await sql<{ mutation: string; outcome: string }>(
      `select mutation, outcome from audit_log where mutation in ('createAccount', 'updateAccount', 'disableAccount', 'enableAccount') order by id`,
    );
    expect(audited.filter((r) => r.outcome === 'OK').map((r) => r.mutation)).toEqual(
      expect.arrayContaining(['createAccount', 'updateAccount', 'disableAccount', 'enableAccount']),
    );
  });

  it.each([
    ['SECTION_STAFF', '511921'],
    ['TOWNSHIP_OPERATOR', '511921101'],
    ['VILLAGE_OPERATOR', '511921101001'],
    ['VIEWER', '511921'],
  ] as const)('refuses %s (FORBIDDEN) and anonymous callers (UNAUTHENTICATED); nothing changes', async (role, area) => {
    const target = await createAccount();
    const token = await app.token(role, area, { section: role === 'SECTION_STAFF' ? '养老服务股' : undefined });
    const before = await sql('select * from account order by id');
    for (const caller of [token, undefined]) {
      const code = caller ? 'FORBIDDEN' : 'UNAUTHENTICATED';
      const calls = [
        mutate(
          'createAccount',
          'CreateAccountInput',
          { login: nextLogin(), displayName: 'x', role: 'VIEWER', area: '511921', password: GOOD_PASSWORD },
          ACCOUNT,
          caller,
        ),
        mutate('updateAccount', 'UpdateAccountInput', { id: target.id, displayName: '改名' }, ACCOUNT, caller),
        mutate('disableAccount', 'AccountIdInput', { id: target.id }, ACCOUNT, caller),
        mutate('enableAccount', 'AccountIdInput', { id: target.id }, ACCOUNT, caller),
        mutate('resetAccountPassword', 'ResetAccountPasswordInput', { id: target.id, newPassword: 'Another-pass-1' }, ACCOUNT, caller),
        mutate('revokeAccountSessions', 'AccountIdInput', { id: target.id }, 'sessionsEnded', caller),
      ];
      for (const { errors } of await Promise.all(calls)) expect(errors?.map((e) => e.extensions?.code)).toEqual([code]);
      const read = await app.request('{ accounts { totalCount } }', undefined, { token: caller });
      expect(read.errors?.map((e) => e.extensions?.code)).toEqual([code]);
    }
    expect(await sql('select * from account order by id')).toEqual(before);
  });

  describe('bad input is a field error in Chinese and changes nothing', () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['a weak password (too short)', { password: 'abc123' }, 'password', /至少 10 个字符/],
      ['a weak password (one class only)', { password: 'abcdefghijkl' }, 'password', /至少两类/],
      ['an area outside the county', { area: '511900' }, 'area', /不在您管辖的范围内/],
      ['an unknown area', { area: '511921999999' }, 'area', /不存在/],
      ['an area at the wrong level for the role', { area: '511921101' }, 'area', /村\/社区/],
      ['a section that does not exist', { role: 'SECTION_STAFF', area: '511921', section: '不存在股' }, 'section', /不存在/],
      ['a section for a role without one', { section: '养老服务股' }, 'section', /只有股室人员/],
      ['SECTION_STAFF without a section', { role: 'SECTION_STAFF', area: '511921' }, 'section', /须指定所属股室/],
      ['a duplicate login', { login: 'ADMIN' }, 'login', /已被使用/],
      ['a malformed login', { login: 'a b' }, 'login', /登录名/],
      ['a malformed phone', { phone: 'call me' }, 'phone', /电话/],
    ];
    it.each(cases)('%s', async (_what, change, field, message) => {
      const before = await accountCount();
      const { errors, payload } = await mutate(
        'createAccount',
        'CreateAccountInput',
        { login: nextLogin(), displayName: '赵六', role: 'VILLAGE_OPERATOR', area: '511921101001', password: GOOD_PASSWORD, ...change },
        ACCOUNT,
        devAdmin,
      );
      expect(errors).toBeUndefined();
      expect(payload!.account).toBeNull();
      expect(payload!.userErrors).toEqual([
        expect.objectContaining({ field: ['input', field], code: 'BAD_USER_INPUT', message: expect.stringMatching(message) }),
      ]);
      expect(await accountCount()).toBe(before);
    });

    it('an unknown role is refused by GraphQL validation', async () => {
      const before = await accountCount();
      const { errors } = await mutate(
        'createAccount',
        'CreateAccountInput',
        { login: nextLogin(), displayName: '赵六', role: 'GOD', area: '511921', password: GOOD_PASSWORD },
        ACCOUNT,
        devAdmin,
      );
      expect(errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(await accountCount()).toBe(before);
    });

    it('an update to an area outside the county, or a stale version, changes nothing', async () => {
      const target = await createAccount();
      const before = await sql('select * from account where id = ?', [Buffer.from(target.id, 'base64url').toString().split(':')[1]]);
      const outside = await mutate('updateAccount', 'UpdateAccountInput', { id: target.id, area: '511900' }, ACCOUNT, devAdmin);
      expect(outside.payload!.userErrors).toEqual([expect.objectContaining({ field: ['input', 'area'], code: 'BAD_USER_INPUT' })]);
      const stale = await mutate('updateAccount', 'UpdateAccountInput', { id: target.id, displayName: '新名', version: target.version + 5 }, ACCOUNT, devAdmin);
      expect(stale.payload!.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
      const weak = await mutate('resetAccountPassword', 'ResetAccountPasswordInput', { id: target.id, newPassword: 'short' }, ACCOUNT, devAdmin);
      expect(weak.payload!.userErrors).toEqual([expect.objectContaining({ field: ['input', 'newPassword'] })]);
      expect(await sql('select * from account where id = ?', [Buffer.from(target.id, 'base64url').toString().split(':')[1]])).toEqual(before);
    });

    it('an account ID that does not exist is NOT_FOUND', async () => {
      const { payload } = await mutate('disableAccount', 'AccountIdInput', { id: toGlobalId('Account', '999999') }, ACCOUNT, devAdmin);
      expect(payload!.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'id'] })]);
    });
  });
});

describe('sign-in', () => {
  it('a wrong password and an unknown login get the same generic message; both are audited', async () => {
    const account = await createAccount();
    const wrong = await signIn(account.login, 'Wrong-password-1');
    const unknown = await signIn('nobody-here', GOOD_PASSWORD);
    expect(wrong.payload).toMatchObject({ accessToken: null, refreshToken: null, account: null });
    expect(wrong.payload!.userErrors).toEqual([{ field: null, message: '登录名或密码错误', code: 'UNAUTHENTICATED' }]);
    expect(unknown.payload!.userErrors).toEqual(wrong.payload!.userErrors);
    const audited = await sql<{ mutation: string; actor_sub: string | null; args: { login: string; reason: string } }>(
      `select mutation, actor_sub, args from audit_log where mutation = 'signIn.failed' order by id desc limit 2`,
    );
    expect(audited.map((r) => [r.args.login, r.args.reason])).toEqual([
      ['nobody-here', 'UNKNOWN_LOGIN'],
      [account.login, 'WRONG_PASSWORD'],
    ]);
    expect(audited[1].actor_sub).toMatch(/^account:/);
    // The password is not in the audit log: the call's row redacts it.
    expect(JSON.stringify(await sql('select args from audit_log'))).not.toContain('Wrong-password-1');
  });

  it('is rate-limited per login after 5 failures: even the right password is refused (RATE_LIMITED) for a while', async () => {
    const account = await createAccount();
    for (let i = 0; i < 5; i++) expect((await signIn(account.login, `Wrong-pass-${i}x`)).payload!.userErrors[0].code).toBe('UNAUTHENTICATED');
    const limited = await signIn(account.login, GOOD_PASSWORD);
    expect(limited.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect(limited.errors?.[0].message).toMatch(/登录尝试过于频繁/);
    expect(Number(limited.errors?.[0].extensions?.retryAfter)).toBeGreaterThan(0);
    // Another login from the same address still signs in.
    const other = await createAccount();
    await session(other.login);
  });
});

describe('sessions', () => {
  it('refresh rotates: the spent token, presented again, revokes the whole family (audited) and its access token within seconds', async () => {
    const account = await createAccount();
    const first = await session(account.login);
    const refreshed = await mutate('refreshSession', 'RefreshSessionInput', { refreshToken: first.refreshToken }, TOKENS);
    expect(refreshed.payload!.userErrors).toEqual([]);
    const second = refreshed.payload as unknown as typeof first;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(decodeJwt(second.accessToken).sid).toBe(decodeJwt(first.accessToken).sid);
    expect(await httpStatus(second.accessToken)).toBe(200);
    // Reuse of the spent one: refused, and the family goes with it.
    const reused = await mutate('refreshSession', 'RefreshSessionInput', { refreshToken: first.refreshToken }, TOKENS);
    expect(reused.payload!.userErrors).toEqual([expect.objectContaining({ code: 'UNAUTHENTICATED', message: '登录已过期，请重新登录' })]);
    const next = await mutate('refreshSession', 'RefreshSessionInput', { refreshToken: second.refreshToken }, TOKENS);
    expect(next.payload!.userErrors).toEqual([expect.objectContaining({ code: 'UNAUTHENTICATED' })]);
    const [audit] = await sql<{ actor_sub: string }>(`select actor_sub from audit_log where mutation = 'refreshSession.reused' order by id desc limit 1`);
    expect(audit.actor_sub).toMatch(/^account:/);
    expect(await eventually(async () => (await httpStatus(second.accessToken)) === 401)).toBe(true);
    // Refresh tokens are stored hashed only.
    const stored = JSON.stringify(await sql('select encode(token_hash, $$hex$$) as h from account_refresh_token'));
    expect(stored).not.toContain(first.refreshToken);
  });

  it('sign-out ends the session: its refresh token stops at once, its access token within seconds', async () => {
    const account = await createAccount();
    const tokens = await session(account.login);
    const out = await mutate('signOut', 'SignOutInput', { refreshToken: tokens.refreshToken }, 'sessionsEnded');
    expect(out.payload).toMatchObject({ sessionsEnded: 1, userErrors: [] });
    const refreshed = await mutate('refreshSession', 'RefreshSessionInput', { refreshToken: tokens.refreshToken }, TOKENS);
    expect(refreshed.payload!.userErrors[0].code).toBe('UNAUTHENTICATED');
    expect(await eventually(async () => (await httpStatus(tokens.accessToken)) === 401)).toBe(true);
    // Again: the session stays ended; a token never issued is a field error.
    expect((await mutate('signOut', 'SignOutInput', { refreshToken: tokens.refreshToken }, 'sessionsEnded')).payload).toMatchObject({
      sessionsEnded: 0,
      userErrors: [],
    });
    const unknown = await mutate('signOut', 'SignOutInput', { refreshToken: 'never-issued' }, 'sessionsEnded');
    expect(unknown.payload!.userErrors).toEqual([expect.objectContaining({ code: 'UNAUTHENTICATED', field: ['input', 'refreshToken'] })]);
  });

  it("sign-out-everywhere ends every session of the caller's account; a development token may not call it", async () => {
    const account = await createAccount();
    const [a, b] = [await session(account.login), await session(account.login)];
    const out = await mutate('signOutEverywhere', null, null, 'sessionsEnded', a.accessToken);
    expect(out.payload).toMatchObject({ sessionsEnded: 2, userErrors: [] });
    for (const tokens of [a, b]) {
      expect((await mutate('refreshSession', 'RefreshSessionInput', { refreshToken: tokens.refreshToken }, TOKENS)).payload!.userErrors[0].code).toBe(
        'UNAUTHENTICATED',
      );
    }
    expect(await eventually(async () => (await httpStatus(b.accessToken)) === 401)).toBe(true);
    const dev = await mutate('signOutEverywhere', null, null, 'sessionsEnded', devAdmin);
    expect(dev.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it("a disabled account's open graphql-ws socket closes with 4403, its SSE stream ends, its token is refused, and it cannot sign in", async () => {
    const account = await createAccount();
    const tokens = await activeSession(account.login);
    // A graphql-ws socket with a running subscription.
    const socket = new WebSocket(app.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tokens.accessToken}` } })));
      socket.on('message', (data: Buffer) => {
        if ((JSON.parse(data.toString('utf8')) as { type: string }).type !== 'connection_ack') return;
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { progressUpdated(area: "511921101001") { summary } }' } }));
        resolve();
      });
    });
    // An SSE stream of the same subscription.
    const sse = await fetch(app.sseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${tokens.accessToken}` },
      body: JSON.stringify({ query: 'subscription { progressUpdated(area: "511921101001") { summary } }' }),
    });
    expect(sse.status).toBe(200);
    const reader = sse.body!.getReader();
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })();

    const started = Date.now();
    const disabled = await mutate('disableAccount', 'AccountIdInput', { id: account.id }, ACCOUNT, devAdmin);
    expect(disabled.payload!.userErrors).toEqual([]);
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 8_000));
    expect(await Promise.race([closed, timeout])).toBe(4403);
    expect(await Promise.race([ended, timeout])).toBe(true);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await httpStatus(tokens.accessToken)).toBe(401);
    // The REST routes refuse it too.
    const download = await fetch(app.url.replace(/\/graphql$/, '/exports/facilities.csv'), { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(download.status).toBe(401);
    const again = await signIn(account.login, 'Own-choice-2026');
    expect(again.payload!.userErrors).toEqual([expect.objectContaining({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/停用/) })]);
    expect((await mutate('refreshSession', 'RefreshSessionInput', { refreshToken: tokens.refreshToken }, TOKENS)).payload!.userErrors[0].code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('an admin reset forces a password change: the old password fails, the new one signs in with mustChangePassword, changePassword clears it', async () => {
    const account = await createAccount();
    const before = await session(account.login);
    const reset = await mutate('resetAccountPassword', 'ResetAccountPasswordInput', { id: account.id, newPassword: 'Reset-pass-2026' }, ACCOUNT, devAdmin);
    expect(reset.payload).toMatchObject({ userErrors: [], account: { mustChangePassword: true } });
    expect((await mutate('refreshSession', 'RefreshSessionInput', { refreshToken: before.refreshToken }, TOKENS)).payload!.userErrors[0].code).toBe(
      'UNAUTHENTICATED',
    );
    const old = await signIn(account.login, GOOD_PASSWORD);
    expect(old.payload!.userErrors[0].message).toBe('登录名或密码错误');
    const fresh = await signIn(account.login, 'Reset-pass-2026');
    expect(fresh.payload).toMatchObject({ userErrors: [], account: { mustChangePassword: true } });
    const token = fresh.payload!.accessToken as string;
    // Until the password is changed, the token opens only me, viewer, changePassword and signing out.
    const blocked = await app.request('{ progressUpdates(area: "511921101001", first: 1) { totalCount } }', undefined, { token });
    expect(blocked.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(blocked.errors?.[0].message).toMatch(/请先修改密码/);
    expect((await app.query<{ me: { mustChangePassword: boolean } }, never>('{ me { mustChangePassword } }', undefined, { token })).me.mustChangePassword).toBe(
      true,
    );
    const wrongCurrent = await mutate(
      'changePassword',
      'ChangePasswordInput',
      { currentPassword: 'nope-nope-1', newPassword: 'Mine-at-last-1' },
      ACCOUNT,
      token,
    );
    expect(wrongCurrent.payload!.userErrors).toEqual([expect.objectContaining({ field: ['input', 'currentPassword'] })]);
    const weak = await mutate('changePassword', 'ChangePasswordInput', { currentPassword: 'Reset-pass-2026', newPassword: 'aaaaaaaaaaaa' }, ACCOUNT, token);
    expect(weak.payload!.userErrors).toEqual([expect.objectContaining({ field: ['input', 'newPassword'] })]);
    const changed = await mutate(
      'changePassword',
      'ChangePasswordInput',
      { currentPassword: 'Reset-pass-2026', newPassword: 'Mine-at-last-1' },
      ACCOUNT,
      token,
    );
    expect(changed.payload).toMatchObject({ userErrors: [], account: { mustChangePassword: false } });
    await session(account.login, 'Mine-at-last-1');
    // This session stays: the caller keeps working after changing their password, and its next token opens everything.
    expect(await httpStatus(token)).toBe(200);
    const next = await mutate('refreshSession', 'RefreshSessionInput', { refreshToken: fresh.payload!.refreshToken }, TOKENS);
    const open = await app.request('{ progressUpdates(area: "511921101001", first: 1) { totalCount } }', undefined, { token: next.payload!.accessToken });
    expect(open.errors).toBeUndefined();
  });
});
