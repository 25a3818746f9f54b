import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DomainError, ErrorCode } from '../../src/common/errors.js';
import { versionConflict } from '../../src/common/payload.js';
import { sqlFor, type Sql } from '../../src/db/sql.js';
import { Role } from '../../src/auth/auth.rules.js';
import { ProgressAction, SubjectKind } from '../../src/modules/progress/progress.entity.js';
import { lockRow, versionedUpdate } from '../../src/modules/progress/progress.write.js';
import { createTestDatabase } from '../support/database.js';

// The versioned-write template on its own, against real PostgreSQL: a scratch table
// stands in for a feature's row so the rules are checked without any feature's logic.
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: MikroORM;
const AREA = '511921000000';
const actor = { sub: 'probe', name: '测试员', role: Role.COUNTY_ADMIN, areaCode: AREA };

interface ProbeRow {
  id: number;
  name: string;
  version: number;
}

beforeAll(async () => {
  db = await createTestDatabase();
  orm = db.orm;
  const sql = sqlFor(orm.em.fork());
  await sql(`insert into area (code, name, level, kind, source) values (?, '通江县', 'COUNTY', null, 'TEST') on conflict do nothing`, [AREA]);
  await sql('create table write_probe (id int primary key, name text not null, version int not null)');
  await sql(`insert into write_probe values (1, 'a', 1)`);
});
afterAll(async () => db?.drop());

async function events(): Promise<number> {
  const [row] = await sqlFor(orm.em.fork())<{ n: number }>(`select count(*)::int as n from progress_update where subject_id = 'probe:1'`);
  return row.n;
}

async function probe(): Promise<ProbeRow> {
  const [row] = await sqlFor(orm.em.fork())<ProbeRow>('select id, name, version from write_probe where id = 1');
  return row;
}

/** The template as a service writes it: lock, check the version, guarded update with its event. */
function rename(name: string, version: number, opts: { id?: number; failAfter?: boolean; counter?: { n: number } } = {}) {
  return orm.em.fork().transactional(async (em) => {
    const raw = sqlFor(em);
    const sql: Sql = (text, params) => {
      if (opts.counter) opts.counter.n++;
      return raw(text, params);
    };
    const id = opts.id ?? 1;
    const row = await lockRow<ProbeRow>(
      sql,
      'select id, name, version from write_probe where id = ? for update',
      [id],
      () => new DomainError(ErrorCode.NOT_FOUND, `No probe ${id}`, 'id'),
    );
    const written = await versionedUpdate<ProbeRow>(sql, {
      update: 'update write_probe set name = ?, version = version + 1 where id = ? and version = ? returning id, name, version',
      params: [name, id, version],
      lostRace: () => versionConflict(row.version, version, 'Probe'),
      event: (after) => ({
        subjectKind: SubjectKind.TASK,
        subjectId: `probe:${id}`,
        areaCode: AREA,
        action: ProgressAction.UPDATED,
        actor,
        summary: `改名 ${row.name} → ${after.name}`,
        before: { name: row.name },
        after: { name: after.name },
      }),
    });
    if (opts.failAfter) throw new Error('boom after the write');
    return written;
  });
}

describe('versioned write template (progress.write.ts)', () => {
  it('a missing row is NOT_FOUND on the caller’s field, and nothing is written', async () => {
    const err = await rename('x', 1, { id: 99 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: ErrorCode.NOT_FOUND, field: 'id', message: 'No probe 99' });
    expect(await events()).toBe(0);
  });

  it('a stale version is CONFLICT on `version`; neither the row nor an event is written', async () => {
    const err = await rename('x', 7).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: ErrorCode.CONFLICT,
      field: 'version',
      message: 'Probe was changed by someone else (version 1, you sent 7); reload and retry',
    });
    expect(await probe()).toEqual({ id: 1, name: 'a', version: 1 });
    expect(await events()).toBe(0);
  });

  it('success bumps version by one and writes exactly one event, in three statements (lock, update, event)', async () => {
    const counter = { n: 0 };
    const written = await rename('b', 1, { counter });
    expect(written).toEqual({ id: 1, name: 'b', version: 2 });
    expect(counter.n).toBe(3);
    expect(await probe()).toEqual({ id: 1, name: 'b', version: 2 });
    const rows = await sqlFor(orm.em.fork())<{ action: string; before: unknown; after: unknown; summary: string }>(
      `select action, before, after, summary from progress_update where subject_id = 'probe:1'`,
    );
    expect(rows).toEqual([{ action: ProgressAction.UPDATED, before: { name: 'a' }, after: { name: 'b' }, summary: '改名 a → b' }]);
  });

  it('a failure after the update rolls back the change and its event together', async () => {
    await expect(rename('c', 2, { failAfter: true })).rejects.toThrow('boom after the write');
    expect(await probe()).toEqual({ id: 1, name: 'b', version: 2 });
    expect(await events()).toBe(1);
  });

  it('takes an upsert that bumps and guards the version in its conflict clause (a row that may not exist yet)', async () => {
    const upsert = (name: string, version: number) =>
      orm.em.fork().transactional((em) =>
        versionedUpdate<ProbeRow>(sqlFor(em), {
          update: `insert into write_probe (id, name, version) values (2, ?, 1)
                   on conflict (id) do update set name = excluded.name, version = write_probe.version + 1 where write_probe.version = ?
                   returning id, name, version`,
          params: [name, version],
          lostRace: () => versionConflict(-1, version, 'Probe 2'),
          event: (after) => ({
            subjectKind: SubjectKind.TASK,
            subjectId: 'probe:2',
            areaCode: AREA,
            action: ProgressAction.UPDATED,
            actor,
            summary: `名 ${after.name}`,
            after: { name: after.name },
          }),
        }),
      );
    expect(await upsert('new', 0)).toEqual({ id: 2, name: 'new', version: 1 });
    expect(await upsert('again', 1)).toEqual({ id: 2, name: 'again', version: 2 });
    await expect(upsert('stale', 1)).rejects.toMatchObject({ code: ErrorCode.CONFLICT, field: 'version' });
    const [events] = await sqlFor(orm.em.fork())<{ n: number }>(`select count(*)::int as n from progress_update where subject_id = 'probe:2'`);
    expect(events.n).toBe(2);
  });

  it('refuses an update that does not bump and guard the version', async () => {
    const sql = sqlFor(orm.em.fork());
    const spec = {
      params: [],
      lostRace: () => new Error('lost'),
      event: () => {
        throw new Error('unreached');
      },
    };
    await expect(versionedUpdate(sql, { ...spec, update: 'update write_probe set name = name where id = 1 returning id' })).rejects.toThrow(
      /version = version \+ 1/,
    );
    await expect(versionedUpdate(sql, { ...spec, update: 'update write_probe set version = version + 1 where id = 1 returning id' })).rejects.toThrow(
      /version = \?/,
    );
    await expect(versionedUpdate(sql, { ...spec, update: 'update write_probe set version = id + 1 where version = ? returning id' })).rejects.toThrow(
      /version = version \+ 1/,
    );
  });
});
