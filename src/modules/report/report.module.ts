import { Router } from 'express';
import type { Feature } from '../../feature.js';
import { monthlyReportRouter } from './report.http.js';
import { IssuedMonthlyReportResolver, MonthlyReportResolver } from './report.resolver.js';

/** 每月条理式报告 — the monthly itemised report, as a query and as downloads under /reports. */
export const reportFeature: Feature = {
  name: 'report',
  resolvers: [MonthlyReportResolver, IssuedMonthlyReportResolver],
  routes: [(deps) => Router().use('/reports', monthlyReportRouter(deps))],
};
