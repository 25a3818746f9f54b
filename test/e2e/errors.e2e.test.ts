import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { appendEvent, committedHead, eventually, settle, watch } from '../support/progress.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('unexpected errors', () => {
  it('are masked, carry the request id, and leave the rest of the response intact', async () => {
    // Break the database under the running server: any area read now fails in SQL.
    await app.orm.em.fork().getConnection().execute('alter table area rename to area_gone');
    try {
      const response = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'test-request-42' },
        body: JSON.stringify({ query: '{ area(code: "511921") { name } }' }),
      });
      expect(response.headers.get('x-request-id')).toBe('test-request-42');
      const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[]; data: unknown };
      expect(body.data).toEqual({ area: null });
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: 'Internal server error',
          path: ['area'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'test-request-42' },
        }),
      ]);
      expect(JSON.stringify(body)).not.toContain('area_gone');
      expect(JSON.stringify(body)).not.toMatch(/relation|select/i);
    } finally {
      await app.orm.em.fork().getConnection().execute('alter table area_gone rename to area');
    }
  });

  it('get a fresh request id when the client sends none or a malformed one', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('unexpected errors on the other transports', () => {
  /** Runs `work` while every area read fails in SQL. */
  async function withBrokenAreas(work: () => Promise<void>) {
    await app.orm.em.fork().getConnection().execute('alter table area rename to area_gone');
    try {
      await work();
    } finally {
      await app.orm.em.fork().getConnection().execute('alter table area_gone rename to area');
    }
  }

  it('are masked over SSE and carry the request id of the stream', async () => {
    await withBrokenAreas(async () => {
      const response = await fetch(app.sseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-request-id': 'sse-request-7' },
        body: JSON.stringify({ query: '{ area(code: "511921") { name } }' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe('sse-request-7');
      const text = await response.text();
      const events = [...text.matchAll(/^event: next\ndata: (.*)$/gm)].map(
        (m) => JSON.parse(m[1]) as { data: unknown; errors: { message: string; path: string[]; extensions: Record<string, unknown> }[] },
      );
      expect(events).toHaveLength(1);
      expect(events[0].data).toEqual({ area: null });
      expect(events[0].errors).toEqual([
        expect.objectContaining({
          message: 'Internal server error',
          path: ['area'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'sse-request-7' },
        }),
      ]);
      expect(text).not.toContain('area_gone');
    });
  });

  it("are masked in a live event's answer over graphql-ws, each subscription's with its own request id", async () => {
    const county = await app.token('COUNTY_ADMIN', '511921');
    const head = await committedHead(app);
    const before = app.progressHub.stats.subscribers;
    // One viewer, one selection (area { name }): the answer would be shared, but one with errors is not.
    const watchers = [0, 1, 2].map(() => watch(app.wsClient({ authorization: `Bearer ${county}` }), { area: '511921', after: head }));
    await eventually(() => expect(app.progressHub.stats.subscribers).toBe(before + watchers.length));
    await settle(100);
    await withBrokenAreas(async () => {
      await appendEvent(app, '511921001001', '区划读取失败');
      await eventually(() => expect(watchers.every((w) => w.errors.length > 0)).toBe(true));
    });
    const errors = watchers.map((w) => w.errors as { message: string; extensions: { code: string; requestId: string } }[]);
    for (const [error] of errors) {
      expect(error).toMatchObject({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      });
      expect(JSON.stringify(error)).not.toContain('area_gone');
    }
    expect(new Set(errors.map(([error]) => error.extensions.requestId)).size).toBe(3);
    for (const w of watchers) w.stop();
  });

  it('are masked over graphql-ws and carry a request id', async () => {
    await withBrokenAreas(async () => {
      const client = app.wsClient();
      const result = await new Promise<{ data?: unknown; errors?: { extensions?: Record<string, unknown> }[] }>((resolve, reject) => {
        let last: unknown;
        client.subscribe({ query: '{ area(code: "511921") { name } }' }, { next: (r) => (last = r), error: reject, complete: () => resolve(last as never) });
      });
      expect(result.data).toEqual({ area: null });
      expect(result.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) } }),
      ]);
      expect(JSON.stringify(result)).not.toContain('area_gone');
    });
  });
});
