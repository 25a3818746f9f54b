import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { UserError } from '../../common/payload.js';
import { InboxItem } from './inbox.entity.js';

/** Most items one markInboxRead names. */
export const MAX_MARK_IDS = 100;

@ArgsType()
export class InboxArgs extends PageArgs {
  @Field(() => Boolean, { nullable: true, description: '仅未读 — only the items not yet read (default false).' })
  unreadOnly?: boolean | null;
}

@InputType({ description: '标为已读 — which of your inbox items to mark read: `ids`, or `all: true` (exactly one of the two).' })
export class MarkInboxReadInput {
  @Field(() => [ID], { nullable: true, description: `条目 — your items' global IDs (1 to ${MAX_MARK_IDS}).` })
  ids?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: '全部已读 — true marks every unread item of yours read.' })
  all?: boolean | null;
}

@ObjectType({ description: 'Result of markInboxRead.' })
export class MarkInboxReadPayload {
  @Field(() => [InboxItem], { nullable: true, description: '条目 — the items named by `ids`, now read (empty with `all`); null when nothing was marked.' })
  items?: InboxItem[] | null;

  @Field(() => Int, {
    nullable: true,
    description: '本次标记 — how many items this call turned from unread to read (0 when they were read already); null on userErrors.',
  })
  markedCount?: number | null;

  @Field(() => Int, { nullable: true, description: '未读数 — your unread items left; null on userErrors.' })
  unreadCount?: number | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success. Nothing was marked when there are any.' })
  userErrors!: UserError[];
}
