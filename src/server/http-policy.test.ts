import { describe, expect, it } from 'vitest';
import { cacheControlFor, CONTENT_SECURITY_POLICY, isAllowedWebSocketOrigin, isSimplePost, SECURITY_HEADERS, wantsLegacyJson } from './http-policy.js';

describe('cacheControlFor', () => {
  const ok = { method: 'GET', authorized: false, operation: 'query', hasErrors: false, maxAge: 60 };
  it('makes an anonymous GET query without errors public', () => {
    expect(cacheControlFor(ok)).toBe('public, max-age=60');
    expect(cacheControlFor({ ...ok, maxAge: 300 })).toBe('public, max-age=300');
  });
  it.each([
    ['a POST', { method: 'POST' }],
    ['an authorized GET', { authorized: true }],
    ['an answer with errors', { hasErrors: true }],
    ['a mutation', { operation: 'mutation' }],
    ['an unresolved operation', { operation: undefined }],
    ['max-age 0', { maxAge: 0 }],
  ])('keeps %s private', (_what, change) => {
    expect(cacheControlFor({ ...ok, ...change })).toBe('private, no-store');
  });
});

describe('isSimplePost', () => {
  it.each([
    ['POST', undefined, true],
    ['POST', 'text/plain;charset=utf-8', true],
    ['POST', 'Application/X-WWW-Form-Urlencoded', true],
    ['POST', 'multipart/form-data; boundary=x', true],
    ['POST', 'application/json', false],
    ['POST', 'application/graphql-response+json', false],
    ['GET', undefined, false],
  ])('%s %s → %s', (method, type, simple) => {
    expect(isSimplePost(method, type)).toBe(simple);
  });
});

describe('wantsLegacyJson', () => {
  it.each([
    [undefined, false],
    ['*/*', false],
    ['application/json', true],
    ['application/json; charset=utf-8, */*;q=0.1', true],
    ['application/graphql-response+json', false],
    ['application/graphql-response+json, application/json;q=0.9', false],
  ])('%s → %s', (accept, legacy) => {
    expect(wantsLegacyJson(accept)).toBe(legacy);
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  it('lets pages connect to their own origin only (no ws: or wss: to any host)', () => {
    const connect = CONTENT_SECURITY_POLICY.split('; ').find((d) => d.startsWith('connect-src'));
    expect(connect).toBe("connect-src 'self'");
  });
  it('comes with nosniff and no referrer', () => {
    expect(SECURITY_HEADERS).toEqual({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
  });
});

describe('isAllowedWebSocketOrigin', () => {
  const cors = ['https://screen.example.gov.cn'];
  it.each([
    ['no Origin (a non-browser client)', { origin: undefined, host: 'civgraph:4000' }, true],
    ['the server itself', { origin: 'http://civgraph:4000', host: 'civgraph:4000' }, true],
    ['the server itself behind a TLS proxy', { origin: 'https://civgraph.gov.cn', host: 'civgraph.gov.cn' }, true],
    ['the host a proxy forwarded', { origin: 'https://civgraph.gov.cn', host: 'civgraph-1:4000', forwardedHost: 'civgraph.gov.cn' }, true],
    ['a configured CORS origin', { origin: 'https://Screen.example.gov.cn', host: 'civgraph:4000' }, true],
    ['another site', { origin: 'https://evil.example', host: 'civgraph:4000' }, false],
    ['the same host on another port', { origin: 'http://civgraph:8080', host: 'civgraph:4000' }, false],
    ['a sandboxed page (null)', { origin: 'null', host: 'civgraph:4000' }, false],
    ['a file: page', { origin: 'file://', host: 'civgraph:4000' }, false],
  ])('%s → %s', (_what, request, allowed) => {
    expect(isAllowedWebSocketOrigin(request, cors)).toBe(allowed);
  });
});
