import { Args, Ctx, FieldResolver, Query, Resolver, Root, Subscription } from 'type-graphql';
import { connectionType, type Page } from '../../common/connection.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlFor, type Sql } from '../../db/sql.js';
import type { Context, Loaders } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { ProgressUpdate } from './progress.entity.js';
import { ProgressUpdatedArgs, ProgressUpdatesArgs } from './progress.inputs.js';
import { progressCursor } from './progress.rules.js';
import { progressService } from './progress.service.js';

export const ProgressUpdateConnection = connectionType('ProgressUpdate', ProgressUpdate, 'progress update');

/**
 * A subscription's context lives as long as the subscription: give each
 * delivered event a fresh EntityManager fork and fresh loaders, so nothing it
 * resolves (its area, say) comes from an earlier event's cache.
 */
export function renew(ctx: Context): void {
  let fresh = renewable.get(ctx);
  if (!fresh) {
    const state: Fresh = { root: ctx.em };
    fresh = state;
    renewable.set(ctx, state);
    // Made on first use: an event whose selection reads nothing more costs no fork.
    Object.defineProperties(ctx, {
      em: { get: () => (state.em ??= state.root.fork()), configurable: true, enumerable: true },
      sql: { get: () => (state.sql ??= sqlFor(ctx.em)), configurable: true, enumerable: true },
      loaders: { get: () => (state.loaders ??= ctx.registry.createLoaders(ctx.sql)), configurable: true, enumerable: true },
    });
  }
  fresh.em = undefined;
  fresh.sql = undefined;
  fresh.loaders = undefined;
}

interface Fresh {
  root: EntityManager;
  em?: EntityManager;
  sql?: Sql;
  loaders?: Loaders;
}

const renewable = new WeakMap<Context, Fresh>();

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
    renew(ctx);
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
