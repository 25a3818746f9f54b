import type { Feature } from '../../feature.js';
import { createTaskLoaders } from './task.loaders.js';
import { AreaTaskResolver, TaskAssignmentResolver, TaskResolver } from './task.resolver.js';
import { taskService } from './task.service.js';

/** 重点工作 — key tasks with per-area assignments; lagging and overdue. Demo tasks come with the supervision demo. */
export const taskFeature: Feature = {
  name: 'task',
  resolvers: [TaskResolver, TaskAssignmentResolver, AreaTaskResolver],
  loaders: { task: createTaskLoaders },
  nodes: {
    Task: (ctx, key) => taskService.byKey(ctx, key),
    TaskAssignment: (ctx, key) => taskService.assignmentByKey(ctx, key),
  },
};
