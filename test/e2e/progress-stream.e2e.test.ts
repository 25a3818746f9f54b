import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { toGlobalId } from '../../src/common/global-id.js';
import { sqlFor } from '../../src/db/sql.js';
import { ProgressAction, SubjectKind } from '../../src/modules/progress/progress.entity.js';
import { appendProgressUpdate, PROGRESS_CHANNEL } from '../../src/modules/progress/progress.outbox.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { systemViewer } from '../../src/auth/auth.rules.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const event = (summary: string) => ({
  subjectKind: SubjectKind.FACILITY,
  subjectId: toGlobalId('Facility', '1'),
  areaCode: '511921101000',
  action: ProgressAction.UPDATED,
  actor: systemViewer('511921000000'),
  summary,
  before: { status: 'UNDER_CONSTRUCTION' },
  after: { status: 'BUILT' },
});

async function stored(): Promise<{ sequence: string; summary: string }[]> {
  return app.orm.em.fork().getConnection().execute('select sequence::text as sequence, summary from progress_update order by sequence');
}

describe('appendProgressUpdate', () => {
  it('numbers events in order and announces each committed one on the channel', async () => {
    const listener = new pg.Client({ connectionString: app.databaseUrl });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload!));
    await listener.query(`listen ${PROGRESS_CHANNEL}`);

    const first = await app.orm.em.fork().transactional((em) => appendProgressUpdate(sqlFor(em), event('一')));
    const second = await app.orm.em.fork().transactional((em) => appendProgressUpdate(sqlFor(em), event('二')));
    expect(BigInt(second)).toBeGreaterThan(BigInt(first));
    await expect.poll(() => heard).toEqual([first, second]);
    await listener.end();
  });

  it('writes nothing and announces nothing when the transaction rolls back', async () => {
    const before = await stored();
    const listener = new pg.Client({ connectionString: app.databaseUrl });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload!));
    await listener.query(`listen ${PROGRESS_CHANNEL}`);
    await expect(
      app.orm.em.fork().transactional(async (em) => {
        await appendProgressUpdate(sqlFor(em), event('回滚'));
        throw new Error('the change failed after the event was written');
      }),
    ).rejects.toThrow('the change failed');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).toEqual([]);
    expect(await stored()).toEqual(before);
    await listener.end();
  });
});
