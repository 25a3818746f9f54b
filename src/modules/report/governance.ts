import { AreaRectificationResolver, RectificationResolver } from '../rectification/rectification.resolver.js';
import { SupervisionCandidateResolver, SupervisionResolver } from '../supervision/supervision.resolver.js';
import { AreaTaskResolver, TaskAssignmentResolver, TaskResolver } from '../task/task.resolver.js';
import { MonthlyReportResolver } from './report.resolver.js';

/** Resolvers of key tasks, rectification, supervision and the monthly report, registered in one line of the schema. */
export const governanceResolvers = [
  TaskResolver,
  TaskAssignmentResolver,
  AreaTaskResolver,
  RectificationResolver,
  AreaRectificationResolver,
  SupervisionResolver,
  SupervisionCandidateResolver,
  MonthlyReportResolver,
] as const;
