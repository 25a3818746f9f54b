import { Arg, Args, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { connectionType } from '../../common/connection.js';
import { asPayload } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { InboxItem } from './inbox.entity.js';
import { InboxArgs, MarkInboxReadInput, MarkInboxReadPayload } from './inbox.inputs.js';
import { inboxService, type InboxPage } from './inbox.service.js';

export const InboxItemConnection = connectionType('InboxItem', InboxItem, 'inbox item');

@Resolver(() => InboxItem)
export class InboxResolver {
  @Query(() => InboxItemConnection, {
    description:
      '待办/提醒 — your own inbox, newest first: what was assigned to you, what is due soon or overdue, what turned lagging, extensions to decide or decided. Every signed-in role; only the caller’s items.',
  })
  inbox(@Args() args: InboxArgs, @Ctx() ctx: Context): Promise<InboxPage> {
    return inboxService.list(ctx, args);
  }

  @Mutation(() => MarkInboxReadPayload, {
    description: '标为已读 — marks your inbox items read (`ids`), or all of them (`all: true`). Idempotent; another’s item is NOT_FOUND and nothing is marked.',
  })
  markInboxRead(@Arg('input', { description: 'The items, or all.' }) input: MarkInboxReadInput, @Ctx() ctx: Context) {
    return asPayload(() => inboxService.markRead(ctx, input));
  }
}

@Resolver(() => InboxItemConnection)
export class InboxConnectionResolver {
  @FieldResolver(() => Int, { description: '未读数 — how many of your inbox items are unread (whatever the page and `unreadOnly`).' })
  unreadCount(@Root() page: InboxPage): number {
    return page.unreadCount;
  }
}
