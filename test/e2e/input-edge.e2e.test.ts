import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

// Control characters (NUL above all) are refused at the edge, on every transport,
// before anything runs (src/graphql/text-input.ts). Before, a NUL in a text input
// either broke the statement storing it (an unaudited INTERNAL_SERVER_ERROR) or,
// where the text is not stored, slipped through and broke the audit row instead.

let app: TestApp;
let admin: string;
let rectificationId: string;
const TIEFO = '511921104'; // 铁佛镇

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', '511921');
  const created = await app.query<{ createRectification: { rectification: { id: string } } }, unknown>(
    `mutation C($input: CreateRectificationInput!) { createRectification(input: $input) { rectification { id } userErrors { code } } }`,
    { input: { finding: '低保资格审核不严', area: TIEFO, category: 'OTHER', responsiblePerson: '张三', deadline: '2026-06-30', openedOn: '2026-03-01' } },
    { token: admin },
  );
  rectificationId = created.createRectification.rectification.id;
});
afterAll(() => app?.close());

/** What a refused request must leave as it was: the rectification, its history, events and the audit log. */
async function snapshot() {
  const [row] = await app.rows<Record<string, unknown>>(
    `select (select json_agg(r order by id) from rectification r) as rectifications,
            (select count(*)::int from rectification_transition) as transitions,
            (select count(*)::int from facility) as facilities,
            (select count(*)::int from progress_update) as events,
            (select count(*)::int from audit_log) as audits`,
  );
  return row;
}

const TRANSITION = `mutation T($input: TransitionRectificationInput!) { transitionRectification(input: $input) { rectification { status verifier } userErrors { code field } } }`;

async function post(body: unknown, token = admin) {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] } };
}

describe('control characters over HTTP', () => {
  it("a NUL in a variable (the probe's verifier) is a 400 field error, and nothing runs: no change, no event, no audit row", async () => {
    const before = await snapshot();
    const { status, body } = await post({
      query: TRANSITION,
      variables: { input: { id: rectificationId, version: 1, to: 'RECTIFYING', on: '2026-03-10', verifier: 'nobody\u0000' } },
    });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: expect.stringContaining('不能包含控制字符（如 U+0000）'),
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'input.verifier', character: 'U+0000' }),
      },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('a NUL in a document literal (a facility name, a finding) is refused the same way', async () => {
    const before = await snapshot();
    const facility = await post({
      query: `mutation { createFacility(input: { name: "敬老院\\u0000", type: NURSING_HOME, area: "${TIEFO}", operatingModel: PUBLIC }) { facility { id } userErrors { code } } }`,
    });
    expect(facility.status).toBe(400);
    expect(facility.body.errors!.map((e) => [e.extensions.code, e.extensions.field])).toEqual([['BAD_USER_INPUT', 'input.name']]);
    const finding = await post({
      query: `mutation C($deadline: LocalDate!) { createRectification(input: { finding: "x\\u001b[31m", area: "${TIEFO}", category: OTHER, responsiblePerson: "张三", deadline: $deadline }) { rectification { id } } }`,
      variables: { deadline: '2026-06-30' },
    });
    expect(finding.status).toBe(400);
    expect(finding.body.errors!.map((e) => [e.extensions.code, e.extensions.field, e.extensions.character])).toEqual([
      ['BAD_USER_INPUT', 'input.finding', 'U+001B'],
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('a lone surrogate from JSON and DEL are refused; in queries too', async () => {
    const surrogate = await post(
      `{"query":${JSON.stringify(TRANSITION)},"variables":{"input":{"id":"${rectificationId}","version":1,"to":"RECTIFYING","note":"a\\ud800b"}}}`,
    );
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.note', character: 'U+D800' });
    const query = await post({ query: 'query A($code: String!) { area(code: $code) { name } }', variables: { code: '511921\u007f' } });
    expect(query.status).toBe(400);
    expect(query.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code', character: 'U+007F' });
  });

  it('lets TAB, line breaks and ordinary text through', async () => {
    const { status, body } = await post({
      query: TRANSITION,
      variables: { input: { id: rectificationId, version: 1, to: 'RECTIFYING', on: '2026-03-10', note: '第一行\n\t第二行\r\n😀' } },
    });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { transitionRectification: { rectification: { status: 'RECTIFYING', verifier: null }, userErrors: [] } } });
  });
});

describe('control characters over graphql-ws and SSE', () => {
  it('graphql-ws answers the field error and runs nothing', async () => {
    const before = await snapshot();
    const client = app.wsClient({ authorization: `Bearer ${admin}` });
    const errors = await new Promise<unknown>((resolve, reject) => {
      client.subscribe(
        { query: TRANSITION, variables: { input: { id: rectificationId, version: 2, to: 'RECTIFIED', on: '2026-03-11', note: '\u0000' } } },
        { next: () => reject(new Error('ran')), error: resolve, complete: () => reject(new Error('completed without the error')) },
      );
    });
    expect(errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'input.note', character: 'U+0000' }) }),
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('SSE refuses it with 400', async () => {
    const response = await fetch(app.sseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: 'query A($code: String!) { area(code: $code) { name } }', variables: { code: '\u0000' } }),
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('BAD_USER_INPUT');
    expect(text).toContain('不能包含控制字符');
  });
});
