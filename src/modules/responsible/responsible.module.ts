import type { Feature } from '../../feature.js';
import { responsibleDemo } from './responsible.demo.js';
import { createResponsibleLoaders } from './responsible.loaders.js';
import {
  AccountResponsibleResolver,
  ProjectResponsibleResolver,
  RectificationResponsibleResolver,
  ResponsibilityResolver,
  ResponsiblePersonResolver,
  ResponsibleResolver,
  TaskAssignmentResponsibleResolver,
  TaskResponsibleResolver,
} from './responsible.resolver.js';

/** 责任到人 — the person responsible for tasks, assignments, projects and rectifications, with history; what a person is responsible for. */
export const responsibleFeature: Feature = {
  name: 'responsible',
  resolvers: [
    ResponsibleResolver,
    ResponsiblePersonResolver,
    ResponsibilityResolver,
    AccountResponsibleResolver,
    TaskResponsibleResolver,
    TaskAssignmentResponsibleResolver,
    ProjectResponsibleResolver,
    RectificationResponsibleResolver,
  ],
  loaders: { responsible: createResponsibleLoaders },
  demo: responsibleDemo,
};
