import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

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
