import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAccessMatrix, matrixAreas, mutationsWithoutRows, type MatrixRow } from '../support/access-matrix.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { importAreas } from '../../src/modules/area/area.import.js';
import { sqlFor } from '../../src/db/sql.js';
import { matrixRows } from './access-matrix.rows.js';
import { civgraphSchema } from '../../src/features.js';

/**
 * One row per Mutation field of the published schema (see
 * test/support/access-matrix.ts for what a row declares). Each feature adds its
 * rows to test/e2e/access-matrix.rows.ts; the harness runs every role ×
 * inside/outside its subtree × anonymous, sequentially on one app, and the
 * test below fails when a mutation has no row.
 */
const rows: MatrixRow[] = matrixRows;

const schema = await civgraphSchema();
const mutations = Object.keys(schema.getMutationType()?.getFields() ?? {});

let app: TestApp | undefined;
beforeAll(async () => {
  if (!rows.length) return;
  app = await startTestApp();
  // The outside callers of the county's rows sit in the next county, 南江县.
  await importAreas(app.orm, { county: '511922' });
});
afterAll(() => app?.close());

describe('access matrix coverage', () => {
  it.skipIf(mutations.length === 0)('has a row for every Mutation field (skipped: the schema has no mutations yet)', () => {
    expect(mutationsWithoutRows(schema, rows), 'add a MatrixRow for each of these mutations').toEqual([]);
  });

  it('allows LEADER (县/局领导) one mutation, decideDeadlineExtension (延期审批), besides marking its own inbox read: a leader reads, and every other write refuses it with FORBIDDEN', () => {
    // Public mutations (signIn, refreshSession, signOut: the credentials are in the input) are no role's writes; nor is
    // markInboxRead (标为已读), which changes only the caller's own reminders.
    expect([...new Set(rows.filter((row) => row.allowed.includes('LEADER') && row.anonymous !== 'allowed').map((row) => row.field))]).toEqual([
      'decideDeadlineExtension',
      'markInboxRead',
    ]);
  });

  it('has no rows for mutations that do not exist', () => {
    expect(rows.map((row) => row.field).filter((field) => !mutations.includes(field))).toEqual([]);
  });

  it.skipIf(rows.length === 0)('mints tokens only for areas of its database (a token for another area is refused before any rule runs)', async () => {
    const wanted = matrixAreas(rows);
    const found = await sqlFor(app!.orm.em.fork())<{ code: string }>('select code from area where code = any(?::text[])', [wanted]);
    expect(wanted.filter((code) => !found.some((row) => row.code === code))).toEqual([]);
  });
});

describeAccessMatrix(() => app!, rows);
