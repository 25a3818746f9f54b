import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * 县/局领导 (LEADER) on the REST routes: the uploads refuse it before reading
 * the file and write nothing, while the downloads a leader reads (the monthly
 * report, the rectification export) answer as they do for COUNTY_ADMIN. The
 * GraphQL reads and writes are in the read and access matrices.
 */

let app: TestApp;
let base: string;
let leader: string;
let admin: string;
beforeAll(async () => {
  app = await startTestApp();
  base = app.url.replace(/\/graphql$/, '');
  leader = await app.token('LEADER', '511921', { name: '县委副书记' });
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

async function written(): Promise<Record<string, number>> {
  const [row] = await app.orm.em
    .fork()
    .getConnection()
    .execute<{ observations: number; facilities: number; events: number; audit: number }[]>(
      `select (select count(*)::int from observation) as observations, (select count(*)::int from facility) as facilities,
              (select count(*)::int from progress_update) as events, (select count(*)::int from audit_log) as audit`,
    );
  return row;
}

describe('LEADER on the REST routes', () => {
  it('may not import figures or facilities: 403 FORBIDDEN in Chinese, nothing written', async () => {
    const before = await written();
    for (const path of ['/imports/observations?period=2026-05', '/imports/facilities']) {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${leader}` },
        body: '区划代码,名称\n511921101001,民胜村\n',
      });
      const body = (await response.json()) as { errors: { code: string; message: string }[] };
      expect(response.status, path).toBe(403);
      expect(body.errors[0].code).toBe('FORBIDDEN');
      expect(body.errors[0].message).toMatch(/^您的角色.*不能导入/);
    }
    // Nothing written but the audit log's record of the two refused calls.
    expect(await written()).toEqual({ ...before, audit: before.audit + 2 });
    const refused = await app.orm.em
      .fork()
      .getConnection()
      .execute<{ actor_role: string; error_codes: string[] }[]>('select actor_role, error_codes from audit_log order by id desc limit 2');
    expect(refused).toEqual([
      { actor_role: 'LEADER', error_codes: ['FORBIDDEN'] },
      { actor_role: 'LEADER', error_codes: ['FORBIDDEN'] },
    ]);
  });

  it('may not register trusted documents (403)', async () => {
    const response = await fetch(`${base}/trusted-documents/screen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${leader}` },
      body: JSON.stringify({}),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { code: string }).code).toBe('FORBIDDEN');
  });

  it('downloads the monthly report and the rectification export, as the county admin does', async () => {
    for (const path of ['/reports/monthly/2026-05.md', '/exports/rectifications.csv']) {
      const [asLeader, asAdmin] = await Promise.all(
        [leader, admin].map((token) => fetch(`${base}${path}?area=511921`, { headers: { authorization: `Bearer ${token}` } })),
      );
      expect(asLeader.status, path).toBe(200);
      expect(await asLeader.text(), path).toBe(await asAdmin.text());
    }
  });
});
