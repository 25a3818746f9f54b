import type { Feature } from '../../feature.js';
import { inboxService } from './inbox.generate.js';
import { InboxConnectionResolver, InboxResolver } from './inbox.resolver.js';

/** 待办/提醒 — each account's inbox: items made from the progress stream and by a date sweep, read and marked read by their recipient. */
export const inboxFeature: Feature = {
  name: 'inbox',
  resolvers: [InboxResolver, InboxConnectionResolver],
  services: [(deps) => inboxService(deps)],
};
