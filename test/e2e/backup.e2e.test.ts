import { createHash } from 'node:crypto';
import { copyFile, mkdtemp as makeTemp, readdir, rm, stat, truncate, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MikroORM } from '@mikro-orm/postgresql';
import { migrationsList } from '../../migrations/index.js';
import { ormOptions } from '../../src/db/orm.js';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTokenVerifier } from '../../src/auth/auth.tokens.js';
import { BackupRefused, BackupScheduler, backupDatabase, restoreDatabase, type BackupResult } from '../../src/db/backup.js';
import { withDatabase } from '../../src/db/embedded.js';
import { openDatabase } from '../../src/db/orm.js';
import { seedDemo } from '../../src/feature.js';
import { InboxGenerator } from '../../src/modules/inbox/inbox.generate.js';
import { civgraph } from '../../src/features.js';
import { startServer } from '../../src/server/app.js';
import { registerDocuments } from '../../src/server/trusted-documents.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { createEmptyDatabase, sqlOn } from '../support/database.js';
import { appendEvent, committedHead, watch } from '../support/progress.js';

/**
 * Backup and restore (issue 33): one snapshot of every table while writes go on,
 * restored elsewhere row for row; the restored server answers and resumes a
 * subscription cursor taken before the backup; refusals; scheduled backups.
 */
let app: TestApp;
const cleanups: (() => Promise<void>)[] = [];

/** A temporary folder, removed after the file. */
async function mkdtemp(prefix: string): Promise<string> {
  const dir = await makeTemp(prefix);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const sql = sqlOn;

/** An empty database of its own on the test server (dropped after the file). */
async function emptyDatabase(): Promise<string> {
  const database = await createEmptyDatabase('civgraph_restore');
  cleanups.push(database.drop);
  return database.url;
}

/** Every civgraph table with its primary-key columns. */
async function tablesOf(url: string): Promise<{ name: string; key: string }[]> {
  return sql(
    url,
    `select t.table_name as name,
            (select string_agg(format('%I', k.column_name), ', ' order by k.ordinal_position)
               from information_schema.table_constraints c
               join information_schema.key_column_usage k using (constraint_schema, constraint_name)
              where c.table_name = t.table_name and c.table_schema = t.table_schema and c.constraint_type = 'PRIMARY KEY') as key
       from information_schema.tables t
      where t.table_schema = current_schema() and t.table_type = 'BASE TABLE' and t.table_name <> 'mikro_orm_migrations'
      order by 1`,
  );
}

/** A table's rows as text, in primary-key order. */
async function rowsOf(url: string, table: { name: string; key: string }, where = 'true'): Promise<string[]> {
  return (await sql<{ row: string }>(url, `select t::text as row from "${table.name}" t where ${where} order by ${table.key}`)).map((r) => r.row);
}

beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.orm, '511921000000', civgraph);
  // Tables the demo leaves empty get a row each, the way the server writes them.
  // Through the API as a bureau would: audit_log, observation_change, the 上报完整率 setting.
  const [{ code: village }] = await sql<{ code: string }>(
    app.databaseUrl,
    `select min(code) as code from area where level = 'VILLAGE' and code like '511921%'`,
  );
  const admin = await app.token('COUNTY_ADMIN', '511921');
  for (const value of ['3', '4']) {
    const reported = await app.query<{ reportObservations: { userErrors: unknown[] } }, unknown>(
      'mutation($input: ReportObservationsInput!) { reportObservations(input: $input) { userErrors { code message } } }',
      // 幂等键: the first report carries one, so idempotency_key holds a row.
      { input: { area: village, period: '2024-01', values: [{ indicator: 'ORPHANS', value }], idempotencyKey: value === '3' ? 'backup-test-key-0001' : null } },
      { token: admin },
    );
    expect(reported.reportObservations.userErrors).toEqual([]);
  }
  const threshold = await app.query<{ setReportingCompletenessThreshold: { userErrors: unknown[] } }, unknown>(
    'mutation { setReportingCompletenessThreshold(input: { county: "511921", minReportedPercent: 80 }) { userErrors { code message } } }',
    {},
    { token: admin },
  );
  expect(threshold.setReportingCompletenessThreshold.userErrors).toEqual([]);
  const document = '{ __typename }';
  await registerDocuments(app.orm, {
    client: 'backup-test',
    manifest: { [createHash('sha256').update(document).digest('hex')]: document },
    registeredBy: 'test',
  });
  // 外部推送: a webhook (registered stopped: nothing is sent) and one attempt, the row the deliverer writes for each.
  const webhook = await app.query<{ createWebhook: { userErrors: unknown[] } }, unknown>(
    'mutation { createWebhook(input: { url: "https://hooks.invalid/backup", eventKinds: [TASK], enabled: false }) { userErrors { code message } } }',
    {},
    { token: admin },
  );
  expect(webhook.createWebhook.userErrors).toEqual([]);
  await sql(
    app.databaseUrl,
    `insert into webhook_delivery (webhook_id, delivery_id, event_sequence, attempt, ok, status_code, error, duration_ms)
     select id, id || '-1', 1, 1, false, 500, 'HTTP 500', 12 from webhook`,
  );
  // 待办: a reminder, the row the inbox's generator writes (the demo names no account responsible, so it makes none).
  await sql(
    app.databaseUrl,
    `insert into inbox_item (recipient_sub, kind, subject_type, subject_key, area_code, title, summary, due_date, dedupe_key)
     select 'dev:county_admin:511921', 'DUE_SOON', 'Task', id::text, area_code, title, '期限将至', deadline, 'backup-test' from task order by id limit 1`,
  );
  // 提醒: the date sweep a server runs at start-up appends its notices of the demo (progress_alert and ALERTED events).
  const sweeper = new InboxGenerator(app.databaseUrl);
  await sweeper.sweep();
  await sweeper.close();
  expect(sweeper.lastSweep.alerts).toBeGreaterThan(0);
  // 账号: an account made by the admin and signed in once (a session and its refresh token).
  const account = await app.query<{ createAccount: { userErrors: unknown[] } }, unknown>(
    'mutation($input: CreateAccountInput!) { createAccount(input: $input) { userErrors { code message } } }',
    { input: { login: 'backup-operator', displayName: '备份测试', role: 'VILLAGE_OPERATOR', area: village, password: 'Village-2026!' } },
    { token: admin },
  );
  expect(account.createAccount.userErrors).toEqual([]);
  const signedIn = await app.query<{ signIn: { userErrors: unknown[] } }, unknown>(
    'mutation { signIn(input: { login: "backup-operator", password: "Village-2026!" }) { userErrors { code message } } }',
    {},
  );
  expect(signedIn.signIn.userErrors).toEqual([]);
  // 报送: a finished month's report issued and kept.
  const issued = await app.query<{ issueMonthlyReport: { userErrors: unknown[] } }, unknown>(
    'mutation { issueMonthlyReport(input: { area: "511921", month: "2026-11" }) { userErrors { code message } } }',
    {},
    { token: admin },
  );
  expect(issued.issueMonthlyReport.userErrors).toEqual([]);
  await appendEvent(app, '511921', 'before the backup');
  const empty: string[] = [];
  for (const table of await tablesOf(app.databaseUrl)) {
    const [{ n }] = await sql<{ n: number }>(app.databaseUrl, `select count(*)::int as n from "${table.name}"`);
    if (n === 0) empty.push(table.name);
  }
  expect(empty, 'every civgraph table holds a row before the backup').toEqual([]);
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await app?.close();
});

describe('backup and restore', () => {
  let backup: BackupResult;
  let restoredUrl: string;
  let cursorBefore: string;

  it('takes one snapshot while writes go on, and restores it elsewhere row for row', async () => {
    cursorBefore = await committedHead(app);
    await appendEvent(app, '511921', 'after the cursor, before the backup');
    const committedBefore = await committedHead(app);

    // A stream of writes (events: progress_update and event_sequence) during the backup.
    let stop = false;
    let afterBackup = 0;
    let backupDone = false;
    const writer = (async () => {
      for (let i = 0; !stop || afterBackup < 3; i++) {
        await appendEvent(app, '511921', `concurrent ${i}`);
        if (backupDone) afterBackup++;
      }
    })();
    const dir = await mkdtemp(join(tmpdir(), 'civgraph-backup-'));
    backup = await backupDatabase(app.databaseUrl, dir);
    backupDone = true;
    stop = true;
    await writer;

    expect(backup.path).toMatch(/civgraph-\d{8}T\d{9}Z\.backup$/);
    expect((await stat(backup.path)).size).toBe(backup.bytes);
    expect(backup.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(backup.manifest.migrations.length).toBeGreaterThan(5);
    expect(backup.manifest.tables.every((table) => table.rows > 0)).toBe(true);

    restoredUrl = await emptyDatabase();
    const restored = await restoreDatabase(restoredUrl, backup.path);
    expect(restored.migratedAfter).toEqual([]);

    // The snapshot's event head: every event up to it, none after it, and the events before the backup are in.
    const [{ value: head }] = await sql<{ value: string }>(restoredUrl, 'select value::text as value from event_sequence');
    expect(BigInt(head)).toBeGreaterThanOrEqual(BigInt(committedBefore));
    expect(BigInt(await committedHead(app))).toBeGreaterThan(BigInt(head)); // writes after the snapshot exist in the source …
    const tables = await tablesOf(app.databaseUrl);
    expect((await tablesOf(restoredUrl)).map((t) => t.name)).toEqual(tables.map((t) => t.name));
    // The inbox follower's cursor moves with the writes as event_sequence does: in the restore, it is at or below the head.
    const [{ cursor }] = await sql<{ cursor: string }>(restoredUrl, `select sequence::text as cursor from inbox_cursor where name = 'events'`);
    expect(BigInt(cursor)).toBeLessThanOrEqual(BigInt(head));
    for (const table of tables) {
      if (table.name === 'event_sequence' || table.name === 'inbox_cursor') continue;
      // … and are absent from the restore: progress_update equals the source up to the head, the rest exactly.
      const where = table.name === 'progress_update' ? `sequence <= ${head}` : 'true';
      const source = await rowsOf(app.databaseUrl, table, where);
      const copy = await rowsOf(restoredUrl, table);
      expect(copy.length, table.name).toBe(source.length);
      expect(copy, table.name).toEqual(source);
      expect(copy.length, table.name).toBe(backup.manifest.tables.find((t) => t.name === table.name)!.rows);
    }
    const [{ max }] = await sql<{ max: string }>(restoredUrl, 'select max(sequence)::text as max from progress_update');
    expect(max).toBe(head);
    // Sequences resume past the restored rows.
    const [{ behind }] = await sql<{ behind: number }>(
      restoredUrl,
      `select count(*)::int as behind from pg_sequences where schemaname = current_schema() and last_value is not null and last_value < 1`,
    );
    expect(behind).toBe(0);
  }, 60_000);

  it('serves the restored database: answers a query and replays a subscription from a cursor taken before the backup', async () => {
    const orm = await openDatabase(restoredUrl, { entities: civgraph.entities });
    const server = await startServer({ orm, civgraph, port: 0, host: '127.0.0.1', verifier: createTokenVerifier({ secret: TEST_JWT_SECRET }) });
    try {
      const token = await app.token('COUNTY_ADMIN', '511921');
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ area(code: "511921") { name } }' }),
      });
      expect(await response.json()).toEqual({ data: { area: { name: expect.any(String) } } });

      const [{ value: head }] = await sql<{ value: string }>(restoredUrl, 'select value::text as value from event_sequence');
      const expected = Number(BigInt(head) - BigInt(cursorBefore));
      expect(expected).toBeGreaterThanOrEqual(1);
      const client = createClient({
        url: server.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      try {
        const watching = watch(client, { area: '511921', after: cursorBefore });
        const events = await watching.until(expected);
        expect(events[0].summary).toBe('after the cursor, before the backup');
        expect(events.at(-1)!.sequence).toBe(head);
        watching.stop();
        // A write on the restored database continues the sequence.
        const next = await appendEvent({ orm }, '511921', 'first after the restore');
        expect(BigInt(next)).toBe(BigInt(head) + 1n);
      } finally {
        await client.dispose();
      }
    } finally {
      await server.close();
      await orm.close();
    }
  }, 60_000);

  it('refuses a target holding data unless forced, and changes nothing when it refuses', async () => {
    const before = await sql<{ n: string }>(restoredUrl, 'select count(*)::text as n from progress_update');
    const refusal = await restoreDatabase(restoredUrl, backup.path).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(BackupRefused);
    expect((refusal as Error).message).toMatch(/not empty \(table \w+ has rows\).*--force/);
    expect(await sql(restoredUrl, 'select count(*)::text as n from progress_update')).toEqual(before);

    await restoreDatabase(restoredUrl, backup.path, { force: true });
    const progress = (await tablesOf(restoredUrl)).find((t) => t.name === 'progress_update')!;
    // The event written after the first restore is gone: the backup's state again.
    expect((await rowsOf(restoredUrl, progress)).length).toBe(backup.manifest.tables.find((t) => t.name === 'progress_update')!.rows);
  }, 60_000);

  it('refuses a backup from a newer schema, and a damaged file, leaving the target empty', async () => {
    const future = await emptyDatabase();
    const orm = await openDatabase(future, { entities: civgraph.entities });
    await orm.close();
    await sql(future, `insert into mikro_orm_migrations (name, executed_at) values ('Migration29991231000000_from_the_future', now())`);
    const dir = await mkdtemp(join(tmpdir(), 'civgraph-backup-future-'));
    const newer = await backupDatabase(future, dir);
    const target = await emptyDatabase();
    await expect(restoreDatabase(target, newer.path)).rejects.toThrow(/newer civgraph.*Migration29991231000000_from_the_future/);
    expect(await sql(target, `select count(*)::int as n from pg_tables where schemaname = current_schema()`)).toEqual([{ n: 0 }]);

    const damaged = join(dir, 'damaged.backup');
    await copyFile(backup.path, damaged);
    await truncate(damaged, Math.floor(backup.bytes / 2));
    await expect(restoreDatabase(target, damaged)).rejects.toBeInstanceOf(BackupRefused);
    const left = await tablesOf(target);
    for (const table of left) {
      if (['indicator', 'openness_item', 'event_sequence', 'inbox_cursor'].includes(table.name)) continue;
      expect(await rowsOf(target, table), table.name).toEqual([]);
    }
  }, 60_000);

  it('restores a backup from an older schema, then runs the migrations the code has beyond it', async () => {
    const older = await emptyDatabase();
    const previous = migrationsList.at(-2)!.name;
    const orm = await MikroORM.init(ormOptions(older));
    await orm.getMigrator().up({ to: previous });
    await orm.close(true);
    await sql(older, `insert into area (code, name, level, source) values ('510000000000', '四川省', 'PROVINCE', 'test')`);
    const dir = await mkdtemp(join(tmpdir(), 'civgraph-backup-older-'));
    const old = await backupDatabase(older, dir);
    expect(old.manifest.migrations.at(-1)).toBe(previous);
    const target = await emptyDatabase();
    const restored = await restoreDatabase(target, old.path);
    expect(restored.migratedAfter).toEqual([migrationsList.at(-1)!.name]);
    expect(await sql(target, 'select code, name from area')).toEqual([{ code: '510000000000', name: '四川省' }]);
    expect((await sql<{ name: string }>(target, 'select name from mikro_orm_migrations order by id')).map((m) => m.name)).toEqual(
      migrationsList.map((m) => m.name),
    );
  }, 60_000);

  it('refuses to back up a database without a civgraph schema, writing no file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'civgraph-backup-none-'));
    await expect(backupDatabase(await emptyDatabase(), dir)).rejects.toThrow(/nothing to back up: this database holds no civgraph schema/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('scheduled backups', () => {
  it('take a backup every interval (the next planned when the last has ended), keeping the newest K', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'civgraph-scheduled-'));
    const scheduler = new BackupScheduler(app.databaseUrl, { dir, everyMs: 50, keep: 2 });
    await scheduler.start();
    const deadline = Date.now() + 30_000;
    while (scheduler.taken < 4) {
      if (Date.now() > deadline) throw new Error(`only ${scheduler.taken} backups in 30 s`);
      await sleep(20);
    }
    await scheduler.stop();
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(2);
    expect(files.every((name) => /^civgraph-\d{8}T\d{9}Z\.backup$/.test(name))).toBe(true);
    expect(join(dir, files[1])).toBe(scheduler.status().lastFile);
    expect(scheduler.status().lastError).toBeUndefined();
  }, 60_000);

  it('a failing backup is recorded, not thrown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'civgraph-scheduled-fail-'));
    const scheduler = new BackupScheduler(withDatabase(app.databaseUrl, 'civgraph_no_such_database'), { dir, everyMs: 3_600_000, keep: 2 });
    await scheduler.runOnce();
    expect(scheduler.status()).toMatchObject({ lastSuccessAt: undefined, lastError: expect.stringMatching(/civgraph_no_such_database/) });
    expect(await readdir(dir)).toEqual([]);
  });

  it("the server shows the last backup's age on /metrics and in /readyz", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'civgraph-scheduled-server-'));
    const server = await startServer({
      orm: app.orm,
      civgraph,
      port: 0,
      host: '127.0.0.1',
      metrics: { port: 0 },
      backup: { dir, everyMs: 3_600_000, keep: 3 },
    });
    try {
      const readyz = server.url.replace(/\/graphql$/, '/readyz');
      // No backup in the folder: the first one is taken at once.
      let body: { status: string; backup?: { lastSuccessAt: string | null; ageSeconds: number | null; file: string | null; lastAttemptFailed: boolean } } = {
        status: '',
      };
      const deadline = Date.now() + 30_000;
      while (!body.backup?.lastSuccessAt) {
        if (Date.now() > deadline) throw new Error(`no backup shown in /readyz: ${JSON.stringify(body)}`);
        await sleep(50);
        body = (await (await fetch(readyz)).json()) as typeof body;
      }
      expect(body).toMatchObject({
        status: 'ready',
        backup: { ageSeconds: expect.any(Number), file: expect.stringMatching(/^civgraph-.*\.backup$/), lastAttemptFailed: false },
      });
      expect(body.backup.ageSeconds).toBeLessThan(60);
      expect(await readdir(dir)).toEqual([body.backup.file]);
      const metrics = await (await fetch(server.metricsUrl!)).text();
      const stamp = Number(/^civgraph_backup_last_success_timestamp_seconds (\S+)$/m.exec(metrics)?.[1]);
      expect(Math.abs(stamp - Date.parse(body.backup.lastSuccessAt) / 1000)).toBeLessThan(1);
      expect(metrics).toMatch(/^civgraph_backup_last_attempt_failed 0$/m);
    } finally {
      await server.close();
    }

    // Restarted with a fresh backup in the folder: none is taken before the interval, the age comes from the file.
    const old = new Date(Date.now() - 7_200_000);
    const [file] = await readdir(dir);
    await utimes(join(dir, file), old, old);
    const again = await startServer({ orm: app.orm, civgraph, port: 0, host: '127.0.0.1', backup: { dir, everyMs: 3 * 3_600_000, keep: 3 } });
    try {
      const body = (await (await fetch(again.url.replace(/\/graphql$/, '/readyz'))).json()) as { backup: { ageSeconds: number } };
      expect(body.backup.ageSeconds).toBeGreaterThanOrEqual(7_199);
      expect(await readdir(dir)).toHaveLength(1);
    } finally {
      await again.close();
    }
  }, 60_000);
});
