import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAreas } from '../../src/modules/area/area.import.js';
import { startTestApp, type TestApp } from '../support/app.js';

// The queries `npm run bench` measures, with their statement counts guarded. Over HTTP
// the area tree read answers trees in one statement; over graphql-ws resolvers execute
// them, reading children with their children by look-ahead: both are checked here.
let app: TestApp;
let viewer = '';
beforeAll(async () => {
  app = await startTestApp();
  await importAreas(app.orm, { province: '51' });
  viewer = await app.token('VIEWER', '511921');
});
afterAll(() => app?.close());

/** The operation over graphql-ws, where resolvers execute it (no tree read). */
function overWs<T>(query: string, token?: string): Promise<T> {
  const client = app.wsClient(token ? { authorization: `Bearer ${token}` } : undefined);
  return new Promise<T>((resolve, reject) => {
    let answer: { data?: T; errors?: unknown[] } = {};
    client.subscribe(
      { query },
      {
        next: (value) => (answer = value as typeof answer),
        error: reject,
        complete: () => (answer.errors ? reject(new Error(JSON.stringify(answer.errors))) : resolve(answer.data!)),
      },
    );
  }).finally(() => client.dispose());
}

/** Both ways of answering a tree of two levels below: HTTP (the tree read, one statement) and graphql-ws (resolvers with look-ahead, two). */
const PATHS = [
  ['HTTP, the area tree read', <T>(query: string, token?: string) => app.query<T, never>(query, undefined, { token }), 1],
  ['graphql-ws, resolvers with look-ahead', <T>(query: string, token?: string) => overWs<T>(query, token), 2],
] as const;

const COUNTY_TREE = '{ area(code: "511921") { name children { edges { node { name children { edges { node { name } } } } } } } }';
// As bench/run.ts asks it: five indicators at every node of the county tree, for last month.
const STATS = `stats(period: "${new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1)).toISOString().slice(0, 7)}", indicators: ["ELDERLY_60_PLUS", "MINORS_0_17", "DIBAO_RURAL", "EXTREMELY_POOR_SUPPORTED", "ASSISTANCE_FUNDS_YUAN"]) { indicator { code } persons amount reportedAreas expectedAreas }`;
const COUNTY_STATS_TREE = `{ area(code: "511921") { name ${STATS} children { edges { node { name ${STATS} children { edges { node { name ${STATS} } } } } } } } }`;
const PROVINCE_DRILL_DOWN =
  '{ area(code: "510000") { name children { nodes { name children { nodes { name villages: descendantCount(level: VILLAGE) } } } } } }';

describe('benchmarked queries', () => {
  it('county tree: 1 statement by the tree read; by resolvers 2 (the county, and its townships with their villages by look-ahead)', async () => {
    expect((await app.measure(() => app.query(COUNTY_TREE))).count).toBe(1);
    expect((await app.measure(() => overWs(COUNTY_TREE))).count).toBe(2);
  });

  it("county tree with five indicators at every node: 2 statements (the tree, and one read of the county's figures)", async () => {
    const { result, count, statements } = await app.measure(() =>
      app.query<{ area: { stats: { expectedAreas: number }[]; children: { edges: unknown[] } } }, never>(COUNTY_STATS_TREE, undefined, { token: viewer }),
    );
    expect(count, statements.join('\n---\n')).toBe(2);
    expect(result.area.children.edges).toHaveLength(33);
    expect(result.area.stats.map((s) => s.expectedAreas)).toEqual([367, 367, 367, 367, 367]);
  });

  it.each([
    ['HTTP, the area tree read', 1],
    ['graphql-ws, resolvers: the province, cities with their counties, the counts', 3],
  ] as const)('province drill-down over 21 cities and 183 counties, %s: %i statements, with the right village counts', async (path, statements) => {
    type DrillDown = { area: { children: { nodes: { name: string; children: { nodes: { name: string; villages: number }[] } }[] } } };
    const { result, count } = await app.measure(() =>
      path.startsWith('HTTP') ? app.query<DrillDown, never>(PROVINCE_DRILL_DOWN) : overWs<DrillDown>(PROVINCE_DRILL_DOWN),
    );
    expect(count).toBe(statements);
    const cities = result.area.children.nodes;
    expect(cities).toHaveLength(21);
    const counties = cities.flatMap((c) => c.children.nodes);
    expect(counties).toHaveLength(183);
    expect(counties.find((c) => c.name === '通江县')!.villages).toBe(367);
    const [{ n }] = await app.orm.em.fork().getConnection().execute(`select count(*)::int as n from area where level = 'VILLAGE' and code like '51%'`);
    expect(counties.reduce((sum, c) => sum + c.villages, 0)).toBe(n);
  });
});

type Level = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  nodes: { code: string }[];
};
const LEVEL = 'totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { code }';

describe.each(PATHS)('children of children (%s)', (_, run, statements) => {
  it('answer as each parent read on its own, with page arguments on the outer level, signed in or not', async () => {
    // Townships 5 to 14 of 通江县, each with its villages (look-ahead: one statement for both levels).
    const first = await app.query<{ area: { children: Level } }, never>('{ area(code: "511921") { children(first: 4) { ' + LEVEL + ' } } }');
    const after = first.area.children.pageInfo.endCursor!;
    const TREE = `{ area(code: "511921") { children(first: 10, after: "${after}") { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { code children { ${LEVEL} } } } nodes { code villages: children { ${LEVEL} } } } } }`;
    for (const token of [undefined, viewer]) {
      const { result, count } = await app.measure(() =>
        run<{
          area: { children: Level & { edges: { cursor: string; node: { code: string; children: Level } }[]; nodes: { code: string; villages: Level }[] } };
        }>(TREE, token),
      );
      expect(count).toBe(statements);
      const townships = result.area.children;
      expect(townships.totalCount).toBe(33);
      expect(townships.pageInfo.hasPreviousPage).toBe(true);
      expect(townships.edges).toHaveLength(10);
      // Each township's villages as a query of that township alone answers them (one level per statement).
      for (const [i, edge] of townships.edges.entries()) {
        const alone = await app.query<{ area: { children: Level } }, never>(`{ area(code: "${edge.node.code}") { children { ${LEVEL} } } }`, undefined, {
          token,
        });
        expect(edge.node.children).toEqual(alone.area.children);
        expect(townships.nodes[i].villages).toEqual(alone.area.children);
        expect(alone.area.children.nodes.length).toBeGreaterThan(0);
      }
    }
  });

  it('with literal first and includeRetired on the inner level: the same as read level by level', async () => {
    const TREE = `{ area(code: "511921") { children(first: 6) { nodes { code children(first: 2, includeRetired: true) { ${LEVEL} } } } } }`;
    const { result, count } = await app.measure(() => run<{ area: { children: { nodes: { code: string; children: Level }[] } } }>(TREE));
    expect(count).toBe(statements);
    expect(result.area.children.nodes).toHaveLength(6);
    for (const township of result.area.children.nodes) {
      const alone = await app.query<{ area: { children: Level } }, never>(
        `{ area(code: "${township.code}") { children(includeRetired: true, first: 2) { ${LEVEL} } } }`,
      );
      expect(township.children).toEqual(alone.area.children);
      expect(township.children.pageInfo.hasNextPage).toBe(true);
    }
  });

  it('a village page of 0 or past the end, and children below villages, are the same as read level by level', async () => {
    // Three levels: townships, villages (look-ahead), villages' children (none: read by the primed page's own look-ahead).
    const DEEP = `{ area(code: "511921001") { children(first: 3) { nodes { code children { ${LEVEL} nodes { code children { ${LEVEL} } } } } } } }`;
    const { result, count } = await app.measure(() =>
      run<{ area: { children: { nodes: { code: string; children: Level & { nodes: { code: string; children: Level }[] } }[] } } }>(DEEP),
    );
    // `nodes` twice in one selection (graphql-js merges them): the tree read declines, resolvers answer.
    expect(count).toBeLessThanOrEqual(3);
    for (const village of result.area.children.nodes) {
      const alone = await app.query<{ area: { children: Level } }, never>(`{ area(code: "${village.code}") { children { ${LEVEL} } } }`);
      expect({ ...village.children, nodes: village.children.nodes.map((n) => ({ code: n.code })) }).toEqual(alone.area.children);
      for (const below of village.children.nodes)
        expect(below.children).toEqual({
          totalCount: 0,
          pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
          nodes: [],
        });
    }
  });
});
