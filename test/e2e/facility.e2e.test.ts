import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  AreaFacilitiesDocument,
  ChangeFacilityStatusDocument,
  CreateFacilityDocument,
  FacilityByIdDocument,
  FacilitySummaryDocument,
  UpdateFacilityDocument,
  type CreateFacilityInput,
  type FacilityStatus,
} from '../graphql/generated/graphql.js';

const TIEFO = '511921104'; // 铁佛镇
const PINGBA = '511921104200'; // 平坝村 (铁佛镇)
const JINDOUYAN = '511921104201'; // 金斗岩村 (铁佛镇)
const MASHI = '511921105'; // 麻石镇

let app: TestApp;
let admin: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

/** Rows of facility and progress_update: "nothing written" compares these before and after. */
async function written() {
  const [counts] = await app.rows<{ facilities: number; events: number; versions: number }>(
    `select (select count(*)::int from facility) as facilities,
            (select count(*)::int from progress_update) as events,
            (select coalesce(sum(version), 0)::int from facility) as versions`,
  );
  return counts;
}

const home = (over: Partial<CreateFacilityInput> = {}): CreateFacilityInput => ({
  name: '铁佛镇敬老院',
  type: 'NURSING_HOME',
  area: TIEFO,
  operatingModel: 'PUBLIC',
  beds: 50,
  occupiedBeds: 30,
  ...over,
});

async function create(over: Partial<CreateFacilityInput> = {}, token = admin) {
  const data = await app.query(CreateFacilityDocument, { input: home(over) }, { token });
  expect(data.createFacility.userErrors).toEqual([]);
  return data.createFacility.facility!;
}

async function move(id: string, version: number, status: FacilityStatus, token = admin) {
  return (await app.query(ChangeFacilityStatusDocument, { input: { id, version, status } }, { token })).changeFacilityStatus;
}

describe('createFacility', () => {
  it('registers a facility with one CREATED event in its area', async () => {
    const before = await written();
    const facility = await create({
      operatingModel: 'PUBLIC_BUILT_PRIVATE_RUN',
      operator: '通江县颐康养老服务有限公司',
      location: { latitude: 31.91, longitude: 107.25 },
    });
    expect(facility).toMatchObject({
      name: '铁佛镇敬老院',
      status: 'PLANNED',
      version: 1,
      operator: '通江县颐康养老服务有限公司',
      location: { latitude: 31.91, longitude: 107.25 },
      area: { code: '511921104000', name: '铁佛镇' },
    });
    expect(await written()).toEqual({ facilities: before.facilities + 1, events: before.events + 1, versions: before.versions + 1 });
    const [event] = await app.rows<{ subject_kind: string; subject_id: string; area_code: string; action: string; actor_role: string }>(
      'select subject_kind, subject_id, area_code, action, actor_role from progress_update order by sequence desc limit 1',
    );
    expect(event).toEqual({ subject_kind: 'FACILITY', subject_id: facility.id, area_code: '511921104000', action: 'CREATED', actor_role: 'COUNTY_ADMIN' });
  });

  it('rejects occupied beds above beds, a 公建民营 without operator, bad numbers and unknown areas, writing nothing', async () => {
    const before = await written();
    const cases: [Partial<CreateFacilityInput>, string[], string][] = [
      [{ beds: 20, occupiedBeds: 21 }, ['input', 'occupiedBeds'], 'BAD_USER_INPUT'],
      [{ operatingModel: 'PUBLIC_BUILT_PRIVATE_RUN' }, ['input', 'operator'], 'BAD_USER_INPUT'],
      [{ beds: -1 }, ['input', 'beds'], 'BAD_USER_INPUT'],
      [{ name: '' }, ['input', 'name'], 'BAD_USER_INPUT'],
      [{ area: '51192' }, ['input', 'area'], 'BAD_USER_INPUT'],
      [{ area: '511921999' }, ['input', 'area'], 'NOT_FOUND'],
      [{ location: { latitude: 91, longitude: 0 } }, ['input', 'location', 'latitude'], 'BAD_USER_INPUT'],
    ];
    for (const [over, field, code] of cases) {
      const data = await app.query(CreateFacilityDocument, { input: home(over) }, { token: admin });
      expect(data.createFacility.facility, JSON.stringify(over)).toBeNull();
      expect(data.createFacility.userErrors, JSON.stringify(over)).toContainEqual(expect.objectContaining({ field, code }));
    }
    expect(await written()).toEqual(before);
  });

  it('has the database refuse occupied beds above beds even when code is bypassed', async () => {
    await expect(
      app.rows(
        `insert into facility (name, type, area_code, operating_model, status, beds, occupied_beds) values ('x', 'NURSING_HOME', '511921104000', 'PUBLIC', 'PLANNED', 1, 2)`,
      ),
    ).rejects.toThrow(/facility_occupied_within_beds/);
  });

  it('records every writable field in the CREATED event, in API spelling; text trimmed, a blank operator none', async () => {
    const facility = await create({ name: '  铁佛镇敬老院 ', operator: '   ', location: { latitude: 31.91, longitude: 107.25 } });
    expect(facility).toMatchObject({ name: '铁佛镇敬老院', operator: null });
    const [event] = await app.rows<{ before: object | null; after: object }>('select before, after from progress_update order by sequence desc limit 1');
    expect(event.before).toBeNull();
    expect(event.after).toEqual({
      name: '铁佛镇敬老院',
      type: 'NURSING_HOME',
      areaCode: '511921104000',
      operatingModel: 'PUBLIC',
      status: 'PLANNED',
      beds: 50,
      occupiedBeds: 30,
      operator: null,
      openedOn: null,
      latitude: 31.91,
      longitude: 107.25,
    });
  });
});

describe('the lifecycle', () => {
  it('goes PLANNED → UNDER_CONSTRUCTION → BUILT → OPERATING → SUSPENDED → OPERATING, one event and one version per step', async () => {
    const facility = await create();
    let version = facility.version;
    for (const status of ['UNDER_CONSTRUCTION', 'BUILT', 'OPERATING', 'SUSPENDED', 'OPERATING'] as const) {
      const before = await written();
      const result = await move(facility.id, version, status);
      expect(result.userErrors).toEqual([]);
      expect(result.facility).toMatchObject({ status, version: version + 1 });
      version += 1;
      expect(await written()).toEqual({ ...before, events: before.events + 1, versions: before.versions + 1 });
    }
    const events = await app.rows<{ action: string; before: { status: string }; after: { status: string } }>(
      `select action, before, after from progress_update where subject_id = ? and action = 'STATUS_CHANGED' order by sequence`,
      [facility.id],
    );
    expect(events.map((e) => `${e.before.status}→${e.after.status}`)).toEqual([
      'PLANNED→UNDER_CONSTRUCTION',
      'UNDER_CONSTRUCTION→BUILT',
      'BUILT→OPERATING',
      'OPERATING→SUSPENDED',
      'SUSPENDED→OPERATING',
    ]);
    const data = await app.query(FacilityByIdDocument, { id: facility.id }, { token: admin });
    expect(data.node).toMatchObject({ status: 'OPERATING', openedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  it('rejects every illegal jump with INVALID_TRANSITION and writes nothing', async () => {
    const illegal: [FacilityStatus[], FacilityStatus][] = [
      [[], 'BUILT'],
      [[], 'OPERATING'],
      [[], 'SUSPENDED'],
      [[], 'PLANNED'],
      [['UNDER_CONSTRUCTION'], 'OPERATING'],
      [['UNDER_CONSTRUCTION'], 'PLANNED'],
      [['UNDER_CONSTRUCTION', 'BUILT'], 'UNDER_CONSTRUCTION'],
      [['UNDER_CONSTRUCTION', 'BUILT'], 'SUSPENDED'],
      [['UNDER_CONSTRUCTION', 'BUILT', 'OPERATING'], 'BUILT'],
      [['UNDER_CONSTRUCTION', 'BUILT', 'OPERATING', 'SUSPENDED'], 'BUILT'],
    ];
    for (const [path, to] of illegal) {
      const facility = await create();
      let version = 1;
      for (const step of path) version = (await move(facility.id, version, step)).facility!.version;
      const before = await written();
      const result = await move(facility.id, version, to);
      expect(result.facility, `${path.at(-1) ?? 'PLANNED'} → ${to}`).toBeNull();
      expect(result.userErrors).toEqual([{ field: ['input', 'status'], code: 'INVALID_TRANSITION', message: expect.stringContaining(to) }]);
      expect(await written()).toEqual(before);
    }
  });
});

describe('updateFacility', () => {
  it('changes fields with one UPDATED event naming what changed', async () => {
    const facility = await create();
    const before = await written();
    const data = await app.query(
      UpdateFacilityDocument,
      { input: { id: facility.id, version: 1, beds: 60, occupiedBeds: 55, operator: '康乐公司', operatingModel: 'PUBLIC_BUILT_PRIVATE_RUN' } },
      { token: admin },
    );
    expect(data.updateFacility.userErrors).toEqual([]);
    expect(data.updateFacility.facility).toMatchObject({ beds: 60, occupiedBeds: 55, operatingModel: 'PUBLIC_BUILT_PRIVATE_RUN', version: 2 });
    expect(await written()).toEqual({ ...before, events: before.events + 1, versions: before.versions + 1 });
    const [event] = await app.rows<{ before: object; after: object }>('select before, after from progress_update order by sequence desc limit 1');
    expect(event).toEqual({
      before: { beds: 50, occupiedBeds: 30, operator: null, operatingModel: 'PUBLIC' },
      after: { beds: 60, occupiedBeds: 55, operator: '康乐公司', operatingModel: 'PUBLIC_BUILT_PRIVATE_RUN' },
    });
  });

  it('moves and clears the location and the operator: null clears an optional field, and leaves a required one', async () => {
    const facility = await create({ operator: '康乐公司', location: { latitude: 31.91, longitude: 107.25 } });
    const moved = await app.query(
      UpdateFacilityDocument,
      { input: { id: facility.id, version: 1, location: { latitude: 31.5, longitude: 107.25 } } },
      { token: admin },
    );
    expect(moved.updateFacility).toMatchObject({ facility: { version: 2, location: { latitude: 31.5, longitude: 107.25 } }, userErrors: [] });
    const [move] = await app.rows<{ before: object; after: object }>('select before, after from progress_update order by sequence desc limit 1');
    expect(move).toEqual({ before: { latitude: 31.91 }, after: { latitude: 31.5 } });

    const cleared = await app.query(
      UpdateFacilityDocument,
      { input: { id: facility.id, version: 2, location: null, operator: null, name: null, beds: null } },
      { token: admin },
    );
    expect(cleared.updateFacility).toMatchObject({ facility: { version: 3, location: null, operator: null, name: '铁佛镇敬老院', beds: 50 }, userErrors: [] });
    const [clear] = await app.rows<{ before: object; after: object }>('select before, after from progress_update order by sequence desc limit 1');
    expect(clear).toEqual({
      before: { operator: '康乐公司', latitude: 31.5, longitude: 107.25 },
      after: { operator: null, latitude: null, longitude: null },
    });
  });

  it('rejects occupied beds above beds (also when only beds shrink), writing nothing', async () => {
    const facility = await create();
    const before = await written();
    for (const input of [{ occupiedBeds: 51 }, { beds: 29 }]) {
      const data = await app.query(UpdateFacilityDocument, { input: { id: facility.id, version: 1, ...input } }, { token: admin });
      expect(data.updateFacility.userErrors).toEqual([expect.objectContaining({ field: ['input', 'occupiedBeds'], code: 'BAD_USER_INPUT' })]);
    }
    expect(await written()).toEqual(before);
  });

  it('writes nothing (no version, no event) when an update changes nothing', async () => {
    const facility = await create();
    const before = await written();
    const data = await app.query(UpdateFacilityDocument, { input: { id: facility.id, version: 1, beds: 50, name: '铁佛镇敬老院' } }, { token: admin });
    expect(data.updateFacility).toMatchObject({ facility: { version: 1, beds: 50 }, userErrors: [] });
    expect(await written()).toEqual(before);
  });

  it('gives CONFLICT for a stale version and writes nothing', async () => {
    const facility = await create();
    await app.query(UpdateFacilityDocument, { input: { id: facility.id, version: 1, name: '铁佛镇中心敬老院' } }, { token: admin });
    const before = await written();
    const stale = await app.query(UpdateFacilityDocument, { input: { id: facility.id, version: 1, beds: 80 } }, { token: admin });
    expect(stale.updateFacility).toEqual({ facility: null, userErrors: [expect.objectContaining({ field: ['input', 'version'], code: 'CONFLICT' })] });
    const staleMove = await move(facility.id, 1, 'UNDER_CONSTRUCTION');
    expect(staleMove.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    expect(await written()).toEqual(before);
  });

  it('lets exactly one of two concurrent edits of the same version win', async () => {
    for (let round = 0; round < 3; round++) {
      const facility = await create();
      const before = await written();
      const results = await Promise.all([
        app.query(UpdateFacilityDocument, { input: { id: facility.id, version: 1, beds: 70 } }, { token: admin }),
        app.query(UpdateFacilityDocument, { input: { id: facility.id, version: 1, beds: 90 } }, { token: admin }),
        app
          .query(ChangeFacilityStatusDocument, { input: { id: facility.id, version: 1, status: 'UNDER_CONSTRUCTION' } }, { token: admin })
          .then((d) => ({ updateFacility: d.changeFacilityStatus })),
      ]);
      const winners = results.filter((r) => r.updateFacility.facility);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.updateFacility.userErrors[0]?.code === 'CONFLICT')).toHaveLength(2);
      expect(await written()).toEqual({ ...before, events: before.events + 1, versions: before.versions + 1 });
    }
  });
});

describe('who may write', () => {
  beforeEach(() => undefined);

  it('rejects anonymous callers, VIEWERs, section staff (read-only on facilities) and anyone outside their area with GraphQL errors, writing nothing', async () => {
    const facility = await create();
    const before = await written();
    const attempts: [string | undefined, string, () => Promise<unknown>][] = [];
    const tokens = {
      anonymous: undefined,
      viewer: await app.token('VIEWER', '511921'),
      // 股室 own tasks and projects; the facility ledgers (设施台账) are the areas'.
      sectionStaff: await app.token('SECTION_STAFF', '511921', { section: '养老服务股' }),
      otherTownship: await app.token('TOWNSHIP_OPERATOR', MASHI),
      otherVillage: await app.token('VILLAGE_OPERATOR', JINDOUYAN),
    };
    for (const [who, token] of Object.entries(tokens)) {
      const expected = who === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
      attempts.push([token, expected, () => app.request(CreateFacilityDocument, { input: home({ area: PINGBA }) }, { token })]);
      attempts.push([token, expected, () => app.request(UpdateFacilityDocument, { input: { id: facility.id, version: 1, beds: 99 } }, { token })]);
      attempts.push([
        token,
        expected,
        () => app.request(ChangeFacilityStatusDocument, { input: { id: facility.id, version: 1, status: 'UNDER_CONSTRUCTION' } }, { token }),
      ]);
    }
    for (const [, expected, attempt] of attempts) {
      const result = (await attempt()) as { errors?: { extensions?: { code?: string } }[]; data?: unknown };
      expect(result.errors?.[0]?.extensions?.code).toBe(expected);
    }
    expect(await written()).toEqual(before);
  });

  it('lets a township operator write in their township, a village operator in their village; section staff read them county-wide', async () => {
    const staff = await app.token('SECTION_STAFF', '511921', { section: '养老服务股' });
    const township = await app.token('TOWNSHIP_OPERATOR', TIEFO);
    const village = await app.token('VILLAGE_OPERATOR', PINGBA);
    const inMashi = await create({ area: MASHI });
    expect((await app.query(FacilityByIdDocument, { id: inMashi.id }, { token: staff })).node).toMatchObject({ id: inMashi.id });
    const ours = await create({ area: PINGBA, type: 'MINOR_PROTECTION_POINT', name: '平坝村未成年人保护点' }, township);
    const point = await create({ area: PINGBA, type: 'MINOR_PROTECTION_POINT', name: '平坝村儿童之家' }, village);
    expect((await move(point.id, 1, 'UNDER_CONSTRUCTION', village)).facility).toMatchObject({ status: 'UNDER_CONSTRUCTION' });
    expect((await move(ours.id, 1, 'UNDER_CONSTRUCTION', village)).facility).toMatchObject({ status: 'UNDER_CONSTRUCTION' });

    // A village operator cannot touch the township's own facility, nor move one out of their village.
    const townFacility = await create({}, township);
    const before = await written();
    const denied = await app.request(UpdateFacilityDocument, { input: { id: townFacility.id, version: 1, beds: 70 } }, { token: village });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const moveOut = await app.request(UpdateFacilityDocument, { input: { id: point.id, version: 2, area: JINDOUYAN } }, { token: village });
    expect(moveOut.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const townshipOut = await app.request(UpdateFacilityDocument, { input: { id: townFacility.id, version: 1, area: MASHI } }, { token: township });
    expect(townshipOut.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await written()).toEqual(before);
  });
});

describe('reads', () => {
  it("serves a facility by node(id) inside the caller's subtree only", async () => {
    const facility = await create();
    expect((await app.query(FacilityByIdDocument, { id: facility.id }, { token: await app.token('VIEWER', TIEFO) })).node).toMatchObject({ id: facility.id });
    const anonymous = await app.request(FacilityByIdDocument, { id: facility.id });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const outside = await app.request(FacilityByIdDocument, { id: facility.id }, { token: await app.token('VIEWER', MASHI) });
    expect(outside.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('filters lists and summaries to what the caller may read, in SQL', async () => {
    const tiefo = await app.token('VIEWER', TIEFO);
    const county = await app.query(AreaFacilitiesDocument, { code: '511921' }, { token: admin });
    const seen = await app.query(AreaFacilitiesDocument, { code: '511921' }, { token: tiefo });
    expect(county.area!.facilities.nodes.some((f) => !f.area.code.startsWith(TIEFO))).toBe(true);
    expect(seen.area!.facilities.nodes.length).toBeGreaterThan(0);
    expect(seen.area!.facilities.nodes.every((f) => f.area.code.startsWith(TIEFO))).toBe(true);
    expect(seen.area!.facilities.totalCount).toBe(county.area!.facilities.nodes.filter((f) => f.area.code.startsWith(TIEFO)).length);
    const summary = await app.query(FacilitySummaryDocument, { code: '511921' }, { token: tiefo });
    expect(summary.area!.facilitySummary.total).toBe(seen.area!.facilities.totalCount);

    const anonymous = await app.query(AreaFacilitiesDocument, { code: '511921' });
    expect(anonymous.area!.facilities).toMatchObject({ totalCount: 0, nodes: [] });
    expect((await app.query(FacilitySummaryDocument, { code: '511921' })).area!.facilitySummary.total).toBe(0);
    const elsewhere = await app.query(AreaFacilitiesDocument, { code: MASHI }, { token: tiefo });
    expect(elsewhere.area!.facilities.totalCount).toBe(0);
  });

  it('filters by type, status and operating model, and pages with cursors', async () => {
    const all = await app.query(
      AreaFacilitiesDocument,
      { code: TIEFO, types: ['NURSING_HOME'], statuses: ['PLANNED'], operatingModels: ['PUBLIC'] },
      { token: admin },
    );
    const expected = all.area!.facilities.nodes;
    expect(expected.length).toBeGreaterThan(3);
    expect(expected.every((f) => f.type === 'NURSING_HOME' && f.status === 'PLANNED' && f.operatingModel === 'PUBLIC')).toBe(true);
    const pages: string[] = [];
    let after: string | null | undefined = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof app.query<typeof all, unknown>>> = await app.query(
        AreaFacilitiesDocument,
        { code: TIEFO, types: ['NURSING_HOME'], statuses: ['PLANNED'], operatingModels: ['PUBLIC'], first: 2, after },
        { token: admin },
      );
      pages.push(...page.area!.facilities.nodes.map((f) => f.id));
      expect(page.area!.facilities.totalCount).toBe(expected.length);
      if (!page.area!.facilities.pageInfo.hasNextPage) break;
      after = page.area!.facilities.pageInfo.endCursor;
    }
    expect(pages).toEqual(expected.map((f) => f.id));
    const ownOnly = await app.query(AreaFacilitiesDocument, { code: PINGBA, includeDescendants: false }, { token: admin });
    expect(ownOnly.area!.facilities.nodes.every((f) => f.area.code === PINGBA)).toBe(true);
  });
});
