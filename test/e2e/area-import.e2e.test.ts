import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/common/errors.js';
import { importAreas, readDivision } from '../../src/modules/area/area.import.js';
import { createTestDatabase } from '../support/database.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: MikroORM;
beforeAll(async () => {
  database = await createTestDatabase();
  orm = database.orm;
});
afterAll(() => database?.drop());

async function rows(prefix = ''): Promise<{ code: string; name: string; level: string; kind: string | null; parent_code: string | null }[]> {
  return orm.em.fork().getConnection().execute(`select code, name, level, kind, parent_code from area where code like '${prefix}%' order by code`);
}

describe('import-areas', () => {
  it('loads a county with its province and city, rooted and complete', async () => {
    const result = await importAreas(orm, { county: '511922' });
    // 南江县: province + city + county + its townships and villages
    const division = await readDivision({ county: '511922' });
    expect(result).toEqual({ total: division.length, inserted: division.length, updated: 0, unchanged: 0 });
    const stored = await rows();
    expect(stored.map((r) => [r.code, r.name, r.level, r.parent_code])).toEqual(
      division.map((r) => [r.code, r.name, r.level, r.parentCode]).sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
    expect(stored.filter((r) => r.level === 'VILLAGE')).toHaveLength(414);
    expect(stored.find((r) => r.code === '511922000000')).toMatchObject({ name: '南江县', parent_code: '511900000000' });
    expect(stored.find((r) => r.code === '510000000000')).toMatchObject({ name: '四川省', parent_code: null, level: 'PROVINCE' });
  });

  it('is idempotent: a second run changes nothing', async () => {
    const before = await rows();
    const result = await importAreas(orm, { county: '511922' });
    expect(result).toMatchObject({ inserted: 0, updated: 0, unchanged: before.length });
    expect(await rows()).toEqual(before);
  });

  it('adds a second county beside the first, sharing province and city', async () => {
    const result = await importAreas(orm, { county: '511921' });
    expect(result.inserted).toBe(1 + 33 + 367); // the province and city were there already
    expect(result.unchanged).toBe(2);
    expect((await rows('511921')).length).toBe(401);
  });

  it('repairs a drifted name on re-import and counts it as updated', async () => {
    await orm.em.fork().getConnection().execute(`update area set name = '改过的名字' where code = '511921001000'`);
    const result = await importAreas(orm, { county: '511921' });
    expect(result).toMatchObject({ inserted: 0, updated: 1 });
    expect((await rows('511921001000'))[0].name).toBe('壁州街道');
  });

  it('hangs the townships of a city without counties (东莞市) from the city', async () => {
    await importAreas(orm, { county: '441900' });
    const stored = await rows('4419');
    expect(stored[0]).toMatchObject({ code: '441900000000', name: '东莞市', level: 'CITY', parent_code: '440000000000' });
    expect(stored.filter((r) => r.level === 'COUNTY')).toHaveLength(0);
    const townships = stored.filter((r) => r.level === 'TOWNSHIP');
    expect(townships).toHaveLength(36);
    expect(townships.every((t) => t.parent_code === '441900000000')).toBe(true);
    expect(stored.filter((r) => r.level === 'VILLAGE')).toHaveLength(609);
  });

  it('skips placeholder rows that repeat their parent (金门县 lists itself as its own township and village)', async () => {
    const result = await importAreas(orm, { county: '350527' });
    expect(result.total).toBe(3); // 福建省, 泉州市, 金门县
    const stored = await rows('350527');
    expect(stored).toEqual([{ code: '350527000000', name: '金门县', level: 'COUNTY', kind: null, parent_code: '350500000000' }]);
  });

  it('rejects an unknown county and writes nothing', async () => {
    const before = await rows();
    const error = await importAreas(orm, { county: '519999' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('519999') });
    expect(await rows()).toEqual(before);
  });

  it.each([{ county: '5119' }, { county: '51192a' }, { province: '5' }])('rejects the malformed scope %o', async (scope) => {
    await expect(importAreas(orm, scope as never)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('rolls back the whole import when a late chunk fails', async () => {
    const before = await rows();
    // The last village of 巴州区 breaks a constraint after many chunks of 50 were written.
    await orm.em.fork().getConnection().execute(`alter table area add constraint test_reject check (name <> '学官坪村民委员会')`);
    const progress: number[] = [];
    try {
      await expect(importAreas(orm, { county: '511902' }, { chunkSize: 50, onProgress: (done) => progress.push(done) })).rejects.toThrow(/test_reject/);
    } finally {
      await orm.em.fork().getConnection().execute('alter table area drop constraint test_reject');
    }
    expect(progress.length).toBeGreaterThan(3);
    expect(await rows()).toEqual(before);
  });
});

describe('import-areas through COPY (a province, the country)', () => {
  let upserted: Awaited<ReturnType<typeof createTestDatabase>>;
  let copied: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    [upserted, copied] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(() => Promise.all([upserted?.drop(), copied?.drop()]));

  const table = (db: typeof copied) =>
    db.orm.em
      .fork()
      .getConnection()
      .execute(`select code, name, level, kind, parent_code, source, valid_from, valid_to, successor_code from area order by code`);
  const structure = (db: typeof copied) =>
    db.orm.em
      .fork()
      .getConnection()
      .execute(
        `select pg_get_indexdef(indexrelid) as def from pg_index where indrelid = 'area'::regclass
          union all select pg_get_constraintdef(oid) from pg_constraint where conrelid = 'area'::regclass
          order by 1`,
      );

  it('gives the same table as the upserts, into an empty table, with every index and constraint back', async () => {
    const indexesBefore = await structure(copied);
    const a = await importAreas(upserted.orm, { province: '63' }, { method: 'upsert' });
    const b = await importAreas(copied.orm, { province: '63' }, { method: 'copy' });
    expect(b).toEqual(a);
    expect(a.inserted).toBe(a.total);
    expect(a.total).toBeGreaterThan(4000);
    expect(await table(copied)).toEqual(await table(upserted));
    expect(await structure(copied)).toEqual(indexesBefore);
    // The foreign key to the parent is enforced again.
    await expect(
      copied.orm.em
        .fork()
        .getConnection()
        .execute(`insert into area (code, name, level, parent_code, source) values ('639999999999', 'x', 'VILLAGE', '639999999000', 't')`),
    ).rejects.toThrow(/area_parent_code_fkey/);
  });

  it('merges into a non-empty table as the upserts do: unchanged, repaired, added', async () => {
    for (const db of [upserted, copied]) {
      await db.orm.em.fork().getConnection().execute(`update area set name = '改过的名字' where code = '630102000000'`);
    }
    const a = await importAreas(upserted.orm, { province: '63' }, { method: 'upsert' });
    const b = await importAreas(copied.orm, { province: '63' }, { method: 'copy' });
    expect(b).toEqual(a);
    expect(b).toMatchObject({ inserted: 0, updated: 1 });
    const c = await importAreas(upserted.orm, { county: '511921' }, { method: 'upsert' });
    const d = await importAreas(copied.orm, { county: '511921' }, { method: 'copy' });
    expect(d).toEqual(c);
    expect(d.inserted).toBe(403);
    expect(await table(copied)).toEqual(await table(upserted));
  });

  it('rolls back a failing COPY import and writes nothing', async () => {
    const before = await table(copied);
    const connection = copied.orm.em.fork().getConnection();
    await connection.execute(`alter table area add constraint test_reject check (name <> '学官坪村民委员会')`);
    try {
      await expect(importAreas(copied.orm, { county: '511902' }, { method: 'copy' })).rejects.toThrow(/test_reject/);
    } finally {
      await connection.execute('alter table area drop constraint test_reject');
    }
    expect(await table(copied)).toEqual(before);
  });
});
