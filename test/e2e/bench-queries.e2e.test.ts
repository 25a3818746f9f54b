import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAreas } from '../../src/modules/area/area.import.js';
import { startTestApp, type TestApp } from '../support/app.js';

// The queries `npm run bench` measures, with their statement counts guarded.
let app: TestApp;
let viewer = '';
beforeAll(async () => {
  app = await startTestApp();
  await importAreas(app.orm, { province: '51' });
  viewer = await app.token('VIEWER', '511921');
});
afterAll(() => app?.close());

const COUNTY_TREE = '{ area(code: "511921") { name children { edges { node { name children { edges { node { name } } } } } } } }';
// As bench/run.ts asks it: five indicators at every node of the county tree, for last month.
const STATS = `stats(period: "${new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1)).toISOString().slice(0, 7)}", indicators: ["ELDERLY_60_PLUS", "MINORS_0_17", "DIBAO_RURAL", "EXTREMELY_POOR_SUPPORTED", "ASSISTANCE_FUNDS_YUAN"]) { indicator { code } persons amount reportedAreas expectedAreas }`;
const COUNTY_STATS_TREE = `{ area(code: "511921") { name ${STATS} children { edges { node { name ${STATS} children { edges { node { name ${STATS} } } } } } } } }`;
const PROVINCE_DRILL_DOWN =
  '{ area(code: "510000") { name children { nodes { name children { nodes { name villages: descendantCount(level: VILLAGE) } } } } } }';

describe('benchmarked queries', () => {
  it('county tree: 3 statements', async () => {
    const { count } = await app.measure(() => app.query(COUNTY_TREE));
    expect(count).toBe(3);
  });

  it('county tree with five indicators at every node: 4 statements (the tree, and one read of the county\'s figures)', async () => {
    const { result, count, statements } = await app.measure(() =>
      app.query<{ area: { stats: { expectedAreas: number }[]; children: { edges: unknown[] } } }, never>(COUNTY_STATS_TREE, undefined, { token: viewer }),
    );
    expect(count, statements.join('\n---\n')).toBe(4);
    expect(result.area.children.edges).toHaveLength(33);
    expect(result.area.stats.map((s) => s.expectedAreas)).toEqual([367, 367, 367, 367, 367]);
  });

  it('province drill-down over 21 cities and 183 counties: 4 statements, with the right village counts', async () => {
    const { result, count } = await app.measure(() =>
      app.query<{ area: { children: { nodes: { name: string; children: { nodes: { name: string; villages: number }[] } }[] } } }, never>(PROVINCE_DRILL_DOWN),
    );
    expect(count).toBe(4);
    const cities = result.area.children.nodes;
    expect(cities).toHaveLength(21);
    const counties = cities.flatMap((c) => c.children.nodes);
    expect(counties).toHaveLength(183);
    expect(counties.find((c) => c.name === '通江县')!.villages).toBe(367);
    const [{ n }] = await app.orm.em.fork().getConnection().execute(`select count(*)::int as n from area where level = 'VILLAGE' and code like '51%'`);
    expect(counties.reduce((sum, c) => sum + c.villages, 0)).toBe(n);
  });
});
