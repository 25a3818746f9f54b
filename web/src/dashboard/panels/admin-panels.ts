import type { DashboardViewer, Panel } from '../panel';

/**
 * Panels whose code loads when they render, after the first screen, so that the
 * roles that do not have them (and everyone's first screen) carry none of it:
 * 账号管理 (accounts.ts, COUNTY_ADMIN only) and 月度报告 (report.ts with its
 * Markdown renderer). chain-panels.ts does the same for 责任落实 and 延期审批.
 */

/** 账号管理 (issue 29 item 1): the county's accounts, for COUNTY_ADMIN. */
export const accountsPanel: Panel = {
  id: 'accounts',
  title: '账号管理',
  wide: true,
  form: true,
  requires: ['Query.accounts', 'Mutation.createAccount'],
  offered: (viewer: DashboardViewer) => viewer?.role === 'COUNTY_ADMIN',
  async render(_ctx, body) {
    const { renderAccounts } = await import('./accounts');
    await renderAccounts(body);
  },
};

/** 月度报告: the API gives it to COUNTY_ADMIN, LEADER, SECTION_STAFF and TOWNSHIP_OPERATOR. */
export const reportPanel: Panel = {
  id: 'report',
  title: '月度报告',
  wide: true,
  requires: ['Query.monthlyReport'],
  async render(ctx, body) {
    const { renderReport } = await import('./report');
    await renderReport(ctx, body);
  },
};
