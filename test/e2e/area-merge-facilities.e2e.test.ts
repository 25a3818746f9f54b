import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

// Facilities follow their territory when villages are merged (两项改革).
let app: TestApp;
let admin: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

const today = new Date();
const monthStart = `${today.getUTCFullYear()}-${String(today.getUTCMonth() + 1).padStart(2, '0')}-01`;

const CREATE = `mutation ($input: CreateFacilityInput!) { createFacility(input: $input) { facility { id version area { code } } userErrors { code message } } }`;
const MERGE = `mutation ($input: MergeAreasInput!) { mergeAreas(input: $input) { target { code } userErrors { code field message } } }`;
const RETIRE = `mutation ($input: RetireAreaInput!) { retireArea(input: $input) { userErrors { code field message } } }`;
const FACILITY = `query ($id: ID!) { node(id: $id) { ... on Facility { version area { code } } } }`;

async function events(): Promise<{ subject_kind: string; summary: string }[]> {
  return app.orm.em.fork().getConnection().execute('select subject_kind, summary from progress_update order by sequence');
}

async function createPoint(area: string, name: string): Promise<string> {
  const created = await app.query<{ createFacility: { facility: { id: string }; userErrors: unknown[] } }, unknown>(
    CREATE,
    { input: { name, type: 'MINOR_PROTECTION_POINT', area, operatingModel: 'PUBLIC', status: 'OPERATING', beds: 0, occupiedBeds: 0 } },
    { token: admin },
  );
  expect(created.createFacility.userErrors).toEqual([]);
  return created.createFacility.facility.id;
}

describe('merging villages', () => {
  it('moves their facilities to the successor, each with a new version and its own event', async () => {
    const id = await createPoint('511921101201', '未成年人保护点(甲)');
    const before = (await events()).length;
    const merged = await app.query<{ mergeAreas: { userErrors: unknown[] } }, unknown>(
      MERGE,
      { input: { sources: ['511921101201'], target: '511921101202', effectiveDate: monthStart } },
      { token: admin },
    );
    expect(merged.mergeAreas.userErrors).toEqual([]);
    const facility = await app.query<{ node: { version: number; area: { code: string } } }, unknown>(FACILITY, { id }, { token: admin });
    expect(facility.node).toEqual({ version: 2, area: { code: '511921101202' } });
    const after = await events();
    expect(after.length).toBe(before + 2);
    expect(after.slice(-2).map((e) => e.subject_kind)).toEqual(['FACILITY', 'AREA']);
    expect(after.at(-2)!.summary).toContain('随区划调整');
  });

  it('refuses to retire an area without successor while facilities stand in it, and writes nothing', async () => {
    await createPoint('511921101200', '未成年人保护点(乙)');
    const before = (await events()).length;
    const result = await app.query<{ retireArea: { userErrors: { code: string; message: string }[] } }, unknown>(
      RETIRE,
      { input: { area: '511921101200', effectiveDate: monthStart } },
      { token: admin },
    );
    expect(result.retireArea.userErrors).toEqual([expect.objectContaining({ message: expect.stringContaining('facilities') })]);
    expect((await events()).length).toBe(before);
    const [area] = await app.orm.em.fork().getConnection().execute(`select valid_to from area where code = '511921101200'`);
    expect(area.valid_to).toBeNull();
  });
});
