import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.js';

// Migration20261128800000_project_owner_section on a database that already
// holds projects: each gets the section of its category, then the column is
// required. Run by reverting that migration on a fresh database, adding
// projects as they were before it, and migrating up again.
const MIGRATION = 'Migration20261128800000_project_owner_section';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: MikroORM;
beforeAll(async () => {
  db = await createTestDatabase();
  orm = db.orm;
});
afterAll(() => db?.drop());

const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => orm.em.fork().getConnection().execute<T[]>(text, params);

describe(MIGRATION, () => {
  it('gives existing projects the section of their category, writes no event, and then requires a non-blank section', async () => {
    await orm.getMigrator().down({ to: MIGRATION });
    const columns = await sql<{ column_name: string }>(
      `select column_name from information_schema.columns where table_name = 'project' and column_name = 'owner_section'`,
    );
    expect(columns).toEqual([]);

    await sql(`insert into area (code, name, level, kind, source) values ('511921000000', '通江县', 'COUNTY', null, 'TEST')`);
    const categories = ['ELDERLY_CARE', 'MINOR_PROTECTION', 'SOCIAL_ASSISTANCE', 'SOCIAL_AFFAIRS', 'SOCIAL_GOVERNANCE', 'OTHER'];
    for (const category of categories) {
      await sql(`insert into project (name, category, area_code, status, source) values (?, ?, '511921000000', 'PLANNED', 'DEMO')`, [
        `${category} 项目`,
        category,
      ]);
    }
    const [events] = await sql<{ n: number }>('select count(*)::int as n from progress_update');

    const applied = await orm.getMigrator().up();
    expect(applied.map((m) => m.name)).toContain(MIGRATION);
    const rows = await sql<{ category: string; owner_section: string; version: number }>('select category, owner_section, version from project order by id');
    expect(rows).toEqual([
      { category: 'ELDERLY_CARE', owner_section: '养老服务股', version: 1 },
      { category: 'MINOR_PROTECTION', owner_section: '儿童福利股', version: 1 },
      { category: 'SOCIAL_ASSISTANCE', owner_section: '社会救助股', version: 1 },
      { category: 'SOCIAL_AFFAIRS', owner_section: '社会事务股', version: 1 },
      { category: 'SOCIAL_GOVERNANCE', owner_section: '基层政权和社区治理股', version: 1 },
      { category: 'OTHER', owner_section: '办公室', version: 1 },
    ]);
    const [after] = await sql<{ n: number }>('select count(*)::int as n from progress_update');
    expect(after.n).toBe(events.n);

    for (const bad of [null, '', '  ']) {
      await expect(
        sql(`insert into project (name, category, area_code, status, owner_section) values ('x', 'OTHER', '511921000000', 'PLANNED', ?)`, [bad]),
      ).rejects.toThrow(/owner_section/);
    }
  });
});
