import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/*
 * Issue 28 item 3, the stats of a period: Area.stats (the roll-ups over the
 * subtree, at every level of a tree), statsTable and statsSeries take `knownAt`.
 * Ask with knownAt = T, then record figures (a new value for a reported figure,
 * a new value for a figure stored without history (demo data), a figure first
 * recorded after T), ask again with T: the same JSON string. Without knownAt the
 * answer moves.
 */

const COUNTY = '511921';
const TIEFO = '511921104'; // 铁佛镇
const VILLAGE = '511921104201';
const OTHER = '511921104202';

let app: TestApp;
let admin: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '局长' });
});
afterAll(() => app?.close());

const REPORT = `mutation($input: ReportObservationsInput!) { reportObservations(input: $input) { observations { version } userErrors { code field message } } }`;

async function report(area: string, period: string, values: { indicator: string; value: string }[]) {
  const data = await app.query<{ reportObservations: { userErrors: unknown[] } }, Record<string, unknown>>(
    REPORT,
    { input: { area, period, values } },
    { token: admin },
  );
  return data.reportObservations.userErrors;
}

const VALUE = 'indicator { code } persons amount reportedAreas expectedAreas demoAreas';

interface Figure {
  indicator: { code: string };
  persons: number | null;
  amount: string | null;
  reportedAreas: number;
}
/** A figure's value: persons or amount. */
const valueOf = (v: Figure) => v.persons ?? v.amount;
const INDICATORS = '["DIBAO_RURAL", "MINORS_0_17", "ELDERLY_60_PLUS", "ASSISTANCE_FUNDS_YUAN"]';

/** Every stats read of a period, with or without `knownAt`: the county's tree (the tree read), a quarter, a series, the table. */
const READS = `query($knownAt: DateTimeISO) {
  area(code: "${COUNTY}") {
    stats(period: "2026-03", indicators: ${INDICATORS}, knownAt: $knownAt) { ${VALUE} }
    quarter: stats(period: "2026Q1", indicators: ${INDICATORS}, knownAt: $knownAt) { ${VALUE} }
    year: stats(period: "2026", indicators: ${INDICATORS}, knownAt: $knownAt) { ${VALUE} }
    statsSeries(indicator: "DIBAO_RURAL", from: "2026-01", to: "2026-04", knownAt: $knownAt) { period persons reportedAreas }
    children(first: 100) { nodes { code stats(period: "2026-03", indicators: ${INDICATORS}, knownAt: $knownAt) { ${VALUE} }
      children(first: 100) { nodes { code stats(period: "2026-03", indicators: ${INDICATORS}, knownAt: $knownAt) { ${VALUE} } } } } }
  }
  village: area(code: "${VILLAGE}") { stats(period: "2026-03", indicators: ${INDICATORS}, knownAt: $knownAt) { ${VALUE} } }
  statsTable(parent: "${TIEFO}", period: "2026-03", indicators: ${INDICATORS}, knownAt: $knownAt) {
    rows { area { code } values { ${VALUE} } } total { ${VALUE} }
  }
  quarterTable: statsTable(parent: "${TIEFO}", period: "2026Q1", indicators: ${INDICATORS}, knownAt: $knownAt) { total { ${VALUE} } }
}`;

async function read(knownAt: string | null): Promise<string> {
  const result = await app.request(READS, { knownAt }, { token: admin });
  expect(result.errors).toBeUndefined();
  return JSON.stringify(result.data);
}

/** A moment strictly between what was recorded before it and what is recorded after it (the server shares this clock). */
async function instant(): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  const at = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
  return at;
}

describe('knownAt on the stats of a period', () => {
  it('keeps Area.stats (every level), statsSeries and statsTable as known at T byte for byte while the live reads change', async () => {
    expect(await report(VILLAGE, '2026-03', [{ indicator: 'DIBAO_RURAL', value: '30' }])).toEqual([]);
    expect(await report(VILLAGE, '2026-02', [{ indicator: 'DIBAO_RURAL', value: '28' }])).toEqual([]);
    // A figure stored without history (as the demo seeds them), changed later.
    await app.rows(
      `insert into observation (area_code, indicator, period_month, value, source, updated_by) values (?, 'ELDERLY_60_PLUS', '2026-03-01', 120, 'DEMO', 'system')`,
      [OTHER],
    );

    const T = await instant();
    const asked = await read(T);
    // Nothing has been recorded since T: as known at T is the live answer.
    expect(asked).toBe(await read(null));
    const before = JSON.parse(asked) as { village: { stats: Figure[] } };
    expect(before.village.stats.map((v) => [v.indicator.code, valueOf(v)])).toEqual([
      ['DIBAO_RURAL', 30],
      ['MINORS_0_17', null],
      ['ELDERLY_60_PLUS', null],
      ['ASSISTANCE_FUNDS_YUAN', null],
    ]);

    // Recorded after T: a new value of a reported figure, of the demo figure, new figures (a month with none before, another village).
    expect(
      await report(VILLAGE, '2026-03', [
        { indicator: 'DIBAO_RURAL', value: '31' },
        { indicator: 'MINORS_0_17', value: '7' },
      ]),
    ).toEqual([]);
    expect(
      await report(OTHER, '2026-03', [
        { indicator: 'ELDERLY_60_PLUS', value: '125' },
        { indicator: 'ASSISTANCE_FUNDS_YUAN', value: '800' },
      ]),
    ).toEqual([]);
    expect(await report(VILLAGE, '2026-04', [{ indicator: 'DIBAO_RURAL', value: '33' }])).toEqual([]);
    expect(await report(VILLAGE, '2026-01', [{ indicator: 'DIBAO_RURAL', value: '27' }])).toEqual([]);

    // The same question asked later: the same bytes.
    expect(await read(T)).toBe(asked);
    // Without knownAt the answer moved (so the comparison above can fail).
    const after = await read(null);
    expect(after).not.toBe(asked);
    const now = JSON.parse(after) as {
      village: { stats: Figure[] };
      statsTable: { total: Figure[] };
      area: { statsSeries: { period: string; persons: number | null }[]; quarter: Figure[] };
    };
    expect(now.village.stats.map(valueOf)).toEqual([31, 7, null, null]);
    expect(now.statsTable.total.map((v) => [v.indicator.code, valueOf(v), v.reportedAreas])).toEqual([
      ['DIBAO_RURAL', 31, 1],
      ['MINORS_0_17', 7, 1],
      ['ELDERLY_60_PLUS', 125, 1],
      ['ASSISTANCE_FUNDS_YUAN', '800.00', 1],
    ]);
    const then = JSON.parse(asked) as typeof now;
    expect(then.statsTable.total.map((v) => [v.indicator.code, valueOf(v), v.reportedAreas])).toEqual([
      ['DIBAO_RURAL', 30, 1],
      ['MINORS_0_17', null, 0],
      ['ELDERLY_60_PLUS', 120, 1],
      ['ASSISTANCE_FUNDS_YUAN', null, 0],
    ]);
    expect(then.area.statsSeries.map((v) => v.persons)).toEqual([null, 28, 30, null]);
    // Both in one request (one roll-up batch with keys as known at T and as now): each as asked alone.
    const both = await app.query<{ area: { then: unknown; now: unknown } }, Record<string, unknown>>(
      `query($knownAt: DateTimeISO) { area(code: "${COUNTY}") {
        then: stats(period: "2026Q1", indicators: ${INDICATORS}, knownAt: $knownAt) { ${VALUE} }
        now: stats(period: "2026Q1", indicators: ${INDICATORS}) { ${VALUE} } } }`,
      { knownAt: T },
      { token: admin },
    );
    expect(both.area).toEqual({ then: then.area.quarter, now: now.area.quarter });
    expect(both.area.then).not.toEqual(both.area.now);
    expect(now.area.statsSeries.map((v) => v.persons)).toEqual([27, 28, 31, 33]);
  });

  it('answers as known at T for a month the county approved (locked), and the lock still refuses a report', async () => {
    const threshold = await app.query<{ setReportingCompletenessThreshold: { userErrors: unknown[] } }, Record<string, unknown>>(
      `mutation { setReportingCompletenessThreshold(input: { county: "${COUNTY}", minReportedPercent: 0 }) { userErrors { message } } }`,
      {},
      { token: admin },
    );
    expect(threshold.setReportingCompletenessThreshold.userErrors).toEqual([]);
    expect(await report(VILLAGE, '2026-05', [{ indicator: 'DIBAO_RURAL', value: '40' }])).toEqual([]);
    for (const step of [
      `submitReportingPeriod(input: { area: "${TIEFO}", period: "2026-05" })`,
      `reviewReportingPeriod(input: { area: "${TIEFO}", period: "2026-05", decision: APPROVE })`,
    ]) {
      const data = await app.query<Record<string, { userErrors: unknown[] }>, Record<string, unknown>>(
        `mutation { ${step} { userErrors { message } } }`,
        {},
        { token: admin },
      );
      expect(Object.values(data)[0].userErrors).toEqual([]);
    }
    const LOCKED = `query($knownAt: DateTimeISO) {
      area(code: "${TIEFO}") { stats(period: "2026-05", indicators: ["DIBAO_RURAL"], knownAt: $knownAt) { persons reportedAreas } approval(period: "2026-05") { status } }
      statsTable(parent: "${TIEFO}", period: "2026-05", indicators: ["DIBAO_RURAL"], knownAt: $knownAt) { total { persons } }
    }`;
    const T = await instant();
    const asked = JSON.stringify(await app.query(LOCKED, { knownAt: T }, { token: admin }));
    expect(JSON.parse(asked)).toMatchObject({
      area: { stats: [{ persons: 40, reportedAreas: 1 }], approval: { status: 'APPROVED' } },
      statsTable: { total: [{ persons: 40 }] },
    });
    expect(await report(VILLAGE, '2026-05', [{ indicator: 'DIBAO_RURAL', value: '41' }])).toMatchObject([{ code: 'LOCKED' }]);
    expect(JSON.stringify(await app.query(LOCKED, { knownAt: T }, { token: admin }))).toBe(asked);
    expect(JSON.stringify(await app.query(LOCKED, { knownAt: null }, { token: admin }))).toBe(asked);
  });

  it('reads a county tree with figures at every level as known at T in a bounded number of statements', async () => {
    const TREE = `query($code: String!, $knownAt: DateTimeISO) { area(code: $code) {
      stats(period: "2026-03", knownAt: $knownAt) { persons amount reportedAreas }
      children(first: 100) { nodes { stats(period: "2026-03", knownAt: $knownAt) { persons amount reportedAreas }
        children(first: 100) { nodes { stats(period: "2026-03", knownAt: $knownAt) { persons amount reportedAreas } } } } } } }`;
    const T = await instant();
    const county = await app.measure(() => app.request(TREE, { code: COUNTY, knownAt: T }, { token: admin }));
    expect(county.result.errors).toBeUndefined();
    expect(county.count, county.statements.join('\n---\n')).toBeLessThanOrEqual(4);
    // The same whatever the size of the subtree: a township costs as many statements as the county.
    const township = await app.measure(() => app.request(TREE, { code: TIEFO, knownAt: T }, { token: admin }));
    expect(township.count).toBe(county.count);
    // And the same figures as the live read, nothing having been recorded since T.
    expect(JSON.stringify(county.result.data)).toBe(JSON.stringify((await app.request(TREE, { code: COUNTY, knownAt: null }, { token: admin })).data));
  });

  it('refuses a knownAt in the future on every stats read, field by field', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    for (const query of [
      `query($k: DateTimeISO) { area(code: "${COUNTY}") { stats(period: "2026-03", knownAt: $k) { persons } } }`,
      `query($k: DateTimeISO) { area(code: "${COUNTY}") { statsSeries(indicator: "DIBAO_RURAL", from: "2026-01", to: "2026-03", knownAt: $k) { persons } } }`,
      `query($k: DateTimeISO) { statsTable(parent: "${TIEFO}", period: "2026-03", knownAt: $k) { total { persons } } }`,
    ]) {
      const result = await app.request(query, { k: future }, { token: admin });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'knownAt' });
    }
  });
});
