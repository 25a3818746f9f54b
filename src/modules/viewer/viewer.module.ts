import type { Feature } from '../../feature.js';
import { ViewerResolver } from './viewer.resolver.js';

/** 当前用户 — `viewer`: who the caller's token says they are. */
export const viewerFeature: Feature = {
  name: 'viewer',
  resolvers: [ViewerResolver],
};
