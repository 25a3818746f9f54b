import type { Feature } from '../../feature.js';
import { governanceDemoSeeder } from './governance.demo.js';
import { createGovernanceLoaders } from './governance.loaders.js';
import { governanceNodeFetchers } from './governance.nodes.js';
import { governanceResolvers } from './governance.resolver.js';

/** 社会治理 — grassroots governance: village councils, demonstration programmes, openness of village affairs. */
export const governanceFeature: Feature = {
  name: 'governance',
  resolvers: [...governanceResolvers],
  loaders: { governance: createGovernanceLoaders },
  nodes: governanceNodeFetchers,
  demo: governanceDemoSeeder,
};
