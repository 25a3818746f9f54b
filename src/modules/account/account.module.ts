import type { Feature } from '../../feature.js';
import { AccountResolver, SessionResolver } from './account.resolver.js';
import { accountService } from './account.service.js';
import { guardPasswordChange } from './password-change.guard.js';
import { sessionWatch } from './session.watch.js';

/** 账号与登录 — accounts, sign-in and sessions; each server watches revoked sessions to refuse their tokens and close their streams. */
export const accountFeature: Feature = {
  name: 'account',
  resolvers: [AccountResolver, SessionResolver],
  nodes: { Account: (ctx, key) => accountService.byKey(ctx, key) },
  services: [sessionWatch],
  transformSchema: guardPasswordChange,
};
