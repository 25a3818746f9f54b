import { readdirSync, readFileSync } from 'node:fs';
import { Kind, parse, print, visit, type ASTNode, type FragmentDefinitionNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/graphql/limits.js';
import { startTestApp, type TestApp } from '../support/app.js';

// Issue 34: the work one operation may cause is bounded before anything is compiled or run, on
// HTTP (both executors), graphql-ws and SSE. `jit` has introspection on, `js` (graphql-js) off.
let jit: TestApp;
let js: TestApp;
beforeAll(async () => {
  [jit, js] = await Promise.all([startTestApp({ executor: 'jit' }), startTestApp({ executor: 'graphql-js', introspection: false })]);
});
afterAll(async () => {
  await Promise.all([jit?.close(), js?.close()]);
});

type Errors = { message: string; extensions?: Record<string, unknown> }[];
type Answer = { status: number; body: { data?: unknown; errors?: Errors } };

/**
 * Before the fix, graphql-jit compiled level 7 for 4.7 s and level 8 for 45.7 s, and never
 * finished level 11: any answer slower than this is a failure, not a wait.
 */
const QUICK_MS = 5_000;

/** POSTs an operation to `/graphql` (or the SSE URL), giving up after {@link QUICK_MS}. */
async function post(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(QUICK_MS),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** An operation over SSE: refused ones answer 400 with a JSON body instead of a stream. */
const overSse = (target: TestApp, body: Record<string, unknown>) => post(target.sseUrl, body, { accept: 'text/event-stream' });

/** Runs one operation over graphql-ws: its result, or the errors of an `error` message. */
function overWs(
  client: Client,
  payload: { query: string; variables?: Record<string, unknown>; operationName?: string },
): Promise<{ data?: unknown; errors?: Errors }> {
  return new Promise((resolve, reject) => {
    let value: { data?: unknown; errors?: Errors } = {};
    const timer = setTimeout(() => reject(new Error('no answer over graphql-ws')), QUICK_MS);
    client.subscribe(payload, {
      next: (v) => (value = v as typeof value),
      error: (error) => {
        clearTimeout(timer);
        if (Array.isArray(error)) resolve({ errors: error as Errors });
        else reject(error instanceof Error ? error : new Error(`graphql-ws closed: ${JSON.stringify(error)}`));
      },
      complete: () => {
        clearTimeout(timer);
        resolve(value);
      },
    });
  });
}

/**
 * The errors of `payload` refused over graphql-ws, checking that `{ __typename }` sent beside it
 * is answered and that the same socket (one connection, never closed) answers a next operation.
 */
async function refusedOverWs(target: TestApp, payload: Parameters<typeof overWs>[1]) {
  // Not lazy: the client keeps its one socket open between operations.
  const client = createClient({ url: target.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
  let connections = 0;
  let closes = 0;
  client.on('connected', () => connections++);
  client.on('closed', () => closes++);
  try {
    const [refused, fine] = await Promise.all([overWs(client, payload), overWs(client, { query: '{ __typename }' })]);
    expect(refused.data).toBeUndefined();
    expect(fine).toEqual({ data: { __typename: 'Query' } });
    expect(await overWs(client, { query: '{ __typename }' })).toEqual({ data: { __typename: 'Query' } });
    expect({ connections, closes }).toEqual({ connections: 1, closes: 0 });
    return refused.errors!;
  } finally {
    await client.dispose();
  }
}

/**
 * The probe of issue 34: `levels` fragments, each spreading the one below ten times
 * (10^levels × 3 fields once expanded); level 8 is 905 bytes.
 */
function fragmentBomb(levels: number): string {
  const fragments = ['fragment F0 on Area { name parent { name } }'];
  for (let level = 1; level <= levels; level++)
    fragments.push(`fragment F${level} on Area { ${Array.from({ length: 10 }, () => `...F${level - 1}`).join(' ')} }`);
  return `{ area(code: "511921") { ...F${levels} } } ${fragments.join(' ')}`;
}

const maxFields = { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxFields' };

describe('a fragment bomb', () => {
  it('is 905 bytes at level 8', () => {
    expect(fragmentBomb(8).length).toBeLessThan(1000);
  });

  it.each([8, 9, 11])('of level %i is refused over HTTP by both executors with 400 maxFields, and /healthz answers meanwhile', async (levels) => {
    for (const target of [jit, js]) {
      const healthz = fetch(new URL('/healthz', target.url), { signal: AbortSignal.timeout(QUICK_MS) });
      const refused = await post(target.url, { query: fragmentBomb(levels) });
      expect(refused.status).toBe(400);
      expect(refused.body.data).toBeUndefined();
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/^Fields limit of 1000 exceeded/), extensions: maxFields }),
      ]);
      expect((await healthz).status).toBe(200);
    }
  });

  it.each([8, 9, 11])('of level %i is refused over graphql-ws (the socket stays open) and SSE', async (levels) => {
    for (const target of [jit, js]) {
      const healthz = fetch(new URL('/healthz', target.url), { signal: AbortSignal.timeout(QUICK_MS) });
      expect(await refusedOverWs(target, { query: fragmentBomb(levels) })).toEqual([expect.objectContaining({ extensions: maxFields })]);
      const sse = await overSse(target, { query: fragmentBomb(levels) });
      expect(sse.status).toBe(400);
      expect(sse.body.errors).toEqual([expect.objectContaining({ extensions: maxFields })]);
      expect((await healthz).status).toBe(200);
    }
  });

  it('of two levels (300 fields) is answered as before, on every transport', async () => {
    const expected = { data: { area: { name: '通江县', parent: { name: '巴中市' } } } };
    for (const target of [jit, js]) {
      expect((await post(target.url, { query: fragmentBomb(2) })).body).toEqual(expected);
      expect(await overWs(target.wsClient(), { query: fragmentBomb(2) })).toEqual(expected);
      const sse = await fetch(target.sseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: fragmentBomb(2) }),
      });
      expect(sse.status).toBe(200);
      expect(await sse.text()).toContain(JSON.stringify(expected));
    }
  });
});

describe('repeated sibling fields over the budget', () => {
  // graphql-js's OverlappingFieldsCanBeMerged compares same-named siblings pairwise: 1,200
  // `parent { name }` siblings (under the token limit) took ~250 ms to validate. Such a document is
  // refused before validation, so the only error is the limit's: the unknown field beside them is
  // never looked at (before, validation ran and reported it too).
  const repeated = `{ area(code: "511921") { notAField ${'parent { name } '.repeat(1200)}} }`;

  it('are refused before validation over HTTP, with only the maxFields error', async () => {
    for (const target of [jit, js]) {
      const refused = await post(target.url, { query: repeated });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/^Fields limit of 1000 exceeded/), extensions: maxFields }),
      ]);
    }
  });

  it('are refused before validation over graphql-ws and SSE, with only the maxFields error', async () => {
    expect(await refusedOverWs(jit, { query: repeated })).toEqual([expect.objectContaining({ extensions: maxFields })]);
    const sse = await overSse(jit, { query: repeated });
    expect(sse.status).toBe(400);
    expect(sse.body.errors).toEqual([expect.objectContaining({ extensions: maxFields })]);
  });

  it('under the budget are validated as before (the unknown field is reported)', async () => {
    const refused = await post(jit.url, { query: `{ area(code: "511921") { notAField ${'parent { name } '.repeat(10)}} }` });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('notAField') })]);
  });
});

describe('an operationName the document does not hold', () => {
  const unknown = { query: '{ __typename }', operationName: 'X' };
  const resolution = { message: 'Unknown operation named "X".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } };

  it('is 400 OPERATION_RESOLUTION_FAILURE over HTTP with both executors', async () => {
    for (const target of [jit, js]) {
      const refused = await post(target.url, unknown);
      expect(refused).toEqual({ status: 400, body: { errors: [resolution] } });
      // Several operations and no name.
      const unnamed = await post(target.url, { query: 'query A { __typename } query B { __typename }' });
      expect(unnamed.status).toBe(400);
      expect(unnamed.body.errors![0].extensions).toEqual({ code: 'OPERATION_RESOLUTION_FAILURE' });
    }
  });

  it('is a 400 JSON body over SSE', async () => {
    const refused = await overSse(jit, unknown);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining(resolution)]);
  });

  it('is an error message for that operation over graphql-ws; the socket stays open and answers the next', async () => {
    expect(await refusedOverWs(jit, unknown)).toEqual([expect.objectContaining(resolution)]);
  });
});

describe('variables', () => {
  const query = 'query($statuses: [FacilityStatus!]) { area(code: "511921") { facilities(statuses: $statuses) { totalCount } } }';
  /** 60 malformed statuses: more coercion errors than graphql-js reports (50). */
  const tooMany = { query, variables: { statuses: Array.from({ length: 60 }, (_, i) => `NOT_A_STATUS_${i}`) } };

  it('with more than 50 errors are 400 BAD_USER_INPUT over HTTP with both executors', async () => {
    for (const target of [jit, js]) {
      const refused = await post(target.url, tooMany);
      expect(refused.status).toBe(400);
      expect(refused.body.data).toBeUndefined();
      expect(refused.body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/^Too many errors in the variables \(more than 50\); the first: Variable "\$statuses"/),
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]);
    }
  });

  it('with more than 50 errors are BAD_USER_INPUT over graphql-ws and SSE', async () => {
    expect(await refusedOverWs(jit, tooMany)).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })]);
    const sse = await overSse(jit, tooMany);
    expect(sse.status).toBe(400);
    expect(sse.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })]);
  });

  it('with a few errors are still reported one by one as 400 BAD_USER_INPUT', async () => {
    for (const target of [jit, js]) {
      const refused = await post(target.url, { query, variables: { statuses: ['NOPE', 'NEITHER'] } });
      expect(refused.status).toBe(400);
      expect(refused.body.errors!.map((error) => error.extensions!.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    }
  });
});

describe('aliases', () => {
  const aliases = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;

  it('of __typename count: 1,000 of them are refused on every transport', async () => {
    const maxAliases = { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxAliases' };
    for (const target of [jit, js]) {
      const refused = await post(target.url, { query: aliases });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ message: `Aliases limit of ${DEFAULT_LIMITS.maxAliases} exceeded, found 1000.`, extensions: maxAliases }),
      ]);
    }
    expect(await refusedOverWs(jit, { query: aliases })).toEqual([expect.objectContaining({ extensions: maxAliases })]);
    expect((await overSse(jit, { query: aliases })).body.errors).toEqual([expect.objectContaining({ extensions: maxAliases })]);
  });
});

describe('field suggestions ("Did you mean …?")', () => {
  const typo = { query: '{ are(code: "511921") { code } }' };

  it('are kept with introspection on, on every transport', async () => {
    const http = await post(jit.url, typo);
    expect(http.status).toBe(400);
    expect(http.body.errors![0].message).toBe('Cannot query field "are" on type "Query". Did you mean "area", "areas", or "me"?');
    expect((await refusedOverWs(jit, typo))[0].message).toMatch(/Did you mean "area"/);
    expect((await overSse(jit, typo)).body.errors![0].message).toMatch(/Did you mean "area"/);
  });

  it('are left out with introspection off, on every transport', async () => {
    const message = 'Cannot query field "are" on type "Query".';
    const http = await post(js.url, typo);
    expect(http.status).toBe(400);
    expect(http.body.errors).toEqual([expect.objectContaining({ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
    expect((await refusedOverWs(js, typo))[0].message).toBe(message);
    expect((await overSse(js, typo)).body.errors![0].message).toBe(message);
    // An argument's name is not suggested either.
    const argument = await post(js.url, { query: '{ area(cod: "511921") { code } }' });
    expect(JSON.stringify(argument.body)).not.toMatch(/Did you mean/);
  });
});

describe('enum value suggestions in variable errors', () => {
  const near = {
    query: 'query($statuses: [FacilityStatus!]) { area(code: "511921") { facilities(statuses: $statuses) { totalCount } } }',
    variables: { statuses: ['OPERATNG'] },
  };
  const suggested = /Did you mean the enum value "OPERATING"\?/;

  it('are kept with introspection on', async () => {
    const http = await post(jit.url, near);
    expect(http.status).toBe(400);
    expect(http.body.errors![0].message).toMatch(suggested);
  });

  it('are left out with introspection off, on every transport', async () => {
    const http = await post(js.url, near);
    expect(http.status).toBe(400);
    expect(http.body.errors).toEqual([
      expect.objectContaining({
        message: 'Variable "$statuses" got invalid value "OPERATNG" at "statuses[0]"; Value "OPERATNG" does not exist in "FacilityStatus" enum.',
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
    const ws = await overWs(js.wsClient(), near);
    expect(ws.errors).toHaveLength(1);
    expect(ws.errors![0].message).toMatch(/does not exist in "FacilityStatus" enum\.$/);
    const sse = await fetch(js.sseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(near),
    });
    const text = await sse.text();
    expect(text).toMatch(/does not exist in \\"FacilityStatus\\" enum\./);
    expect(text).not.toMatch(/Did you mean/);
  });
});

describe('what the project sends', () => {
  const TREE = `query Tree($code: String!) {
    area(code: $code) {
      code name childCount descendantCount(level: VILLAGE)
      children(first: 100) {
        totalCount
        edges { cursor node {
          code name kind childCount
          children(first: 100) { totalCount pageInfo { hasNextPage } nodes { code name shortName kind childCount parent { code } } }
        } }
      }
    }
  }`;

  it('the county tree still passes, over HTTP with both executors, graphql-ws and SSE', async () => {
    for (const target of [jit, js]) {
      const http = await post(target.url, { query: TREE, variables: { code: '511921' } });
      expect(http.status).toBe(200);
      expect(http.body.errors).toBeUndefined();
      expect((http.body.data as { area: { descendantCount: number } }).area.descendantCount).toBe(367);
      expect(await overWs(target.wsClient(), { query: TREE, variables: { code: '511921' } })).toEqual(http.body);
      const sse = await fetch(target.sseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: TREE, variables: { code: '511921' } }),
      });
      expect(sse.status).toBe(200);
      expect(await sse.text()).toContain('"descendantCount":367');
    }
  });

  it("the dashboard's queries (web/graphql) pass every limit", async () => {
    const dir = new URL('../../web/graphql/', import.meta.url);
    const documents = readdirSync(dir).filter((file) => file.endsWith('.graphql'));
    const variables = { code: '511921', area: '511921', period: '2026-01', from: '2026-01', to: '2026-03', month: '2026-01', asOf: '2026-01-31' };
    const token = await jit.token('COUNTY_ADMIN', '511921');
    let sent = 0;
    for (const file of documents) {
      const document = parse(readFileSync(new URL(file, dir), 'utf8'));
      const fragments = new Map(
        document.definitions
          .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
          .map((fragment) => [fragment.name.value, fragment]),
      );
      // Only the fragments the operation spreads, directly or through another fragment:
      // GraphQL rejects a document with a fragment it never uses.
      const used = (node: ASTNode, seen = new Set<string>()): Set<string> => {
        visit(node, {
          FragmentSpread(spread) {
            const fragment = fragments.get(spread.name.value);
            if (!fragment || seen.has(fragment.name.value)) return;
            seen.add(fragment.name.value);
            used(fragment, seen);
          },
        });
        return seen;
      };
      for (const operation of document.definitions) {
        if (operation.kind !== Kind.OPERATION_DEFINITION || operation.operation !== 'query') continue;
        const attached = [...used(operation)].map((name) => fragments.get(name)!);
        const query = [operation, ...attached].map((definition) => print(definition)).join('\n');
        const answer = await post(jit.url, { query, variables, operationName: operation.name?.value }, { authorization: `Bearer ${token}` });
        expect(answer.body.errors ?? [], `${file} ${operation.name?.value}`).toEqual([]);
        sent++;
      }
    }
    expect(sent).toBeGreaterThanOrEqual(10);
  });
});
