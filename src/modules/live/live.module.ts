import type { Feature } from '../../feature.js';
import { LiveResolver } from './live.resolver.js';

/** 实时 — derived live views: facility status, task health and rolled-up figures as they change. */
export const liveFeature: Feature = {
  name: 'live',
  resolvers: [LiveResolver],
};
