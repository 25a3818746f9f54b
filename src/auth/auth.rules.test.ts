import { describe, expect, it } from 'vitest';
import {
  Role,
  assertCanRead,
  assertCanWrite,
  assertCanWriteSectionItem,
  assertSectionMayChange,
  inViewerSubtree,
  isRole,
  readRange,
  requireSensitiveReader,
  type Viewer,
} from './auth.rules.js';
import { significantPrefix } from '../common/codes.js';

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
    expect(() => assertCanRead(viewer(Role.VIEWER, '511921101000'), '511921102001')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('511921102') }),
    );
    expect(() => assertCanWrite(viewer(Role.TOWNSHIP_OPERATOR, '511921101000'), '511921102001')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('511921102') }),
    );
  });
});

describe('section-owned work items (tasks, projects)', () => {
  const staff = (section?: string): Viewer => ({ ...viewer(Role.SECTION_STAFF, '511921000000'), ...(section ? { section } : {}) });
  const forbidden = expect.objectContaining({ code: 'FORBIDDEN' });

  it("lets section staff change their own section's items, keeping the section", () => {
    expect(() => assertSectionMayChange(staff('养老服务股'), 'project', '养老服务股')).not.toThrow();
    expect(() => assertSectionMayChange(staff('养老服务股'), 'project', '养老服务股', '养老服务股')).not.toThrow();
  });

  it("refuses section staff on another section's item, without a section claim, and handing an item away", () => {
    expect(() => assertSectionMayChange(staff('养老服务股'), 'project', '社会救助股')).toThrow(forbidden);
    expect(() => assertSectionMayChange(staff(), 'project', '社会救助股')).toThrow(forbidden);
    expect(() => assertSectionMayChange(staff('养老服务股'), 'project', '养老服务股', '社会救助股')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', message: expect.stringContaining('hand a project to another section') }),
    );
  });

  it('leaves other roles to their role and area checks (an admin or a township may reassign)', () => {
    expect(() => assertSectionMayChange(viewer(Role.COUNTY_ADMIN, '511921000000'), 'task', '养老服务股', '社会救助股')).not.toThrow();
    expect(() => assertSectionMayChange(viewer(Role.TOWNSHIP_OPERATOR, '511921101000'), 'project', '养老服务股', '社会救助股')).not.toThrow();
  });

  it('checks role and area first, then the section', () => {
    const roles = [Role.COUNTY_ADMIN, Role.SECTION_STAFF];
    expect(assertCanWriteSectionItem(staff('养老服务股'), '511921101000', roles, { what: 'task', owner: '养老服务股' })).toMatchObject({
      section: '养老服务股',
    });
    expect(() => assertCanWriteSectionItem(staff('养老服务股'), '511921101000', roles, { what: 'task', owner: '社会事务股' })).toThrow(forbidden);
    expect(() => assertCanWriteSectionItem(staff('养老服务股'), '511922101000', roles, { what: 'task', owner: '养老服务股' })).toThrow(forbidden);
    expect(() =>
      assertCanWriteSectionItem(viewer(Role.TOWNSHIP_OPERATOR, '511921101000'), '511921101000', roles, { what: 'task', owner: '养老服务股' }),
    ).toThrow(forbidden);
    expect(() => assertCanWriteSectionItem(null, '511921101000', roles, { what: 'task', owner: '养老服务股' })).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED' }),
    );
  });
});

describe('LEADER (县/局领导)', () => {
  const leader = viewer(Role.LEADER, '511921000000');

  it('is a role a token or the CLI may name', () => {
    expect(isRole('LEADER')).toBe(true);
  });

  it('reads sensitive items (审计整改, 督办, the monthly report) inside its subtree, as COUNTY_ADMIN does', () => {
    expect(requireSensitiveReader(leader)).toBe(leader);
    expect(() => assertCanRead(leader, '511921101201')).not.toThrow();
    expect(() => assertCanRead(viewer(Role.LEADER, '511921101000'), '511921102000')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('writes nothing, not even where a feature names its roles', () => {
    expect(() => assertCanWrite(leader, '511921101201')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => assertCanWrite(leader, '511921000000', [Role.COUNTY_ADMIN, Role.TOWNSHIP_OPERATOR])).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });
});
