import { isObjectType, type GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/feature.js';
import { civgraph, civgraphSchema } from '../../src/features.js';
import { AREA_RESOLVER_ONLY, AREA_SQL_FIELDS } from '../../src/modules/area/area.sql-read.js';
import type { RunningServer } from '../../src/server/app.js';
import { startInterpretedServer, startTestApp, type TestApp } from '../support/app.js';

// Which code answers which Area field (docs/architecture.md, "Which code answers an Area field"):
// every field of Area is compiled by the tree read (AREA_SQL_FIELDS), filled in it by another
// feature (hooks.areaTreeFields), or declared resolver-only (AREA_RESOLVER_ONLY); and where the
// tree read answers, it answers as the resolvers do on the demo data.

const areaType = async () => {
  const type = (await civgraphSchema()).getType('Area');
  if (!isObjectType(type)) throw new Error('Area is not an object type');
  return type as GraphQLObjectType;
};
const HOOKED = (civgraph.hooks.areaTreeFields ?? []).map((field) => field.name);

describe('every Area field has a declared answerer', () => {
  it('each field of Area in the schema is compiled by the SQL read, filled by a hook, or resolver-only', async () => {
    const declared = new Set([...AREA_SQL_FIELDS, ...HOOKED, ...AREA_RESOLVER_ONLY]);
    const undeclared = Object.keys((await areaType()).getFields()).filter((name) => !declared.has(name));
    // A new Area field fails here by name: compile it in area.sql-read.ts or add it to AREA_RESOLVER_ONLY.
    expect(undeclared, `Area fields neither compiled by area.sql-read.ts nor in AREA_RESOLVER_ONLY: ${undeclared.join(', ')}`).toEqual([]);
  });

  it('the lists name only fields Area has, each in one list', async () => {
    const fields = (await areaType()).getFields();
    const all = [...AREA_SQL_FIELDS, ...HOOKED, ...AREA_RESOLVER_ONLY];
    expect(
      all.filter((name) => !fields[name]),
      'listed but not on Area',
    ).toEqual([]);
    expect(
      all.filter((name, i) => all.indexOf(name) !== i),
      'listed twice',
    ).toEqual([]);
    expect(HOOKED).toContain('stats');
  });
});

describe('the SQL read and the resolvers answer the same (demo data)', () => {
  // Two servers on one database: the default (SQL reads, then graphql-jit) and graphql-js (resolvers only).
  let app: TestApp;
  let interpreted: RunningServer;
  let admin = '';
  beforeAll(async () => {
    app = await startTestApp();
    await seedDemo(app.orm, '511921000000', civgraph);
    interpreted = await startInterpretedServer(app);
    admin = await app.token('COUNTY_ADMIN', '511921');
    // Settle what the demo's writes left behind (the hub's reads) before statements are counted.
    await post(app.url, '{ area(code: "511921") { code } }');
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
  afterAll(async () => {
    await interpreted?.close();
    await app?.close();
  });

  async function post(url: string, query: string, token?: string) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'area-fields', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: await response.text() };
  }

  const lastMonth = () => {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  };

  /** A selection of the field as the tree read takes it (arguments, sub-selection). */
  const selectionOf = (name: string): string => {
    switch (name) {
      case 'children':
        return 'page: children(includeRetired: true, first: 5) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { code } } nodes { code } }';
      case 'descendantCount':
        return 'all: descendantCount villages: descendantCount(level: VILLAGE)';
      case 'stats':
        return `stats(period: "${lastMonth()}") { indicator { code } persons amount reportedAreas expectedAreas }`;
      default:
        return name;
    }
  };

  // Every compiled field, and every hooked one, at the county and at every node two levels down
  // (retired areas included), through both paths; one statement means the SQL read answered.
  for (const name of [...AREA_SQL_FIELDS, ...HOOKED]) {
    it(`${name}: byte for byte as graphql-js, answered by the tree read`, async () => {
      const field = selectionOf(name);
      const query = `{ area(code: "511921") { __typename ${field} children(includeRetired: true, first: 50) { nodes { __typename ${field} children(includeRetired: true, first: 50) { nodes { __typename ${field} } } } } } }`;
      const token = HOOKED.includes(name) ? admin : undefined;
      const { result: byRead, count, statements } = await app.measure(() => post(app.url, query, token));
      const byResolvers = await post(interpreted.url, query, token);
      expect(byRead.status, byRead.body).toBe(200);
      expect(JSON.parse(byRead.body).errors).toBeUndefined();
      expect(byRead).toEqual(byResolvers);
      // The tree in one statement; a filled field adds one batch for the whole tree.
      expect(count, statements.join('\n---\n')).toBe(HOOKED.includes(name) ? 2 : 1);
    });
  }

  it('a resolver-only field leaves the operation to the executor, answered as graphql-js does', async () => {
    const query = '{ area(code: "511921") { code children { nodes { code parent { code } } } } }';
    const { result: byJit, count } = await app.measure(() => post(app.url, query));
    expect(byJit).toEqual(await post(interpreted.url, query));
    expect(count).toBeGreaterThan(1);
  });
});
