import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { connectionType, type Page } from '../../common/connection.js';
import { asPayload } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { Webhook, WebhookDelivery } from './webhook.entity.js';
import {
  CreateWebhookInput,
  DeleteWebhookPayload,
  UpdateWebhookInput,
  WebhookDeliveryArgs,
  WebhookListArgs,
  WebhookPayload,
  WebhookSecretPayload,
  WebhookVersionInput,
} from './webhook.inputs.js';
import { webhookService } from './webhook.service.js';

export const WebhookConnection = connectionType('Webhook', Webhook, 'webhook');
export const WebhookDeliveryConnection = connectionType('WebhookDelivery', WebhookDelivery, 'webhook delivery attempt');

@Resolver(() => Webhook)
export class WebhookResolver {
  @Query(() => WebhookConnection, { description: "外部推送 — webhooks in the caller's subtree, with their delivery state (COUNTY_ADMIN, LEADER)." })
  webhooks(@Args() args: WebhookListArgs, @Ctx() ctx: Context): Promise<Page<Webhook>> {
    return webhookService.list(ctx, args);
  }

  @Query(() => WebhookDeliveryConnection, { description: '推送记录 — the delivery attempts of one webhook, newest first (COUNTY_ADMIN, LEADER).' })
  webhookDeliveries(@Args() args: WebhookDeliveryArgs, @Ctx() ctx: Context): Promise<Page<WebhookDelivery>> {
    return webhookService.deliveries(ctx, args);
  }

  @Mutation(() => WebhookSecretPayload, { description: '登记外部推送 — registers a webhook; its signing secret is in this answer only (COUNTY_ADMIN).' })
  createWebhook(@Arg('input', { description: 'The webhook.' }) input: CreateWebhookInput, @Ctx() ctx: Context) {
    return asPayload(() => webhookService.create(ctx, input));
  }

  @Mutation(() => WebhookPayload, { description: '修改外部推送 — changes a webhook, or enables/disables (停用) it (COUNTY_ADMIN).' })
  updateWebhook(@Arg('input', { description: 'The changes.' }) input: UpdateWebhookInput, @Ctx() ctx: Context) {
    return asPayload(() => webhookService.update(ctx, input));
  }

  @Mutation(() => WebhookSecretPayload, {
    description: '更换签名密钥 — replaces the signing secret at once; the new one is in this answer only (COUNTY_ADMIN).',
  })
  rotateWebhookSecret(@Arg('input', { description: 'The webhook.' }) input: WebhookVersionInput, @Ctx() ctx: Context) {
    return asPayload(() => webhookService.rotateSecret(ctx, input));
  }

  @Mutation(() => DeleteWebhookPayload, { description: '删除外部推送 — removes a webhook and its delivery records (COUNTY_ADMIN).' })
  deleteWebhook(@Arg('input', { description: 'The webhook.' }) input: WebhookVersionInput, @Ctx() ctx: Context) {
    return asPayload(() => webhookService.delete(ctx, input));
  }

  @FieldResolver(() => Area, { description: '区划 — the area whose subtree the events come from.' })
  area(@Root() webhook: Webhook, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(webhook.areaCode);
  }
}
