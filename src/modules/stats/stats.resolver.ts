import { Arg, Args, Ctx, Field, FieldResolver, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { connectionType, PageArgs, type Page } from '../../common/connection.js';
import { pageOfHistory } from '../../common/list-page.js';
import { KNOWN_AT_DESCRIPTION } from '../../common/known-at.js';
import { asPayload } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { AreaConnection } from '../area/area.resolver.js';
import {
  Indicator,
  MissingVillageReason,
  Observation,
  ObservationChange,
  PeriodScalar,
  ReportingApproval,
  ReportingCompleteness,
  ReportingCompletenessSetting,
  StatsRow,
  StatsTable,
  StatValue,
} from './stats.entity.js';

export const ObservationChangeConnection = connectionType('ObservationChange', ObservationChange, '修改记录 change');
import { ReportObservationsInput, ReviewReportingPeriodInput, SetReportingCompletenessThresholdInput, SubmitReportingPeriodInput } from './stats.inputs.js';
import { INDICATORS, type Period } from './stats.rules.js';
import { statsService } from './stats.service.js';
import { idempotent } from '../../graphql/idempotency.service.js';
import { UserError } from '../../common/payload.js';

@ObjectType({ description: 'Result of `reportObservations`.' })
export class ReportObservationsPayload {
  @Field(() => Area, { nullable: true, description: '填报单位 — the reporting village; null on errors.' })
  area?: Area | null;

  @Field(() => [Observation], {
    nullable: true,
    description: '数据 — the stored figures of the report, in input order; null on errors (then nothing was written).',
  })
  observations?: Observation[] | null;

  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType({ description: 'Result of `submitReportingPeriod` and `reviewReportingPeriod`.' })
export class ReportingApprovalPayload {
  @Field(() => ReportingApproval, { nullable: true, description: '报送审核 — the approval after the change; null on errors.' })
  approval?: ReportingApproval | null;

  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType({ description: 'Result of `setReportingCompletenessThreshold`.' })
export class SetReportingCompletenessThresholdPayload {
  @Field(() => ReportingCompletenessSetting, {
    nullable: true,
    description: '上报完整率设置 — the setting after the change; null on errors (then nothing was written).',
  })
  setting?: ReportingCompletenessSetting | null;

  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
  userErrors!: UserError[];
}

const indicatorsArg = {
  nullable: true,
  description: '指标 — indicator codes, in the order wanted; all of the catalogue when omitted.',
} as const;

@Resolver()
export class StatsResolver {
  @Query(() => [Indicator], { description: '统计指标目录 — the indicator catalogue, with units and aggregation rules. Public.' })
  indicators(): Indicator[] {
    return INDICATORS.map((def) => Indicator.of(def));
  }

  @Query(() => StatsTable, {
    description:
      '分级汇总表 — the drill-down table: one row per child of `parent` with rolled-up figures, and the total. Needs a signed-in viewer whose subtree holds `parent`.',
  })
  statsTable(
    @Arg('parent', { description: '上级区划代码 — 6, 9 or 12 digits.' }) parent: string,
    @Arg('period', () => PeriodScalar, { description: '统计期 — `2026`, `2026Q2` or `2026-05`.' }) period: Period,
    @Arg('indicators', () => [String], indicatorsArg) indicators: string[] | null,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
    @Ctx() ctx: Context,
  ): Promise<StatsTable> {
    return statsService.table(ctx, parent, period, indicators, knownAt);
  }

  @Mutation(() => ReportObservationsPayload, {
    description:
      "上报统计数据 — a village's figures for one month, all or nothing. VILLAGE_OPERATOR of the village, TOWNSHIP_OPERATOR of its township, or COUNTY_ADMIN.",
  })
  reportObservations(@Arg('input', { description: 'The report.' }) input: ReportObservationsInput, @Ctx() ctx: Context) {
    return asPayload(() => idempotent(ctx, 'reportObservations', input, statsService.reportReplay, () => statsService.report(ctx, input)));
  }

  @Mutation(() => ReportingApprovalPayload, {
    description:
      "报送 — a township submits a period (OPEN/RETURNED → SUBMITTED). TOWNSHIP_OPERATOR of the township or COUNTY_ADMIN. Every village that has not reported for the period needs a 缺报说明 (`missingReasons`) unless the county's 上报完整率 threshold is met; otherwise a BAD_USER_INPUT userError on `missingReasons` lists them and nothing is written.",
  })
  submitReportingPeriod(@Arg('input', { description: 'The township and period.' }) input: SubmitReportingPeriodInput, @Ctx() ctx: Context) {
    return asPayload(async () => ({ approval: await statsService.submit(ctx, input) }));
  }

  @Mutation(() => ReportingApprovalPayload, {
    description: '审核 — the county approves (locks), returns (with a reason) or reopens (unlocks, with a reason) a township period. COUNTY_ADMIN.',
  })
  reviewReportingPeriod(@Arg('input', { description: 'The township, period and decision.' }) input: ReviewReportingPeriodInput, @Ctx() ctx: Context) {
    return asPayload(async () => ({ approval: await statsService.review(ctx, input) }));
  }

  @Mutation(() => SetReportingCompletenessThresholdPayload, {
    description:
      '上报完整率设置 — the county admin sets the minimum share of villages (0–100 %) that must have reported before a township may submit a period without 缺报说明. COUNTY_ADMIN of the county.',
  })
  setReportingCompletenessThreshold(
    @Arg('input', { description: 'The county and its threshold.' }) input: SetReportingCompletenessThresholdInput,
    @Ctx() ctx: Context,
  ) {
    return asPayload(async () => ({ setting: await statsService.setCompletenessThreshold(ctx, input) }));
  }
}

@Resolver(() => Area)
export class AreaStatsResolver {
  @FieldResolver(() => [StatValue], {
    description: '统计汇总 — rolled-up figures of the subtree for a period, one per indicator. Needs a signed-in viewer whose subtree holds the area.',
  })
  stats(
    @Root() area: Area,
    @Arg('period', () => PeriodScalar, { description: '统计期 — `2026`, `2026Q2` or `2026-05`.' }) period: Period,
    @Arg('indicators', () => [String], indicatorsArg) indicators: string[] | null,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
    @Ctx() ctx: Context,
  ) {
    return statsService.stats(ctx, area, period, indicators, knownAt);
  }

  @FieldResolver(() => [StatValue], {
    description: '时间序列 — one indicator rolled up for each period from `from` to `to` (same kind, at most 120), for charts.',
  })
  statsSeries(
    @Root() area: Area,
    @Arg('indicator', { description: '指标代码 — e.g. `ELDERLY_60_PLUS`.' }) indicator: string,
    @Arg('from', () => PeriodScalar, { description: '起 — first period, e.g. `2025-12`.' }) from: Period,
    @Arg('to', () => PeriodScalar, { description: '止 — last period, of the same kind.' }) to: Period,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
    @Ctx() ctx: Context,
  ) {
    return statsService.series(ctx, area, indicator, from, to, knownAt);
  }

  @FieldResolver(() => ReportingCompleteness, { description: '报送进度 — how many villages below have reported for the period, and which have not.' })
  reporting(@Root() area: Area, @Arg('period', () => PeriodScalar, { description: '统计期.' }) period: Period, @Ctx() ctx: Context) {
    return statsService.reporting(ctx, area, period);
  }

  @FieldResolver(() => [Observation], { description: '原始数据 — the stored monthly figures of this area (a village) in the period.' })
  observations(
    @Root() area: Area,
    @Arg('period', () => PeriodScalar, { description: '统计期.' }) period: Period,
    @Arg('indicators', () => [String], indicatorsArg) indicators: string[] | null,
    @Ctx() ctx: Context,
  ) {
    return statsService.observations(ctx, area, period, indicators);
  }

  @FieldResolver(() => [ObservationChange], {
    description: "修改记录 — changes of this area's figures for an indicator in the period, newest first (at most 200).",
    deprecationReason: 'Use `observationHistoryConnection` (paged).',
  })
  observationHistory(
    @Root() area: Area,
    @Arg('indicator', { description: '指标代码.' }) indicator: string,
    @Arg('period', () => PeriodScalar, { description: '统计期.' }) period: Period,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
    @Ctx() ctx: Context,
  ) {
    return statsService.history(ctx, area, indicator, period, knownAt);
  }

  @FieldResolver(() => ObservationChangeConnection, {
    description: "修改记录 — changes of this area's figures for an indicator in the period, newest first (the newest 200). Paged: `first` ≤ 100, `after`.",
  })
  async observationHistoryConnection(
    @Root() area: Area,
    @Args() page: PageArgs,
    @Arg('indicator', { description: '指标代码.' }) indicator: string,
    @Arg('period', () => PeriodScalar, { description: '统计期.' }) period: Period,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
    @Ctx() ctx: Context,
  ): Promise<Page<ObservationChange>> {
    return pageOfHistory(await statsService.history(ctx, area, indicator, period, knownAt), page, 'newestFirst');
  }

  @FieldResolver(() => ReportingApproval, {
    nullable: true,
    description: '报送审核 — the approval of the township governing this area for the period; null above township level.',
  })
  approval(@Root() area: Area, @Arg('period', () => PeriodScalar, { description: '统计期.' }) period: Period, @Ctx() ctx: Context) {
    return statsService.approval(ctx, area, period);
  }

  @FieldResolver(() => ReportingCompletenessSetting, {
    nullable: true,
    description:
      '上报完整率设置 — the 上报完整率 threshold of the county this area lies in (the default, 100 %, until the county admin sets one); null above county level. Needs a signed-in viewer whose subtree holds the area.',
  })
  reportingCompletenessSetting(@Root() area: Area, @Ctx() ctx: Context) {
    return statsService.completenessSetting(ctx, area);
  }
}

const areaOf = (ctx: Context, code: string) => ctx.loaders.area.byCode.load(code) as Promise<Area>;

@Resolver(() => StatValue)
export class StatValueResolver {
  @FieldResolver(() => Area, { description: '区划 — the area the value is rolled up for.' })
  area(@Root() value: StatValue, @Ctx() ctx: Context) {
    return areaOf(ctx, value.areaCode);
  }
}

@Resolver(() => StatsRow)
export class StatsRowResolver {
  @FieldResolver(() => Area, { description: '区划 — the child area of this row.' })
  area(@Root() row: StatsRow, @Ctx() ctx: Context) {
    return areaOf(ctx, row.areaCode);
  }
}

@Resolver(() => StatsTable)
export class StatsTableResolver {
  @FieldResolver(() => Area, { description: '上级区划 — the area whose children are the rows.' })
  parent(@Root() table: StatsTable, @Ctx() ctx: Context) {
    return areaOf(ctx, table.parentCode);
  }
}

@Resolver(() => Observation)
export class ObservationResolver {
  @FieldResolver(() => Area, { description: '填报单位 — the reporting area.' })
  area(@Root() observation: Observation, @Ctx() ctx: Context) {
    return areaOf(ctx, observation.areaCode);
  }
}

@Resolver(() => ObservationChange)
export class ObservationChangeResolver {
  @FieldResolver(() => Area, { description: '填报单位 — the area whose figure changed.' })
  area(@Root() change: ObservationChange, @Ctx() ctx: Context) {
    return areaOf(ctx, change.areaCode);
  }
}

@Resolver(() => ReportingApproval)
export class ReportingApprovalResolver {
  @FieldResolver(() => Area, { description: '乡镇 — the township.' })
  area(@Root() approval: ReportingApproval, @Ctx() ctx: Context) {
    return areaOf(ctx, approval.areaCode);
  }

  @FieldResolver(() => [MissingVillageReason], {
    description:
      "报送时未报村及缺报说明 — the villages that had not reported when the township last submitted the period, each with its reason, in code order. A snapshot of that submission (a village that reported since stays listed), replaced by the next one; empty while never submitted or when none was missing. A bounded list: at most the township's villages (codes allow 999).",
  })
  missingAtSubmission(@Root() approval: ReportingApproval, @Ctx() ctx: Context) {
    return statsService.missingAtSubmission(ctx, approval);
  }
}

@Resolver(() => MissingVillageReason)
export class MissingVillageReasonResolver {
  @FieldResolver(() => Area, { description: '村 — the village that had not reported.' })
  village(@Root() missing: MissingVillageReason, @Ctx() ctx: Context) {
    return areaOf(ctx, missing.villageCode);
  }
}

@Resolver(() => ReportingCompletenessSetting)
export class ReportingCompletenessSettingResolver {
  @FieldResolver(() => Area, { description: '县 — the county the setting applies to.' })
  county(@Root() setting: ReportingCompletenessSetting, @Ctx() ctx: Context) {
    return areaOf(ctx, setting.countyCode);
  }
}

@Resolver(() => ReportingCompleteness)
export class ReportingCompletenessResolver {
  @FieldResolver(() => Area, { description: '区划 — the area whose villages are counted.' })
  area(@Root() completeness: ReportingCompleteness, @Ctx() ctx: Context) {
    return areaOf(ctx, completeness.areaCode);
  }

  @FieldResolver(() => AreaConnection, {
    description: '未报村 — villages that have not reported for the period, in code order (paged; `totalCount` = missingAreas).',
  })
  missing(@Root() completeness: ReportingCompleteness, @Args() args: PageArgs, @Ctx() ctx: Context): Promise<Page<Area>> {
    return statsService.missing(ctx, completeness, args);
  }

  @FieldResolver(() => ReportingApproval, { nullable: true, description: '报送审核 — the governing township approval; null above township level.' })
  approval(@Root() completeness: ReportingCompleteness, @Ctx() ctx: Context) {
    return statsService.approval(ctx, { code: completeness.areaCode, level: completeness.areaLevel }, completeness.period);
  }
}

export const statsResolvers = [
  StatsResolver,
  AreaStatsResolver,
  StatValueResolver,
  StatsRowResolver,
  StatsTableResolver,
  ObservationResolver,
  ObservationChangeResolver,
  ReportingApprovalResolver,
  MissingVillageReasonResolver,
  ReportingCompletenessSettingResolver,
  ReportingCompletenessResolver,
] as const;
