import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthOf, type Period } from '../../src/modules/stats/stats.rules.js';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * Approval knows completeness (issue 28, item 5): "a township can submit, and the
 * county approve and lock, a month in which 1 of 17 villages reported" no more.
 * Submitting with villages missing needs a 缺报说明 for each, or a county
 * 上报完整率 threshold that the reported share meets; the reviewer reads the
 * missing villages and their reasons on the approval.
 */

let app: TestApp;
const COUNTY = '511921000000';
let TOWNSHIP = '';
let villages: { code: string; name: string }[] = [];
/** A village of another township of the county. */
let OTHER_VILLAGE = '';
let ADMIN = '';
let TOWNSHIP_OP = '';
let VILLAGE_OP = '';

async function db<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return app.orm.em.fork().getConnection().execute(text, params);
}

const shift = (period: Period, months: number): Period => {
  const [y, m] = period.startMonth.split('-').map(Number) as [number, number];
  return monthOf(new Date(Date.UTC(y, m - 1 + months, 1)));
};
// Past months with no figures but those this file reports.
const MONTH = shift(monthOf(new Date()), -20).key;
const THRESHOLD_MONTH = shift(monthOf(new Date()), -21).key;
const LATE_MONTH = shift(monthOf(new Date()), -22).key;

const APPROVAL = `approval { status version submittedAt submittedBy { sub name role } expectedAreasAtSubmission reportedAreasAtSubmission
  missingAtSubmission { village { code name } reason } }`;
const SUBMIT = `mutation($input: SubmitReportingPeriodInput!) { submitReportingPeriod(input: $input) { ${APPROVAL} userErrors { code field message } } }`;
const REVIEW = `mutation($input: ReviewReportingPeriodInput!) { reviewReportingPeriod(input: $input) { ${APPROVAL} userErrors { code field message } } }`;
const THRESHOLD = `mutation($input: SetReportingCompletenessThresholdInput!) {
  setReportingCompletenessThreshold(input: $input) { setting { minReportedPercent version updatedAt county { code } } userErrors { code field message } } }`;
const READ = `query($code: String!, $period: Period!) { area(code: $code) { ${APPROVAL.replace('approval', 'approval(period: $period)')} } }`;

type Payload = { approval: Record<string, any> | null; userErrors: { code: string; field: string[] | null; message: string }[] };

async function submit(input: Record<string, unknown>, token = TOWNSHIP_OP): Promise<Payload> {
  return (await app.query<{ submitReportingPeriod: Payload }, unknown>(SUBMIT, { input }, { token })).submitReportingPeriod;
}
async function review(input: Record<string, unknown>): Promise<Payload> {
  return (await app.query<{ reviewReportingPeriod: Payload }, unknown>(REVIEW, { input }, { token: ADMIN })).reviewReportingPeriod;
}
async function setThreshold(minReportedPercent: number, token = ADMIN, county = COUNTY) {
  return app.request<{ setReportingCompletenessThreshold: { setting: Record<string, any> | null; userErrors: Payload['userErrors'] } }, unknown>(
    THRESHOLD,
    { input: { county, minReportedPercent } },
    { token },
  );
}
/** The first village reports one figure for `period`. */
async function reportFirst(period: string) {
  const result = await app.query<{ reportObservations: { userErrors: unknown[] } }, unknown>(
    `mutation($input: ReportObservationsInput!) { reportObservations(input: $input) { userErrors { code message } } }`,
    { input: { area: villages[0].code, period, values: [{ indicator: 'ORPHANS', value: '1' }] } },
    { token: VILLAGE_OP },
  );
  expect(result.reportObservations.userErrors).toEqual([]);
}

/** What a refused call must leave untouched. */
async function snapshot() {
  const [row] = await db<Record<string, string>>(
    `select (select md5(coalesce(string_agg(area_code || period || status || version || coalesce(submitted_by, ''), ',' order by area_code, period), '')) from reporting_approval) as approvals,
            (select md5(coalesce(string_agg(area_code || period || village_code || coalesce(reason, '-'), ',' order by 1), '')) from reporting_missing_reason) as reasons,
            (select md5(coalesce(string_agg(county_code || min_reported_percent || version, ','), '')) from reporting_completeness_setting) as settings,
            (select count(*)::text from progress_update) as events`,
  );
  return row;
}

beforeAll(async () => {
  app = await startTestApp();
  // A township of 17 current villages (the example), or else the largest one.
  const [found] = await db<{ code: string }>(
    `select parent_code as code from area where level = 'VILLAGE' and valid_to is null and code between '511921000001' and '511921999999'
      group by parent_code order by (count(*) = 17) desc, count(*) desc, parent_code limit 1`,
  );
  TOWNSHIP = found.code;
  villages = await db<{ code: string; name: string }>(
    `select code, name from area where parent_code = ? and level = 'VILLAGE' and valid_to is null order by code`,
    [TOWNSHIP],
  );
  expect(villages.length).toBeGreaterThan(2);
  const [other] = await db<{ code: string }>(
    `select min(code) as code from area where level = 'VILLAGE' and code between '511921000001' and '511921999999' and parent_code <> ?`,
    [TOWNSHIP],
  );
  OTHER_VILLAGE = other.code;
  // Another county, for its admin (a token's area must exist).
  await db(
    `insert into area (code, name, level, parent_code, source) values ('511922000000', '南江县', 'COUNTY', '511900000000', 'TEST') on conflict do nothing`,
  );
  ADMIN = await app.token('COUNTY_ADMIN', '511921');
  TOWNSHIP_OP = await app.token('TOWNSHIP_OPERATOR', TOWNSHIP.slice(0, 9), { name: '乡镇填报员' });
  VILLAGE_OP = await app.token('VILLAGE_OPERATOR', villages[0].code);
  await reportFirst(MONTH);
  await reportFirst(THRESHOLD_MONTH);
  await reportFirst(LATE_MONTH);
});
afterAll(() => app?.close());

const missingVillages = () => villages.slice(1);
const reasonsFor = (list: { code: string }[], reason = '村委换届，数据延后') => list.map((v) => ({ area: v.code, reason }));

describe('submitting a period knows its completeness', () => {
  it('refuses a month in which 1 village of the township reported, naming how many and which are missing', async () => {
    const before = await snapshot();
    const refused = await submit({ area: TOWNSHIP, period: MONTH });
    expect(refused.approval).toBeNull();
    expect(refused.userErrors).toEqual([
      { code: 'BAD_USER_INPUT', field: ['input', 'missingReasons'], message: expect.stringMatching(new RegExp(`^还有 ${villages.length - 1} 个村未报：`)) },
    ]);
    const message = refused.userErrors[0].message;
    expect(message).toContain(`${missingVillages()[0].name}（${missingVillages()[0].code}）`);
    expect(message).toContain('请逐村说明原因');
    expect(message).toContain(`已报 1/${villages.length}`);
    expect(message).not.toContain(villages[0].code);
    // Some reasons are not enough: the rest are named.
    const partial = await submit({ area: TOWNSHIP, period: MONTH, missingReasons: reasonsFor(missingVillages().slice(1)) });
    expect(partial.userErrors).toEqual([
      { code: 'BAD_USER_INPUT', field: ['input', 'missingReasons'], message: expect.stringMatching(/^还有 1 个未报村没有缺报说明/) },
    ]);
    expect(partial.userErrors[0].message).toContain(missingVillages()[0].code);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses reasons for a village that reported, of another township, empty or over 200 characters, and writes nothing', async () => {
    const before = await snapshot();
    const all = reasonsFor(missingVillages());
    const refused = await submit({
      area: TOWNSHIP,
      period: MONTH,
      missingReasons: [...all, { area: villages[0].code, reason: '其实报了' }, { area: OTHER_VILLAGE, reason: '别的乡镇' }],
    });
    expect(refused.approval).toBeNull();
    expect(refused.userErrors).toEqual([
      { code: 'BAD_USER_INPUT', field: ['input', 'missingReasons', String(all.length), 'area'], message: expect.stringContaining('本期已上报') },
      { code: 'BAD_USER_INPUT', field: ['input', 'missingReasons', String(all.length + 1), 'area'], message: expect.stringContaining('不是本乡镇的村') },
    ]);
    const blank = await submit({
      area: TOWNSHIP,
      period: MONTH,
      missingReasons: all.map((r, i) => (i === 0 ? { ...r, reason: '  ' } : i === 1 ? { ...r, reason: '长'.repeat(201) } : r)),
    });
    expect(blank.userErrors).toEqual([
      { code: 'BAD_USER_INPUT', field: ['input', 'missingReasons', '0', 'reason'], message: '缺报说明不能为空' },
      { code: 'BAD_USER_INPUT', field: ['input', 'missingReasons', '1', 'reason'], message: '缺报说明最多 200 字，收到 201 字' },
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'missingReasons'] }),
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('accepts a reason for every missing village; the reviewer and the township read who, when and why', async () => {
    const reasons = reasonsFor(missingVillages()).map((r, i) => (i === 0 ? { ...r, reason: '  村文书外出务工，月底补报  ' } : r));
    const accepted = await submit({ area: TOWNSHIP, period: MONTH, missingReasons: reasons, version: 0 });
    expect(accepted.userErrors).toEqual([]);
    const expected = {
      status: 'SUBMITTED',
      version: 1,
      submittedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/),
      submittedBy: { sub: expect.any(String), name: '乡镇填报员', role: 'TOWNSHIP_OPERATOR' },
      expectedAreasAtSubmission: villages.length,
      reportedAreasAtSubmission: 1,
      missingAtSubmission: missingVillages().map((v, i) => ({
        village: { code: v.code, name: v.name },
        reason: i === 0 ? '村文书外出务工，月底补报' : '村委换届，数据延后',
      })),
    };
    expect(accepted.approval).toEqual(expected);
    // The county admin reviewing, the township, and a village of it read the same.
    for (const token of [ADMIN, TOWNSHIP_OP, VILLAGE_OP]) {
      const read = await app.query<{ area: { approval: unknown } }, unknown>(READ, { code: TOWNSHIP, period: MONTH }, { token });
      expect(read.area.approval).toEqual(expected);
    }
    const [event] = await db<{ summary: string }>(`select summary from progress_update where subject_kind = 'REPORTING_PERIOD' order by sequence desc limit 1`);
    expect(event.summary).toContain(`已报 1/${villages.length}，缺报说明 ${villages.length - 1} 条`);
    // The reasons were required at submission: the county approves.
    const approved = await review({ area: TOWNSHIP, period: MONTH, decision: 'APPROVE', version: 1 });
    expect(approved.userErrors).toEqual([]);
    expect(approved.approval).toMatchObject({ status: 'APPROVED', submittedBy: { name: '乡镇填报员' }, missingAtSubmission: expected.missingAtSubmission });
  });
});

describe('the county 上报完整率 threshold', () => {
  it('set to 5 %: 1 of 17 reported is accepted without reasons, the missing villages recorded without one', async () => {
    const set = await setThreshold(5);
    expect(set.errors).toBeUndefined();
    expect(set.data!.setReportingCompletenessThreshold).toEqual({
      setting: { minReportedPercent: 5, version: 1, updatedAt: expect.any(String), county: { code: COUNTY } },
      userErrors: [],
    });
    const read = await app.query<{ area: { reportingCompletenessSetting: unknown } }, unknown>(
      `query($code: String!) { area(code: $code) { reportingCompletenessSetting { minReportedPercent version } } }`,
      { code: TOWNSHIP },
      { token: TOWNSHIP_OP },
    );
    expect(read.area.reportingCompletenessSetting).toEqual({ minReportedPercent: 5, version: 1 });
    // Audited like every mutation.
    const [audit] = await db<{ outcome: string; actor_role: string }>(
      `select outcome, actor_role from audit_log where mutation = 'setReportingCompletenessThreshold' order by id desc limit 1`,
    );
    expect(audit).toEqual({ outcome: 'OK', actor_role: 'COUNTY_ADMIN' });

    const share = Math.floor(100 / villages.length);
    expect(share).toBeGreaterThanOrEqual(5); // 1 of 17 is 5.9 %
    const accepted = await submit({ area: TOWNSHIP, period: THRESHOLD_MONTH });
    expect(accepted.userErrors).toEqual([]);
    expect(accepted.approval).toMatchObject({
      status: 'SUBMITTED',
      reportedAreasAtSubmission: 1,
      missingAtSubmission: missingVillages().map((v) => ({ village: { code: v.code, name: v.name }, reason: null })),
    });
    // Reasons may still be given, and are still checked.
    const wrong = await submit({ area: TOWNSHIP, period: LATE_MONTH, missingReasons: [{ area: villages[0].code, reason: '已报' }] });
    expect(wrong.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'missingReasons', '0', 'area'] })]);
  });

  it('raised again before the review: the county cannot approve villages missing without a reason; it returns the period', async () => {
    expect((await setThreshold(100)).data!.setReportingCompletenessThreshold.userErrors).toEqual([]);
    const before = await snapshot();
    const refused = await review({ area: TOWNSHIP, period: THRESHOLD_MONTH, decision: 'APPROVE' });
    expect(refused.approval).toBeNull();
    expect(refused.userErrors).toEqual([
      {
        code: 'BAD_USER_INPUT',
        field: ['input', 'decision'],
        message: expect.stringMatching(new RegExp(`^不能审核通过：还有 ${villages.length - 1} 个村未报`)),
      },
    ]);
    expect(await snapshot()).toEqual(before);
    expect((await review({ area: TOWNSHIP, period: THRESHOLD_MONTH, decision: 'RETURN', reason: '请逐村说明缺报原因' })).approval).toMatchObject({
      status: 'RETURNED',
    });
    const resubmitted = await submit({ area: TOWNSHIP, period: THRESHOLD_MONTH, missingReasons: reasonsFor(missingVillages(), '山洪阻断道路') });
    expect(resubmitted.userErrors).toEqual([]);
    expect(resubmitted.approval!.missingAtSubmission.every((m: { reason: string }) => m.reason === '山洪阻断道路')).toBe(true);
    expect((await review({ area: TOWNSHIP, period: THRESHOLD_MONTH, decision: 'APPROVE' })).approval).toMatchObject({ status: 'APPROVED' });
  });

  it('is 0–100 whole percent, set on a county', async () => {
    const before = await snapshot();
    for (const bad of [-1, 101]) {
      expect((await setThreshold(bad)).data!.setReportingCompletenessThreshold).toEqual({
        setting: null,
        userErrors: [{ code: 'BAD_USER_INPUT', field: ['input', 'minReportedPercent'], message: expect.stringContaining('0 到 100') }],
      });
    }
    expect((await setThreshold(50, ADMIN, TOWNSHIP)).errors?.[0]?.extensions?.code ?? 'none').toBe('none');
    expect((await setThreshold(50, ADMIN, TOWNSHIP)).data!.setReportingCompletenessThreshold.userErrors).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'county'] }),
    ]);
    expect(await snapshot()).toEqual(before);
  });
});

describe('permissions', () => {
  it('only the county admin of the county changes the threshold', async () => {
    const before = await snapshot();
    const others = [
      await app.token('TOWNSHIP_OPERATOR', TOWNSHIP.slice(0, 9)),
      await app.token('VILLAGE_OPERATOR', villages[0].code),
      await app.token('SECTION_STAFF', '511921', { section: '社会事务股' }),
      await app.token('VIEWER', '511921'),
      await app.token('COUNTY_ADMIN', '511922'),
    ];
    for (const token of others) {
      const result = await setThreshold(0, token);
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    }
    expect((await setThreshold(0, '')).errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(await snapshot()).toEqual(before);
    const [audit] = await db<{ n: number }>(
      `select count(*)::int as n from audit_log where mutation = 'setReportingCompletenessThreshold' and outcome = 'ERROR'`,
    );
    expect(audit.n).toBeGreaterThanOrEqual(others.length);
  });

  it('a township operator submits its own township only; a village operator submits none', async () => {
    const before = await snapshot();
    const [otherTownship] = await db<{ code: string }>(`select parent_code as code from area where code = ?`, [OTHER_VILLAGE]);
    const foreign = await app.request(SUBMIT, { input: { area: otherTownship.code, period: LATE_MONTH } }, { token: TOWNSHIP_OP });
    expect(foreign.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const village = await app.request(
      SUBMIT,
      { input: { area: TOWNSHIP, period: LATE_MONTH, missingReasons: reasonsFor(missingVillages()) } },
      { token: VILLAGE_OP },
    );
    expect(village.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await snapshot()).toEqual(before);
  });
});
