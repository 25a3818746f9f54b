import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { UserError } from '../../common/payload.js';
import { SubjectKind } from '../progress/progress.entity.js';
import { Webhook } from './webhook.entity.js';

@InputType({ description: '登记外部推送 — a new webhook.' })
export class CreateWebhookInput {
  @Field({ description: '推送地址 — http or https URL, without user name or password; not a loopback, private or link-local address.' })
  url!: string;

  @Field(() => [SubjectKind], { description: '事件类型 — the kinds of progress event to send (at least one).' })
  eventKinds!: SubjectKind[];

  @Field(() => String, { nullable: true, description: '说明 — what the receiver is (at most 200 characters).' })
  description?: string | null;

  @Field(() => String, { nullable: true, description: "区划 — only events of this area's subtree (6, 9 or 12 digits; default: the caller's area)." })
  area?: string | null;

  @Field(() => Boolean, { nullable: true, description: '启用 — false registers it stopped (停用), to enable once the receiver is ready (default true).' })
  enabled?: boolean | null;
}

@InputType({ description: '修改外部推送 — changes to a webhook; fields left out stay as they are.' })
export class UpdateWebhookInput {
  @Field(() => ID, { description: 'The webhook.' })
  id!: string;

  @Field(() => Int, { description: 'The version you read; a stale one gives CONFLICT.' })
  version!: number;

  @Field(() => String, { nullable: true, description: '推送地址 — a new URL (same rules as on creation).' })
  url?: string | null;

  @Field(() => [SubjectKind], { nullable: true, description: '事件类型 — the new kinds (at least one).' })
  eventKinds?: SubjectKind[] | null;

  @Field(() => String, { nullable: true, description: '说明 — a new description; an empty string removes it.' })
  description?: string | null;

  @Field(() => String, { nullable: true, description: "区划 — a new area (inside the caller's)." })
  area?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: '启用 — false stops delivery (停用); true resumes it with the events committed from then on (those in between are not sent).',
  })
  enabled?: boolean | null;
}

@InputType({ description: 'A webhook and the version you read.' })
export class WebhookVersionInput {
  @Field(() => ID, { description: 'The webhook.' })
  id!: string;

  @Field(() => Int, { description: 'The version you read; a stale one gives CONFLICT.' })
  version!: number;
}

@ArgsType()
export class WebhookListArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Only webhooks of this area's subtree." })
  area?: string | null;
}

@ArgsType()
export class WebhookDeliveryArgs extends PageArgs {
  @Field(() => ID, { description: 'The webhook.' })
  webhook!: string;
}

@ObjectType({ description: 'Result of a webhook mutation.' })
export class WebhookPayload {
  @Field(() => Webhook, { nullable: true, description: 'The webhook; null when nothing was written (or it was deleted).' })
  webhook?: Webhook | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType({ description: 'Result of creating a webhook or rotating its secret: the signing secret, shown this once.' })
export class WebhookSecretPayload {
  @Field(() => Webhook, { nullable: true, description: 'The webhook; null when nothing was written.' })
  webhook?: Webhook | null;

  @Field(() => String, {
    nullable: true,
    description: '签名密钥 — the HMAC-SHA256 key of X-Civgraph-Signature. Shown only in this answer: store it in the receiver now.',
  })
  secret?: string | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType({ description: 'Result of deleting a webhook.' })
export class DeleteWebhookPayload {
  @Field(() => ID, { nullable: true, description: 'Global ID of the deleted webhook; null when nothing was deleted.' })
  deletedId?: string | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors!: UserError[];
}
