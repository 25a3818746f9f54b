import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuarter, previousQuarter, quarterOfDate, todayInChina } from '../../src/modules/governance/governance.rules.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  AddDemonstrationEvidenceDocument,
  AreaEnrolmentsDocument,
  ChangeEnrolmentStatusDocument,
  ComplianceTableDocument,
  CountyBodiesAtLeavesDocument,
  CountyOpennessAtLeavesDocument,
  CoverageGapsDocument,
  CoverageTableDocument,
  CreateDemonstrationProgrammeDocument,
  CreateGovernanceBodyDocument,
  CreateOpennessItemDocument,
  DemonstrationProgrammesDocument,
  EnrolInDemonstrationDocument,
  GovernanceBodiesDocument,
  NonCompliantVillagesDocument,
  OpennessChecklistDocument,
  RecordGovernanceMeetingDocument,
  RecordOpennessDocument,
  UpdateDemonstrationProgrammeDocument,
  UpdateGovernanceBodyDocument,
  UpdateOpennessItemDocument,
  VillageBodiesDocument,
  VillageOpennessDocument,
  type CoverageGapsQuery,
  type CreateGovernanceBodyInput,
  type NonCompliantVillagesQuery,
  type OpennessEntryInput,
} from '../graphql/generated/graphql.js';
import { governanceDemoSeeder } from '../../src/modules/governance/governance.demo.js';
import { civgraph } from '../../src/features.js';

let app: TestApp;
const tokens = new Map<string, string>();
beforeAll(async () => {
  app = await startTestApp();
  // A token names an area of the database: 南江县 next door, alone (its townships are not needed).
  await app.orm.em
    .fork()
    .getConnection()
    .execute(
      `insert into area (code, name, level, parent_code, source) values ('511922000000', '南江县', 'COUNTY', '511900000000', 'TEST') on conflict do nothing`,
    );
  for (const role of ['COUNTY_ADMIN', 'SECTION_STAFF', 'TOWNSHIP_OPERATOR', 'VILLAGE_OPERATOR', 'VIEWER'] as const) {
    for (const area of ['511921', '511922', BIZHOU, OTHER_TOWNSHIP, CHENGNAN, NANSI]) {
      tokens.set(`${role}@${area}`, await app.token(role, area, role === 'SECTION_STAFF' ? { section: '社会事务股' } : {}));
    }
  }
});
afterAll(() => app?.close());

const COUNTY = '511921000000';
const BIZHOU = '511921001000'; // 壁州街道
const CHENGNAN = '511921001001'; // 城南社区
const NANSI = '511921001002'; // 南寺社区
const OTHER_TOWNSHIP = '511921101000';

const TODAY = todayInChina();
const YEAR = Number(TODAY.slice(0, 4));
const LAST_QUARTER = previousQuarter(quarterOfDate(TODAY)); // a full quarter, in the past

/** A valid token for a role at an area, minted once. */
const tok = (role: string, area: string) => tokens.get(`${role}@${area}`)!;
const admin = () => tok('COUNTY_ADMIN', '511921');
const townshipOp = (area = BIZHOU) => tok('TOWNSHIP_OPERATOR', area);
const villageOp = (area = CHENGNAN) => tok('VILLAGE_OPERATOR', area);

async function db<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return app.orm.em.fork().getConnection().execute(text, params);
}
const count = async (table: string) => (await db<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n;
const eventCount = () => count('progress_update');
const lastEvent = async () =>
  (
    await db<{
      subject_kind: string;
      subject_id: string;
      area_code: string;
      action: string;
      summary: string;
      before: unknown;
      after: unknown;
      actor_role: string;
    }>('select * from progress_update order by sequence desc limit 1')
  )[0];

/** Everything a governance write could touch, to prove a rejected one wrote nothing. */
async function snapshot() {
  return db(`select
    (select count(*)::int from progress_update) as events,
    (select coalesce(jsonb_agg(b order by id), '[]') from governance_body b) as bodies,
    (select count(*)::int from governance_meeting) as meetings,
    (select coalesce(jsonb_agg(p order by id), '[]') from demonstration_programme p) as programmes,
    (select coalesce(jsonb_agg(e order by id), '[]') from demonstration_enrolment e) as enrolments,
    (select count(*)::int from demonstration_evidence) as evidence,
    (select coalesce(jsonb_agg(i order by code), '[]') from openness_item i) as items,
    (select coalesce(jsonb_agg(e order by id), '[]') from openness_entry e) as entries`);
}

const council = (over: Partial<CreateGovernanceBodyInput> = {}): CreateGovernanceBodyInput => ({
  areaCode: CHENGNAN,
  bodyType: 'WEDDINGS_FUNERALS_COUNCIL',
  establishedOn: '2023-05-04',
  chair: '王德明',
  charterAdopted: true,
  members: [
    { name: '王德明', role: '会长' },
    { name: '李秀英', role: '成员' },
  ],
  ...over,
});

describe('self-governance bodies (红白理事会, 议事会)', () => {
  let bodyId: string;

  it("a village operator registers their village's 红白理事会: one event; the village shows it and no 议事会", async () => {
    const events = await eventCount();
    const { createGovernanceBody } = await app.query(CreateGovernanceBodyDocument, { input: council() }, { token: villageOp() });
    expect(createGovernanceBody.userErrors).toEqual([]);
    expect(createGovernanceBody.body).toMatchObject({
      bodyType: 'WEDDINGS_FUNERALS_COUNCIL',
      chair: '王德明',
      charterAdopted: true,
      version: 1,
      isDemo: false,
      area: { code: CHENGNAN },
    });
    bodyId = createGovernanceBody.body!.id;
    expect(await eventCount()).toBe(events + 1);
    expect(await lastEvent()).toMatchObject({
      subject_kind: 'GOVERNANCE_BODY',
      subject_id: bodyId,
      area_code: CHENGNAN,
      action: 'CREATED',
      actor_role: 'VILLAGE_OPERATOR',
    });
    expect((await lastEvent()).summary).toContain('红白理事会 成立');

    const { area } = await app.query(VillageBodiesDocument, { code: CHENGNAN, year: YEAR - 1 }, { token: townshipOp() });
    expect(area!.council).toMatchObject({
      id: bodyId,
      members: [
        { name: '王德明', role: '会长' },
        { name: '李秀英', role: '成员' },
      ],
    });
    expect(area!.deliberation).toBeNull();
  });

  it('logs meetings and counts them for a year: one event per meeting', async () => {
    const events = await eventCount();
    for (const [heldOn, topic] of [
      [`${YEAR}-01-15`, '红白喜事简办规范'],
      [`${YEAR - 1}-12-20`, '村规民约修订'],
    ] as const) {
      const { recordGovernanceMeeting } = await app.query(
        RecordGovernanceMeetingDocument,
        { input: { bodyId, heldOn, topic, attendance: 12 } },
        { token: villageOp() },
      );
      expect(recordGovernanceMeeting).toEqual({ meeting: { heldOn, topic, attendance: 12 }, userErrors: [] });
    }
    expect(await eventCount()).toBe(events + 2);
    expect(await lastEvent()).toMatchObject({ action: 'PROGRESS_RECORDED', subject_id: bodyId });
    const { area } = await app.query(VillageBodiesDocument, { code: CHENGNAN, year: YEAR - 1 }, { token: villageOp() });
    expect(area!.council).toMatchObject({ meetingCount: 1, lastYear: 1 });
    expect(area!.council!.meetings.nodes.map((m) => m.heldOn)).toEqual([`${YEAR}-01-15`, `${YEAR - 1}-12-20`]);

    type Meetings = { node: { meetings: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { heldOn: string }[] } } };
    const page = (after: string | null) =>
      app.query<Meetings, never>(
        `{ node(id: "${bodyId}") { ... on GovernanceBody { meetings(first: 1${after ? `, after: "${after}"` : ''}) { totalCount pageInfo { hasNextPage endCursor } nodes { heldOn } } } } }`,
        undefined,
        { token: villageOp() },
      );
    const first = (await page(null)).node.meetings;
    expect(first).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ heldOn: `${YEAR}-01-15` }] });
    const second = (await page(first.pageInfo.endCursor)).node.meetings;
    expect(second).toMatchObject({ pageInfo: { hasNextPage: false }, nodes: [{ heldOn: `${YEAR - 1}-12-20` }] });
  });

  it('rejects meetings in the future or before the body existed, writing nothing', async () => {
    const before = await snapshot();
    for (const heldOn of ['2099-01-01', '2020-01-01']) {
      const { recordGovernanceMeeting } = await app.query(
        RecordGovernanceMeetingDocument,
        { input: { bodyId, heldOn, topic: '议题', attendance: 3 } },
        { token: villageOp() },
      );
      expect(recordGovernanceMeeting.meeting).toBeNull();
      expect(recordGovernanceMeeting.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'heldOn'] })]);
    }
    const { recordGovernanceMeeting } = await app.query(
      RecordGovernanceMeetingDocument,
      { input: { bodyId, heldOn: TODAY, topic: '', attendance: -1 } },
      { token: villageOp() },
    );
    expect(recordGovernanceMeeting.userErrors.map((e) => [e.code, e.field])).toEqual([
      ['BAD_USER_INPUT', ['input', 'topic']],
      ['BAD_USER_INPUT', ['input', 'attendance']],
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('edits with the version it read; a stale version is a CONFLICT and writes nothing', async () => {
    const events = await eventCount();
    const { updateGovernanceBody } = await app.query(
      UpdateGovernanceBodyDocument,
      {
        input: {
          id: bodyId,
          version: 1,
          members: [
            { name: '李秀英', role: '会长' },
            { name: '赵志强', role: '成员' },
          ],
          chair: '李秀英',
        },
      },
      { token: townshipOp() },
    );
    expect(updateGovernanceBody.userErrors).toEqual([]);
    expect(updateGovernanceBody.body).toMatchObject({ version: 2, chair: '李秀英', establishedOn: '2023-05-04' });
    expect(await eventCount()).toBe(events + 1);
    expect(await lastEvent()).toMatchObject({
      action: 'UPDATED',
      before: expect.objectContaining({ chair: '王德明' }),
      after: expect.objectContaining({ chair: '李秀英' }),
    });

    const before = await snapshot();
    const stale = await app.query(UpdateGovernanceBodyDocument, { input: { id: bodyId, version: 1, charterAdopted: false } }, { token: townshipOp() });
    expect(stale.updateGovernanceBody).toEqual({ body: null, userErrors: [expect.objectContaining({ code: 'CONFLICT', field: ['input', 'version'] })] });
    expect(await snapshot()).toEqual(before);
  });

  it('two editors with the same version: exactly one wins', async () => {
    const events = await eventCount();
    const [a, b] = await Promise.all(
      ['甲', '乙'].map((suffix) =>
        app.query(
          UpdateGovernanceBodyDocument,
          {
            input: {
              id: bodyId,
              version: 2,
              members: [
                { name: `李秀英`, role: '会长' },
                { name: `成员${suffix}`, role: '成员' },
              ],
            },
          },
          { token: admin() },
        ),
      ),
    );
    const outcomes = [a.updateGovernanceBody, b.updateGovernanceBody];
    expect(outcomes.filter((o) => o.userErrors.length === 0)).toHaveLength(1);
    expect(outcomes.filter((o) => o.userErrors[0]?.code === 'CONFLICT')).toHaveLength(1);
    expect(await eventCount()).toBe(events + 1);
  });

  it('names each bad field and writes nothing', async () => {
    const before = await snapshot();
    const cases: [Partial<CreateGovernanceBodyInput>, string, string[]][] = [
      [{ chair: '王五' }, 'BAD_USER_INPUT', ['input', 'chair']],
      [{ establishedOn: '2099-01-01', bodyType: 'DELIBERATION_COUNCIL' }, 'BAD_USER_INPUT', ['input', 'establishedOn']],
      [{}, 'BAD_USER_INPUT', ['input', 'bodyType']], // already has one
      [{ areaCode: BIZHOU }, 'BAD_USER_INPUT', ['input', 'areaCode']], // a township, not a village
      [{ areaCode: '511921001999' }, 'NOT_FOUND', ['input', 'areaCode']],
      [{ areaCode: '12345' }, 'BAD_USER_INPUT', ['input', 'areaCode']],
      [{ members: [{ name: '', role: '成员' }], chair: null, bodyType: 'DELIBERATION_COUNCIL' }, 'BAD_USER_INPUT', ['input', 'members', '0', 'name']],
    ];
    for (const [over, code, field] of cases) {
      const { createGovernanceBody } = await app.query(CreateGovernanceBodyDocument, { input: council(over) }, { token: admin() });
      expect(createGovernanceBody.body, JSON.stringify(over)).toBeNull();
      expect(createGovernanceBody.userErrors, JSON.stringify(over)).toEqual([expect.objectContaining({ code, field })]);
    }
    const { createGovernanceBody } = await app.query(CreateGovernanceBodyDocument, { input: council({ areaCode: BIZHOU }) }, { token: admin() });
    expect(createGovernanceBody.userErrors[0].message).toContain('is a TOWNSHIP area; this needs VILLAGE');
    expect(await snapshot()).toEqual(before);
  });

  it("writes only inside the caller's own subtree and role: FORBIDDEN / UNAUTHENTICATED, nothing written", async () => {
    const before = await snapshot();
    const input = council({ areaCode: NANSI, bodyType: 'DELIBERATION_COUNCIL' });
    const attempts: [string | undefined, string][] = [
      [villageOp(CHENGNAN), 'FORBIDDEN'], // another village
      [townshipOp(OTHER_TOWNSHIP), 'FORBIDDEN'], // another township
      [tok('VIEWER', '511921'), 'FORBIDDEN'], // read-only role
      [tok('SECTION_STAFF', '511921'), 'FORBIDDEN'], // not a governance writer
      [undefined, 'UNAUTHENTICATED'],
    ];
    for (const [token, code] of attempts) {
      const result = await app.request(CreateGovernanceBodyDocument, { input }, { token });
      expect(result.errors?.[0]?.extensions?.code, code).toBe(code);
      const update = await app.request(
        UpdateGovernanceBodyDocument,
        { input: { id: bodyId, version: 3, charterAdopted: false } },
        { token: token === villageOp(CHENGNAN) ? villageOp(NANSI) : token },
      );
      expect(update.errors?.[0]?.extensions?.code).toBe(code);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('reads need a signed-in caller inside the subtree', async () => {
    const anonymous = await app.request(VillageBodiesDocument, { code: CHENGNAN });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonymous.data?.area?.council).toBeNull();
    const outside = await app.request(VillageBodiesDocument, { code: CHENGNAN }, { token: townshipOp(OTHER_TOWNSHIP) });
    expect(outside.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const county = await app.request(CoverageTableDocument, { code: '511921', bodyType: 'WEDDINGS_FUNERALS_COUNCIL' }, { token: villageOp() });
    expect(county.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const list = await app.query(GovernanceBodiesDocument, { code: BIZHOU }, { token: tok('VIEWER', BIZHOU) });
    expect(list.area!.governanceBodies!.nodes.map((b) => b.area.code)).toEqual([CHENGNAN]);

    const byId = '{ node(id: "' + bodyId + '") { id ... on GovernanceBody { bodyType area { code } } } }';
    expect((await app.query<{ node: unknown }, never>(byId, undefined, { token: tok('VIEWER', BIZHOU) })).node).toEqual({
      id: bodyId,
      bodyType: 'WEDDINGS_FUNERALS_COUNCIL',
      area: { code: CHENGNAN },
    });
    expect((await app.request(byId, undefined, { token: townshipOp(OTHER_TOWNSHIP) })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await app.request(byId)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('demonstration programmes (示范创建)', () => {
  let programmeId: string;
  let enrolmentId: string;

  it('the county defines a programme; others may not; a duplicate is rejected', async () => {
    const events = await eventCount();
    const input = { name: '第三批省级城乡社区治理示范创建(测试)', level: 'PROVINCE' as const, year: YEAR };
    const { createDemonstrationProgramme } = await app.query(CreateDemonstrationProgrammeDocument, { input }, { token: admin() });
    expect(createDemonstrationProgramme.userErrors).toEqual([]);
    programmeId = createDemonstrationProgramme.programme!.id;
    expect(await eventCount()).toBe(events + 1);
    expect(await lastEvent()).toMatchObject({ subject_kind: 'DEMONSTRATION', action: 'CREATED', area_code: COUNTY });

    const before = await snapshot();
    const again = await app.query(CreateDemonstrationProgrammeDocument, { input }, { token: admin() });
    expect(again.createDemonstrationProgramme.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'name'] })]);
    const badYear = await app.query(CreateDemonstrationProgrammeDocument, { input: { ...input, name: 'x', year: 1800 } }, { token: admin() });
    expect(badYear.createDemonstrationProgramme.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'year'] })]);
    const township = await app.request(CreateDemonstrationProgrammeDocument, { input: { ...input, name: '乡镇自建' } }, { token: townshipOp() });
    expect(township.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);

    const stale = await app.query(UpdateDemonstrationProgrammeDocument, { input: { id: programmeId, version: 9, year: YEAR + 1 } }, { token: admin() });
    expect(stale.updateDemonstrationProgramme.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'version'] })]);
    expect(await snapshot()).toEqual(before);
    const { updateDemonstrationProgramme } = await app.query(
      UpdateDemonstrationProgrammeDocument,
      { input: { id: programmeId, version: 1, description: '壁州街道及其三个城市社区' } },
      { token: admin() },
    );
    expect(updateDemonstrationProgramme.programme).toMatchObject({ version: 2 });
    expect(await eventCount()).toBe(events + 2);
  });

  it("a programme belongs to its county: another county's admin neither sees nor changes it", async () => {
    const outsider = tok('COUNTY_ADMIN', '511922');
    const before = await snapshot();
    const update = await app.request(UpdateDemonstrationProgrammeDocument, { input: { id: programmeId, version: 2, year: YEAR + 1 } }, { token: outsider });
    expect(update.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
    const { demonstrationProgrammes } = await app.query(DemonstrationProgrammesDocument, {}, { token: outsider });
    expect(demonstrationProgrammes.totalCount).toBe(0);
    const byId = '{ node(id: "' + programmeId + '") { id ... on DemonstrationProgramme { name area { code } } } }';
    expect((await app.query<{ node: unknown }, never>(byId, undefined, { token: outsider })).node).toBeNull();
    expect((await app.query<{ node: unknown }, never>(byId, undefined, { token: villageOp() })).node).toMatchObject({
      id: programmeId,
      area: { code: COUNTY },
    });
  });

  it('enrols 壁州街道 and a community as APPLIED, once each, townships or villages only', async () => {
    const events = await eventCount();
    const { enrolInDemonstration } = await app.query(EnrolInDemonstrationDocument, { input: { programmeId, areaCode: '511921001' } }, { token: admin() });
    expect(enrolInDemonstration.enrolment).toMatchObject({
      status: 'APPLIED',
      nextStatuses: ['CREATING', 'DROPPED'],
      version: 1,
      area: { code: BIZHOU, name: '壁州街道' },
    });
    enrolmentId = enrolInDemonstration.enrolment!.id;
    const community = await app.query(EnrolInDemonstrationDocument, { input: { programmeId, areaCode: CHENGNAN } }, { token: admin() });
    expect(community.enrolInDemonstration.userErrors).toEqual([]);
    expect(await eventCount()).toBe(events + 2);

    const before = await snapshot();
    const twice = await app.query(EnrolInDemonstrationDocument, { input: { programmeId, areaCode: BIZHOU } }, { token: admin() });
    expect(twice.enrolInDemonstration.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'areaCode'] })]);
    const county = await app.query(EnrolInDemonstrationDocument, { input: { programmeId, areaCode: '511921' } }, { token: admin() });
    expect(county.enrolInDemonstration.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'areaCode'] })]);
    const unknown = await app.query(
      EnrolInDemonstrationDocument,
      { input: { programmeId: 'RGVtb25zdHJhdGlvblByb2dyYW1tZTo5OTk5', areaCode: BIZHOU } },
      { token: admin() },
    );
    expect(unknown.enrolInDemonstration.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'programmeId'] })]);
    const township = await app.request(EnrolInDemonstrationDocument, { input: { programmeId, areaCode: NANSI } }, { token: townshipOp() });
    expect(township.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
  });

  it('walks APPLIED → CREATING → ASSESSED → AWARDED, one event per step, and rejects every other move', async () => {
    const before = await snapshot();
    const skip = await app.query(ChangeEnrolmentStatusDocument, { input: { id: enrolmentId, version: 1, status: 'ASSESSED' } }, { token: admin() });
    expect(skip.changeEnrolmentStatus).toEqual({
      enrolment: null,
      userErrors: [expect.objectContaining({ code: 'INVALID_TRANSITION', field: ['input', 'status'] })],
    });
    expect(skip.changeEnrolmentStatus.userErrors[0].message).toContain('cannot go from APPLIED to ASSESSED');
    const township = await app.request(ChangeEnrolmentStatusDocument, { input: { id: enrolmentId, version: 1, status: 'CREATING' } }, { token: townshipOp() });
    expect(township.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);

    let version = 1;
    for (const status of ['CREATING', 'ASSESSED', 'AWARDED'] as const) {
      const events = await eventCount();
      const { changeEnrolmentStatus } = await app.query(
        ChangeEnrolmentStatusDocument,
        { input: { id: enrolmentId, version, status, note: `${status} 佐证` } },
        { token: admin() },
      );
      expect(changeEnrolmentStatus.userErrors).toEqual([]);
      expect(changeEnrolmentStatus.enrolment).toMatchObject({ status, version: ++version });
      expect(await eventCount()).toBe(events + 1);
      expect(await lastEvent()).toMatchObject({
        subject_id: enrolmentId,
        action: 'STATUS_CHANGED',
        area_code: BIZHOU,
        after: expect.objectContaining({ status }),
      });
    }
    const after = await snapshot();
    for (const status of ['DROPPED', 'APPLIED', 'AWARDED'] as const) {
      const { changeEnrolmentStatus } = await app.query(ChangeEnrolmentStatusDocument, { input: { id: enrolmentId, version, status } }, { token: admin() });
      expect(changeEnrolmentStatus.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION' })]);
    }
    const stale = await app.query(ChangeEnrolmentStatusDocument, { input: { id: enrolmentId, version: 1, status: 'DROPPED' } }, { token: admin() });
    expect(stale.changeEnrolmentStatus.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'version'] })]);
    expect(await snapshot()).toEqual(after);
  });

  it('drops from a non-final state; evidence is append-only and comes from the area, its township or the county', async () => {
    const { area } = await app.query(AreaEnrolmentsDocument, { code: CHENGNAN }, { token: villageOp() });
    const community = area!.demonstrationEnrolments!.nodes[0];
    expect(community.area.code).toBe(CHENGNAN);

    const events = await eventCount();
    const own = await app.query(
      AddDemonstrationEvidenceDocument,
      { input: { enrolmentId: community.id, note: '社区议事协商活动记录' } },
      { token: villageOp() },
    );
    expect(own.addDemonstrationEvidence.enrolment!.evidence.nodes).toEqual([{ note: '社区议事协商活动记录', recordedBy: `VILLAGE_OPERATOR ${CHENGNAN}` }]);
    expect(await eventCount()).toBe(events + 1);

    const before = await snapshot();
    const other = await app.request(AddDemonstrationEvidenceDocument, { input: { enrolmentId: community.id, note: 'x' } }, { token: villageOp(NANSI) });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const empty = await app.query(AddDemonstrationEvidenceDocument, { input: { enrolmentId: community.id, note: '' } }, { token: villageOp() });
    expect(empty.addDemonstrationEvidence.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'note'] })]);
    expect(await snapshot()).toEqual(before);

    const dropped = await app.query(ChangeEnrolmentStatusDocument, { input: { id: community.id, version: 1, status: 'DROPPED' } }, { token: admin() });
    expect(dropped.changeEnrolmentStatus.enrolment).toMatchObject({ status: 'DROPPED', nextStatuses: [] });
    const late = await app.query(AddDemonstrationEvidenceDocument, { input: { enrolmentId: community.id, note: '补充材料' } }, { token: admin() });
    expect(late.addDemonstrationEvidence.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT' })]);
  });

  it('lists enrolments by subtree and programme, cut to what the caller may read', async () => {
    const county = await app.query(AreaEnrolmentsDocument, { code: '511921', programmeId }, { token: admin() });
    expect(county.area!.demonstrationEnrolments!.nodes.map((e) => [e.area.code, e.status])).toEqual([
      [BIZHOU, 'AWARDED'],
      [CHENGNAN, 'DROPPED'],
    ]);
    const awarded = await app.query(AreaEnrolmentsDocument, { code: '511921', status: 'AWARDED', first: 1 }, { token: admin() });
    expect(awarded.area!.demonstrationEnrolments!.totalCount).toBe(1);
    const { demonstrationProgrammes } = await app.query(DemonstrationProgrammesDocument, { year: YEAR }, { token: villageOp() });
    const mine = demonstrationProgrammes.nodes.find((p) => p.id === programmeId)!;
    expect(mine.enrolments.nodes.map((e) => e.area.code)).toEqual([CHENGNAN]);
    const anonymous = await app.request(DemonstrationProgrammesDocument, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('village-affairs openness (村务公开)', () => {
  const quarter = LAST_QUARTER.text;
  const day = (offset: number) => new Date(Date.parse(`${LAST_QUARTER.start}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  const all = (codes: string[]): OpennessEntryInput[] =>
    codes.map((itemCode, i) => ({ itemCode, published: true, form: 'NOTICE_BOARD', publishedOn: day(i), checkedBy: '乡镇民政办' }));
  let items: string[];

  it('serves the configured checklist', async () => {
    const { opennessChecklist } = await app.query(OpennessChecklistDocument, {}, { token: villageOp() });
    items = opennessChecklist.map((item) => item.code);
    expect(items).toEqual(['FINANCES', 'ASSISTANCE_RECIPIENTS', 'PROJECTS', 'COLLECTIVE_ASSETS', 'SUBSIDIES']);
    expect(opennessChecklist.find((i) => i.code === 'ASSISTANCE_RECIPIENTS')!.name).toBe('救助对象名单');
  });

  it('a village records its quarter: compliant when every active item is published; one event', async () => {
    const events = await eventCount();
    const partial = await app.query(
      RecordOpennessDocument,
      { input: { areaCode: CHENGNAN, quarter, entries: [...all(items.slice(0, 4)), { itemCode: 'SUBSIDIES', published: false }] } },
      { token: villageOp() },
    );
    expect(partial.recordOpenness.userErrors).toEqual([]);
    expect(partial.recordOpenness.record).toMatchObject({ quarter, compliant: false, missingItems: [{ code: 'SUBSIDIES' }] });
    expect(await eventCount()).toBe(events + 1);
    expect(await lastEvent()).toMatchObject({ subject_kind: 'OPENNESS', action: 'REPORTED', area_code: CHENGNAN });

    const { recordOpenness } = await app.query(
      RecordOpennessDocument,
      {
        input: { areaCode: CHENGNAN, quarter, entries: [{ itemCode: 'SUBSIDIES', published: true, form: 'BOTH', publishedOn: LAST_QUARTER.end, version: 1 }] },
      },
      { token: townshipOp() },
    );
    expect(recordOpenness.userErrors).toEqual([]);
    expect(recordOpenness.record).toMatchObject({ compliant: true, missingItems: [] });
    expect(recordOpenness.record!.entries.find((e) => e.item.code === 'SUBSIDIES')).toMatchObject({ published: true, form: 'BOTH', version: 2 });
    expect(await eventCount()).toBe(events + 2);
  });

  it('rejects bad records with every problem named, and writes nothing', async () => {
    const before = await snapshot();
    const attempt = (input: object, token = villageOp(NANSI)) =>
      app.query(RecordOpennessDocument, { input: { areaCode: NANSI, quarter, entries: all(['FINANCES']), ...input } as never }, { token });
    const many = await attempt({
      entries: [
        { itemCode: 'NOPE', published: true, form: 'ONLINE', publishedOn: day(1) },
        { itemCode: 'PROJECTS', published: true, form: 'ONLINE', publishedOn: day(200) },
        { itemCode: 'FINANCES', published: true },
        { itemCode: 'SUBSIDIES', published: false, form: 'ONLINE' },
      ],
    });
    expect(many.recordOpenness.record).toBeNull();
    expect(many.recordOpenness.userErrors.map((e) => [e.code, e.field!.join('.')])).toEqual([
      ['BAD_USER_INPUT', 'input.entries.0.itemCode'],
      ['BAD_USER_INPUT', 'input.entries.1.publishedOn'],
      ['BAD_USER_INPUT', 'input.entries.2.form'],
      ['BAD_USER_INPUT', 'input.entries.2.publishedOn'],
      ['BAD_USER_INPUT', 'input.entries.3.form'],
    ]);
    expect(many.recordOpenness.userErrors[0].message).toContain('"NOPE" is not an item of the openness checklist');
    expect(many.recordOpenness.userErrors[1].message).toContain(`outside ${quarter}`);

    const malformed = await attempt({ quarter: '2026Q5' });
    expect(malformed.recordOpenness.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'quarter'] })]);
    const future = parseQuarter(`${YEAR + 1}Q1`);
    const ahead = await attempt({ quarter: future.text, entries: [{ itemCode: 'FINANCES', published: false }] });
    expect(ahead.recordOpenness.userErrors).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'quarter'], message: expect.stringContaining('is in the future') }),
    ]);
    const town = await attempt({ areaCode: BIZHOU }, townshipOp());
    expect(town.recordOpenness.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'areaCode'] })]);
    const none = await attempt({ entries: [] });
    expect(none.recordOpenness.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'entries'] })]);
    expect(await snapshot()).toEqual(before);
  });

  it("re-recording needs the entry's current version: CONFLICT otherwise, nothing written", async () => {
    const before = await snapshot();
    for (const version of [null, 1, 7]) {
      const { recordOpenness } = await app.query(
        RecordOpennessDocument,
        { input: { areaCode: CHENGNAN, quarter, entries: [{ itemCode: 'SUBSIDIES', published: false, version }] } },
        { token: villageOp() },
      );
      expect(recordOpenness.userErrors, String(version)).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'entries', '0', 'version'] })]);
    }
    const fresh = await app.query(
      RecordOpennessDocument,
      { input: { areaCode: NANSI, quarter, entries: [{ itemCode: 'SUBSIDIES', published: false, version: 1 }] } },
      { token: villageOp(NANSI) },
    );
    expect(fresh.recordOpenness.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    expect(await snapshot()).toEqual(before);
  });

  it("writes only inside the caller's subtree and role", async () => {
    const before = await snapshot();
    const input = { areaCode: NANSI, quarter, entries: all(['FINANCES']) };
    for (const [token, code] of [
      [villageOp(CHENGNAN), 'FORBIDDEN'],
      [townshipOp(OTHER_TOWNSHIP), 'FORBIDDEN'],
      [tok('VIEWER', BIZHOU), 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      const result = await app.request(RecordOpennessDocument, { input }, { token });
      expect(result.errors?.[0]?.extensions?.code).toBe(code);
    }
    const item = await app.request(CreateOpennessItemDocument, { input: { code: 'MEETINGS', name: '会议决议' } }, { token: townshipOp() });
    expect(item.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const read = await app.request(VillageOpennessDocument, { code: CHENGNAN, quarter }, { token: villageOp(NANSI) });
    expect(read.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
  });

  it('the checklist is configurable: a new item makes villages non-compliant until published; retiring it restores them', async () => {
    const events = await eventCount();
    const created = await app.query(CreateOpennessItemDocument, { input: { code: 'VILLAGE_RESOLUTIONS', name: '村级重大事项决议' } }, { token: admin() });
    expect(created.createOpennessItem.item).toMatchObject({ code: 'VILLAGE_RESOLUTIONS', active: true, version: 1 });
    const bad = await app.query(CreateOpennessItemDocument, { input: { code: 'bad code', name: 'x' } }, { token: admin() });
    expect(bad.createOpennessItem.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'code'] })]);
    const dup = await app.query(CreateOpennessItemDocument, { input: { code: 'FINANCES', name: 'x' } }, { token: admin() });
    expect(dup.createOpennessItem.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'code'] })]);
    expect(await eventCount()).toBe(events + 1);

    const record = await app.query(VillageOpennessDocument, { code: CHENGNAN, quarter }, { token: villageOp() });
    expect(record.area!.opennessRecord).toMatchObject({ compliant: false, missingItems: [{ code: 'VILLAGE_RESOLUTIONS' }] });

    const stale = await app.query(UpdateOpennessItemDocument, { input: { code: 'VILLAGE_RESOLUTIONS', version: 5, active: false } }, { token: admin() });
    expect(stale.updateOpennessItem.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    const retired = await app.query(UpdateOpennessItemDocument, { input: { code: 'VILLAGE_RESOLUTIONS', version: 1, active: false } }, { token: admin() });
    expect(retired.updateOpennessItem.item).toMatchObject({ active: false, version: 2 });
    expect(await eventCount()).toBe(events + 2);
    const again = await app.query(VillageOpennessDocument, { code: CHENGNAN, quarter }, { token: villageOp() });
    expect(again.area!.opennessRecord!.compliant).toBe(true);
    const inactive = await app.query(
      RecordOpennessDocument,
      { input: { areaCode: NANSI, quarter, entries: [{ itemCode: 'VILLAGE_RESOLUTIONS', published: false }] } },
      { token: villageOp(NANSI) },
    );
    expect(inactive.recordOpenness.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'entries', '0', 'itemCode'] })]);
    const { opennessChecklist } = await app.query(OpennessChecklistDocument, { includeInactive: true }, { token: villageOp() });
    expect(opennessChecklist).toHaveLength(6);
  });
});

describe('roll-ups over the demo data', () => {
  const quarter = LAST_QUARTER.text;

  beforeAll(async () => {
    await governanceDemoSeeder.run(app.orm, COUNTY, civgraph);
  });

  it('the seeder is deterministic, marked demo, idempotent, and follows the speech', async () => {
    const before = await snapshot();
    await governanceDemoSeeder.run(app.orm, COUNTY, civgraph);
    expect(await snapshot()).toEqual(before);
    const shares = await db<{ body_type: string; n: number }>(
      `select body_type, count(*)::int as n from governance_body group by body_type order by body_type`,
    );
    const n = Object.fromEntries(shares.map((row) => [row.body_type, row.n / 367]));
    expect(n.WEDDINGS_FUNERALS_COUNCIL).toBeGreaterThan(0.75);
    expect(n.WEDDINGS_FUNERALS_COUNCIL).toBeLessThan(0.95);
    expect(n.DELIBERATION_COUNCIL).toBeGreaterThan(0.6);
    expect(n.DELIBERATION_COUNCIL).toBeLessThan(0.8);
    const provincial = await db<{ area_code: string }>(
      `select e.area_code from demonstration_enrolment e join demonstration_programme p on p.id = e.programme_id
        where p.name = '第三批省级城乡社区治理示范创建' and p.source = 'DEMO' order by e.area_code`,
    );
    expect(provincial.map((r) => r.area_code)).toEqual([BIZHOU, '511921001001', '511921001002', '511921001003']);
    expect(await count(`openness_entry where source = 'DEMO' and quarter = '${previousQuarter(LAST_QUARTER).text}'`)).toBeGreaterThan(1500);
    expect(await count(`openness_entry where source = 'DEMO' and not published`)).toBeGreaterThan(0);
    expect(await count('progress_update')).toBe((before[0] as { events: number }).events);
  });

  it.each(['WEDDINGS_FUNERALS_COUNCIL', 'DELIBERATION_COUNCIL'] as const)('%s coverage: county = Σ townships = counting at the villages', async (bodyType) => {
    const { area } = await app.query(CoverageTableDocument, { code: '511921', bodyType }, { token: admin() });
    const leaves = await app.query(CountyBodiesAtLeavesDocument, { code: '511921', bodyType }, { token: admin() });
    const atLeaves = new Map(
      leaves.area!.children.nodes.map((t) => [
        t.code,
        { villages: t.children.nodes.length, withBody: t.children.nodes.filter((v) => v.governanceBody).length },
      ]),
    );
    for (const township of area!.children.nodes) {
      expect(township.governanceCoverage, township.code).toMatchObject({
        villageCount: atLeaves.get(township.code)!.villages,
        villagesWithBody: atLeaves.get(township.code)!.withBody,
      });
    }
    const total = area!.governanceCoverage!;
    expect(total.villageCount).toBe(367);
    expect(total.villagesWithBody).toBe([...atLeaves.values()].reduce((sum, t) => sum + t.withBody, 0));
    expect(total.villagesWithBody).toBe(await count(`governance_body where body_type = '${bodyType}'`));
    expect(total.share).toBeCloseTo(total.villagesWithBody / 367, 4);
  });

  it('lists the villages without a body, page by page, exactly those counted as missing', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    do {
      const { area }: CoverageGapsQuery = await app.query(
        CoverageGapsDocument,
        { code: '511921', bodyType: 'DELIBERATION_COUNCIL', first: 25, after },
        { token: admin() },
      );
      const coverage: NonNullable<NonNullable<CoverageGapsQuery['area']>['governanceCoverage']> = area!.governanceCoverage!;
      total = coverage.villagesWithout.totalCount;
      expect(total).toBe(coverage.villageCount - coverage.villagesWithBody);
      seen.push(...coverage.villagesWithout.nodes.map((v) => v.code));
      after = coverage.villagesWithout.pageInfo.hasNextPage ? coverage.villagesWithout.pageInfo.endCursor : null;
    } while (after);
    const expected = await db<{ code: string }>(
      `select code from area a where level = 'VILLAGE' and code like '511921%'
         and not exists (select 1 from governance_body b where b.area_code = a.code and b.body_type = 'DELIBERATION_COUNCIL') order by code`,
    );
    expect(seen).toEqual(expected.map((r) => r.code));
    expect(seen).toHaveLength(total);
  });

  it('openness compliance for a quarter: county = Σ townships = counting at the villages, and the non-compliant list matches', async () => {
    const { area } = await app.query(ComplianceTableDocument, { code: '511921', quarter }, { token: admin() });
    const leaves = await app.query(CountyOpennessAtLeavesDocument, { code: '511921', quarter }, { token: admin() });
    const nonCompliantAtLeaves: string[] = [];
    for (const township of leaves.area!.children.nodes) {
      const villages = township.children.nodes;
      const compliant = villages.filter((v) => v.opennessRecord!.compliant).length;
      nonCompliantAtLeaves.push(...villages.filter((v) => !v.opennessRecord!.compliant).map((v) => v.code));
      expect(area!.children.nodes.find((t) => t.code === township.code)!.opennessCompliance, township.code).toMatchObject({
        villageCount: villages.length,
        compliantCount: compliant,
      });
    }
    const total = area!.opennessCompliance!;
    expect(total).toMatchObject({ quarter, villageCount: 367, compliantCount: 367 - nonCompliantAtLeaves.length });
    expect(total.rate).toBeCloseTo((367 - nonCompliantAtLeaves.length) / 367, 4);
    expect(nonCompliantAtLeaves.length).toBeGreaterThan(0); // the demo data has gaps
    expect(total.compliantCount).toBeGreaterThan(200);

    const listed: string[] = [];
    let after: string | null | undefined = null;
    do {
      const page: NonCompliantVillagesQuery = await app.query(NonCompliantVillagesDocument, { code: '511921', quarter, first: 20, after }, { token: admin() });
      const list = page.area!.opennessCompliance!.nonCompliantVillages;
      expect(list.totalCount).toBe(nonCompliantAtLeaves.length);
      listed.push(...list.nodes.map((v) => v.code));
      after = list.pageInfo.hasNextPage ? list.pageInfo.endCursor : null;
    } while (after);
    expect(listed).toEqual([...nonCompliantAtLeaves].sort());
  });

  it("a township operator sees their township's roll-ups only", async () => {
    const { area } = await app.query(ComplianceTableDocument, { code: BIZHOU, quarter }, { token: townshipOp() });
    expect(area!.opennessCompliance!.villageCount).toBe(area!.children.nodes.length);
    const county = await app.request(ComplianceTableDocument, { code: '511921', quarter }, { token: townshipOp() });
    expect(county.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(county.data?.area?.opennessCompliance).toBeNull();
    const anonymous = await app.request(ComplianceTableDocument, { code: BIZHOU, quarter });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const malformed = await app.request(ComplianceTableDocument, { code: BIZHOU, quarter: '2026-3' }, { token: townshipOp() });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'quarter' });
  });

  describe('SQL statements', () => {
    // area; its own roll-up and its children (same tick, two loaders); all children's roll-ups in one batch.
    it('county → 33 townships coverage table: 4 statements, the same as one township → its villages', async () => {
      const county = await app.measure(() => app.query(CoverageTableDocument, { code: '511921', bodyType: 'WEDDINGS_FUNERALS_COUNCIL' }, { token: admin() }));
      expect(county.result.area!.children.nodes).toHaveLength(33);
      expect(county.count, county.statements.join('\n---\n')).toBe(4);
      const township = await app.measure(() => app.query(CoverageTableDocument, { code: BIZHOU, bodyType: 'WEDDINGS_FUNERALS_COUNCIL' }, { token: admin() }));
      expect(township.count).toBe(4);
    });

    it('county → 33 townships compliance table: 4 statements', async () => {
      const { count: statements } = await app.measure(() => app.query(ComplianceTableDocument, { code: '511921', quarter }, { token: admin() }));
      expect(statements).toBe(4);
    });

    it("every village's body or openness record across the county: a constant handful, not one per village", async () => {
      const bodies = await app.measure(() => app.query(CountyBodiesAtLeavesDocument, { code: '511921', bodyType: 'DELIBERATION_COUNCIL' }, { token: admin() }));
      // The county's townships and their villages in one statement (look-ahead).
      expect(bodies.count, bodies.statements.join('\n---\n')).toBe(3);
      const openness = await app.measure(() => app.query(CountyOpennessAtLeavesDocument, { code: '511921', quarter }, { token: admin() }));
      expect(openness.count, openness.statements.join('\n---\n')).toBe(4);
    });

    it('paged lists with their nested connections stay flat', async () => {
      const bodies = await app.measure(() => app.query(GovernanceBodiesDocument, { code: '511921', first: 100 }, { token: admin() }));
      expect(bodies.result.area!.governanceBodies!.nodes).toHaveLength(100);
      expect(bodies.count).toBe(4); // area, bodies page + total, their villages, meeting counts
      const enrolments = await app.measure(() => app.query(AreaEnrolmentsDocument, { code: '511921' }, { token: admin() }));
      expect(enrolments.result.area!.demonstrationEnrolments!.totalCount).toBeGreaterThan(10);
      expect(enrolments.count).toBe(5); // area, enrolments, their areas, programmes, evidence
    });
  });
});
