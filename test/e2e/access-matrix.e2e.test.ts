import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAccessMatrix, mutationsWithoutRows, type MatrixRow } from '../support/access-matrix.js';
import { startTestApp, type TestApp } from '../support/app.js';
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
  if (rows.length) app = await startTestApp();
});
afterAll(() => app?.close());

describe('access matrix coverage', () => {
  it.skipIf(mutations.length === 0)('has a row for every Mutation field (skipped: the schema has no mutations yet)', () => {
    expect(mutationsWithoutRows(schema, rows), 'add a MatrixRow for each of these mutations').toEqual([]);
  });

  it('has no rows for mutations that do not exist', () => {
    expect(rows.map((row) => row.field).filter((field) => !mutations.includes(field))).toEqual([]);
  });
});

describeAccessMatrix(() => app!, rows);
