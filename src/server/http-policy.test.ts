import { describe, expect, it } from 'vitest';
import { cacheControlFor, isSimplePost, wantsLegacyJson } from './http-policy.js';

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
