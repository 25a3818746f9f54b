import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { KNOWN_AT_DESCRIPTION } from '../../common/known-at.js';
import type { Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { MonthlyReport } from './report.entity.js';
import { reportService } from './report.service.js';
import { FieldResolver, Root } from 'type-graphql';

@Resolver(() => MonthlyReport)
export class MonthlyReportResolver {
  @Query(() => MonthlyReport, {
    description:
      "每月条理式报告 — the itemised monthly report for an area's subtree (sensitive roles only; also at GET /reports/monthly/<YYYY-MM>.md and .csv).",
  })
  monthlyReport(
    @Arg('month', { description: 'The month, "2026-05".' }) month: string,
    @Arg('area', () => String, { nullable: true, description: "Area code (default: the caller's area)." }) area: string | null,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
    @Ctx() ctx: Context,
  ) {
    return reportService.monthly(ctx, month, area, knownAt);
  }

  @FieldResolver(() => Area, { description: '区划 — the area reported on.' })
  area(@Root() report: MonthlyReport, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(report.areaCode);
  }
}
