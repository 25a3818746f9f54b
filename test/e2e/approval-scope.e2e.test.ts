import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

// 报送审核 is the township's; its villages read it (it decides whether they may
// report), but only through their own village or the township itself, never
// through a sibling village (issue 34: a village operator asking for another
// village's approval was given the township's).

let app: TestApp;
let township: string;
let village: string;
let sibling: string;
let otherTownship: string;
let otherVillage: string;
beforeAll(async () => {
  app = await startTestApp();
  const rows = await app.orm.em
    .getConnection()
    .execute<{ code: string; parent_code: string }[]>(`select code, parent_code from area where level = 'VILLAGE' and valid_to is null order by code`);
  const byTownship = new Map<string, string[]>();
  for (const row of rows) byTownship.set(row.parent_code, [...(byTownship.get(row.parent_code) ?? []), row.code]);
  const [first, second] = [...byTownship.entries()].filter(([, villages]) => villages.length >= 2);
  [township, [village, sibling]] = [first[0], first[1] as [string, string]];
  [otherTownship, [otherVillage]] = [second[0], second[1] as [string]];
});
afterAll(() => app?.close());

const PERIOD = '2026-05';
const APPROVAL = `query Approval($code: String!, $period: Period!) { area(code: $code) { code approval(period: $period) { id status area { code } } } }`;
const REPORTING_APPROVAL = `query ReportingApproval($code: String!, $period: Period!) { area(code: $code) { reporting(period: $period) { approval { id } } } }`;

type ApprovalData = { area: { code: string; approval: { id: string; status: string; area: { code: string } } | null } | null };

async function approvalOf(code: string, token: string) {
  return app.request<ApprovalData, unknown>(APPROVAL, { code, period: PERIOD }, { token });
}

describe('Area.approval for a village operator', () => {
  it('is FORBIDDEN for a sibling village of the same township, and reveals nothing', async () => {
    const token = await app.token('VILLAGE_OPERATOR', village);
    const result = await approvalOf(sibling, token);
    expect(result.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([['FORBIDDEN', 'area.approval']]);
    expect(result.data?.area?.approval ?? null).toBeNull();
  });

  it("is FORBIDDEN through a sibling village's completeness too", async () => {
    const token = await app.token('VILLAGE_OPERATOR', village);
    const result = await app.request<{ area: unknown }, unknown>(REPORTING_APPROVAL, { code: sibling, period: PERIOD }, { token });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(result.data ?? null)).not.toContain('ReportingApproval');
  });

  it("is the township's approval through the own village and through the township itself", async () => {
    const token = await app.token('VILLAGE_OPERATOR', village);
    const own = await approvalOf(village, token);
    expect(own.errors).toBeUndefined();
    expect(own.data!.area!.approval).toMatchObject({ status: 'OPEN', area: { code: township } });
    const atTownship = await approvalOf(township, token);
    expect(atTownship.errors).toBeUndefined();
    expect(atTownship.data!.area!.approval).toEqual(own.data!.area!.approval);
    // The same object by its global ID.
    const node = await app.request<{ node: { status: string } | null }, unknown>(
      `query($id: ID!) { node(id: $id) { ... on ReportingApproval { status } } }`,
      { id: own.data!.area!.approval!.id },
      { token },
    );
    expect(node).toEqual({ data: { node: { status: 'OPEN' } } });
  });

  it("is FORBIDDEN for another township's villages and for the other township itself", async () => {
    const token = await app.token('VILLAGE_OPERATOR', village);
    expect((await approvalOf(otherTownship, token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const stranger = await app.token('VILLAGE_OPERATOR', otherVillage);
    expect((await approvalOf(township, stranger)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('stays readable for the township operator through any of its villages', async () => {
    const token = await app.token('TOWNSHIP_OPERATOR', township);
    const result = await approvalOf(sibling, token);
    expect(result.errors).toBeUndefined();
    expect(result.data!.area!.approval).toMatchObject({ status: 'OPEN', area: { code: township } });
  });
});
