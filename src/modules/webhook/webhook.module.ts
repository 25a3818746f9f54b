import type { Feature } from '../../feature.js';
import { webhookDelivererService } from './webhook.deliverer.js';
import { WebhookResolver } from './webhook.resolver.js';
import { webhookService } from './webhook.service.js';

/** 外部推送 — webhooks: outside systems that receive progress events, signed, in order, retried; and their deliverer. */
export const webhookFeature: Feature = {
  name: 'webhook',
  resolvers: [WebhookResolver],
  nodes: { Webhook: (ctx, key) => webhookService.byKey(ctx, key) },
  services: [webhookDelivererService],
};
