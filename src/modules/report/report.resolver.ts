import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { connectionType, type Page } from '../../common/connection.js';
import { asPayload } from '../../common/payload.js';
import { IssuedMonthlyReportArgs, IssueMonthlyReportInput, IssueMonthlyReportPayload, issuedReportService } from './report.issued.js';
import { KNOWN_AT_DESCRIPTION } from '../../common/known-at.js';
import type { Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { IssuedMonthlyReport, MonthlyReport } from './report.entity.js';
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

export const IssuedMonthlyReportConnection = connectionType('IssuedMonthlyReport', IssuedMonthlyReport, 'issued monthly report');

@Resolver(() => IssuedMonthlyReport)
export class IssuedMonthlyReportResolver {
  @Mutation(() => IssueMonthlyReportPayload, {
    description:
      '报送 — issues the monthly report of an area for a finished month: stores it as known now (Markdown, CSV and the canonical JSON, each with its SHA-256), once; a second issue of the month is CONFLICT. COUNTY_ADMIN, or TOWNSHIP_OPERATOR for its own township.',
  })
  issueMonthlyReport(@Arg('input', { description: 'Which month of which area.' }) input: IssueMonthlyReportInput, @Ctx() ctx: Context) {
    return asPayload(() => issuedReportService.issue(ctx, input, (c, month, area, knownAt) => reportService.monthlyKnownAt(c, month, area, knownAt)));
  }

  @Query(() => IssuedMonthlyReportConnection, {
    description: "已报送 — the monthly reports issued for an area's subtree, newest issue first, each downloadable as issued (sensitive roles only).",
  })
  issuedMonthlyReports(@Args() args: IssuedMonthlyReportArgs, @Ctx() ctx: Context): Promise<Page<IssuedMonthlyReport>> {
    return issuedReportService.list(ctx, args);
  }

  @FieldResolver(() => Area, { description: '区划 — the area reported on.' })
  area(@Root() issued: IssuedMonthlyReport, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(issued.areaCode);
  }
}
