import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { sqlFor } from '../../db/sql.js';
import { IndicatorUnit, INDICATORS, monthOf, type Period } from './stats.rules.js';
import { normalizeCode, subtreeRange, AreaLevel } from '../../common/codes.js';
import type { DemoSeeder } from '../../feature.js';

/** A deterministic fraction in [0, 1) from a text. */
function fraction(text: string): number {
  return createHash('md5').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/** The 12 months ending with the month of `now`, oldest first. */
export function lastTwelveMonths(now: Date): Period[] {
  const months: Period[] = [];
  for (let back = 11; back >= 0; back--) months.push(monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1))));
  return months;
}

/**
 * Plausible monthly figures for one village: a resident population scaled by
 * kind (a 社区 is larger and urban, a 村 older and rural), shares per indicator
 * in the range of a Sichuan mountain county, and a small month-to-month drift.
 */
export function demoFigures(code: string, kind: string | null, month: string): Map<string, string> {
  const community = kind === 'COMMUNITY';
  const f = (salt: string) => fraction(`${code}:${salt}`);
  const population = community ? 2500 + f('pop') * 3500 : 900 + f('pop') * 1600;
  const drift = (ind: string) => 1 + 0.03 * (fraction(`${code}:${ind}:${month}`) - 0.5);
  const persons = (ind: string, share: number) => Math.max(0, Math.round(population * share * drift(ind)));
  const values = new Map<string, number>([
    ['ELDERLY_60_PLUS', persons('ELDERLY_60_PLUS', (community ? 0.18 : 0.24) + 0.06 * f('eld'))],
    ['MINORS_0_17', persons('MINORS_0_17', 0.14 + 0.05 * f('min'))],
    ['DIBAO_URBAN', community ? persons('DIBAO_URBAN', 0.012 + 0.01 * f('du')) : 0],
    ['DIBAO_RURAL', community ? 0 : persons('DIBAO_RURAL', 0.035 + 0.03 * f('dr'))],
    ['EXTREMELY_POOR_SUPPORTED', persons('EXTREMELY_POOR_SUPPORTED', (community ? 0.002 : 0.008) + 0.005 * f('ep'))],
    ['DISABLED_LIVING_SUBSIDY', persons('DISABLED_LIVING_SUBSIDY', 0.01 + 0.008 * f('dl'))],
    ['SEVERE_DISABLED_CARE_SUBSIDY', persons('SEVERE_DISABLED_CARE_SUBSIDY', 0.008 + 0.006 * f('sd'))],
    ['ORPHANS', Math.floor(f('orph') * 3)],
    ['DE_FACTO_UNSUPPORTED_CHILDREN', Math.floor(f('dfu') * 5)],
    ['HIV_AFFECTED_CHILDREN', f('hiv') > 0.93 ? 1 : 0],
  ]);
  const out = new Map<string, string>();
  for (const [code_, value] of values) out.set(code_, String(value));
  // Monthly payments: 低保 (urban ≈ 620, rural ≈ 380 yuan per person), 特困 ≈ 900, subsidies ≈ 90/100.
  const funds =
    values.get('DIBAO_URBAN')! * 620 +
    values.get('DIBAO_RURAL')! * 380 +
    values.get('EXTREMELY_POOR_SUPPORTED')! * 900 +
    values.get('DISABLED_LIVING_SUBSIDY')! * 90 +
    values.get('SEVERE_DISABLED_CARE_SUBSIDY')! * 100;
  out.set('ASSISTANCE_FUNDS_YUAN', (Math.round(funds * drift('funds') * 100) / 100).toFixed(2));
  return out;
}

/**
 * Seeds demo figures (`source = 'DEMO'`) for every current village of the county
 * for the 12 months ending with the month of `now`, in one statement. Does
 * nothing when the county has any figures already; real reports replace demo
 * figures one by one.
 */
export async function seedDemoStatistics(orm: MikroORM, countyCode: string, now = new Date()): Promise<number> {
  const county = normalizeCode(countyCode, 'county');
  const [lo, hi] = subtreeRange(county, AreaLevel.COUNTY);
  return orm.em.fork().transactional(async (em) => {
    const sql = sqlFor(em);
    const [existing] = await sql<{ any: boolean }>('select exists (select 1 from observation where area_code between ? and ?) as any', [lo, hi]);
    if (existing.any) return 0;
    const villages = await sql<{ code: string; kind: string | null }>(
      `select code, kind from area where level = 'VILLAGE' and valid_to is null and code between ? and ? order by code`,
      [lo, hi],
    );
    const rows: [string, string, string, string][] = [];
    for (const month of lastTwelveMonths(now)) {
      for (const village of villages) {
        const figures = demoFigures(village.code, village.kind, month.key);
        for (const def of INDICATORS) rows.push([village.code, def.code, month.startMonth, figures.get(def.code)!]);
      }
    }
    if (rows.length === 0) return 0;
    await sql(
      `insert into observation (area_code, indicator, period_month, value, source, updated_by)
       select a, i, m, v, 'DEMO', 'system' from unnest(?::text[], ?::text[], ?::date[], ?::numeric[]) as t(a, i, m, v)
       on conflict do nothing`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
    );
    return rows.length;
  });
}

/** The demo submission's 缺报说明. */
export const DEMO_MISSING_REASON = '村委换届，数据延后（已于月底补报）';

/**
 * A demo 报送 (stats.service.ts `submit`): the county's first township submitted the
 * month of `now`, one of its villages (its last) missing at that moment with a
 * 缺报说明 — the snapshot a reviewer reads; the village's (demo) figures came in
 * since. Does nothing when the county has any approval already. Returns the
 * township's code, or null when nothing was seeded.
 */
export async function seedDemoApproval(orm: MikroORM, countyCode: string, now = new Date()): Promise<string | null> {
  const county = normalizeCode(countyCode, 'county');
  const [lo, hi] = subtreeRange(county, AreaLevel.COUNTY);
  const month = monthOf(now);
  return orm.em.fork().transactional(async (em) => {
    const sql = sqlFor(em);
    const [existing] = await sql<{ any: boolean }>('select exists (select 1 from reporting_approval where area_code between ? and ?) as any', [lo, hi]);
    if (existing.any) return null;
    const [township] = await sql<{ code: string; expected: number; last: string | null }>(
      `select t.code, (select count(*)::int from area v where v.parent_code = t.code and v.level = 'VILLAGE' and v.valid_to is null) as expected,
              (select max(v.code) from area v where v.parent_code = t.code and v.level = 'VILLAGE' and v.valid_to is null) as last
         from area t where t.level = 'TOWNSHIP' and t.valid_to is null and t.code between ? and ? order by t.code limit 1`,
      [lo, hi],
    );
    if (!township?.last) return null;
    await sql(
      `insert into reporting_approval (area_code, period, start_month, end_month, status, updated_by,
         submitted_at, submitted_by, submitted_by_name, submitted_by_role, submitted_expected, submitted_reported)
       values (?, ?, ?::date, ?::date, 'SUBMITTED', 'demo', now(), 'demo', '演示乡镇填报员', 'TOWNSHIP_OPERATOR', ?, ?)`,
      [township.code, month.key, month.startMonth, month.endMonth, township.expected, township.expected - 1],
    );
    await sql('insert into reporting_missing_reason (area_code, period, village_code, reason) values (?, ?, ?, ?)', [
      township.code,
      month.key,
      township.last,
      DEMO_MISSING_REASON,
    ]);
    return township.code;
  });
}

/** Demo figures for `npm start`, and one submitted month with a 缺报说明. */
export const statsDemoSeeder: DemoSeeder = {
  name: 'statistics',
  run: async (orm, countyCode) => {
    await seedDemoApproval(orm, countyCode);
    const seeded = await seedDemoStatistics(orm, countyCode);
    // A bulk load: refresh the planner's statistics now, as the area import does,
    // rather than planning roll-ups on an "empty" table until autovacuum comes by.
    if (seeded > 0) await orm.em.fork().getConnection().execute('analyze observation');
  },
};

/** Unit sanity for the seeder's output (persons whole, yuan 2 decimals). */
export const DEMO_UNITS = new Map(INDICATORS.map((d) => [d.code, d.unit === IndicatorUnit.PERSONS ? /^\d+$/ : /^\d+\.\d{2}$/]));
