import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { buildSchema, getNullableType, isListType, isObjectType, type GraphQLEnumType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/feature.js';
import { civgraph } from '../../src/features.js';
import { startTestApp, type TestApp } from '../support/app.js';

// An even API for third parties (issue 32 item 5): one code for bad input; connections for every
// list that can grow (the plain lists that stay are listed in docs/api.md).

const ROOT = new URL('../..', import.meta.url).pathname;
const sdl = () => readFile(join(ROOT, 'schema/schema.graphql'), 'utf8');

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

describe('one code for bad input', () => {
  it('no service sends ErrorCode.VALIDATION: bad input answers BAD_USER_INPUT', async () => {
    // errors.ts declares it (deprecated), payload.ts describes it for the schema enum, edge-errors.ts maps it for old callers.
    const declaring = new Set(['src/common/errors.ts', 'src/common/payload.ts', 'src/server/edge-errors.ts']);
    const senders: string[] = [];
    for (const file of await sourceFiles(join(ROOT, 'src'))) {
      const name = relative(ROOT, file);
      if (declaring.has(name)) continue;
      const text = await readFile(file, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (/ErrorCode\.VALIDATION\b/.test(line)) senders.push(`${name}:${i + 1}`);
      });
    }
    expect(senders).toEqual([]);
  });

  it('keeps VALIDATION in the ErrorCode enum, deprecated (removing it would break clients that name it)', async () => {
    const codes = buildSchema(await sdl()).getType('ErrorCode') as GraphQLEnumType;
    expect(codes.getValue('VALIDATION')?.deprecationReason).toMatch(/BAD_USER_INPUT/);
    expect(codes.getValue('BAD_USER_INPUT')?.deprecationReason ?? null).toBeNull();
  });
});

describe('plain lists', () => {
  /** The rows of docs/api.md's "Lists that stay plain" table: `Type.field`, `*` matching any name part. */
  async function keptLists(): Promise<string[]> {
    const api = await readFile(join(ROOT, 'docs/api.md'), 'utf8');
    const section = api.slice(api.indexOf('### Lists that stay plain'), api.indexOf('## Identity and access'));
    return [...section.matchAll(/^\| `([\w*]+\.\w+)` \|/gm)].map((m) => m[1]);
  }
  const matches = (pattern: string, coordinate: string) => new RegExp(`^${pattern.replaceAll('*', '\\w*')}$`).test(coordinate);

  it('every plain list of an object type (deprecated ones aside) is in the docs table of lists that stay plain, and every row names one', async () => {
    const schema = buildSchema(await sdl());
    const kept = await keptLists();
    expect(kept.length).toBeGreaterThan(10);
    const lists: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (isListType(getNullableType(field.type)) && !field.deprecationReason) lists.push(`${type.name}.${field.name}`);
      }
    }
    expect(lists.filter((list) => !kept.some((pattern) => matches(pattern, list)))).toEqual([]);
    expect(kept.filter((pattern) => !lists.some((list) => matches(pattern, list)))).toEqual([]);
  });

  it('every deprecated plain list has its connection beside it', async () => {
    const schema = buildSchema(await sdl());
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !isObjectType(type)) continue;
      const fields = type.getFields();
      for (const field of Object.values(fields)) {
        if (!isListType(getNullableType(field.type)) || !field.deprecationReason) continue;
        const connection = fields[`${field.name}Connection`];
        const sameArgs = connection && field.args.every((arg) => connection.args.some((a) => a.name === arg.name && String(a.type) === String(arg.type)));
        if (!sameArgs || !connection.args.some((a) => a.name === 'first')) missing.push(`${type.name}.${field.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('the new connections on the demo data', () => {
  let app: TestApp;
  let admin: string;
  beforeAll(async () => {
    app = await startTestApp();
    await seedDemo(app.orm, '511921000000', civgraph);
    admin = await app.token('COUNTY_ADMIN', '511921');
  });
  afterAll(() => app?.close());

  type Conn<T> = { totalCount: number; nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  const request = (query: string) => app.request<Record<string, unknown>, Record<string, never>>(query, {}, { token: admin });
  const data = async <T>(query: string): Promise<T> => {
    const result = await request(query);
    expect(result.errors).toBeUndefined();
    return result.data as T;
  };
  const CONN = (selection: string) => `totalCount nodes { ${selection} } pageInfo { hasNextPage endCursor }`;

  /** The connection holds the plain list's items in its order; a page of 1 and the page after it hold the first two. */
  function agrees<T>(list: T[], all: Conn<T>, first: Conn<T>, second: Conn<T> | null) {
    expect(all.nodes).toEqual(list);
    expect(all.totalCount).toBe(list.length);
    expect(first.nodes).toEqual(list.slice(0, 1));
    expect(first.pageInfo.hasNextPage).toBe(list.length > 1);
    if (second) expect(second.nodes).toEqual(list.slice(1, 2));
  }

  it('needsSupervisionConnection pages what needsSupervision lists', async () => {
    const one = await data<{ needsSupervisionConnection: Conn<unknown> }>(`{ needsSupervisionConnection(first: 1) { ${CONN('targetId reason')} } }`);
    const after = one.needsSupervisionConnection.pageInfo.endCursor;
    const answer = await data<{ needsSupervision: unknown[]; all: Conn<unknown>; second: Conn<unknown> }>(
      `{ needsSupervision { targetId reason } all: needsSupervisionConnection { ${CONN('targetId reason')} }
         second: needsSupervisionConnection(first: 1, after: ${JSON.stringify(after)}) { ${CONN('targetId reason')} } }`,
    );
    expect(answer.needsSupervision.length).toBeGreaterThan(1);
    agrees(answer.needsSupervision, answer.all, one.needsSupervisionConnection, answer.second);
  });

  it("Rectification's transitions, follow-up reviews and supervision actions page what their lists hold", async () => {
    type R = Record<string, unknown> & { id: string };
    const { rectifications } = await data<{ rectifications: { nodes: R[] } }>(
      `{ rectifications(first: 100) { nodes { id
          transitions { to on } transitionsConnection { ${CONN('to on')} } t1: transitionsConnection(first: 1) { ${CONN('to on')} }
          followUpReviews { reviewedOn } followUpReviewsConnection { ${CONN('reviewedOn')} } f1: followUpReviewsConnection(first: 1) { ${CONN('reviewedOn')} }
          supervisionActions { id } supervisionActionsConnection { ${CONN('id')} } s1: supervisionActionsConnection(first: 1) { ${CONN('id')} } } } }`,
    );
    let transitions = 0;
    for (const item of rectifications.nodes) {
      agrees(item.transitions as unknown[], item.transitionsConnection as Conn<unknown>, item.t1 as Conn<unknown>, null);
      agrees(item.followUpReviews as unknown[], item.followUpReviewsConnection as Conn<unknown>, item.f1 as Conn<unknown>, null);
      agrees(item.supervisionActions as unknown[], item.supervisionActionsConnection as Conn<unknown>, item.s1 as Conn<unknown>, null);
      transitions += (item.transitions as unknown[]).length;
    }
    expect(transitions).toBeGreaterThan(rectifications.nodes.length);
    // The page after the first transition of a rectification with several.
    const busy = rectifications.nodes.find((item) => (item.transitions as unknown[]).length > 1)!;
    const after = (busy.t1 as Conn<unknown>).pageInfo.endCursor;
    const next = await data<{ node: { transitionsConnection: Conn<unknown> } }>(
      `{ node(id: "${busy.id}") { ... on Rectification { transitionsConnection(first: 1, after: ${JSON.stringify(after)}) { ${CONN('to on')} } } } }`,
    );
    expect(next.node.transitionsConnection.nodes).toEqual((busy.transitions as unknown[]).slice(1, 2));
  });

  it("TaskAssignment's progressConnection pages what progress lists", async () => {
    type A = { progress: unknown[]; progressConnection: Conn<unknown>; p1: Conn<unknown> };
    const { tasks } = await data<{ tasks: { nodes: { assignments: A[] }[] } }>(
      `{ tasks(first: 100) { nodes { assignments { progress { asOf done } progressConnection { ${CONN('asOf done')} } p1: progressConnection(first: 1) { ${CONN('asOf done')} } } } } }`,
    );
    const assignments = tasks.nodes.flatMap((task) => task.assignments);
    for (const a of assignments) agrees(a.progress, a.progressConnection, a.p1, null);
    expect(assignments.some((a) => a.progress.length > 1)).toBe(true);
  });

  it("Area's observationHistoryConnection pages what observationHistory lists (newest first)", async () => {
    const { area } = await data<{ area: { children: { nodes: { children: { nodes: { code: string }[] } }[] } } }>(
      `{ area(code: "511921") { children(first: 1) { nodes { children(first: 1) { nodes { code } } } } } }`,
    );
    const village = area.children.nodes[0].children.nodes[0].code;
    // Versions are checked: read the current one, then change the figure twice.
    for (const value of [7, 8]) {
      const { area: current } = await data<{ area: { observations: { version: number }[] } }>(
        `{ area(code: "${village}") { observations(period: "2026-01", indicators: ["DIBAO_RURAL"]) { version } } }`,
      );
      const version = current.observations[0]?.version;
      await data(
        `mutation { reportObservations(input: { area: "${village}", period: "2026-01", values: [{ indicator: "DIBAO_RURAL", value: "${value}"${version ? `, version: ${version}` : ''} }] }) { userErrors { code } } }`,
      );
    }
    const history = (args: string) => `observationHistoryConnection(indicator: "DIBAO_RURAL", period: "2026-01"${args}) { ${CONN('newValue')} }`;
    const one = await data<{ area: { c: Conn<unknown> } }>(`{ area(code: "${village}") { c: ${history(', first: 1')} } }`);
    const answer = await data<{ area: { list: unknown[]; all: Conn<unknown>; second: Conn<unknown> } }>(
      `{ area(code: "${village}") { list: observationHistory(indicator: "DIBAO_RURAL", period: "2026-01") { newValue }
         all: ${history('')} second: ${history(`, first: 1, after: ${JSON.stringify(one.area.c.pageInfo.endCursor)}`)} } }`,
    );
    expect(answer.area.list.length).toBeGreaterThan(1);
    agrees(answer.area.list, answer.area.all, one.area.c, answer.area.second);
  });

  it('refuses a page over 100 and a cursor from elsewhere, as every connection does', async () => {
    const over = await request('{ needsSupervisionConnection(first: 101) { totalCount } }');
    expect(over.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'first' }) })]);
    const foreign = await request('{ needsSupervisionConnection(first: 1, after: "azpub3BlLWF0LWFsbA") { totalCount } }');
    expect(foreign.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }) })]);
  });
});
