import { describe, expect, it } from 'vitest';
import { Role, assertCanRead, assertCanWrite, inViewerSubtree, readRange, significantPrefix, type Viewer } from './auth.rules.js';

const viewer = (role: Role, areaCode: string): Viewer => ({ sub: 'u', name: '张三', role, areaCode });

describe('significantPrefix', () => {
  it.each([
    ['510000000000', '51'],
    ['511900000000', '5119'],
    ['511921000000', '511921'],
    ['511921101000', '511921101'],
    ['511921101201', '511921101201'],
    ['441900003000', '441900003'],
  ])('%s → %s', (code, prefix) => expect(significantPrefix(code)).toBe(prefix));
});

describe('subtree scope', () => {
  const township = viewer(Role.TOWNSHIP_OPERATOR, '511921101000');
  it('covers the area itself and what lies below it, nothing beside it', () => {
    expect(inViewerSubtree(township, '511921101000')).toBe(true);
    expect(inViewerSubtree(township, '511921101201')).toBe(true);
    expect(inViewerSubtree(township, '511921102201')).toBe(false);
    expect(inViewerSubtree(township, '511921000000')).toBe(false);
  });

  it('gives SQL ranges; none for anonymous callers', () => {
    expect(readRange(township)).toEqual(['511921101000', '511921101999']);
    expect(readRange(null)).toBeNull();
  });
});

describe('assertCanWrite', () => {
  it('lets writers write inside their subtree', () => {
    expect(() => assertCanWrite(viewer(Role.TOWNSHIP_OPERATOR, '511921101000'), '511921101201')).not.toThrow();
    expect(() => assertCanWrite(viewer(Role.VILLAGE_OPERATOR, '511921101201'), '511921101201')).not.toThrow();
    expect(() => assertCanWrite(viewer(Role.COUNTY_ADMIN, '511921000000'), '511921101201')).not.toThrow();
  });

  it('refuses outside the subtree, read-only roles, narrowed roles and anonymous callers', () => {
    expect(() => assertCanWrite(viewer(Role.VILLAGE_OPERATOR, '511921101201'), '511921101202')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => assertCanWrite(viewer(Role.TOWNSHIP_OPERATOR, '511921101000'), '511921000000')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => assertCanWrite(viewer(Role.VIEWER, '511921000000'), '511921101201')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => assertCanWrite(viewer(Role.TOWNSHIP_OPERATOR, '511921101000'), '511921101201', [Role.COUNTY_ADMIN])).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(() => assertCanWrite(null, '511921101201')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});

describe('assertCanRead', () => {
  it('lets any signed-in role read inside its subtree only', () => {
    expect(() => assertCanRead(viewer(Role.VIEWER, '511921000000'), '511921101201')).not.toThrow();
    expect(() => assertCanRead(viewer(Role.VIEWER, '511921101000'), '511921102000')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => assertCanRead(null, '511921000000')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });

  it('does not say where the refused thing lies (for an object fetched by ID, that would be a leak)', () => {
    expect(() => assertCanRead(viewer(Role.VIEWER, '511921101000'), '511921102001')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('511921102') }));
    expect(() => assertCanWrite(viewer(Role.TOWNSHIP_OPERATOR, '511921101000'), '511921102001')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('511921102') }));
  });
});
