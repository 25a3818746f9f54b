import { describe, expect, it } from 'vitest';
import { SubjectKind } from './progress.entity.js';
import { inScope, mayDeliver, mayReadKind, parseProgressCursor, progressCursor, progressScope, readableKinds, scopeKey } from './progress.rules.js';
import { Role, type Viewer } from '../../auth/auth.rules.js';

const township = '511921101000';
const range: [string, string] = ['511921101000', '511921101999'];

describe('progress scope', () => {
  it('covers the subtree, or the area alone without descendants', () => {
    const subtree = progressScope(township, range, true, null);
    expect(inScope(subtree, '511921101203', SubjectKind.FACILITY)).toBe(true);
    expect(inScope(subtree, '511921102000', SubjectKind.FACILITY)).toBe(false);
    const alone = progressScope(township, range, false, null);
    expect(inScope(alone, township, SubjectKind.FACILITY)).toBe(true);
    expect(inScope(alone, '511921101203', SubjectKind.FACILITY)).toBe(false);
  });

  it('filters kinds and groups equal scopes under one key whatever the order of kinds', () => {
    const a = progressScope(township, range, true, [SubjectKind.TASK, SubjectKind.FACILITY, SubjectKind.TASK]);
    const b = progressScope(township, range, true, [SubjectKind.FACILITY, SubjectKind.TASK]);
    expect(scopeKey(a)).toBe(scopeKey(b));
    expect(inScope(a, township, SubjectKind.PROJECT)).toBe(false);
    expect(progressScope(township, range, true, []).kinds).toBeNull();
  });

  it('never delivers outside the viewer subtree even when the scope says so', () => {
    const viewer: Viewer = { sub: 'u', name: 'u', role: Role.TOWNSHIP_OPERATOR, areaCode: township };
    const county = progressScope('511921000000', ['511921000000', '511921999999'], true, null);
    expect(mayDeliver(viewer, county, '511921101001', SubjectKind.TASK)).toBe(true);
    expect(mayDeliver(viewer, county, '511921102001', SubjectKind.TASK)).toBe(false);
  });
});

describe('sensitive kinds (审计整改, 督办)', () => {
  const as = (role: Role): Viewer => ({ sub: 'u', name: 'u', role, areaCode: township });
  const all = progressScope(township, range, true, null);

  it('reach county admins, leaders, section staff and township operators, never viewers or village operators', () => {
    for (const role of [Role.COUNTY_ADMIN, Role.LEADER, Role.SECTION_STAFF, Role.TOWNSHIP_OPERATOR]) {
      expect(mayDeliver(as(role), all, township, SubjectKind.RECTIFICATION)).toBe(true);
      expect(readableKinds(as(role), null)).toBeNull();
    }
    for (const role of [Role.VIEWER, Role.VILLAGE_OPERATOR]) {
      expect(mayDeliver(as(role), all, township, SubjectKind.RECTIFICATION)).toBe(false);
      expect(mayDeliver(as(role), all, township, SubjectKind.SUPERVISION)).toBe(false);
      expect(mayDeliver(as(role), all, township, SubjectKind.FACILITY)).toBe(true);
      expect(mayReadKind(as(role), SubjectKind.TASK)).toBe(true);
    }
  });

  it("are left out of a viewer's request for every kind, and refused when asked for by name", () => {
    const kinds = readableKinds(as(Role.VIEWER), null)!;
    expect(kinds).toContain(SubjectKind.FACILITY);
    expect(kinds).not.toContain(SubjectKind.RECTIFICATION);
    expect(kinds).not.toContain(SubjectKind.SUPERVISION);
    expect(readableKinds(as(Role.VIEWER), [SubjectKind.TASK])).toEqual([SubjectKind.TASK]);
    expect(() => readableKinds(as(Role.VILLAGE_OPERATOR), [SubjectKind.TASK, SubjectKind.SUPERVISION])).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', field: 'kinds' }),
    );
    expect(readableKinds(as(Role.TOWNSHIP_OPERATOR), [SubjectKind.SUPERVISION])).toEqual([SubjectKind.SUPERVISION]);
  });
});

describe('progress cursors', () => {
  it('round-trips an event cursor and accepts bare sequence digits', () => {
    expect(parseProgressCursor(progressCursor('42'))).toBe(42n);
    expect(parseProgressCursor('42')).toBe(42n);
    expect(parseProgressCursor('0')).toBe(0n);
  });

  it.each(['', '-1', '01', 'abc', '1.5', progressCursor('x'), '99999999999999999999'])('rejects %j as BAD_USER_INPUT on after', (bad) => {
    expect(() => parseProgressCursor(bad)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }));
  });
});
