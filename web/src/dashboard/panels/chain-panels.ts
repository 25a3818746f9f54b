import type { DashboardViewer, Panel } from '../panel';

/**
 * 责任落实 and 延期审批 (issue 31 items 2 and 5), for COUNTY_ADMIN and LEADER only: the panels are
 * declared here and their code (chain.ts, extensions.ts) is loaded when they render, after the
 * first screen, so the other roles' pages and everyone's first screen carry none of it.
 */

/** Who reads the chain (ACCOUNTABILITY_READERS in src/modules/supervision/supervision.accountability.ts). */
const CHAIN_READERS = ['COUNTY_ADMIN', 'LEADER'];
/** Who decides a deadline extension (EXTENSION_DECIDERS in src/modules/extension/extension.service.ts): the one write a LEADER makes. */
const EXTENSION_DECIDERS = ['COUNTY_ADMIN', 'LEADER'];

/** 责任落实: `accountability(month, area)` — 逾期/滞后事项 with 责任人, 在办督办, the month's 问责 (chain.ts). */
export const chainPanel: Panel = {
  id: 'chain',
  title: '责任落实',
  wide: true,
  requires: ['Query.accountability'],
  offered: (viewer: DashboardViewer) => Boolean(viewer && CHAIN_READERS.includes(viewer.role)),
  async render(ctx, body) {
    const { renderChain } = await import('./chain');
    await renderChain(ctx, body);
  },
};

/** 延期审批: the pending deadline-extension requests, 批准 / 不予批准 with 审批意见 (extensions.ts). */
export const extensionsPanel: Panel = {
  id: 'extensions',
  title: '延期审批',
  requires: ['Query.deadlineExtensions', 'Mutation.decideDeadlineExtension'],
  offered: (viewer: DashboardViewer) => Boolean(viewer && EXTENSION_DECIDERS.includes(viewer.role)),
  async render(ctx, body) {
    const { renderExtensions } = await import('./extensions');
    await renderExtensions(ctx, body);
  },
};
