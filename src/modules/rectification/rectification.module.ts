import type { Feature } from '../../feature.js';
import { createRectificationLoaders } from './rectification.loaders.js';
import { AreaRectificationResolver, RectificationResolver } from './rectification.resolver.js';
import { rectificationService } from './rectification.service.js';

/** 审计整改 — audit findings, their rectification and follow-up review (回头看). */
export const rectificationFeature: Feature = {
  name: 'rectification',
  resolvers: [RectificationResolver, AreaRectificationResolver],
  loaders: { rectification: createRectificationLoaders },
  nodes: { Rectification: (ctx, key) => rectificationService.byKey(ctx, key) },
};
