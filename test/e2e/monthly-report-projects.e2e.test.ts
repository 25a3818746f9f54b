import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

// The monthly report reads projects from the event history alone: real project
// mutations must show up in it, named and dated.
let app: TestApp;
let admin: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

const now = new Date(Date.now() + 8 * 3600_000); // China time
const month = now.toISOString().slice(0, 7);
const today = now.toISOString().slice(0, 10);

type Payload<K extends string> = Record<K, { project: { id: string; version: number } | null; userErrors: unknown[] }>;

async function mutate<K extends string>(field: K, inputType: string, input: unknown) {
  const result = await app.query<Payload<K>, unknown>(
    `mutation ($input: ${inputType}!) { ${field}(input: $input) { project { id version } userErrors { code field message } } }`,
    { input },
    { token: admin },
  );
  expect(result[field].userErrors).toEqual([]);
  return result[field].project!;
}

describe('monthly report and projects', () => {
  it("lists the month's project progress and completed milestones by project name", async () => {
    let project = await mutate('createProject', 'CreateProjectInput', {
      name: '民胜镇敬老院改造',
      category: 'ELDERLY_CARE',
      area: '511921101',
      ownerSection: '养老服务股',
      plannedInvestment: '1200000.00',
      securedFunding: '800000.00',
      targetDate: '2026-12-31',
      leadOfficial: { name: '王局长', title: '副局长' },
      taskForce: [{ name: '李四', role: '组长', unit: '养老服务股' }],
      milestones: [{ name: '主体完工', dueDate: today }],
    });
    project = await mutate('changeProjectStatus', 'ChangeProjectStatusInput', { id: project.id, version: project.version, status: 'IN_PROGRESS' });
    await mutate('recordProjectProgress', 'RecordProjectProgressInput', { project: project.id, percent: 40, note: '主体施工', asOf: today });
    const current = await app.query<{ node: { version: number } }, unknown>(
      `query ($id: ID!) { node(id: $id) { ... on Project { version } } }`,
      { id: project.id },
      { token: admin },
    );
    await mutate('completeMilestone', 'CompleteMilestoneInput', { project: project.id, version: current.node.version, position: 1, doneDate: today });

    const report = await app.query<
      {
        monthlyReport: {
          projectProgress: { title: string; owner: string | null; date: string }[];
          milestonesDue: { title: string; owner: string | null }[];
          milestonesDone: { title: string; owner: string | null; date: string }[];
          markdown: string;
        };
      },
      unknown
    >(
      `query ($month: String!) { monthlyReport(month: $month, area: "511921") { projectProgress { title owner date } milestonesDue { title owner } milestonesDone { title owner date } markdown } }`,
      { month },
      { token: admin },
    );
    // Each project item names the project and its 责任股室, both from the events alone.
    expect(report.monthlyReport.projectProgress).toContainEqual(
      expect.objectContaining({ title: expect.stringContaining('民胜镇敬老院改造'), owner: '养老服务股', date: today }),
    );
    expect(report.monthlyReport.milestonesDue).toContainEqual(expect.objectContaining({ title: '民胜镇敬老院改造:主体完工', owner: '养老服务股' }));
    expect(report.monthlyReport.milestonesDone).toContainEqual({ title: '民胜镇敬老院改造:主体完工', owner: '养老服务股', date: today });
    expect(report.monthlyReport.markdown).toContain('民胜镇敬老院改造');
    expect(report.monthlyReport.markdown).toMatch(/民胜镇敬老院改造[^\n]*养老服务股/);
  });
});
