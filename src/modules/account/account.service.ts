import { pageRequest, toPage, type Page } from '../../common/connection.js';
import { badInput, DomainError, ErrorCode } from '../../common/errors.js';
import { fromGlobalId } from '../../common/global-id.js';
import { PayloadErrors, userError, versionConflict, type UserError } from '../../common/payload.js';
import { significantPrefix } from '../../common/codes.js';
import type { Sql } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import { assertCanWrite, inViewerSubtree, readRange, Role, type Viewer } from '../../auth/auth.rules.js';
import { ACCOUNT_COLUMNS, accountFromRow, type Account, type AccountRow } from './account.entity.js';
import type { AccountsArgs, CreateAccountInput, ResetAccountPasswordInput, UpdateAccountInput } from './account.inputs.js';
import {
  BUREAU_SECTIONS,
  hashPassword,
  isPhone,
  LOGIN_PATTERN,
  LOGIN_RULE,
  normalizeLogin,
  passwordProblem,
  ROLE_LEVELS,
  accountKeyOfSubject,
} from './account.rules.js';

/** Who manages accounts: COUNTY_ADMIN, for the accounts of their county (their subtree). */
const ACCOUNT_ADMINS = [Role.COUNTY_ADMIN];

/** Why a session ended (`account_session.revoked_reason`). */
export type RevokeReason =
  'SIGNED_OUT' | 'SIGNED_OUT_EVERYWHERE' | 'REVOKED_BY_ADMIN' | 'ACCOUNT_DISABLED' | 'ACCOUNT_CHANGED' | 'PASSWORD_CHANGED' | 'REFRESH_REUSED';

/**
 * Revokes the open sessions of an account (all, or all but `except`): their
 * refresh tokens stop working at once, their access tokens within the
 * watcher's poll (~2 s) on every server, which also closes their streams.
 * Returns how many were revoked.
 */
export async function revokeAccountSessions(sql: Sql, accountKey: string, reason: RevokeReason, except?: string): Promise<number> {
  const rows = await sql(
    `update account_session set revoked_at = now(), revoked_reason = ?
      where account_id = ?::bigint and revoked_at is null and expires_at > now() and (?::uuid is null or id <> ?::uuid)
      returning id`,
    [reason, accountKey, except ?? null, except ?? null],
  );
  return rows.length;
}

const LEVEL_NAMES: Record<string, string> = { COUNTY: '县', TOWNSHIP: '乡镇/街道', VILLAGE: '村/社区' };
const ROLE_NAMES: Record<string, string> = {
  COUNTY_ADMIN: '县/局管理员',
  LEADER: '县/局领导',
  SECTION_STAFF: '股室人员',
  TOWNSHIP_OPERATOR: '乡镇民政办',
  VILLAGE_OPERATOR: '村/社区',
  VIEWER: '只读',
};

/** The key of an Account global ID; BAD_USER_INPUT for another type's. */
function accountKeyOf(id: string): string {
  const { type, key } = fromGlobalId(id, 'id');
  if (type !== 'Account' || !/^\d{1,19}$/.test(key)) throw badInput('id', `"${id}" is not an account ID`);
  return key;
}

async function rowOf(sql: Sql, key: string, lock = false): Promise<AccountRow | null> {
  const [row] = await sql<AccountRow>(`select ${ACCOUNT_COLUMNS} from account where id = ?::bigint${lock ? ' for update' : ''}`, [key]);
  return row ?? null;
}

/**
 * An account the admin manages, locked for the change: NOT_FOUND when absent,
 * FORBIDDEN when it lies outside the admin's county.
 */
async function managedAccount(ctx: Context, id: string): Promise<{ admin: Viewer; row: AccountRow }> {
  const admin = assertCanWrite(ctx.viewer, ctx.viewer?.areaCode ?? '', ACCOUNT_ADMINS);
  const row = await rowOf(ctx.sql, accountKeyOf(id), true);
  if (!row) throw new DomainError(ErrorCode.NOT_FOUND, '账号不存在', 'id');
  assertCanWrite(admin, row.area_code, ACCOUNT_ADMINS);
  return { admin, row };
}

/** The sections an account may belong to: the bureau's, and those that own a key task or a project. */
async function knownSections(sql: Sql): Promise<Set<string>> {
  const rows = await sql<{ section: string }>('select owner_section as section from task union select owner_section from project');
  return new Set([...BUREAU_SECTIONS, ...rows.map((r) => r.section)]);
}

/**
 * Checks an account's role, area and section together (for a new account, or
 * the values an update leaves): the area exists, is current, lies in the
 * admin's county and fits the role's level; a section is given for
 * SECTION_STAFF (one the bureau has) and for no other role. Returns the
 * 12-digit area code, or adds field errors.
 */
async function checkPlacement(
  sql: Sql,
  admin: Viewer,
  values: { role: Role; area: string; section: string | null },
  fields: { role: string; area: string; section: string },
  errors: UserError[],
): Promise<string | null> {
  let areaCode: string | null = null;
  const area = values.area.trim();
  if (!/^\d{6}(\d{3}){0,2}$/.test(area)) {
    errors.push(userError(ErrorCode.BAD_USER_INPUT, `区划代码须为 6、9 或 12 位数字，收到「${values.area}」`, fields.area));
  } else {
    const code = area.padEnd(12, '0');
    const [row] = await sql<{ level: string; valid_to: string | null }>('select level, valid_to::text as valid_to from area where code = ?', [code]);
    if (!row) errors.push(userError(ErrorCode.BAD_USER_INPUT, `区划 ${area} 不存在`, fields.area));
    else if (!inViewerSubtree(admin, code)) errors.push(userError(ErrorCode.BAD_USER_INPUT, `区划 ${area} 不在您管辖的范围内`, fields.area));
    else if (row.valid_to !== null) errors.push(userError(ErrorCode.BAD_USER_INPUT, `区划 ${area} 已撤销或合并`, fields.area));
    else {
      const levels = ROLE_LEVELS[values.role];
      if (levels && !levels.includes(row.level)) {
        errors.push(
          userError(
            ErrorCode.BAD_USER_INPUT,
            `${ROLE_NAMES[values.role] ?? '该角色'}账号的区划须为${levels.map((l) => LEVEL_NAMES[l] ?? l).join('或')}级`,
            fields.area,
          ),
        );
      } else {
        areaCode = code;
      }
    }
  }
  if (values.role === Role.SECTION_STAFF) {
    if (!values.section) errors.push(userError(ErrorCode.BAD_USER_INPUT, '股室人员须指定所属股室', fields.section));
    else if (!(await knownSections(sql)).has(values.section))
      errors.push(userError(ErrorCode.BAD_USER_INPUT, `股室「${values.section}」不存在`, fields.section));
  } else if (values.section) {
    errors.push(userError(ErrorCode.BAD_USER_INPUT, '只有股室人员可指定股室', fields.section));
  }
  return areaCode;
}

function checkDisplayName(name: string, errors: UserError[]): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 50) errors.push(userError(ErrorCode.BAD_USER_INPUT, '姓名须为 1–50 个字符', 'displayName'));
  return trimmed;
}

function checkPhone(phone: string | null | undefined, errors: UserError[]): string | null {
  const trimmed = phone?.trim() || null;
  if (trimmed && !isPhone(trimmed)) errors.push(userError(ErrorCode.BAD_USER_INPUT, '电话须为 5–20 位数字、空格、+ 或 -', 'phone'));
  return trimmed;
}

function orNull(text: string | null | undefined): string | null {
  return text?.trim() || null;
}

/**
 * 账号管理: a county admin's writes on the accounts of their county. Each
 * runs in the audit wrapper's transaction (one audit row per call); bad input
 * is a set of field errors and changes nothing.
 */
export const accountService = {
  async create(ctx: Context, input: CreateAccountInput): Promise<{ account: Account }> {
    const admin = assertCanWrite(ctx.viewer, ctx.viewer?.areaCode ?? '', ACCOUNT_ADMINS);
    const errors: UserError[] = [];
    const login = normalizeLogin(input.login);
    if (!LOGIN_PATTERN.test(login)) errors.push(userError(ErrorCode.BAD_USER_INPUT, LOGIN_RULE, 'login'));
    const displayName = checkDisplayName(input.displayName, errors);
    const phone = checkPhone(input.phone, errors);
    const weak = passwordProblem(input.password);
    if (weak) errors.push(userError(ErrorCode.BAD_USER_INPUT, weak, 'password'));
    const section = orNull(input.section);
    const areaCode = await checkPlacement(
      ctx.sql,
      admin,
      { role: input.role, area: input.area, section },
      { role: 'role', area: 'area', section: 'section' },
      errors,
    );
    if (!errors.length && (await ctx.sql('select 1 from account where login = ?', [login])).length) {
      errors.push(userError(ErrorCode.BAD_USER_INPUT, `登录名「${login}」已被使用`, 'login'));
    }
    if (errors.length || !areaCode) throw new PayloadErrors(errors);
    const hash = await hashPassword(input.password);
    const [row] = await ctx.sql<AccountRow>(
      `insert into account (login, display_name, role, area_code, section, phone, password_hash, must_change_password, created_by)
       values (?, ?, ?, ?, ?, ?, ?, true, ?)
       on conflict (login) do nothing
       returning ${ACCOUNT_COLUMNS}`,
      [login, displayName, input.role, areaCode, section, phone, hash, admin.sub],
    );
    if (!row) throw new PayloadErrors([userError(ErrorCode.BAD_USER_INPUT, `登录名「${login}」已被使用`, 'login')]);
    return { account: accountFromRow(row) };
  },

  async update(ctx: Context, input: UpdateAccountInput): Promise<{ account: Account }> {
    const { admin, row } = await managedAccount(ctx, input.id);
    if (input.version != null && input.version !== row.version) throw versionConflict(row.version, input.version, '账号');
    const errors: UserError[] = [];
    const displayName = input.displayName == null ? row.display_name : checkDisplayName(input.displayName, errors);
    const phone = input.phone === undefined ? row.phone : checkPhone(input.phone, errors);
    const role = input.role ?? (row.role as Role);
    const section = input.section === undefined ? (input.role && input.role !== Role.SECTION_STAFF ? null : row.section) : orNull(input.section);
    const area = input.area ?? row.area_code;
    if (row.id === accountKeyOfSubject(admin.sub) && (role !== row.role || area.padEnd(12, '0') !== row.area_code)) {
      errors.push(userError(ErrorCode.BAD_USER_INPUT, '不能修改自己的角色或区划', input.role ? 'role' : 'area'));
    }
    const areaCode = await checkPlacement(ctx.sql, admin, { role, area, section }, { role: 'role', area: 'area', section: 'section' }, errors);
    if (errors.length || !areaCode) throw new PayloadErrors(errors);
    const [updated] = await ctx.sql<AccountRow>(
      `update account set display_name = ?, role = ?, area_code = ?, section = ?, phone = ?, version = version + 1, updated_at = now()
        where id = ?::bigint returning ${ACCOUNT_COLUMNS}`,
      [displayName, role, areaCode, section, phone, row.id],
    );
    // Its access tokens carry the old role, area and section: they must not hold until they expire.
    if (role !== row.role || areaCode !== row.area_code || section !== row.section) await revokeAccountSessions(ctx.sql, row.id, 'ACCOUNT_CHANGED');
    return { account: accountFromRow(updated) };
  },

  /** Disables an account and revokes its sessions (its open streams close within seconds). Not your own. */
  async disable(ctx: Context, id: string): Promise<{ account: Account }> {
    const { admin, row } = await managedAccount(ctx, id);
    if (row.id === accountKeyOfSubject(admin.sub)) throw new PayloadErrors([userError(ErrorCode.BAD_USER_INPUT, '不能停用自己的账号', 'id')]);
    const [updated] = await ctx.sql<AccountRow>(
      `update account set disabled = true, version = version + 1, updated_at = now() where id = ?::bigint returning ${ACCOUNT_COLUMNS}`,
      [row.id],
    );
    await revokeAccountSessions(ctx.sql, row.id, 'ACCOUNT_DISABLED');
    return { account: accountFromRow(updated) };
  },

  async enable(ctx: Context, id: string): Promise<{ account: Account }> {
    const { row } = await managedAccount(ctx, id);
    const [updated] = await ctx.sql<AccountRow>(
      `update account set disabled = false, version = version + 1, updated_at = now() where id = ?::bigint returning ${ACCOUNT_COLUMNS}`,
      [row.id],
    );
    return { account: accountFromRow(updated) };
  },

  /** Sets a new password the account must change at its next sign-in, and signs it out everywhere. */
  async resetPassword(ctx: Context, input: ResetAccountPasswordInput): Promise<{ account: Account }> {
    const { row } = await managedAccount(ctx, input.id);
    const weak = passwordProblem(input.newPassword);
    if (weak) throw new PayloadErrors([userError(ErrorCode.BAD_USER_INPUT, weak, 'newPassword')]);
    const [updated] = await ctx.sql<AccountRow>(
      `update account set password_hash = ?, must_change_password = true, version = version + 1, updated_at = now()
        where id = ?::bigint returning ${ACCOUNT_COLUMNS}`,
      [await hashPassword(input.newPassword), row.id],
    );
    await revokeAccountSessions(ctx.sql, row.id, 'REVOKED_BY_ADMIN');
    return { account: accountFromRow(updated) };
  },

  /** Ends every open session of an account. */
  async revokeSessions(ctx: Context, id: string): Promise<{ sessionsEnded: number }> {
    const { row } = await managedAccount(ctx, id);
    return { sessionsEnded: await revokeAccountSessions(ctx.sql, row.id, 'REVOKED_BY_ADMIN') };
  },

  /** The accounts of the admin's county (or of `area` inside it), oldest first, keyset-paged on the id. */
  async list(ctx: Context, args: AccountsArgs): Promise<Page<Account>> {
    const admin = assertCanWrite(ctx.viewer, ctx.viewer?.areaCode ?? '', ACCOUNT_ADMINS);
    let [lo, hi] = readRange(admin)!;
    if (args.area != null) {
      const area = args.area.trim();
      if (!/^\d{6}(\d{3}){0,2}$/.test(area)) throw badInput('area', `area must be a code of 6, 9 or 12 digits, got "${args.area}"`);
      if (!inViewerSubtree(admin, area.padEnd(12, '0'))) throw new DomainError(ErrorCode.FORBIDDEN, `This lies outside your area ${admin.areaCode}`);
      const prefix = significantPrefix(area.padEnd(12, '0'));
      [lo, hi] = [prefix.padEnd(12, '0'), prefix.padEnd(12, '9')];
    }
    const page = pageRequest(args);
    if (page.afterKey !== null && !/^\d{1,19}$/.test(page.afterKey)) throw badInput('after', 'Not a cursor from accounts');
    const where = `area_code between ? and ? and (?::text is null or role = ?::text) and (?::boolean or not disabled)`;
    const params = [lo, hi, args.role ?? null, args.role ?? null, args.includeDisabled];
    const rows = await ctx.sql<AccountRow>(
      `select ${ACCOUNT_COLUMNS} from account where ${where} and (?::bigint is null or id > ?::bigint) order by account.id limit ?`,
      [...params, page.afterKey, page.afterKey, page.first + 1],
    );
    return toPage(
      rows.map(accountFromRow),
      page,
      (account) => account.key,
      async () => {
        const [row] = await ctx.sql<{ n: number }>(`select count(*)::int as n from account where ${where}`, params);
        return row.n;
      },
    );
  },

  /** The caller's own account (`me`): null for tokens that are not an account's session (development tokens, an identity provider's). */
  async me(ctx: Context): Promise<Account | null> {
    const viewer = ctx.viewer;
    const key = viewer?.sessionId ? accountKeyOfSubject(viewer.sub) : null;
    if (!viewer?.sessionId || !key) return null;
    const [row] = await ctx.sql<AccountRow>(
      `select ${ACCOUNT_COLUMNS} from account
        where id = ?::bigint and exists (select 1 from account_session s where s.id = ?::uuid and s.account_id = account.id and s.revoked_at is null)`,
      [key, viewer.sessionId],
    );
    return row ? accountFromRow(row) : null;
  },

  /** One account for `node(id)`: the caller's own, or one of an admin's county; null otherwise. */
  async byKey(ctx: Context, key: string): Promise<Account | null> {
    if (!/^\d{1,19}$/.test(key)) return null;
    const own = ctx.viewer?.sessionId && accountKeyOfSubject(ctx.viewer.sub) === key;
    const viewer = own ? ctx.viewer! : assertCanWrite(ctx.viewer, ctx.viewer?.areaCode ?? '', ACCOUNT_ADMINS);
    const row = await rowOf(ctx.sql, key);
    if (!row || (!own && !inViewerSubtree(viewer, row.area_code))) return null;
    return accountFromRow(row);
  },
};
