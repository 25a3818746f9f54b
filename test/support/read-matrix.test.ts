import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/common/global-id.js';
import { areaOutcome, code, leaks, PLACES, readCallers, readCoordinates, Registry, SENSITIVE, type AreaRow, type ReadFixture } from './read-matrix.js';

const registry = new Registry();
const inA1 = registry.add({ id: toGlobalId('Facility', '1'), type: 'Facility', place: 'A1', codes: [PLACES.A1] });
const inB1 = registry.add({ id: toGlobalId('Facility', '2'), type: 'Facility', place: 'B1', codes: [PLACES.B1] });
const secret = registry.add({ id: toGlobalId('Rectification', '1'), type: 'Rectification', place: 'A1', codes: [PLACES.A1], readers: SENSITIVE });
const fx: ReadFixture = { registry };

const row = (overrides: Partial<AreaRow<ReadFixture>> = {}): AreaRow<ReadFixture> => ({
  kind: 'area',
  name: 'Area.facilities',
  covers: [],
  anonymous: 'EMPTY',
  above: 'NARROWED',
  outside: 'EMPTY',
  types: ['Facility'],
  select: () => '',
  reveal: () => [],
  ...overrides,
});

describe('readCallers', () => {
  it('puts every role at the county, a township and its village, then anonymous', () => {
    const callers = readCallers();
    // Six roles (LEADER the sixth) at three places, then anonymous.
    expect(callers).toHaveLength(19);
    expect(callers.filter((c) => c.role === 'VIEWER').map((c) => c.area)).toEqual([PLACES.C, PLACES.A, PLACES.A1]);
    expect(callers.at(-1)).toEqual({ role: 'ANONYMOUS', area: null });
  });
});

describe('areaOutcome', () => {
  const township = { role: 'TOWNSHIP_OPERATOR' as const, area: PLACES.A };
  it("expects what the caller may read inside its subtree, the row's rule above it and beside it", () => {
    expect(areaOutcome(row(), fx, township, PLACES.A)).toEqual({ kind: 'DATA', include: [inA1.id] });
    expect(areaOutcome(row(), fx, township, PLACES.C)).toEqual({ kind: 'DATA', include: [inA1.id] });
    expect(areaOutcome(row({ above: 'FORBIDDEN' }), fx, township, PLACES.C)).toEqual({ kind: 'FORBIDDEN' });
    expect(areaOutcome(row(), fx, township, PLACES.B)).toEqual({ kind: 'EMPTY' });
    expect(areaOutcome(row({ outside: 'FORBIDDEN' }), fx, township, PLACES.B1)).toEqual({ kind: 'FORBIDDEN' });
  });

  it('refuses roles the row does not allow, and anonymous callers as the row says', () => {
    expect(areaOutcome(row({ readers: SENSITIVE }), fx, { role: 'VIEWER', area: PLACES.C }, PLACES.A)).toEqual({ kind: 'FORBIDDEN' });
    expect(areaOutcome(row(), fx, { role: 'ANONYMOUS', area: null }, PLACES.A)).toEqual({ kind: 'EMPTY' });
    expect(areaOutcome(row({ anonymous: 'UNAUTHENTICATED' }), fx, { role: 'ANONYMOUS', area: null }, PLACES.A)).toEqual({ kind: 'UNAUTHENTICATED' });
  });
});

describe('leaks', () => {
  const village = { role: 'VILLAGE_OPERATOR' as const, area: PLACES.A1 };
  it('flags objects and per-area data outside the subtree, sensitive objects for other roles, and unknown objects', () => {
    expect(leaks(registry, village, [inA1.id, code(PLACES.A1), toGlobalId('Area', PLACES.B)], undefined)).toEqual([]);
    expect(leaks(registry, village, [inB1.id, code(PLACES.A2), secret.id, toGlobalId('Facility', '99')], undefined)).toEqual([
      `Facility of B1 (${inB1.id})`,
      `data of ${PLACES.A2}`,
      `Rectification of A1 (${secret.id})`,
      `an object the fixture does not know: ${toGlobalId('Facility', '99')} (Facility)`,
    ]);
  });

  it('finds fixture objects by their names anywhere in a text', () => {
    const named = new Registry();
    const known = named.add({ id: 'x', type: 'Facility', place: 'A', codes: [PLACES.A], names: ['读表FacilityA号'] });
    named.add({ id: 'y', type: 'Facility', place: 'A1', codes: [PLACES.A1], names: ['读表FacilityA1号'] });
    expect(named.namedIn('{"name":"读表FacilityA号"}')).toEqual([known]);
  });
});

describe('readCoordinates', () => {
  it('lists root fields, Node types, non-public Area fields and fields from one protected Node to another', () => {
    const schema = buildSchema(`
      interface Node { id: ID! }
      type Area implements Node { id: ID! name: String! things: [Thing!]! }
      type Thing implements Node { id: ID! area: Area! other: OtherConnection! label: String }
      type Other implements Node { id: ID! }
      type OtherConnection { nodes: [Other!]! }
      type Query { node(id: ID!): Node area(code: String!): Area }
      type Subscription { thingChanged: Thing! }
    `);
    expect(readCoordinates(schema)).toEqual([
      'Query.node',
      'Query.area',
      'Subscription.thingChanged',
      'Node.Area',
      'Node.Thing',
      'Node.Other',
      'Area.things',
      'Thing.other',
    ]);
  });
});
