import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { connectionType, type Page } from '../../common/connection.js';
import { asPayload } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { Account } from './account.entity.js';
import {
  AccountIdInput,
  AccountPayload,
  AccountsArgs,
  ChangePasswordInput,
  ChangePasswordPayload,
  CreateAccountInput,
  RefreshSessionInput,
  ResetAccountPasswordInput,
  SignInInput,
  SignInPayload,
  SignOutInput,
  SignOutPayload,
  UpdateAccountInput,
} from './account.inputs.js';
import { accountService } from './account.service.js';
import { sessionService } from './session.service.js';

export const AccountConnection = connectionType('Account', Account, 'account');

const ADMIN_ONLY = 'Who may: COUNTY_ADMIN, for the accounts of their county; every other role is refused (FORBIDDEN).';

@Resolver(() => Account)
export class AccountResolver {
  @FieldResolver(() => Area, { description: '所属区划 — the area the account works for; its scope is its subtree.' })
  area(@Root() account: Account, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(account.areaCode);
  }

  @Query(() => AccountConnection, { description: `账号 — the accounts of your county (or of \`area\` inside it), oldest first. ${ADMIN_ONLY}` })
  accounts(@Args() args: AccountsArgs, @Ctx() ctx: Context): Promise<Page<Account>> {
    return accountService.list(ctx, args);
  }

  @Query(() => Account, {
    nullable: true,
    description:
      '我的账号 — the signed-in account; null for anonymous callers and for tokens that are not an account’s (development tokens, an identity provider’s).',
  })
  me(@Ctx() ctx: Context): Promise<Account | null> {
    return accountService.me(ctx);
  }

  @Mutation(() => AccountPayload, {
    description: `新建账号 — creates an account with an initial password it must change at first sign-in. ${ADMIN_ONLY} Bad input (weak password, an area outside your county, an unknown section, a login in use) is a field error.`,
  })
  createAccount(@Arg('input', { description: 'The new account.' }) input: CreateAccountInput, @Ctx() ctx: Context) {
    return asPayload(() => accountService.create(ctx, input));
  }

  @Mutation(() => AccountPayload, { description: `修改账号 — changes an account; a new role, area or section signs it out everywhere. ${ADMIN_ONLY}` })
  updateAccount(@Arg('input', { description: 'What to change.' }) input: UpdateAccountInput, @Ctx() ctx: Context) {
    return asPayload(() => accountService.update(ctx, input));
  }

  @Mutation(() => AccountPayload, {
    description: `停用账号 — disables an account: it cannot sign in, its sessions end, its open streams close within seconds (4403). Not your own. ${ADMIN_ONLY}`,
  })
  disableAccount(@Arg('input', { description: 'The account.' }) input: AccountIdInput, @Ctx() ctx: Context) {
    return asPayload(() => accountService.disable(ctx, input.id));
  }

  @Mutation(() => AccountPayload, { description: `启用账号 — enables a disabled account again. ${ADMIN_ONLY}` })
  enableAccount(@Arg('input', { description: 'The account.' }) input: AccountIdInput, @Ctx() ctx: Context) {
    return asPayload(() => accountService.enable(ctx, input.id));
  }

  @Mutation(() => AccountPayload, {
    description: `重置密码 — sets a new password the account must change at its next sign-in, and ends its sessions. ${ADMIN_ONLY}`,
  })
  resetAccountPassword(@Arg('input', { description: 'The account and its new password.' }) input: ResetAccountPasswordInput, @Ctx() ctx: Context) {
    return asPayload(() => accountService.resetPassword(ctx, input));
  }

  @Mutation(() => SignOutPayload, { description: `强制下线 — ends every session of an account (its streams close within seconds). ${ADMIN_ONLY}` })
  revokeAccountSessions(@Arg('input', { description: 'The account.' }) input: AccountIdInput, @Ctx() ctx: Context) {
    return asPayload(() => accountService.revokeSessions(ctx, input.id));
  }
}

@Resolver()
export class SessionResolver {
  @Mutation(() => SignInPayload, {
    description:
      '登录 — signs in with a login and a password: a short-lived access token and a rotating refresh token. Anyone may call it; a wrong login or password gets one generic message (UNAUTHENTICATED). Rate-limited per login and per address (RATE_LIMITED), every attempt audited.',
  })
  signIn(@Arg('input', { description: 'Login and password.' }) input: SignInInput, @Ctx() ctx: Context) {
    return sessionService.signIn(ctx, input);
  }

  @Mutation(() => SignInPayload, {
    description:
      '续期 — spends a refresh token for a new access token and a new refresh token. A refresh token presented twice ends its whole session (it was copied), audited. Anyone holding one may call it.',
  })
  refreshSession(@Arg('input', { description: 'The refresh token.' }) input: RefreshSessionInput, @Ctx() ctx: Context) {
    return sessionService.refresh(ctx, input);
  }

  @Mutation(() => SignOutPayload, { description: '退出登录 — ends the session of a refresh token. Anyone holding one may call it.' })
  signOut(@Arg('input', { description: 'The refresh token of the session.' }) input: SignOutInput, @Ctx() ctx: Context) {
    return sessionService.signOut(ctx, input);
  }

  @Mutation(() => SignOutPayload, {
    description: '全部退出 — ends every session of your account, this one included. Who may: a signed-in account (not a development token: FORBIDDEN).',
  })
  signOutEverywhere(@Ctx() ctx: Context) {
    return asPayload(() => sessionService.signOutEverywhere(ctx));
  }

  @Mutation(() => ChangePasswordPayload, {
    description: '修改密码 — changes your own password (your other sessions end). Who may: a signed-in account (not a development token: FORBIDDEN).',
  })
  changePassword(@Arg('input', { description: 'Current and new password.' }) input: ChangePasswordInput, @Ctx() ctx: Context) {
    return asPayload(() => sessionService.changePassword(ctx, input));
  }
}
