import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { UserError } from '../../common/payload.js';
import { Role } from '../../auth/auth.rules.js';
import { Account } from './account.entity.js';
import { PASSWORD_RULE } from './account.rules.js';

@ArgsType()
export class AccountsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: '区划 — only accounts of this area and below (6, 9 or 12 digits); default: your whole county.' })
  area?: string | null;

  @Field(() => Role, { nullable: true, description: '角色 — only accounts of this role.' })
  role?: Role | null;

  @Field({ defaultValue: false, description: '含已停用 — include disabled accounts (default false).' })
  includeDisabled!: boolean;
}

@InputType('CreateAccountInput', { description: '新建账号 — a new account (账号) of your county.' })
export class CreateAccountInput {
  @Field({ description: '登录名 — login: 3–32 lower-case letters, digits, `.`, `_` or `-` (stored lower-case); unique.' })
  login!: string;

  @Field({ description: '姓名 — display name, 1–50 characters.' })
  displayName!: string;

  @Field(() => Role, { description: '角色 — role.' })
  role!: Role;

  @Field({
    description:
      '区划 — code of the area the account works for (6, 9 or 12 digits), inside your county; its level fits the role (a village for VILLAGE_OPERATOR…).',
  })
  area!: string;

  @Field(() => String, { nullable: true, description: '股室 — section: required for SECTION_STAFF (a section of the bureau), not allowed for other roles.' })
  section?: string | null;

  @Field(() => String, { nullable: true, description: '电话 — phone, optional: 5–20 digits, spaces, `+` or `-`.' })
  phone?: string | null;

  @Field({ description: `初始密码 — initial password. ${PASSWORD_RULE}. The account must change it at first sign-in.` })
  password!: string;
}

@InputType('UpdateAccountInput', {
  description: '修改账号 — change an account. Omitted fields stay; a role, area or section change signs the account out everywhere.',
})
export class UpdateAccountInput {
  @Field(() => ID, { description: "The account's global ID." })
  id!: string;

  @Field(() => String, { nullable: true, description: '姓名 — new display name.' })
  displayName?: string | null;

  @Field(() => Role, { nullable: true, description: '角色 — new role.' })
  role?: Role | null;

  @Field(() => String, { nullable: true, description: '区划 — new area code, inside your county.' })
  area?: string | null;

  @Field(() => String, { nullable: true, description: '股室 — new section (SECTION_STAFF); null clears it.' })
  section?: string | null;

  @Field(() => String, { nullable: true, description: '电话 — new phone; null clears it.' })
  phone?: string | null;

  @Field(() => Int, { nullable: true, description: 'The `version` you read; a stale one gives CONFLICT and changes nothing. Omitted: no check.' })
  version?: number | null;
}

@InputType('AccountIdInput', { description: 'One account, by its global ID.' })
export class AccountIdInput {
  @Field(() => ID, { description: "The account's global ID." })
  id!: string;
}

@InputType('ResetAccountPasswordInput', { description: '重置密码 — an admin sets a new password; the account must change it at next sign-in.' })
export class ResetAccountPasswordInput {
  @Field(() => ID, { description: "The account's global ID." })
  id!: string;

  @Field({ description: `新密码 — the new password. ${PASSWORD_RULE}.` })
  newPassword!: string;
}

@InputType('ChangePasswordInput', { description: '修改密码 — the signed-in account changes its own password.' })
export class ChangePasswordInput {
  @Field({ description: '当前密码 — the current password.' })
  currentPassword!: string;

  @Field({ description: `新密码 — the new password. ${PASSWORD_RULE}.` })
  newPassword!: string;
}

@InputType('SignInInput', { description: '登录 — sign in with a login and a password.' })
export class SignInInput {
  @Field({ description: '登录名 — login (case does not matter).' })
  login!: string;

  @Field({ description: '密码 — password.' })
  password!: string;
}

@InputType('RefreshSessionInput', { description: '续期 — a refresh token from signIn or the last refreshSession.' })
export class RefreshSessionInput {
  @Field({ description: 'The refresh token; it is spent by this call (a new one comes back).' })
  refreshToken!: string;
}

@InputType('SignOutInput', { description: '退出登录 — end the session of this refresh token.' })
export class SignOutInput {
  @Field({ description: 'The refresh token of the session to end.' })
  refreshToken!: string;
}

@ObjectType('AccountPayload', {
  description: 'Result of an account change (createAccount, updateAccount, disableAccount, enableAccount, resetAccountPassword).',
})
export class AccountPayload {
  @Field(() => Account, { nullable: true, description: '账号 — the account as changed; null when there are userErrors.' })
  account?: Account | null;

  @Field(() => [UserError], { description: 'What was wrong with the input (messages in Chinese); empty on success.' })
  userErrors!: UserError[];
}

@ObjectType('SignInPayload', { description: '登录结果 — result of signIn and refreshSession: a short-lived access token and a rotating refresh token.' })
export class SignInPayload {
  @Field(() => String, {
    nullable: true,
    description: '访问令牌 — access token (JWT) for `Authorization: Bearer …`; expires at accessTokenExpiresAt (15 min by default).',
  })
  accessToken?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the access token expires: refresh before.' })
  accessTokenExpiresAt?: Date | null;

  @Field(() => String, {
    nullable: true,
    description: '刷新令牌 — refresh token: spent by one refreshSession (which returns a new one); presenting a spent one ends the session. Keep it secret.',
  })
  refreshToken?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the refresh token expires (30 days after it was issued by default).' })
  refreshTokenExpiresAt?: Date | null;

  @Field(() => Account, { nullable: true, description: '账号 — the signed-in account.' })
  account?: Account | null;

  @Field(() => [UserError], { description: 'Why signing in failed (one generic message for a wrong login or password); empty on success.' })
  userErrors!: UserError[];
}

@ObjectType('SignOutPayload', { description: 'Result of signOut, signOutEverywhere and revokeAccountSessions.' })
export class SignOutPayload {
  @Field(() => Int, { nullable: true, description: '结束的会话数 — sessions ended by this call; null when there are userErrors.' })
  sessionsEnded?: number | null;

  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType('ChangePasswordPayload', { description: 'Result of changePassword.' })
export class ChangePasswordPayload {
  @Field(() => Account, { nullable: true, description: '账号 — your account; null when there are userErrors.' })
  account?: Account | null;

  @Field(() => [UserError], { description: 'What was wrong (a wrong current password, a weak new one); empty on success.' })
  userErrors!: UserError[];
}
