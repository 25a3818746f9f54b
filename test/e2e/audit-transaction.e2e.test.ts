import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogLines } from '../support/log.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createProbeTable, probeSchema, RECORD_PROBE } from '../support/probe.resolver.js';

// A mutation's audit row is written in the transaction of its change
// (src/modules/audit/audit.wrap.ts): no change commits without its row. To make
// the audit insert fail without mocking anything, this file's own database gets
// a CHECK constraint on audit_log that refuses arguments carrying a marker.

let app: TestApp;
let admin: string;
const TIEFO = '511921104'; // 铁佛镇
const MARKER = 'AUDIT-REFUSES-THIS';

beforeAll(async () => {
  app = await startTestApp({ schema: await probeSchema() });
  await createProbeTable(app.orm);
  await sql(`alter table audit_log add constraint test_refuses_marker check (position('${MARKER}' in args::text) = 0)`);
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return app.orm.em.fork().getConnection().execute(text, params);
}

async function counts() {
  const [row] = await sql<{ notes: number; facilities: number; events: number; audits: number }>(
    `select (select count(*)::int from probe_note) as notes, (select count(*)::int from facility) as facilities,
            (select count(*)::int from progress_update) as events, (select count(*)::int from audit_log) as audits`,
  );
  return row;
}

const CREATE_FACILITY = `mutation CreateFacility($input: CreateFacilityInput!) { createFacility(input: $input) { facility { id name } userErrors { code field } } }`;
type CreateFacility = { createFacility: { facility: { id: string; name: string } | null; userErrors: { code: string; field: string[] }[] } };
const facility = (name: string) => ({ name, type: 'NURSING_HOME', area: TIEFO, operatingModel: 'PUBLIC', beds: 20, occupiedBeds: 5 });

describe('a change whose audit row cannot be written', () => {
  it("rolls back: the probe's note is gone, no audit row, and the client gets a masked error, logged", async () => {
    const before = await counts();
    const { lines: logged, release } = captureLogLines('error');
    let result;
    try {
      result = await app.request<{ recordProbe: unknown }, unknown>(
        RECORD_PROBE,
        { input: { areaCode: '511921101001', note: `${MARKER} 修好了` } },
        { token: admin },
      );
    } finally {
      release();
    }
    expect(logged).toContainEqual(
      expect.objectContaining({
        msg: expect.stringContaining('audit row could not be written'),
        mutation: 'recordProbe',
        requestId: result.errors![0].extensions!.requestId,
      }),
    );
    expect(result.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([['Internal server error', 'INTERNAL_SERVER_ERROR']]);
    expect(result.errors![0].extensions!.requestId).toMatch(/\S/);
    expect(result.data?.recordProbe ?? null).toBeNull();
    expect(await counts()).toEqual(before);
  });

  it('rolls back a real mutation with its progress event (nothing is announced)', async () => {
    const before = await counts();
    const result = await app.request<CreateFacility, unknown>(CREATE_FACILITY, { input: facility(`敬老院 ${MARKER}`) }, { token: admin });
    expect(result.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(await sql('select 1 from facility where name like ?', [`%${MARKER}%`])).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('takes back only its own change: an earlier mutation of the same request stays committed with its row', async () => {
    const before = await counts();
    const result = await app.request<unknown, unknown>(
      `mutation Two($good: CreateFacilityInput!, $bad: CreateFacilityInput!) {
        good: createFacility(input: $good) { facility { id name } userErrors { code } }
        bad: createFacility(input: $bad) { facility { id } userErrors { code } }
      }`,
      { good: facility('铁佛镇第二敬老院'), bad: facility(`坏 ${MARKER}`) },
      { token: admin },
    );
    // The payload is non-null, so the error nulls the whole answer; the first mutation had committed before.
    expect(result.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['bad', 'INTERNAL_SERVER_ERROR']]);
    expect(await sql('select name from facility where name in (?, ?)', ['铁佛镇第二敬老院', `坏 ${MARKER}`])).toEqual([{ name: '铁佛镇第二敬老院' }]);
    expect(await counts()).toEqual({ ...before, facilities: before.facilities + 1, events: before.events + 1, audits: before.audits + 1 });
  });
});

describe('a change and its audit row', () => {
  it('commit together: exactly one OK row for a successful mutation, with its change and its event', async () => {
    const before = await counts();
    const result = await app.query<CreateFacility, unknown>(CREATE_FACILITY, { input: facility('铁佛镇中心敬老院') }, { token: admin });
    expect(result.createFacility.userErrors).toEqual([]);
    expect(await counts()).toEqual({ ...before, facilities: before.facilities + 1, events: before.events + 1, audits: before.audits + 1 });
    const [row] = await sql<{ mutation: string; outcome: string; args: { input: { name: string } } }>(
      'select mutation, outcome, args from audit_log order by id desc limit 1',
    );
    expect(row).toMatchObject({ mutation: 'createFacility', outcome: 'OK', args: { input: { name: '铁佛镇中心敬老院' } } });
  });

  it('user errors and refusals change nothing and still leave exactly one row each, with their outcome', async () => {
    const before = await counts();
    const invalid = await app.query<CreateFacility, unknown>(CREATE_FACILITY, { input: { ...facility('x'), beds: 1, occupiedBeds: 5 } }, { token: admin });
    expect(invalid.createFacility.userErrors.length).toBeGreaterThan(0);
    const outsider = await app.token('TOWNSHIP_OPERATOR', '511921101');
    const refused = await app.request<CreateFacility, unknown>(CREATE_FACILITY, { input: facility('越权') }, { token: outsider });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const crashed = await app.request<unknown, unknown>(RECORD_PROBE, { input: { areaCode: '511921101001', note: 'crash', crash: true } }, { token: admin });
    expect(crashed.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(await counts()).toEqual({ ...before, audits: before.audits + 3 });
    const rows = await sql<{ mutation: string; outcome: string; error_codes: string[] }>(
      'select mutation, outcome, error_codes from audit_log order by id desc limit 3',
    );
    expect(rows.reverse()).toEqual([
      { mutation: 'createFacility', outcome: 'USER_ERRORS', error_codes: [expect.any(String)] },
      { mutation: 'createFacility', outcome: 'ERROR', error_codes: ['FORBIDDEN'] },
      { mutation: 'recordProbe', outcome: 'ERROR', error_codes: ['INTERNAL_SERVER_ERROR'] },
    ]);
  });

  it('over graphql-ws too: the change and its row commit together, or neither does', async () => {
    const before = await counts();
    const client = app.wsClient({ authorization: `Bearer ${admin}` });
    const run = (note: string) =>
      new Promise<{ data?: unknown; errors?: { extensions?: { code?: string } }[] }>((resolve, reject) => {
        let value: { data?: unknown } = {};
        client.subscribe(
          { query: RECORD_PROBE, variables: { input: { areaCode: '511921101001', note } } },
          { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
        );
      });
    expect(await run('over ws')).toEqual({ data: { recordProbe: { note: 'over ws', userErrors: [] } } });
    expect((await run(`over ws ${MARKER}`)).errors?.map((e) => e.extensions?.code)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(await counts()).toEqual({ ...before, notes: before.notes + 1, audits: before.audits + 1 });
    expect(await sql('select note from probe_note where note like ?', ['over ws%'])).toEqual([{ note: 'over ws' }]);
  });
});

describe('a spreadsheet upload', () => {
  const csv = (name: string) =>
    Buffer.from(`名称,类别,区划代码,运营模式,状态,床位,在住,运营方,投运日期\n${name},NURSING_HOME,${TIEFO},PUBLIC,OPERATING,30,10,,2020-03-01\n`);
  const upload = (body: Buffer) =>
    fetch(new URL('/imports/facilities', app.url), { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${admin}` }, body });

  it('that applied rows commits them with its audit row, or neither: a refused row takes the facilities back', async () => {
    // This database refuses the row of a facilities import that applied something (an OK outcome).
    await sql(`alter table audit_log add constraint test_refuses_import check (not (mutation = 'importFacilities' and outcome = 'OK'))`);
    try {
      const before = await counts();
      const response = await upload(csv('审计失败敬老院'));
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ requestId: expect.any(String) });
      // Before, the facility and its event committed and only the audit row was lost (logged).
      expect(await counts()).toEqual(before);
    } finally {
      await sql('alter table audit_log drop constraint test_refuses_import');
    }
    const before = await counts();
    const response = await upload(csv('审计成功敬老院'));
    expect(response.status).toBe(200);
    expect(await counts()).toEqual({ ...before, facilities: before.facilities + 1, events: before.events + 1, audits: before.audits + 1 });
    const [row] = await sql<{ outcome: string; args: { applied: number } }>(
      `select outcome, args from audit_log where mutation = 'importFacilities' order by id desc limit 1`,
    );
    expect(row).toMatchObject({ outcome: 'OK', args: { applied: 1 } });
  });
});
