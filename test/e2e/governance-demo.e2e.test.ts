import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonthlyReportDocument, NeedsSupervisionDocument, RectificationsDocument, TasksDocument } from '../graphql/generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { workDemoSeeder } from '../../src/modules/supervision/supervision.demo.js';
import { civgraph } from '../../src/features.js';

let app: TestApp;
let admin: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

async function counts() {
  const [row] = await app.orm.em
    .fork()
    .getConnection()
    .execute(
      `select (select count(*) from task where source = 'DEMO')::int as tasks, (select count(*) from rectification where source = 'DEMO')::int as rects,
            (select count(*) from supervision_action where source = 'DEMO')::int as sup, (select count(*) from progress_update)::int as events`,
    );
  return row;
}

describe('governance demo data', () => {
  it("seeds the speech's agenda once, deterministically, marked demo", async () => {
    await workDemoSeeder.run(app.orm, '511921000000', civgraph);
    const first = await counts();
    expect(first).toMatchObject({ tasks: 9, rects: 5, sup: 2 });
    await workDemoSeeder.run(app.orm, '511921000000', civgraph);
    expect(await counts()).toEqual(first);
  });

  it('reads as the speech describes it', async () => {
    const plans = await app.query(TasksDocument, { filter: { category: 'TWO_REFORMS_FOLLOW_UP' }, asOf: '2026-07-01' }, { token: admin });
    expect(plans.tasks.totalCount).toBe(7);
    const byTitle = Object.fromEntries(plans.tasks.nodes.map((t) => [t.title, t.health]));
    expect(byTitle['红色文化旅游示范片区国土空间规划']).toBe('DONE');
    expect(byTitle['银耳(食用菌)产业发展片区国土空间规划']).toBe('DONE');
    expect(byTitle['优质粮油片区国土空间规划']).toBe('OVERDUE');
    expect(byTitle['茶旅融合发展片区国土空间规划']).toBe('OVERDUE');

    const tomb = await app.query(TasksDocument, { filter: { category: 'SOCIAL_AFFAIRS' }, asOf: '2026-11-27' }, { token: admin });
    expect(tomb.tasks.nodes[0]).toMatchObject({ title: '硬化大墓、活人墓整治', target: 130, done: 99, health: 'LAGGING' });
    expect(tomb.tasks.nodes[0].assignments.map((a) => [a.area.name, a.done, a.target])).toContainEqual(['沙溪镇', 15, 15]);

    const rects = await app.query(RectificationsDocument, { asOf: '2026-11-27' }, { token: admin });
    expect(rects.rectifications.nodes.map((r) => [r.statusAsOf, r.overdue])).toEqual([
      ['CLOSED', false],
      ['RECTIFIED', false],
      ['RECTIFYING', true],
      ['CLOSED', false],
      ['OPEN', false],
    ]);

    const needs = await app.query(NeedsSupervisionDocument, { asOf: '2026-11-27' }, { token: admin });
    // The 优质粮油 plan is overdue and its 挂牌督办 response, due 07-20, never came: it needs supervision again (issue 31);
    // so does the 救助资金 finding, still being rectified after its 警示约谈's window (due 06-20). The Q3/Q4 plans not yet done are lagging.
    expect(needs.needsSupervision.map((c) => c.title)).toEqual([
      '优质粮油片区国土空间规划',
      '产城融合片区国土空间规划',
      '第七个片区国土空间规划(诺水河片区,讲话未列名)',
      '未成年人保护工作站建设',
      '硬化大墓、活人墓整治',
      '救助资金发放不及时,存在截留、挤占',
    ]);

    const may = await app.query(MonthlyReportDocument, { month: '2026-05' }, { token: admin });
    expect(may.monthlyReport.rectificationsClosed.map((r) => r.title)).toEqual(['关系保、人情保:3 户不符合条件家庭纳入农村低保']);
    expect(may.monthlyReport.rectificationsOverdue).toEqual([]);
    const june = await app.query(MonthlyReportDocument, { month: '2026-06' }, { token: admin });
    expect(june.monthlyReport.rectificationsOverdue.map((r) => r.owner)).toEqual(['瓦室镇分管民政副镇长']);
    expect(june.monthlyReport.supervisionIssued.map((s) => s.owner)).toEqual(['瓦室镇人民政府']);
    expect(june.monthlyReport.laggingTasks.map((t) => t.title)).toContain('硬化大墓、活人墓整治');
  });
});
