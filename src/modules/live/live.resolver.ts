import { Args, ArgsType, Field, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../graphql/context.js';
import { Facility } from '../facility/facility.entity.js';
import { PeriodScalar, StatValue } from '../stats/stats.entity.js';
import type { Period } from '../stats/stats.rules.js';
import { Task } from '../task/task.entity.js';
import { liveService } from './live.service.js';

@ArgsType()
export class FacilityStatusChangedArgs {
  @Field({ description: '区划代码 — the area (6, 9 or 12 digits) whose facilities to watch; must lie in your own area.' })
  area!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: true, description: 'Include facilities of every area below (default), or only of the area itself.' })
  includeDescendants?: boolean | null;
}

@ArgsType()
export class TaskHealthChangedArgs {
  @Field({ description: '区划代码 — the area (6, 9 or 12 digits) whose tasks and assignments to watch (its whole subtree); must lie in your own area.' })
  area!: string;
}

@ArgsType()
export class StatsChangedArgs {
  @Field({ description: '区划代码 — the area (6, 9 or 12 digits) whose rolled-up figures to watch; must lie in your own area.' })
  area!: string;

  @Field(() => PeriodScalar, { description: '统计期 — `2026`, `2026Q2` or `2026-05`.' })
  period!: Period;

  @Field(() => [String], { nullable: true, description: '指标 — indicator codes, in the order wanted; all of the catalogue when omitted.' })
  indicators?: string[] | null;
}

/** Derived subscriptions over the progress stream: decorators and delegation only. */
@Resolver()
export class LiveResolver {
  @Subscription(() => Facility, {
    description:
      '设施状态变更 (live) — the facility as it is now, each time one in the subtree changes status (建设中 → 建成 …). Other edits do not trigger it. Needs a token whose area contains `area`.',
    subscribe: ({ args, context }) => liveService.facilityStatusChanged(context as Context, args as FacilityStatusChangedArgs),
  })
  facilityStatusChanged(@Root() facility: Facility, @Args() _args: FacilityStatusChangedArgs): Facility {
    return facility;
  }

  @Subscription(() => Task, {
    description:
      '重点工作进展 (live) — the task as it is now (ask for its `health`), each time it or one of its assignments in the subtree changes or records progress. Needs a token whose area contains `area`.',
    subscribe: ({ args, context }) => liveService.taskHealthChanged(context as Context, args as TaskHealthChangedArgs),
  })
  taskHealthChanged(@Root() task: Task, @Args() _args: TaskHealthChangedArgs): Task {
    return task;
  }

  @Subscription(() => [StatValue], {
    description:
      '统计汇总 (live) — the area’s rolled-up figures (as `Area.stats`) at once, then again whenever a report, reporting period or area change lands in its subtree: at most one message per second, the latest reflecting everything before it, and only when the figures changed. Needs a signed-in viewer whose subtree holds the area.',
    subscribe: ({ args, context }) => liveService.statsChanged(context as Context, args as StatsChangedArgs),
  })
  statsChanged(@Root() values: StatValue[], @Args() _args: StatsChangedArgs): StatValue[] {
    return values;
  }
}
