import type { Feature } from '../../feature.js';
import { progressHubService } from './progress.hub.js';
import { ProgressResolver } from './progress.resolver.js';
import { progressService } from './progress.service.js';

/** 进度动态 — the append-only progress events, their history and the `progressUpdated` subscription. */
export const progressFeature: Feature = {
  name: 'progress',
  resolvers: [ProgressResolver],
  nodes: { ProgressUpdate: (ctx, key) => progressService.bySequence(ctx, key) },
  services: [progressHubService],
};
