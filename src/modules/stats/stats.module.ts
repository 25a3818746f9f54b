import type { Feature } from '../../feature.js';
import { statsDemoSeeder } from './stats.demo.js';
import { createStatsLoaders } from './stats.loaders.js';
import { statsResolvers } from './stats.resolver.js';
import { moveObservationsOnMerge } from './stats.merge.js';
import { statsNodeFetchers } from './stats.nodes.js';
import { statsTreeField } from './stats.tree-read.js';

/** 统计 — indicators, monthly figures, roll-ups and the reporting workflow. */
export const statsFeature: Feature = {
  name: 'stats',
  resolvers: [...statsResolvers],
  loaders: { stats: createStatsLoaders },
  nodes: statsNodeFetchers,
  hooks: { areaMerge: [moveObservationsOnMerge], areaTreeFields: [statsTreeField] },
  demo: statsDemoSeeder,
};
