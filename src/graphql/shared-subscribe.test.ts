import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { answerKey } from './shared-subscribe.js';
import { Role, type Viewer } from '../auth/auth.rules.js';

const admin: Viewer = { sub: 'a', name: 'a', role: Role.COUNTY_ADMIN, areaCode: '511921000000' };
const document = parse(`subscription ($area: String!, $after: String, $first: Int) {
  progressUpdated(area: $area, after: $after) { sequence summary area { children(first: $first) { totalCount } } }
}`);
const key = (variableValues: Record<string, unknown>, viewer: Viewer | null = admin, doc = document) =>
  answerKey({ document: doc, variableValues, contextValue: { viewer } });

describe('answerKey (one execution per event for subscribers that get the same answer)', () => {
  it('ignores the root field’s own arguments: they choose the stream, not the answer', () => {
    expect(key({ area: '511921', after: '5', first: 3 })).toBe(key({ area: '511921001', after: null, first: 3 }));
  });

  it('tells apart the variables of the selection, the viewer and the document', () => {
    const base = key({ area: '511921', first: 3 });
    expect(key({ area: '511921', first: 4 })).not.toBe(base);
    expect(key({ area: '511921', first: 3 }, { ...admin, sub: 'b' })).not.toBe(base);
    expect(key({ area: '511921', first: 3 }, { ...admin, role: Role.VIEWER })).not.toBe(base);
    expect(key({ area: '511921', first: 3 }, { ...admin, areaCode: '511921001000' })).not.toBe(base);
    expect(key({ area: '511921', first: 3 }, { ...admin, role: Role.SECTION_STAFF, section: '养老服务股' })).not.toBe(
      key({ area: '511921', first: 3 }, { ...admin, role: Role.SECTION_STAFF, section: '社会救助股' }),
    );
    expect(key({ area: '511921', first: 3 }, admin, parse('subscription ($area: String!) { progressUpdated(area: $area) { sequence } }'))).not.toBe(base);
  });

  it('counts variables used in fragments and directives, and shares nothing without a viewer', () => {
    const withFragment = parse(`subscription ($area: String!, $n: Int) { progressUpdated(area: $area) { ...F } }
      fragment F on ProgressUpdate { area { children(first: $n) { totalCount } } }`);
    expect(key({ area: '511921', n: 1 }, admin, withFragment)).not.toBe(key({ area: '511921', n: 2 }, admin, withFragment));
    const withDirective = parse('subscription ($area: String!, $s: Boolean!) { progressUpdated(area: $area) { sequence summary @include(if: $s) } }');
    expect(key({ area: '511921', s: true }, admin, withDirective)).not.toBe(key({ area: '511921', s: false }, admin, withDirective));
    expect(key({ area: '511921' }, null)).toBeNull();
  });
});
