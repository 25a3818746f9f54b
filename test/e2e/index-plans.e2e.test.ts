import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAreas } from '../../src/modules/area/area.import.js';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * Subtree reads are index range scans, never a scan of a whole table: every
 * statement a query sends is EXPLAINed with sequential scans disabled, so a
 * plan that still holds a Seq Scan, or an index walked end to end without a
 * condition, is one with no index to use. Province 四川 is loaded so the area table
 * is national-sized for a province.
 */
let app: TestApp;
let admin: string;
beforeAll(async () => {
  app = await startTestApp();
  await importAreas(app.orm, { province: '51' });
  await app.orm.em.fork().getConnection().execute('analyze');
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

interface PgConnection {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  out.push(node);
  for (const child of node.Plans ?? []) walk(child, out);
  return out;
}

/** Runs `doc`, then EXPLAINs every statement it sent, with the bindings it sent. */
async function plansOf(doc: string, token: string) {
  const { result, statements, bindings } = await app.measure(() => app.request(doc, {}, { token }));
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  const knex = app.orm.em.getConnection().getKnex();
  const plans: { sql: string; nodes: PlanNode[] }[] = [];
  // The statements as sent (`$n` placeholders), on a connection of the pool.
  const client = knex.client as { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<void> };
  const connection = await client.acquireConnection();
  try {
    await connection.query('begin');
    await connection.query('set local enable_seqscan = off');
    for (const [i, sql] of statements.entries()) {
      const explained = await connection.query(`explain (format json) ${sql}`, bindings[i]);
      plans.push({ sql, nodes: walk((explained.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan) });
    }
  } finally {
    await connection.query('rollback');
    await client.releaseConnection(connection);
  }
  return plans;
}

const TABLES = ['area', 'observation', 'facility'];

function wholeTableScans(plans: { sql: string; nodes: PlanNode[] }[]) {
  return plans.flatMap(({ sql, nodes }) =>
    nodes
      .filter((n) => TABLES.includes(n['Relation Name'] ?? ''))
      // A sequential scan, or an index walked end to end (no condition on it).
      .filter((n) => n['Node Type'] === 'Seq Scan' || (/^Index (Only )?Scan$/.test(n['Node Type']) && !n['Index Cond']))
      .map((n) => `${n['Relation Name']} in: ${sql.slice(0, 120)}`),
  );
}

function indexesUsed(plans: { nodes: PlanNode[] }[]) {
  return new Set(plans.flatMap(({ nodes }) => nodes.map((n) => n['Index Name']).filter(Boolean)));
}

describe('subtree reads use indexes', () => {
  it('descendants of a county and of a province: a range scan on the area code', async () => {
    const plans = await plansOf(
      '{ county: area(code: "511921") { descendants(level: VILLAGE, first: 100) { totalCount nodes { code } } } province: area(code: "510000") { descendants(first: 100) { totalCount nodes { code } } } }',
      admin,
    );
    expect(wholeTableScans(plans)).toEqual([]);
    expect([...indexesUsed(plans)]).toEqual(expect.arrayContaining(['area_current_level_code_idx']));
  });

  it('facilities(includeDescendants) of a township: a range scan on the facility area code', async () => {
    const plans = await plansOf(
      '{ area(code: "511921101") { facilities(includeDescendants: true, first: 50) { totalCount nodes { name } } facilitySummary(includeDescendants: true) { __typename } } }',
      admin,
    );
    expect(wholeTableScans(plans)).toEqual([]);
  });

  it('roll-ups of a month and of a year: index-only range scans on observations and areas', async () => {
    const stats = (period: string) =>
      `stats(period: "${period}", indicators: ["ELDERLY_60_PLUS", "ASSISTANCE_FUNDS_YUAN"]) { persons amount reportedAreas expectedAreas }`;
    // A county's tree reads the county's figures once (SubtreeRollups); a province and its
    // cities are aggregated in SQL (rollUp). Both are range scans on the same indexes.
    const provincial = await app.token('VIEWER', '510000');
    for (const [code, token] of [
      ['511921', admin],
      ['510000', provincial],
    ] as const) {
      const month = await plansOf(`{ area(code: "${code}") { ${stats('2026-10')} children(first: 50) { nodes { ${stats('2026-10')} } } } }`, token);
      expect(wholeTableScans(month)).toEqual([]);
      expect([...indexesUsed(month)]).toEqual(expect.arrayContaining(['observation_month_idx', 'area_undated_level_code_idx', 'area_dated_code_idx']));
    }
    const year = await plansOf(`{ area(code: "511921") { ${stats('2026')} } }`, admin);
    expect(wholeTableScans(year)).toEqual([]);
  });
});

describe('the check itself', () => {
  it('sees a whole-table scan where no index serves the filter', async () => {
    const plans = await plansOf('{ area(code: "511921") { descendants(first: 1) { nodes { code } } } }', admin);
    expect(wholeTableScans(plans)).toEqual([]);
    const knex = app.orm.em.getConnection().getKnex();
    // The same shape of statement filtered on an unindexed column must be caught.
    const nodes = await knex.transaction(async (trx) => {
      await trx.raw('set local enable_seqscan = off');
      const explained = await trx.raw(`explain (format json) select code from area where name = ?`, ['通江县']);
      return walk((explained.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan);
    });
    expect(wholeTableScans([{ sql: 'by name', nodes }])).toEqual(['area in: by name']);
  });
});
