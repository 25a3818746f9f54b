import { Args, Ctx, FieldResolver, Query, Resolver, Root, Subscription } from 'type-graphql';
import { connectionType, type Page } from '../../common/connection.js';
import { renewContext, type Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { ProgressUpdate } from './progress.entity.js';
import { ProgressUpdatedArgs, ProgressUpdatesArgs } from './progress.inputs.js';
import { progressCursor } from './progress.rules.js';
import { progressService } from './progress.service.js';

export const ProgressUpdateConnection = connectionType('ProgressUpdate', ProgressUpdate, 'progress update');

@Resolver(() => ProgressUpdate)
export class ProgressResolver {
  @Query(() => ProgressUpdateConnection, {
    description: '进度动态 — the recorded changes in an area’s subtree, oldest first (sequence order); the same cursors as `progressUpdated`.',
  })
  progressUpdates(@Args() args: ProgressUpdatesArgs, @Ctx() ctx: Context): Promise<Page<ProgressUpdate>> {
    return progressService.list(ctx, args);
  }

  @Subscription(() => ProgressUpdate, {
    description:
      '进度动态 (live) — every change in an area’s subtree as it commits, in sequence order. With `after`, stored events after that cursor come first, then live ones: each exactly once, none missed. Needs a token whose area contains `area`.',
    subscribe: ({ args, context }) => progressService.subscribe(context as Context, args as ProgressUpdatedArgs),
  })
  progressUpdated(@Root() update: ProgressUpdate, @Args() _args: ProgressUpdatedArgs, @Ctx() ctx: Context): ProgressUpdate {
    renewContext(ctx);
    return update;
  }

  @FieldResolver(() => Area, { description: '区划 — the area the changed subject belongs to.' })
  area(@Root() update: ProgressUpdate, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(update.areaCode);
  }

  @FieldResolver(() => String, { description: 'Resume cursor: pass it as `after` to `progressUpdated` or `progressUpdates` to continue after this event.' })
  cursor(@Root() update: ProgressUpdate): string {
    return progressCursor(update.sequence);
  }
}
