import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { AreaFacilitiesDocument, AreaProjectsDocument, FacilitySummaryDocument, TownshipsWithFacilitiesDocument } from '../graphql/generated/graphql.js';
import { civgraph } from '../../src/features.js';
import { seedDemo } from '../../src/feature.js';

let app: TestApp;
let admin: string;
beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.orm, '511921000000', civgraph);
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

describe('demo data from the speech', () => {
  it('counts, in one query, 15 public nursing homes of which 9 are 公建民营, and the rest of the speech', async () => {
    const { count, result } = await app.measure(() => app.query(FacilitySummaryDocument, { code: '511921' }, { token: admin }));
    const summary = result.area!.facilitySummary;
    expect(summary).toMatchObject({
      publicNursingHomes: 15,
      reformedNursingHomes: 9,
      nursingHomesUnderConstruction: 2,
      complexesBuilt: 2,
      complexesUnderConstruction: 1,
      stationsUnderConstruction: 2,
      centres: 1,
    });
    expect(summary.groups).toContainEqual(
      expect.objectContaining({ type: 'NURSING_HOME', status: 'OPERATING', operatingModel: 'PUBLIC_BUILT_PRIVATE_RUN', count: 9 }),
    );
    expect(summary.groups).toContainEqual(expect.objectContaining({ type: 'NURSING_HOME', status: 'OPERATING', operatingModel: 'PUBLIC', count: 6 }));
    expect(summary.total).toBe(15 + 2 + 3 + 1 + 1 + 1 + 2);
    // area lookup + the summary
    expect(count).toBe(2);
  });

  it('puts the 15 nursing homes on 15 different towns, every 公建民营 one with its operator', async () => {
    const homes = await app.rows<{ area_code: string; operating_model: string; operator: string | null; name: string }>(
      `select f.area_code, f.operating_model, f.operator, a.name from facility f join area a on a.code = f.area_code
        where f.type = 'NURSING_HOME' and f.status = 'OPERATING' and f.source = 'DEMO'`,
    );
    expect(homes).toHaveLength(15);
    expect(new Set(homes.map((h) => h.area_code)).size).toBe(15);
    expect(homes.every((h) => h.name.endsWith('镇'))).toBe(true);
    expect(homes.filter((h) => h.operating_model === 'PUBLIC_BUILT_PRIVATE_RUN').every((h) => h.operator)).toBe(true);
  });

  it("has the community complexes in 壁州街道's communities and the county centre at the county", async () => {
    const data = await app.query(AreaFacilitiesDocument, { code: '511921001', types: ['COMMUNITY_ELDERLY_CARE_COMPLEX'] }, { token: admin });
    expect(data.area!.facilities.nodes.map((f) => [f.area.code.slice(0, 9), f.status])).toEqual([
      ['511921001', 'BUILT'],
      ['511921001', 'BUILT'],
      ['511921001', 'UNDER_CONSTRUCTION'],
    ]);
    const own = await app.query(AreaFacilitiesDocument, { code: '511921', includeDescendants: false }, { token: admin });
    expect(own.area!.facilities.nodes.map((f) => f.type)).toEqual(['MINOR_PROTECTION_CENTER']);
  });

  it('has the projects under way, each with a lead official, task force, plan and progress, due by year end', async () => {
    const data = await app.query(AreaProjectsDocument, { code: '511921', statuses: ['IN_PROGRESS'] }, { token: admin });
    const projects = data.area!.projects.nodes;
    expect(projects.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        '通江县失能半失能养护院建设项目',
        '通江县特困人员供养服务设施建设项目',
        '两河口镇敬老院建设项目',
        '板桥口镇敬老院建设项目',
        '新场镇未成年人保护工作站建设',
        '三溪镇未成年人保护工作站建设',
      ]),
    );
    expect(projects).toHaveLength(6);
    for (const p of projects) {
      expect(p.leadOfficial?.name).toBeTruthy();
      expect(p.taskForce.length).toBeGreaterThan(0);
      expect(p.milestones.length).toBeGreaterThan(0);
      expect(p.targetDate).toBe('2026-12-31');
      expect(p.progressPercent).toBeGreaterThan(0);
      expect(p.facility?.status).toBe('UNDER_CONSTRUCTION');
    }
  });

  it('is idempotent and leaves an event for every change', async () => {
    const [before] = await app.rows<{ f: number; p: number; e: number }>(
      `select (select count(*)::int from facility) f, (select count(*)::int from project) p, (select count(*)::int from progress_update where subject_kind in ('FACILITY', 'PROJECT')) e`,
    );
    await seedDemo(app.orm, '511921000000', civgraph);
    const [after] = await app.rows<{ f: number; p: number; e: number }>(
      `select (select count(*)::int from facility) f, (select count(*)::int from project) p, (select count(*)::int from progress_update where subject_kind in ('FACILITY', 'PROJECT')) e`,
    );
    expect(after).toEqual(before);
    // facilities created + projects created + started + facility moved + progress entries
    // + the demo's 责任人 set on projects (each an UPDATED event, issue 31)
    const [{ entries }] = await app.rows<{ entries: number }>('select count(*)::int as entries from project_progress');
    const [{ responsible }] = await app.rows<{ responsible: number }>(
      `select count(*)::int as responsible from responsible_change where item_kind = 'PROJECT'`,
    );
    expect(before.e).toBe(before.f + before.p * 3 + entries + responsible);
  });
});

describe('lists across many areas', () => {
  it('serves facilities, summaries and projects for all 33 townships in a constant number of statements', async () => {
    const small = await app.measure(() => app.query(TownshipsWithFacilitiesDocument, { code: '511921', first: 1 }, { token: admin }));
    const large = await app.measure(() => app.query(TownshipsWithFacilitiesDocument, { code: '511921', first: 100 }, { token: admin }));
    const townships = large.result.area!.children.nodes;
    expect(townships).toHaveLength(33);
    expect(townships.reduce((n, t) => n + t.facilities.totalCount, 0)).toBe(24);
    expect(townships.find((t) => t.code === '511921116000')!.projects.nodes[0]).toMatchObject({
      name: '两河口镇敬老院建设项目',
      facility: { name: '两河口镇敬老院' },
    });
    expect(townships.find((t) => t.code === '511921100000')!.projects.nodes[0].progress.totalCount).toBe(3);
    // county, children, facilities, summaries, projects, progress, linked facilities, facility areas
    expect(large.count).toBe(8);
    expect(large.count).toBe(small.count);
  });
});
