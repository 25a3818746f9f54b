import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, startCivgraph } from '../support/cli.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { appendEvent, committedHead, eventually, settle, watch } from '../support/progress.js';
import { createTokenVerifier } from '../../src/auth/auth.tokens.js';
import { civgraph } from '../../src/features.js';

let app: TestApp;
let countyToken: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  app = await startTestApp();
  countyToken = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : null)));
  await app?.close();
});

/** A second civgraph server process on the test database; resolves with its URL. */
async function startServerProcess(): Promise<string> {
  const env = { DATABASE_URL: app.databaseUrl, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'warn' };
  return (await startCivgraph(env, { spawned: (child) => children.push(child) })).url;
}

/** Appends one event from a separate Node process with its own connection (another writer). */
function appendFromAnotherProcess(areaCode: string, summary: string): Promise<void> {
  const script = `
    import { openDatabase } from ${JSON.stringify(new URL('../../dist/src/db/orm.js', import.meta.url).href)};
    import { sqlFor } from ${JSON.stringify(new URL('../../dist/src/db/sql.js', import.meta.url).href)};
    import { appendProgressUpdate } from ${JSON.stringify(new URL('../../dist/src/modules/progress/progress.outbox.js', import.meta.url).href)};
    const orm = await openDatabase(process.env.DATABASE_URL);
    await orm.em.fork().transactional((em) => appendProgressUpdate(sqlFor(em), {
      subjectKind: 'FACILITY', subjectId: 'RmFjaWxpdHk6OQ', areaCode: process.env.AREA, action: 'UPDATED',
      actor: { sub: 'system', name: '系统', role: 'COUNTY_ADMIN', areaCode: '511921000000' }, summary: process.env.SUMMARY,
    }));
    await orm.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', `import 'reflect-metadata';${script}`], {
    env: { ...process.env, DATABASE_URL: app.databaseUrl, AREA: areaCode.padEnd(12, '0'), SUMMARY: summary, LOG_LEVEL: 'silent' },
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(errors)))));
}

describe('two server processes on one database', () => {
  it('a subscriber on either process receives events appended through the other (and through its own) exactly once', async () => {
    const secondUrl = await startServerProcess();
    const head = await committedHead(app);
    const onFirst = watch(app.wsClient({ authorization: `Bearer ${countyToken}` }), { area: '511921', after: head });
    const { createClient } = await import('graphql-ws');
    const { default: WebSocket } = await import('ws');
    const secondClient = createClient({
      url: secondUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${countyToken}` },
      retryAttempts: 0,
    });
    const onSecond = watch(secondClient, { area: '511921', after: head });
    try {
      await appendEvent(app, '511921001', '经第一进程');
      await appendFromAnotherProcess('511921100', '经另一写入进程');
      await appendEvent(app, '511921101', '再经第一进程');
      await onFirst.until(3);
      await onSecond.until(3);
      await settle(500);
      const expected = ['经第一进程', '经另一写入进程', '再经第一进程'];
      expect(onFirst.events.map((e) => e.summary)).toEqual(expected);
      expect(onSecond.events.map((e) => e.summary)).toEqual(expected);
      expect(onSecond.events.map((e) => e.cursor)).toEqual(onFirst.events.map((e) => e.cursor));
    } finally {
      await secondClient.dispose();
    }
  });
});

describe('civgraph watch', () => {
  it('prints each event as a readable line and resumes from its last cursor after the connection drops', async () => {
    const serve = (port: number) =>
      startServer({ civgraph, orm: app.orm, port, host: '127.0.0.1', verifier: createTokenVerifier({ secret: TEST_JWT_SECRET }) });
    let server: RunningServer = await serve(0);
    const port = server.port;
    const village = (
      await app.orm.em
        .fork()
        .getConnection()
        .execute<{ code: string; name: string }[]>(`select code, name from area where parent_code = '511921001000' order by code limit 1`)
    )[0];
    const head = await committedHead(app);
    const child = spawn(process.execPath, [MAIN, 'watch', '--area', '511921', '--after', head, '--url', server.url, '--token', countyToken], {
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const lines = () => out.split('\n').filter(Boolean);
    try {
      await appendEvent(app, '511921001', '壁州街道敬老院 状态 在建 → 建成');
      await appendEvent(app, village.code, '村务公开 已公示');
      await eventually(() => expect(lines()).toHaveLength(2));
      expect(lines()[0]).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} {2}壁州街道 {2}壁州街道敬老院 状态 在建 → 建成 {2}\[\S+\]$/);
      expect(lines()[1]).toContain(`壁州街道·${village.name.replace(/(居民委员会|村民委员会|委员会)$/, '')}`);

      await server.close();
      await appendEvent(app, '511921100', '断线期间 一');
      await appendEvent(app, '511921101', '断线期间 二');
      server = await serve(port);
      await appendEvent(app, '511921001', '恢复之后');
      await eventually(() => expect(lines()).toHaveLength(5), 20_000);
      await settle(300);
      expect(lines().map((line) => line.split('  ')[2])).toEqual([
        '壁州街道敬老院 状态 在建 → 建成',
        '村务公开 已公示',
        '断线期间 一',
        '断线期间 二',
        '恢复之后',
      ]);
      expect(err).toMatch(/connection lost .*resuming after \S+/);
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
      const lastCursor = /\[(\S+)\]$/.exec(lines()[4])![1];
      expect(err).toContain(`last cursor: ${lastCursor} (continue with --after ${lastCursor})`);
    } finally {
      if (child.exitCode === null) child.kill('SIGINT');
      await server.close();
    }
  });

  it('stops with a clear message when the server refuses the subscription', async () => {
    const operator = await app.token('TOWNSHIP_OPERATOR', '511921001');
    const child = spawn(process.execPath, [MAIN, 'watch', '--area', '511921', '--url', app.url, '--token', operator], {
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    children.push(child);
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain('the server refused: FORBIDDEN');
  });
});
