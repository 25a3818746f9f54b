import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedAnswers } from '../../src/graphql/shared-subscribe.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appendEvent, committedHead, eventually, settle, watch } from '../support/progress.js';

let app: TestApp;
const BIZHOU = '511921001'; // 壁州街道
let village = '';

beforeAll(async () => {
  app = await startTestApp();
  const [row] = await app.orm.em.fork().getConnection().execute<{ code: string }[]>(`select min(code) as code from area where parent_code = '511921001000'`);
  village = row.code;
});
afterAll(() => app?.close());

describe('one execution per event, selection and viewer (graphql-ws)', () => {
  it('subscribers with the same viewer and scope share one answer; another viewer or scope gets its own, and everyone gets the same data', async () => {
    const county = await app.token('COUNTY_ADMIN', '511921', { name: '县局' });
    const township = await app.token('TOWNSHIP_OPERATOR', BIZHOU, { name: '壁州' });
    const head = await committedHead(app);
    const before = app.progressHub.stats.subscribers;
    const watchers = [
      // Three county dashboards of one viewer, at different cursors: one scope, one answer.
      watch(app.wsClient({ authorization: `Bearer ${county}` }), { area: '511921' }),
      watch(app.wsClient({ authorization: `Bearer ${county}` }), { area: '511921', after: head }),
      watch(app.wsClient({ authorization: `Bearer ${county}` }), { area: '511921', after: head }),
      // The same viewer on a township: another scope, its own answer.
      watch(app.wsClient({ authorization: `Bearer ${county}` }), { area: BIZHOU, after: head }),
      // Another viewer on that township: its own answer.
      watch(app.wsClient({ authorization: `Bearer ${township}` }), { area: BIZHOU, after: head }),
    ];
    await eventually(() => expect(app.progressHub.stats.subscribers).toBe(before + watchers.length));
    await settle(100);
    const executed = sharedAnswers.executed;
    const reused = sharedAnswers.reused;
    await appendEvent(app, village, '共享一次执行');
    const received = await Promise.all(watchers.map((w) => w.until(1)));
    expect(received.map((events) => events.map((e) => e.summary))).toEqual(watchers.map(() => ['共享一次执行']));
    expect(new Set(received.map((events) => JSON.stringify(events[0])))).toHaveProperty('size', 1);
    expect(received[0][0].area).toMatchObject({ code: village });
    expect(sharedAnswers.executed - executed).toBe(3);
    expect(sharedAnswers.reused - reused).toBe(2);
    for (const w of watchers) w.stop();
  });
});
