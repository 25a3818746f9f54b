import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAreas } from '../../src/modules/area/area.import.js';
import { startTestApp, type TestApp } from '../support/app.js';

// The queries `npm run bench` measures, with their statement counts guarded.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await importAreas(app.orm, { province: '51' });
});
afterAll(() => app?.close());

const COUNTY_TREE = '{ area(code: "511921") { name children { edges { node { name children { edges { node { name } } } } } } } }';
const PROVINCE_DRILL_DOWN =
  '{ area(code: "510000") { name children { nodes { name children { nodes { name villages: descendantCount(level: VILLAGE) } } } } } }';

describe('benchmarked queries', () => {
  it('county tree: 3 statements', async () => {
    const { count } = await app.measure(() => app.query(COUNTY_TREE));
    expect(count).toBe(3);
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
