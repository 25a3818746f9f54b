import type { Feature } from '../../feature.js';
import { facilitiesAndProjectsDemo } from './project.demo.js';
import { createProjectLoaders } from './project.loaders.js';
import { AreaProjectsResolver, ProjectResolver } from './project.resolver.js';
import { projectService } from './project.service.js';

/** 民政项目 — capital projects, their lead official, task force and plan; the demo seeds the speech's facilities with them. */
export const projectFeature: Feature = {
  name: 'project',
  resolvers: [ProjectResolver, AreaProjectsResolver],
  loaders: { project: createProjectLoaders },
  nodes: { Project: (ctx, key) => projectService.byKey(ctx, key) },
  demo: facilitiesAndProjectsDemo,
};
