import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { DomainError, ErrorCode } from '../../common/errors.js';
import type { Context } from '../../graphql/context.js';

/** What an account that must change its password may still do (and the public reads every caller may). */
const OPEN_WHILE_PASSWORD_CHANGE = new Set([
  'me',
  'viewer',
  'area',
  'areas',
  'indicators',
  'changePassword',
  'signIn',
  'refreshSession',
  'signOut',
  'signOutEverywhere',
]);

const GUARDED = Symbol('passwordChangeGuarded');

function refuse(ctx: Context | undefined): void {
  if (ctx?.viewer?.mustChangePassword) {
    throw new DomainError(ErrorCode.FORBIDDEN, '请先修改密码：管理员重置了您的密码，修改后（changePassword，再 refreshSession）方可继续');
  }
}

/**
 * 须改密码: an access token minted while the account's password was set by an
 * admin (`resetAccountPassword`, `createAccount`) carries `pwc`; every root
 * field but the few above refuses it (FORBIDDEN), on every transport (the
 * schema is the one HTTP, graphql-ws and SSE run). After `changePassword`,
 * `refreshSession` issues a token without it.
 */
export function guardPasswordChange(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      if (OPEN_WHILE_PASSWORD_CHANGE.has(field.name)) continue;
      const resolve = (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, Context> & { [GUARDED]?: true };
      if (resolve[GUARDED]) continue;
      const guarded: typeof resolve = (root, args, ctx, info) => {
        refuse(ctx);
        return resolve(root, args, ctx, info);
      };
      guarded[GUARDED] = true;
      field.resolve = guarded;
      const subscribe = field.subscribe as GraphQLFieldResolver<unknown, Context> | undefined;
      if (subscribe) {
        field.subscribe = (root, args, ctx: Context, info) => {
          refuse(ctx);
          return subscribe(root, args, ctx, info);
        };
      }
    }
  }
  return schema;
}
