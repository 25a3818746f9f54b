import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp as makeTemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationsList } from '../../migrations/index.js';
import { Role } from '../../src/auth/auth.rules.js';
import { createTokenVerifier, mintToken } from '../../src/auth/auth.tokens.js';
import { backupDatabase, restoreDatabase, type BackupManifest } from '../../src/db/backup.js';
import { migrationSummary, openAndMigrate, ormOptions } from '../../src/db/orm.js';
import { civgraph } from '../../src/features.js';
import { startServer } from '../../src/server/app.js';
import { TEST_JWT_SECRET } from '../support/app.js';
import { captureLogLines } from '../support/log.js';
import { createEmptyDatabase, sqlOn } from '../support/database.js';

/**
 * Upgrading from the first release (issue 33, item 4). test/fixtures/v0.1.0 holds a
 * backup of v0.1.0's demo county, taken of the database that release built (its
 * README says how). Restored WITHOUT the forward migration, it is a database as
 * v0.1.0 left it; today's code started on it must migrate it under the advisory
 * lock, say what it applied, keep every row and answer on it.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/v0.1.0/civgraph-v0.1.0.backup', import.meta.url));
// The CLI as a user runs it: compiled output (`npm test` builds first).
const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;

/** v0.1.0's migrations, in the order that release applied them (its list followed the merges). */
const V010 = [
  'Migration20261127000000_areas',
  'Migration20261127010000_progress_updates',
  'Migration20261127020000_area_current_indexes',
  'Migration20261128500000_audit_log',
  'Migration20261128300000_tasks_rectifications_supervision',
  'Migration20261128200000_facilities_projects',
  'Migration20261128100000_statistics',
  'Migration20261128600000_governance',
];
const ALL = migrationsList.map((migration) => migration.name);
/** What a start on v0.1.0's database must apply: every migration since, in the code's order. */
const SINCE = ALL.filter((name) => !V010.includes(name));

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const sql = sqlOn;

/** An empty database of its own on the test server (dropped after the file). */
async function emptyDatabase(): Promise<string> {
  const database = await createEmptyDatabase('civgraph_upgrade');
  cleanups.push(database.drop);
  return database.url;
}

const appliedIn = async (url: string) => (await sql<{ name: string }>(url, 'select name from mikro_orm_migrations order by id')).map((row) => row.name);

/** A database as v0.1.0 left it: the fixture restored at its own schema, nothing migrated past it. */
async function v010Database(): Promise<{ url: string; manifest: BackupManifest }> {
  const url = await emptyDatabase();
  const { manifest, migratedAfter } = await restoreDatabase(url, FIXTURE, { migrateForward: false });
  expect(migratedAfter).toEqual([]);
  expect(manifest.migrations).toEqual(V010);
  expect(new Set(await appliedIn(url))).toEqual(new Set(V010));
  return { url, manifest };
}

async function graphql<T>(url: string, query: string, token: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

describe('upgrading a v0.1.0 database', () => {
  it('v0.1.0 is a prefix of today: its migrations are the first ones of the code, none renamed', () => {
    expect(new Set(ALL.slice(0, V010.length))).toEqual(new Set(V010));
    expect(SINCE.length).toBeGreaterThan(0);
  });

  it('a server started on it applies exactly the migrations since, says so, keeps every row, and answers', async () => {
    const { url, manifest } = await v010Database();
    const [{ persons: elderly }] = await sql<{ persons: number }>(
      url,
      `select sum(value)::int as persons from observation where indicator = 'ELDERLY_60_PLUS' and period_month = '2026-12-01' and area_code like '511921%'`,
    );

    const logs = captureLogLines('info');
    let opened: Awaited<ReturnType<typeof openAndMigrate>>;
    try {
      opened = await openAndMigrate(url, { entities: civgraph.entities });
    } finally {
      logs.release();
    }
    const { orm, migrations } = opened;
    try {
      expect(migrations.applied).toEqual(SINCE);
      expect(migrations.before).toEqual(ALL.slice(0, V010.length));
      expect(logs.lines.filter((line) => line.msg === 'applied migrations')).toEqual([
        expect.objectContaining({ level: 30, migrations: SINCE, from: 'Migration20261128600000_governance', to: ALL.at(-1) }),
      ]);
      expect(migrationSummary(migrations)).toBe(
        `Upgraded the database: applied ${SINCE.length} migrations (${SINCE.join(', ')}); it was at Migration20261128600000_governance`,
      );
      expect(await appliedIn(url)).toEqual(ALL);

      // Every row of the old release is still there.
      for (const table of manifest.tables) {
        const [{ n }] = await sql<{ n: number }>(url, `select count(*)::int as n from "${table.name}"`);
        expect(n, table.name).toBe(table.rows);
      }
      expect(manifest.tables.reduce((sum, table) => sum + table.rows, 0)).toBeGreaterThan(50_000);

      const server = await startServer({ orm, civgraph, port: 0, host: '127.0.0.1', verifier: createTokenVerifier({ secret: TEST_JWT_SECRET }) });
      try {
        const token = await mintToken(TEST_JWT_SECRET, { name: '县民政局管理员', role: Role.COUNTY_ADMIN, area: '511921' });
        const tree = await graphql<{ area: { name: string; children: { totalCount: number; nodes: { childCount: number }[] } } }>(
          server.url,
          '{ area(code: "511921") { name children(first: 100) { totalCount nodes { childCount } } } }',
          token,
        );
        expect(tree.area.name).toBe('通江县');
        expect(tree.area.children.totalCount).toBe(33);
        expect(tree.area.children.nodes.reduce((sum, node) => sum + node.childCount, 0)).toBe(367);

        const stats = await graphql<{ county: { stats: { persons: number; reportedAreas: number }[] }; village: { stats: { persons: number }[] } }>(
          server.url,
          `
            {
              county: area(code: "511921") {
                stats(period: "2026-12", indicators: ["ELDERLY_60_PLUS"]) {
                  persons
                  reportedAreas
                }
              }
              village: area(code: "511921001001") {
                stats(period: "2026-12", indicators: ["ELDERLY_60_PLUS"]) {
                  persons
                }
              }
            }
          `,
          token,
        );
        expect(stats.county.stats).toEqual([{ persons: elderly, reportedAreas: expect.any(Number) }]);
        expect(stats.county.stats[0].reportedAreas).toBeGreaterThan(300);
        // Written through v0.1.0's API before the backup (the fixture's README).
        expect(stats.village.stats).toEqual([{ persons: 321 }]);

        const facility = await graphql<{ node: { name: string; beds: number; version: number; area: { code: string } } }>(
          server.url,
          '{ node(id: "RmFjaWxpdHk6MQ") { ... on Facility { name beds version area { code } } } }',
          token,
        );
        expect(facility.node).toEqual({ name: '民胜镇敬老院', beds: 45, version: 2, area: { code: expect.stringMatching(/^511921/) } });

        const approval = await graphql<{ area: { approval: { status: string; locked: boolean } } }>(
          server.url,
          '{ area(code: "511921001") { approval(period: "2026-11") { status locked } } }',
          token,
        );
        expect(approval.area.approval).toEqual({ status: 'APPROVED', locked: true });
        // project_owner_section (after v0.1.0) gave every old project its category's section.
        const projects = await graphql<{ area: { projects: { totalCount: number; nodes: { ownerSection: string }[] } } }>(
          server.url,
          '{ area(code: "511921") { projects(first: 100) { totalCount nodes { ownerSection } } } }',
          token,
        );
        expect(projects.area.projects.totalCount).toBe(manifest.tables.find((table) => table.name === 'project')!.rows);
        for (const project of projects.area.projects.nodes) expect(project.ownerSection).toMatch(/股|办公室/);
      } finally {
        await server.close();
      }
    } finally {
      await orm.close(true);
    }

    // Started again: nothing pending, nothing to say.
    const again = await openAndMigrate(url);
    await again.orm.close(true);
    expect(again.migrations).toEqual({ before: ALL, applied: [] });
    expect(migrationSummary(again.migrations)).toBeUndefined();
  }, 120_000);

  it('two processes starting at once on it apply each migration once (the advisory lock): one migrates, the other waits', async () => {
    const { url } = await v010Database();
    const results = await Promise.allSettled([openAndMigrate(url), openAndMigrate(url), openAndMigrate(url)]);
    for (const result of results) if (result.status === 'fulfilled') await result.value.orm.close(true);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const reports = results.map((result) => (result as PromiseFulfilledResult<Awaited<ReturnType<typeof openAndMigrate>>>).value.migrations);
    expect(reports.filter((report) => report.applied.length).map((report) => report.applied)).toEqual([SINCE]);
    expect(reports.filter((report) => !report.applied.length).map((report) => report.before)).toEqual([ALL, ALL]);
    expect(await sql(url, 'select name, count(*)::int as n from mikro_orm_migrations group by name having count(*) > 1')).toEqual([]);
    expect(await appliedIn(url)).toEqual(ALL);
  }, 120_000);

  it('`civgraph start` prints beside its URL what it applied, and nothing on the next start', async () => {
    const { url } = await v010Database();
    const dataDir = await makeTemp(join(tmpdir(), 'civgraph-upgrade-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = {
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      JWT_SECRET: '',
      JWT_JWKS_URL: '',
      NODE_ENV: 'development',
    };

    const first = await startCli(env);
    await stopCli(first.child);
    const stdout = first.stdout();
    expect(stdout).toMatch(/civgraph is serving GraphQL .* at http:\/\/\S+\nUpgraded the database: applied \d+ migrations/);
    expect(stdout).toContain(`Upgraded the database: applied ${SINCE.length} migrations (${SINCE.join(', ')}); it was at Migration20261128600000_governance\n`);
    const logged = first
      .stderrAndLog()
      .split('\n')
      .filter((line) => line.includes('"applied migrations"'))
      .map((line) => JSON.parse(line) as { level: number; migrations: string[] });
    expect(logged).toEqual([expect.objectContaining({ level: 30, migrations: SINCE })]);

    const second = await startCli(env);
    await stopCli(second.child);
    expect(second.stdout()).toContain('civgraph is serving GraphQL');
    expect(second.stdout()).not.toMatch(/Upgraded the database|Created the database schema/);
    expect(second.stderrAndLog()).not.toContain('"applied migrations"');
  }, 120_000);
});

describe('restoring an older release backup', () => {
  it("migrates to the backup's newest migration in the code's order, also when that release applied them in another order", async () => {
    // v0.1.0's predecessors applied statistics last (after audit_log): a backup of one records that order.
    const older = await emptyDatabase();
    const orm = await MikroORM.init(ormOptions(older));
    await orm.getMigrator().up({ to: 'Migration20261128500000_audit_log' });
    await orm.close(true);
    await sql(older, `update mikro_orm_migrations set id = id + 100 where name = 'Migration20261128100000_statistics'`);
    await sql(older, `insert into area (code, name, level, source) values ('510000000000', '四川省', 'PROVINCE', 'test')`);
    const dir = await makeTemp(join(tmpdir(), 'civgraph-upgrade-order-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const backup = await backupDatabase(older, dir);
    expect(backup.manifest.migrations.at(-1)).toBe('Migration20261128100000_statistics');

    const target = await emptyDatabase();
    const restored = await restoreDatabase(target, backup.path);
    expect(restored.migratedAfter).toEqual(ALL.slice(ALL.indexOf('Migration20261128500000_audit_log') + 1));
    expect(await sql(target, 'select code, name from area')).toEqual([{ code: '510000000000', name: '四川省' }]);
    expect(await appliedIn(target)).toEqual(ALL);
  }, 60_000);
});

/** `civgraph start` from dist/, resolved once it prints its URL. */
function startCli(env: Record<string, string>): Promise<{ child: ChildProcess; stdout: () => string; stderrAndLog: () => string }> {
  const child = spawn(process.execPath, [MAIN, 'start'], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${stdout}\n${stderr}`)), 90_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/serving GraphQL .* at http:\/\/\S+\n[\s\S]*Try:/.test(stdout)) {
        clearTimeout(timer);
        resolve({ child, stdout: () => stdout, stderrAndLog: () => `${stderr}\n${stdout}` });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
}

async function stopCli(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
