import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { GraphQLError, print } from 'graphql';
import * as graphqlJit from 'graphql-jit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { toGlobalId } from '../../src/common/global-id.js';
import type { RunningServer } from '../../src/server/app.js';
import { startInterpretedServer, startTestApp, type TestApp } from '../support/app.js';
import { createProbeTable, probeSchema, RECORD_PROBE } from '../support/probe.resolver.js';
import { AreaProjectsDocument, CreateFacilityDocument, StatsTreeDocument } from '../graphql/generated/graphql.js';
import { civgraph } from '../../src/features.js';
import { seedDemo } from '../../src/feature.js';

// Counts compilations; compiles as graphql-jit does unless a test says otherwise.
vi.mock('graphql-jit', async (importOriginal) => {
  const original = await importOriginal<typeof import('graphql-jit')>();
  return { ...original, compileQuery: vi.fn(original.compileQuery) };
});
const compileQuery = vi.mocked(graphqlJit.compileQuery);
beforeEach(() => {
  compileQuery.mockClear();
});

// Two servers on one database: graphql-jit (the default) and graphql-js.
let app: TestApp;
let interpreted: RunningServer;
let admin = '';
beforeAll(async () => {
  const schema = await probeSchema();
  app = await startTestApp({ schema, executor: 'jit' });
  await createProbeTable(app.orm);
  await seedDemo(app.orm, '511921000000', civgraph);
  interpreted = await startInterpretedServer(app, schema);
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(async () => {
  await interpreted?.close();
  await app?.close();
});

type Document = TypedDocumentNode<unknown, never> | string;

/** The raw answer (status and body text) to a POST, with a fixed request id (masked errors carry it). */
async function post(url: string, document: Document, variables?: object, token?: string, operationName?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'executor-parity', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables, operationName }),
  });
  return { status: response.status, body: await response.text() };
}

/** Asserts both servers answer byte for byte the same; returns graphql-jit's answer, parsed. */
async function sameAnswer(document: Document, variables?: object, token?: string, operationName?: string) {
  const byJit = await post(app.url, document, variables, token, operationName);
  const byGraphqlJs = await post(interpreted.url, document, variables, token, operationName);
  expect(byJit).toEqual(byGraphqlJs);
  return {
    status: byJit.status,
    ...(JSON.parse(byJit.body) as { data?: any; errors?: { message: string; path?: (string | number)[]; extensions: Record<string, unknown> }[] }),
  };
}

/** Whether every compilation since the last test gave a compiled query (graphql-jit executed, not graphql-js). */
const compiled = () => compileQuery.mock.results.length > 0 && compileQuery.mock.results.every((result) => graphqlJit.isCompiledQuery(result.value));

const lastMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
};

describe('graphql-jit answers as graphql-js', () => {
  it('the county tree with rolled-up statistics (the tree read, with the stats filled in)', async () => {
    const answer = await sameAnswer(StatsTreeDocument, { code: '511921', period: lastMonth() }, admin);
    expect(compileQuery).not.toHaveBeenCalled();
    const townships = answer.data.area.children.nodes as { stats: { persons: number | null; amount: string | null }[]; children: { nodes: unknown[] } }[];
    expect(townships).toHaveLength(33);
    expect(townships.flatMap((t) => t.children.nodes)).toHaveLength(367);
    // Figures of both kinds: Int persons and Decimal amounts.
    expect(answer.data.area.stats.some((s: { persons: number | null }) => s.persons! > 0)).toBe(true);
    expect(answer.data.area.stats.some((s: { amount: string | null }) => /^\d+\.\d{2}$/.test(s.amount ?? ''))).toBe(true);
  });

  it('`nodes` with an ID the caller may not read: that item null, FORBIDDEN at its path, the others there', async () => {
    const facilities = await app.rows<{ id: string; area_code: string }>(`select id::text, area_code from facility order by id`);
    const own = facilities[0];
    const township = own.area_code.slice(0, 9);
    const other = facilities.find((f) => !f.area_code.startsWith(township))!;
    const token = await app.token('TOWNSHIP_OPERATOR', township);
    const ids = [toGlobalId('Facility', own.id), toGlobalId('Facility', other.id), toGlobalId('Area', '511921000000'), toGlobalId('Facility', '999999999')];
    const answer = await sameAnswer(
      'query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Facility { name beds openedOn area { code } } ... on Area { code validFrom } } }',
      { ids },
      token,
    );
    expect(compiled()).toBe(true);
    expect(answer.data.nodes.map((n: { __typename: string } | null) => n?.__typename ?? null)).toEqual(['Facility', null, 'Area', null]);
    expect(answer.errors).toEqual([expect.objectContaining({ path: ['nodes', 1], extensions: { code: 'FORBIDDEN' } })]);
  });

  it('a mutation answering userErrors, writing nothing', async () => {
    const [before] = await app.rows<{ n: number }>('select count(*)::int as n from facility');
    const input = { area: '511921101', name: ' ', type: 'NURSING_HOME', operatingModel: 'PUBLIC', beds: 10, occupiedBeds: 20 };
    const answer = await sameAnswer(CreateFacilityDocument, { input }, admin);
    expect(compiled()).toBe(true);
    expect(answer.data.createFacility.facility).toBeNull();
    expect(answer.data.createFacility.userErrors.length).toBeGreaterThan(0);
    expect(await app.rows('select count(*)::int as n from facility')).toEqual([before]);
  });

  it('an unexpected failure: masked, with the request id', async () => {
    const answer = await sameAnswer(RECORD_PROBE, { input: { areaCode: '511921101001', note: 'x', crash: true } }, admin);
    expect(compiled()).toBe(true);
    expect(answer.errors).toEqual([
      expect.objectContaining({
        message: 'Internal server error',
        path: ['recordProbe'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'executor-parity' },
      }),
    ]);
  });

  it.each([
    ['a period that is not one', { code: '511921', period: '2026-13' }],
    ['a list of strings given a number', { code: '511921', period: '2026-05', indicators: 5 }],
    ['a missing required variable', { code: '511921' }],
  ])('refused variables: %s (400 BAD_USER_INPUT)', async (_, variables) => {
    const answer = await sameAnswer(StatsTreeDocument, variables, admin);
    expect(answer.status).toBe(400);
    expect(answer.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('@include and @skip on fragments of the Node interface', async () => {
    const query = `query Skip($id: ID!, $names: Boolean!, $noCode: Boolean!) {
      node(id: $id) {
        __typename
        ... on Node { id }
        ...AreaNames @include(if: $names)
        ... on Area @skip(if: $noCode) { code level }
      }
    }
    fragment AreaNames on Area { name shortName children(first: 2) { totalCount nodes { id name code @skip(if: $noCode) } } }`;
    for (const [names, noCode] of [
      [true, false],
      [false, true],
      [true, true],
      [false, false],
    ] as const) {
      const answer = await sameAnswer(query, { id: toGlobalId('Area', '511921000000'), names, noCode });
      expect('name' in answer.data.node).toBe(names);
      expect('code' in answer.data.node).toBe(!noCode);
    }
    expect(compileQuery).toHaveBeenCalledTimes(1);
    expect(compiled()).toBe(true);
  });

  it('a fragment spread twice under opposite conditions (left to graphql-js)', async () => {
    const answer = await sameAnswer(
      `query($on: Boolean!) { area(code: "511921") { ...Names @skip(if: $on) ...Names @include(if: $on) } } fragment Names on Area { name shortName }`,
      { on: true },
    );
    expect(compileQuery).not.toHaveBeenCalled();
    expect(answer.data.area).toEqual({ name: '通江县', shortName: '通江县' });
  });

  it('money and dates, a connection with its total and cursors', async () => {
    const answer = await sameAnswer(AreaProjectsDocument, { code: '511921', includeDescendants: true, first: 5 }, admin);
    expect(compiled()).toBe(true);
    expect(answer.data.area.projects.totalCount).toBeGreaterThan(0);
    expect(answer.data.area.projects.nodes[0].plannedInvestment).toMatch(/^\d+\.\d{2}$/);
  });

  it('a total counted only when asked (a promise, in a type of plain fields)', async () => {
    const answer = await sameAnswer('{ areas(nameContains: "镇", first: 2) { totalCount nodes { name } } }');
    expect(compiled()).toBe(true);
    expect(answer.data.areas.totalCount).toBeGreaterThan(2);
  });

  it('introspection', async () => {
    await sameAnswer(
      '{ __schema { queryType { name } types { name kind fields(includeDeprecated: true) { name args { name defaultValue } type { name kind ofType { name } } } } } }',
    );
    await sameAnswer('{ __type(name: "Area") { name interfaces { name } fields { name } } }');
    expect(compiled()).toBe(true);
  });

  it('an operation name the document does not have', async () => {
    const answer = await sameAnswer('query A { __typename }', undefined, undefined, 'B');
    expect(answer.errors![0].message).toBe('Unknown operation named "B".');
  });
});

describe('graphql-jit compiles', () => {
  it('an operation once, however often it is asked', async () => {
    // `parent`: not in the area tree read, so graphql-jit executes it.
    const query = '{ area(code: "511921") { name parent { name } compiledOnce: children(first: 3) { nodes { name } } } }';
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await post(app.url, query));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(compileQuery).toHaveBeenCalledTimes(1);
    expect(compiled()).toBe(true);
  });

  it("and executes with graphql-js what it cannot compile, with graphql-js's answer", async () => {
    compileQuery.mockReturnValueOnce({ errors: [new GraphQLError('graphql-jit cannot compile this')] });
    const query = '{ area(code: "511921") { name parent { name } fallback: children(first: 3) { totalCount nodes { name } } } }';
    const byJit = await post(app.url, query);
    expect(byJit).toEqual(await post(interpreted.url, query));
    expect(JSON.parse(byJit.body).data.area.fallback.nodes).toHaveLength(3);
    expect(await post(app.url, query)).toEqual(byJit);
    expect(compileQuery).toHaveBeenCalledTimes(1);
  });
});

describe('the area tree read (one SQL statement building the JSON) answers as graphql-js', () => {
  /**
   * graphql-jit's server answers in one statement, the tree read's (and `more` after it: the
   * fields filled in, such as the statistics); graphql-js's server answers the same bytes.
   */
  async function byTreeRead(document: string, variables?: object, token?: string, more = 0) {
    const { result: byRead, count, statements } = await app.measure(() => post(app.url, document, variables, token));
    expect(statements[0], 'answered by the tree read').toMatch(/^select row_to_json\(q\)::text as data/);
    expect(count).toBe(1 + more);
    expect(compileQuery).not.toHaveBeenCalled();
    expect(byRead).toEqual(await post(interpreted.url, document, variables, token));
    return JSON.parse(byRead.body) as { data: any };
  }

  /** Declined by the tree read: graphql-jit (or graphql-js) answers, the same bytes as graphql-js. */
  async function declined(document: string, variables?: object, token?: string) {
    const { result, statements } = await app.measure(() => post(app.url, document, variables, token));
    expect(statements.some((text) => text.startsWith('select row_to_json(q)'))).toBe(false);
    expect(result).toEqual(await post(interpreted.url, document, variables, token));
    return JSON.parse(result.body) as { data?: any; errors?: { message: string; path?: (string | number)[]; extensions: Record<string, unknown> }[] };
  }

  /**
   * Declined by a field the tree read fills in, after its statement: the resolvers answer
   * (more statements than the read's two), the same bytes as graphql-js.
   */
  async function fillDeclined(document: string, variables?: object, token?: string) {
    const { result, statements } = await app.measure(() => post(app.url, document, variables, token));
    expect(statements[0]).toMatch(/^select row_to_json\(q\)::text as data/);
    expect(statements.length).toBeGreaterThan(2);
    expect(result).toEqual(await post(interpreted.url, document, variables, token));
    compileQuery.mockClear();
    return JSON.parse(result.body) as { data?: any; errors?: { message: string; path?: (string | number)[]; extensions: Record<string, unknown> }[] };
  }

  it("the bench's county tree of names", async () => {
    const answer = await byTreeRead('{ area(code: "511921") { name children { edges { node { name children { edges { node { name } } } } } } } }');
    expect(answer.data.area.children.edges).toHaveLength(33);
  });

  it('every plain field, the counts, typenames, page info and cursors', async () => {
    const answer = await byTreeRead(`{
      __typename
      area(code: "511921") {
        __typename id code name shortName level kind validFrom validTo isCurrent childCount descendantCount
        villages: descendantCount(level: VILLAGE) townships: descendantCount(level: TOWNSHIP)
        children {
          __typename totalCount
          pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
          edges { __typename cursor node { id code name shortName kind isCurrent childCount villages: descendantCount(level: VILLAGE) } }
          nodes { code }
        }
      }
    }`);
    expect(answer.data.area).toMatchObject({ id: toGlobalId('Area', '511921000000'), level: 'COUNTY', villages: 367, townships: 33, childCount: 33 });
    expect(answer.data.area.children.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('short names of all 367 villages (shortNameOf in SQL)', async () => {
    const answer = await byTreeRead('{ area(code: "511921") { children { nodes { shortName children { nodes { name shortName kind } } } } } }');
    const villages = answer.data.area.children.nodes.flatMap((t: { children: { nodes: unknown[] } }) => t.children.nodes);
    expect(villages).toHaveLength(367);
    expect(villages.some((v: { name: string; shortName: string }) => v.name !== v.shortName)).toBe(true);
  });

  it('pages with first and after (literal and variable), to the last page and past it', async () => {
    const page =
      'query Page($first: Int, $after: String) { area(code: "511921") { children(first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { code } } } } }';
    let after: string | null = null;
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await byTreeRead(page, { first: 10, after });
      const children = answer.data.area.children;
      codes.push(...children.edges.map((e: { node: { code: string } }) => e.node.code));
      expect(children.pageInfo.hasPreviousPage).toBe(after !== null);
      after = children.pageInfo.endCursor;
      if (!children.pageInfo.hasNextPage) break;
    }
    expect(new Set(codes).size).toBe(33);
    const past = await byTreeRead(page, { first: 10, after });
    expect(past.data.area.children.edges).toEqual([]);
    expect(past.data.area.children.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
    // No column that aggregates the page: still one row per connection.
    const counts = await byTreeRead('{ area(code: "511921") { children(first: 3) { totalCount pageInfo { hasNextPage hasPreviousPage } } } }');
    expect(counts.data.area.children).toEqual({ totalCount: 33, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    const none = await byTreeRead('{ area(code: "511921") { children(first: 0) { totalCount pageInfo { hasNextPage endCursor } nodes { code } } } }');
    expect(none.data.area.children).toEqual({ totalCount: 33, pageInfo: { hasNextPage: true, endCursor: null }, nodes: [] });
  });

  it('variables, 6-, 9- and 12-digit codes, an unknown area, fragments and two roots', async () => {
    const query = `query Tree($code: String!, $level: AreaLevel, $first: Int = 3) {
      top: area(code: $code) { ...Names ... on Node { id } ... on Area { count: descendantCount(level: $level) children(first: $first) { nodes { ...Names } } } }
      other: area(code: "511921001") { code }
    }
    fragment Names on Area { name shortName }`;
    for (const variables of [
      { code: '511921' },
      { code: '511921001', level: 'VILLAGE' },
      { code: '511921001001', first: 1 },
      { code: '510000', level: 'COUNTY' },
      { code: '999999' },
    ]) {
      await byTreeRead(query, variables);
    }
    expect((await byTreeRead(query, { code: '999999' })).data.top).toBeNull();
  });

  it('the province drill-down of the bench', async () => {
    const answer = await byTreeRead(
      '{ area(code: "510000") { name children { nodes { name children { nodes { name villages: descendantCount(level: VILLAGE) } } } } } }',
    );
    expect(answer.data.area.children.nodes[0].children.nodes.some((c: { villages: number }) => c.villages === 367)).toBe(true);
  });

  it('declines what it does not take: errors of arguments, other fields, directives, a key twice', async () => {
    for (const [query, variables] of [
      ['{ area(code: "51192") { name } }', undefined],
      ['query ($code: String!) { area(code: $code) { name } }', { code: 'abcdef' }],
      ['{ area(code: "511921") { children(first: 101) { totalCount } } }', undefined],
      ['query ($first: Int) { area(code: "511921") { children(first: $first) { totalCount } } }', { first: -1 }],
      ['{ area(code: "511921") { children(after: "bm90IGEgY3Vyc29y") { totalCount } } }', undefined],
      ['{ area(code: "511921") { name parent { name } } }', undefined],
      ['query ($on: Boolean!) { area(code: "511921") { name code @include(if: $on) } }', { on: false }],
      ['{ area(code: "511921") { name name } }', undefined],
      ['{ area(code: "511921") { name } areas(first: 1) { totalCount } }', undefined],
    ] as const) {
      await declined(query, variables);
    }
    // A field of StatValue with a resolver of its own: not a plain selection.
    await declined(`{ area(code: "511921") { stats(period: "${lastMonth()}") { area { code } } } }`, undefined, admin);
    const refused = await declined('{ area(code: "511921") { children(first: 101) { totalCount } } }');
    expect(refused.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it("the bench's county tree with statistics: the tree, then one batch of roll-ups for all 401 areas", async () => {
    const stats = `stats(period: "${lastMonth()}", indicators: ["ELDERLY_60_PLUS", "MINORS_0_17", "DIBAO_RURAL", "EXTREMELY_POOR_SUPPORTED", "ASSISTANCE_FUNDS_YUAN"]) { indicator { code } persons amount reportedAreas expectedAreas }`;
    const answer = await byTreeRead(
      `{ area(code: "511921") { name ${stats} children { edges { node { name ${stats} children { edges { node { name ${stats} } } } } } } } }`,
      undefined,
      admin,
      1,
    );
    const village = answer.data.area.children.edges[0].node.children.edges[0].node;
    expect(village.stats).toHaveLength(5);
    expect(village.stats[4]).toMatchObject({ indicator: { code: 'ASSISTANCE_FUNDS_YUAN' }, persons: null, expectedAreas: 1 });
    expect(answer.data.area.stats[0].expectedAreas).toBe(367);
  });

  it('statistics with every plain field, typenames, aliases, variables, all indicators, a quarter and a year', async () => {
    const query = `query ($period: Period!, $indicators: [String!]) {
      area(code: "511921001") {
        __typename code
        stats(period: $period, indicators: $indicators) { __typename period persons amount reportedAreas expectedAreas demoAreas
          indicator { __typename id code nameZh nameEn unit timeAggregation reportingLevel description } }
        children(first: 5) { nodes { code all: stats(period: $period) { indicator { code } persons } one: stats(period: $period, indicators: ["DIBAO_RURAL", "DIBAO_RURAL"]) { amount persons } } }
      }
    }`;
    const month = lastMonth();
    const answer = await byTreeRead(query, { period: month }, admin, 1);
    expect(answer.data.area.stats.length).toBeGreaterThan(5);
    expect(answer.data.area.children.nodes[0].one).toHaveLength(1);
    await byTreeRead(query, { period: month, indicators: ['ASSISTANCE_FUNDS_YUAN', 'ELDERLY_60_PLUS'] }, admin, 1);
    // A quarter and a year: the roll-up statements of the stats loaders, as the resolvers use them.
    const year = month.slice(0, 4);
    for (const period of [`${year}Q${Math.floor((Number(month.slice(5)) - 1) / 3) + 1}`, year]) {
      const { result } = await app.measure(() => post(app.url, query, { period }, admin));
      expect(result).toEqual(await post(interpreted.url, query, { period }, admin));
      expect(compileQuery).not.toHaveBeenCalled();
    }
  });

  it('statistics a viewer may not read, or an unknown indicator: the resolvers answer, with their errors', async () => {
    // One failing `stats` per answer: after the first, graphql-jit reports errors graphql-js leaves out (executor.ts).
    const query =
      'query ($indicators: [String!]) { area(code: "511921") { name stats(period: "2026-01", indicators: $indicators) { persons } children(first: 3) { nodes { code } } } }';
    const anonymous = await fillDeclined(query);
    expect(anonymous.errors!.map((e) => [e.extensions.code, e.path])).toEqual([['UNAUTHENTICATED', ['area', 'stats']]]);
    const township = await app.token('TOWNSHIP_OPERATOR', '511921001');
    const outside = await fillDeclined(query, undefined, township);
    expect(outside.errors!.map((e) => e.extensions.code)).toEqual(['FORBIDDEN']);
    const unknown = await fillDeclined(query, { indicators: ['NO_SUCH_INDICATOR'] }, admin);
    expect(unknown.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    // Their own township: answered by the tree read.
    await byTreeRead(
      '{ area(code: "511921001") { stats(period: "2026-01") { persons } children(first: 3) { nodes { stats(period: "2026-01") { persons } } } } }',
      undefined,
      township,
      1,
    );
  });

  it('retired areas: current only by default, all with includeRetired, a retired area itself', async () => {
    const [retired] = await app.rows<{ code: string; parent_code: string }>(
      `select code, parent_code from area where level = 'VILLAGE' and code like '511921%' order by code desc limit 1`,
    );
    await app.rows(`update area set valid_to = '2025-12-31', successor_code = (select min(code) from area where parent_code = ?) where code = ?`, [
      retired.parent_code,
      retired.code,
    ]);
    try {
      const query = `query ($code: String!, $retired: Boolean!) { area(code: $code) { childCount descendantCount children(includeRetired: $retired) { totalCount nodes { code validTo isCurrent } } } }`;
      const current = await byTreeRead(query, { code: retired.parent_code, retired: false });
      const all = await byTreeRead(query, { code: retired.parent_code, retired: true });
      expect(all.data.area.children.totalCount).toBe(current.data.area.children.totalCount + 1);
      expect(all.data.area.children.nodes.find((n: { code: string }) => n.code === retired.code)).toEqual({
        code: retired.code,
        validTo: '2025-12-31',
        isCurrent: false,
      });
      await byTreeRead('query ($code: String!) { area(code: $code) { code validFrom validTo isCurrent } }', { code: retired.code });
    } finally {
      await app.rows(`update area set valid_to = null, successor_code = null where code = ?`, [retired.code]);
    }
  });
});
