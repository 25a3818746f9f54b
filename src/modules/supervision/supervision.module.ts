import type { Feature } from '../../feature.js';
import { workDemoSeeder } from './supervision.demo.js';
import { createSupervisionLoaders } from './supervision.loaders.js';
import { RectificationSupervisionResolver, SupervisionCandidateResolver, SupervisionResolver } from './supervision.resolver.js';
import { supervisionService } from './supervision.service.js';

/** 督办 — supervision of lagging tasks, projects and rectifications; its demo seeds tasks and rectifications to supervise. */
export const supervisionFeature: Feature = {
  name: 'supervision',
  resolvers: [SupervisionResolver, SupervisionCandidateResolver, RectificationSupervisionResolver],
  loaders: { supervision: createSupervisionLoaders },
  nodes: { SupervisionAction: (ctx, key) => supervisionService.byKey(ctx, key) },
  demo: workDemoSeeder,
};
