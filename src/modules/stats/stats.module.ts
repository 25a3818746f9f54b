import type { Feature } from '../../feature.js';
import { statsDemoSeeder } from './stats.demo.js';
import { moveObservationsOnMerge } from './stats.history.js';
import { createStatsLoaders } from './stats.loaders.js';
import { statsNodeFetchers } from './stats.node.js';
import { statsResolvers } from './stats.resolver.js';

/** 统计 — indicators, monthly figures, roll-ups and the reporting workflow. */
export const statsFeature: Feature = {
  name: 'stats',
  resolvers: [...statsResolvers],
  loaders: { stats: createStatsLoaders },
  nodes: statsNodeFetchers,
  hooks: { areaMerge: [moveObservationsOnMerge] },
  demo: statsDemoSeeder,
};
