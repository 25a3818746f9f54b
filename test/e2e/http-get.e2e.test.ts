import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

// GETs per the GraphQL-over-HTTP spec, and what a CDN may keep of their answers.

let app: TestApp;
let uncached: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  uncached = await startTestApp({ county: null, cacheMaxAge: 0 });
});
afterAll(async () => {
  await app?.close();
  await uncached?.close();
});

const AREA = 'query Area($code: String!) { area(code: $code) { name children(first: 3) { totalCount } } }';
const get = (base: string, params: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const search = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]));
  return fetch(`${base}?${search.toString()}`, { headers });
};

describe('GET /graphql', () => {
  it('runs a query with URL-encoded JSON variables, operationName and extensions, with no special header', async () => {
    const response = await get(app.url, { query: AREA, variables: { code: '511921' }, operationName: 'Area', extensions: {} });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { area: { name: '通江县', children: { totalCount: 33 } } } });
  });

  it('answers an anonymous query that succeeded as public, cacheable, varying on Accept and Authorization', async () => {
    const response = await get(app.url, { query: AREA, variables: { code: '511921' } });
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(response.headers.get('vary')).toMatch(/Accept/);
    expect(response.headers.get('vary')).toMatch(/Authorization/);
  });

  it('keeps anything with an Authorization header out of shared caches', async () => {
    const token = await app.token('VIEWER', '511921');
    const response = await get(app.url, { query: AREA, variables: { code: '511921' } }, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
  });

  it.each([
    ['a field error', { query: '{ area(code: "12") { name } }' }, 200],
    ['a refusal of a non-public read', { query: '{ area(code: "511921") { stats(period: "2026-05") { persons } } }' }, 200],
    ['a validation error', { query: '{ nope }' }, 400],
    ['a bad token', { query: '{ __typename }' }, 401],
  ])('answers %s with private, no-store', async (what, params, status) => {
    const headers: Record<string, string> = what === 'a bad token' ? { authorization: 'Bearer not-a-token' } : {};
    const response = await get(app.url, params, headers);
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
  });

  it('tags a GET answer with an ETag a client can revalidate with (304, no body)', async () => {
    const first = await get(app.url, { query: AREA, variables: { code: '511921' } });
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"/);
    // fetch would otherwise add `cache-control: no-cache` to a conditional request, which always gets the full answer.
    const again = await get(app.url, { query: AREA, variables: { code: '511921' } }, { 'if-none-match': etag!, 'cache-control': 'max-age=0' });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('sends POST answers without an ETag (never stored, so never revalidated), still as JSON', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: AREA, variables: { code: '511921' } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('content-type')).toMatch(/json/);
    expect(await response.json()).toEqual({ data: { area: { name: '通江县', children: { totalCount: 33 } } } });
  });

  it('leaves POST answers out of shared caches', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
  });

  it('refuses a mutation with 405 and Allow: POST, uncacheable', async () => {
    const response = await get(app.url, { query: 'mutation { __typename }' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('cache-control')).toBe('private, no-store');
  });

  it('marks nothing public when GRAPHQL_CACHE_MAX_AGE is 0', async () => {
    const response = await get(uncached.url, { query: '{ __typename }' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
  });
});

describe('status of request errors by media type', () => {
  it.each([
    ['application/json', 200, /^application\/json/],
    ['application/graphql-response+json', 400, /^application\/graphql-response\+json/],
    ['application/graphql-response+json, application/json;q=0.9', 400, /^application\/graphql-response\+json/],
    ['*/*', 400, /^application\/json/],
  ])('Accept %s: a document that does not parse gets %i', async (accept, status, type) => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify({ query: '{ area(' }),
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(type);
    const body = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('keeps 401 for a bad token under application/json', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer nope' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(401);
  });
});

describe('simple POSTs (CSRF)', () => {
  it.each([['text/plain'], ['application/x-www-form-urlencoded'], ['multipart/form-data; boundary=x']])(
    'refuses %s with 400 and runs nothing',
    async (type) => {
      const response = await fetch(app.url, { method: 'POST', headers: { 'content-type': type }, body: 'query=%7B__typename%7D' });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    },
  );
});
