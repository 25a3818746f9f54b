import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromGlobalId } from '../../src/common/global-id.js';
import { importAreas } from '../../src/modules/area/area.import.js';
import { SubjectKind } from '../../src/modules/progress/progress.entity.js';
import { WebhookDeliverer } from '../../src/modules/webhook/webhook.deliverer.js';
import { webhookOptionsFrom } from '../../src/modules/webhook/webhook.rules.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appendEvent, eventually, settle } from '../support/progress.js';

// Webhooks against a real HTTP receiver (node:http on a random port of 127.0.0.1, allowed by
// WEBHOOK_ALLOW_PRIVATE=1), with retries and the poll shortened so the file runs in seconds.
process.env.WEBHOOK_ALLOW_PRIVATE = '1';
process.env.WEBHOOK_POLL_MS = '50';
process.env.WEBHOOK_RETRY_BASE_MS = '50';
process.env.WEBHOOK_RETRY_MAX_MS = '200';
process.env.WEBHOOK_TIMEOUT_MS = '5000';

/** Townships of the county, one per test, so no test's webhook hears another test's events. */
const MINSHENG = '511921101000';
const TOWNSHIP_B = '511921102000';
const TOWNSHIP_C = '511921103000';
const TOWNSHIP_D = '511921104000';

let app: TestApp;
let admin: string;
const receivers: Receiver[] = [];

beforeAll(async () => {
  app = await startTestApp();
  // A second county, whose admin must not reach this one's webhooks.
  await importAreas(app.orm, { county: '511922' });
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(async () => {
  for (const receiver of receivers) await receiver.close();
  await app?.close();
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

type Mode = 'ok' | 'fail' | 'hang';

/** A webhook receiver: answers 200, 500 or never, as `mode` says at the time; records every request. */
interface Receiver {
  url: string;
  mode: Mode;
  requests: Received[];
  /** Requests held open in `hang` mode. */
  hanging: ServerResponse[];
  /** Delivery ids answered 2xx, in order (a receiver that drops repeats would keep each once). */
  accepted(): string[];
  close(): Promise<void>;
}

async function receiver(mode: Mode = 'ok'): Promise<Receiver> {
  const state: Receiver = {
    url: '',
    mode,
    requests: [],
    hanging: [],
    accepted: () => state.requests.filter((r) => r.status === 200).map((r) => String(r.headers['x-civgraph-delivery'])),
    close: async () => {
      for (const response of state.hanging) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const mode = state.mode;
      const status = mode === 'ok' ? 200 : mode === 'fail' ? 500 : 0;
      state.requests.push({ headers: request.headers, body, status });
      if (mode === 'hang') return void state.hanging.push(response);
      response.writeHead(status).end(mode === 'ok' ? 'ok' : 'broken');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?channel=test`;
  receivers.push(state);
  return state;
}

const WEBHOOK = 'id version url eventKinds enabled status deliveredCount failedAttempts lastError failingSince nextAttemptAt lastDeliveredAt area { code }';

async function create(input: Record<string, unknown>, token = admin) {
  return app.request<any, unknown>(
    `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { ${WEBHOOK} } userErrors { field message code } } }`,
    { input },
    { token },
  );
}

async function createOk(input: Record<string, unknown>): Promise<{ secret: string; webhook: any; key: string }> {
  const result = await create(input);
  expect(result.errors).toBeUndefined();
  const payload = result.data.createWebhook;
  expect(payload.userErrors).toEqual([]);
  return { secret: payload.secret, webhook: payload.webhook, key: fromGlobalId(payload.webhook.id).key };
}

async function update(input: Record<string, unknown>) {
  const result = await app.request<any, unknown>(
    `mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { webhook { ${WEBHOOK} } userErrors { field message code } } }`,
    { input },
    { token: admin },
  );
  expect(result.errors).toBeUndefined();
  expect(result.data.updateWebhook.userErrors).toEqual([]);
  return result.data.updateWebhook.webhook;
}

async function state(id: string) {
  const data = await app.query<any, unknown>(`query { webhooks(first: 100) { nodes { ${WEBHOOK} } } }`, undefined, { token: admin });
  return data.webhooks.nodes.find((w: { id: string }) => w.id === id);
}

async function count(table: string): Promise<number> {
  const [row] = await app.orm.em.fork().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from ${table}`);
  return row.n;
}

/** Checks `X-Civgraph-Signature: t=…,v1=…` against HMAC-SHA256(secret, "t.body"). */
function verifies(secret: string, received: Received): boolean {
  const header = String(received.headers['x-civgraph-signature']);
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${received.body}`).digest('hex');
  return expected === match[2] && Math.abs(Date.now() / 1000 - Number(match[1])) < 300;
}

async function createFacility(area: string, name: string) {
  return app.request<any, unknown>(
    `mutation($input: CreateFacilityInput!) { createFacility(input: $input) { facility { id } userErrors { field message } } }`,
    { input: { name, type: 'NURSING_HOME', area, operatingModel: 'PUBLIC' } },
    { token: admin },
  );
}

describe('webhooks', () => {
  it('refuse bad input with field errors and store nothing', async () => {
    const events = await count('progress_update');
    const cases: [Record<string, unknown>, string][] = [
      [{ url: 'ftp://example.com/x', eventKinds: ['TASK'] }, 'url'],
      [{ url: 'not a url', eventKinds: ['TASK'] }, 'url'],
      [{ url: 'https://user:secret@example.com/x', eventKinds: ['TASK'] }, 'url'],
      [{ url: 'https://example.com/x', eventKinds: [] }, 'eventKinds'],
      [{ url: 'https://example.com/x', eventKinds: ['TASK'], area: '12' }, 'area'],
      [{ url: 'https://example.com/x', eventKinds: ['TASK'], area: '511921999' }, 'area'],
      [{ url: 'https://example.com/x', eventKinds: ['TASK'], description: '长'.repeat(201) }, 'description'],
    ];
    for (const [input, field] of cases) {
      const result = await create(input);
      expect(result.errors, JSON.stringify(input)).toBeUndefined();
      expect(result.data.createWebhook.webhook).toBeNull();
      expect(result.data.createWebhook.secret).toBeNull();
      expect(result.data.createWebhook.userErrors.map((e: { field: string[] }) => e.field)).toEqual([['input', field]]);
      expect(result.data.createWebhook.userErrors[0].code).toBe('BAD_USER_INPUT');
    }
    // Several at once, each on its field.
    const both = await create({ url: 'gopher://x', eventKinds: [] });
    expect(both.data.createWebhook.userErrors.map((e: { field: string[] }) => e.field[1])).toEqual(['url', 'eventKinds']);
    // An unknown kind is not a SubjectKind: refused before the service runs, naming the value.
    const unknown = await create({ url: 'https://example.com/x', eventKinds: ['NO_SUCH_KIND'] });
    expect(unknown.errors?.[0].message).toContain('NO_SUCH_KIND');
    // Loopback, private and link-local targets are refused unless WEBHOOK_ALLOW_PRIVATE=1.
    process.env.WEBHOOK_ALLOW_PRIVATE = '0';
    try {
      for (const url of ['http://127.0.0.1:9/x', 'http://169.254.169.254/latest', 'http://localhost/x', 'http://[::1]/x', 'http://10.0.0.8/x']) {
        const refused = await create({ url, eventKinds: ['TASK'] });
        expect(refused.data.createWebhook.userErrors, url).toEqual([
          { field: ['input', 'url'], message: '不能推送到本机、内网或链路本地地址', code: 'BAD_USER_INPUT' },
        ]);
      }
    } finally {
      process.env.WEBHOOK_ALLOW_PRIVATE = '1';
    }
    expect(await count('webhook')).toBe(0);
    expect(await count('progress_update')).toBe(events);
  });

  it('are managed by county admins only; leaders read them; other roles neither', async () => {
    const input = { url: 'https://example.com/x', eventKinds: ['TASK'] };
    for (const [role, area] of [
      ['LEADER', '511921'],
      ['SECTION_STAFF', '511921'],
      ['TOWNSHIP_OPERATOR', '511921101'],
      ['VILLAGE_OPERATOR', '511921101001'],
      ['VIEWER', '511921'],
    ] as const) {
      const token = await app.token(role, area, { section: '养老服务股' });
      const refused = await create(input, token);
      expect(
        refused.errors?.map((e) => e.extensions?.code),
        role,
      ).toEqual(['FORBIDDEN']);
      const read = await app.request<any, unknown>('{ webhooks { totalCount } }', undefined, { token });
      expect(read.errors?.map((e) => e.extensions?.code) ?? [], role).toEqual(role === 'LEADER' ? [] : ['FORBIDDEN']);
    }
    const anonymous = await app.request<any, unknown>('{ webhooks { totalCount } }');
    expect(anonymous.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    // Another county's admin may not register for this county.
    const other = await create({ ...input, area: '511921' }, await app.token('COUNTY_ADMIN', '511922'));
    expect(other.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await count('webhook')).toBe(0);
  });

  it('deliver every event once by id, in order, signed, through failures and recovery, and show the state', async () => {
    const hook = await receiver('fail');
    const { secret, webhook, key } = await createOk({ url: hook.url, eventKinds: ['FACILITY'], area: '511921101', description: '县督查平台' });
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(webhook).toMatchObject({ status: 'ACTIVE', deliveredCount: 0, enabled: true, area: { code: MINSHENG }, eventKinds: ['FACILITY'] });
    const sequences = [
      await appendEvent(app, MINSHENG, '铁佛镇敬老院 状态 在建 → 建成'),
      await appendEvent(app, '511921101001', '村级互助养老点 状态 在建 → 建成'),
      await appendEvent(app, MINSHENG, '另一镇 状态 在建 → 建成', { kind: SubjectKind.TASK }), // not its kind
      await appendEvent(app, TOWNSHIP_B, '他镇敬老院 状态 在建 → 建成'), // not its area
      await appendEvent(app, MINSHENG, '铁佛镇日间照料中心 状态 在建 → 建成'),
    ];
    const expected = [sequences[0], sequences[1], sequences[4]].map((sequence) => `${key}-${sequence}`);

    // Failing: the same first event again and again, with the same delivery id; the state says so.
    await eventually(() => expect(hook.requests.length).toBeGreaterThanOrEqual(3));
    await eventually(async () => {
      const failing = await state(webhook.id);
      expect(failing).toMatchObject({ status: 'FAILING', lastError: 'HTTP 500', deliveredCount: 0, lastDeliveredAt: null });
      expect(failing.failedAttempts).toBeGreaterThanOrEqual(3);
      expect(failing.failingSince).not.toBeNull();
      expect(failing.nextAttemptAt).not.toBeNull();
    });
    expect(new Set(hook.requests.map((r) => r.headers['x-civgraph-delivery']))).toEqual(new Set([expected[0]]));

    // Recovered: every event arrives, each accepted once, in order.
    hook.mode = 'ok';
    await eventually(() => expect(hook.accepted()).toEqual(expected));
    await eventually(async () =>
      expect(await state(webhook.id)).toMatchObject({ status: 'ACTIVE', lastError: null, failingSince: null, failedAttempts: 0, deliveredCount: 3 }),
    );
    await settle(300);
    expect(hook.accepted()).toEqual(expected);

    // Each request: signed with the secret, its id in the header and the body, the event in the body.
    for (const request of hook.requests) expect(verifies(secret, request)).toBe(true);
    expect(verifies('whsec_wrong', hook.requests[0])).toBe(false);
    const last = hook.requests[hook.requests.length - 1];
    expect(last.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(last.body) as Record<string, any>;
    expect(body).toMatchObject({
      id: expected[2],
      kind: 'FACILITY',
      area: MINSHENG,
      payload: { sequence: sequences[4], action: 'STATUS_CHANGED', summary: '铁佛镇日间照料中心 状态 在建 → 建成', after: { status: 'BUILT' } },
    });
    expect(new Date(body.occurredAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    // Every attempt is recorded, newest first.
    const deliveries = await app.query<any, unknown>(
      `query($id: ID!) { webhookDeliveries(webhook: $id, first: 100) { totalCount nodes { deliveryId eventSequence attempt ok statusCode error durationMs } } }`,
      { id: webhook.id },
      { token: admin },
    );
    const attempts = deliveries.webhookDeliveries.nodes;
    expect(deliveries.webhookDeliveries.totalCount).toBe(hook.requests.length);
    expect(attempts.slice(0, 3).map((a: { deliveryId: string }) => a.deliveryId)).toEqual([...expected].reverse());
    expect(attempts.slice(0, 3).every((a: { ok: boolean; statusCode: number }) => a.ok && a.statusCode === 200)).toBe(true);
    const failed = attempts.filter((a: { ok: boolean }) => !a.ok);
    expect(failed.length).toBe(hook.requests.length - 3);
    expect(failed.every((a: any) => a.statusCode === 500 && a.error === 'HTTP 500' && a.deliveryId === expected[0])).toBe(true);
    expect(failed.map((a: { attempt: number }) => a.attempt)).toEqual(failed.map((_: unknown, i: number) => failed.length - i));

    // A rotated secret signs what follows; the old one no longer verifies.
    const rotated = await app.query<any, unknown>(
      `mutation($input: WebhookVersionInput!) { rotateWebhookSecret(input: $input) { secret webhook { version } userErrors { message } } }`,
      { input: { id: webhook.id, version: (await state(webhook.id)).version } },
      { token: admin },
    );
    const next = rotated.rotateWebhookSecret.secret as string;
    expect(next).not.toBe(secret);
    const sequence = await appendEvent(app, MINSHENG, '又一家敬老院 状态 在建 → 建成');
    await eventually(() => expect(hook.accepted()).toContain(`${key}-${sequence}`));
    const signedNew = hook.requests[hook.requests.length - 1];
    expect(verifies(next, signedNew)).toBe(true);
    expect(verifies(secret, signedNew)).toBe(false);
    await update({ id: webhook.id, version: rotated.rotateWebhookSecret.webhook.version, enabled: false });
  });

  it('never slow or fail the write that caused an event while a receiver hangs; other webhooks still receive', async () => {
    const stuck = await receiver('hang');
    const healthy = await receiver('ok');
    const hanging = await createOk({ url: stuck.url, eventKinds: ['FACILITY'], area: '511921102' });
    const other = await createOk({ url: healthy.url, eventKinds: ['FACILITY'], area: '511921102' });
    const first = await createFacility(TOWNSHIP_B, '挂起测试敬老院一');
    expect(first.data.createFacility.userErrors).toEqual([]);
    await eventually(() => expect(stuck.hanging.length).toBe(1));
    // The receiver holds the first delivery open (for up to WEBHOOK_TIMEOUT_MS, 5 s): a write now does not wait for it
    // (the bound leaves room for a loaded machine and still lies well below the hang).
    const started = performance.now();
    const second = await createFacility(TOWNSHIP_B, '挂起测试敬老院二');
    const elapsed = performance.now() - started;
    expect(second.errors).toBeUndefined();
    expect(second.data.createFacility.userErrors).toEqual([]);
    expect(elapsed).toBeLessThan(2500);
    // The other webhook got both events while the first hangs.
    await eventually(() => expect(healthy.accepted()).toHaveLength(2));
    expect(stuck.hanging.length).toBe(1);
    // The hung attempt times out and is recorded as such.
    await eventually(async () => {
      const failing = await state(hanging.webhook.id);
      expect(failing.status).toBe('FAILING');
      expect(failing.lastError).toContain('超时');
    }, 15_000);
    stuck.mode = 'ok';
    await eventually(() => expect(stuck.accepted()).toHaveLength(2), 15_000);
    expect(new Set(stuck.accepted()).size).toBe(2);
    await update({ id: hanging.webhook.id, version: hanging.webhook.version, enabled: false });
    await update({ id: other.webhook.id, version: other.webhook.version, enabled: false });
  });

  it('send nothing while disabled; enabled again, only what follows', async () => {
    const hook = await receiver('ok');
    const { webhook, key } = await createOk({ url: hook.url, eventKinds: ['FACILITY', 'RECTIFICATION'], area: '511921103' });
    const disabled = await update({ id: webhook.id, version: webhook.version, enabled: false });
    expect(disabled).toMatchObject({ enabled: false, status: 'DISABLED' });
    await appendEvent(app, TOWNSHIP_C, '停用期间 状态 在建 → 建成');
    await appendEvent(app, TOWNSHIP_C, '停用期间的整改', { kind: SubjectKind.RECTIFICATION });
    await settle(500);
    expect(hook.requests).toEqual([]);
    const enabled = await update({ id: webhook.id, version: disabled.version, enabled: true });
    expect(enabled.status).toBe('ACTIVE');
    const sequence = await appendEvent(app, TOWNSHIP_C, '启用之后的整改', { kind: SubjectKind.RECTIFICATION });
    await eventually(() => expect(hook.accepted()).toEqual([`${key}-${sequence}`]));
    await settle(300);
    expect(hook.requests).toHaveLength(1);

    // Deleted: gone with its records, nothing more is sent.
    const deleted = await app.query<any, unknown>(
      `mutation($input: WebhookVersionInput!) { deleteWebhook(input: $input) { deletedId userErrors { message } } }`,
      { input: { id: webhook.id, version: enabled.version } },
      { token: admin },
    );
    expect(deleted.deleteWebhook).toEqual({ deletedId: webhook.id, userErrors: [] });
    await appendEvent(app, TOWNSHIP_C, '删除之后 状态 在建 → 建成');
    await settle(300);
    expect(hook.requests).toHaveLength(1);
    const [{ n }] = await app.orm.em
      .fork()
      .getConnection()
      .execute<{ n: number }[]>('select count(*)::int as n from webhook_delivery where webhook_id = ?', [key]);
    expect(n).toBe(0);
  });

  it('are worked by one server at a time: a second deliverer on the same database (another instance, or one restarted) sends nothing twice', async () => {
    const hook = await receiver('ok');
    let open = 0;
    let most = 0;
    const track = hook.requests.push.bind(hook.requests);
    hook.requests.push = (...items: Received[]) => {
      open++;
      most = Math.max(most, open);
      setTimeout(() => open--, 0);
      return track(...items);
    };
    const second = new WebhookDeliverer(app.databaseUrl, webhookOptionsFrom(process.env));
    await second.start();
    try {
      const { webhook, key } = await createOk({ url: hook.url, eventKinds: ['FACILITY'], area: '511921104' });
      const sequences: string[] = [];
      for (let i = 0; i < 12; i++) sequences.push(await appendEvent(app, TOWNSHIP_D, `两台服务 第${i}件`));
      await eventually(() => expect(hook.accepted()).toHaveLength(12));
      await settle(300);
      expect(hook.accepted()).toEqual(sequences.map((sequence) => `${key}-${sequence}`));
      expect(hook.requests).toHaveLength(12);
      expect(most).toBe(1);
      expect((await state(webhook.id)).deliveredCount).toBe(12);
      await update({ id: webhook.id, version: webhook.version, enabled: false });
    } finally {
      await second.stop();
    }
  });

  it('record one progress event per change, naming the host only, and refuse a stale version', async () => {
    const hook = await receiver('ok');
    const { webhook } = await createOk({ url: hook.url, eventKinds: ['TASK'], area: '511921104' });
    const [created] = await app.orm.em
      .fork()
      .getConnection()
      .execute<{ summary: string; area_code: string; after: Record<string, unknown> }[]>(
        `select summary, area_code, after from progress_update where subject_kind = 'WEBHOOK' and subject_id = ? order by sequence`,
        [webhook.id],
      );
    expect(created.area_code).toBe(TOWNSHIP_D);
    expect(created.summary).toBe(`登记外部推送 ${new URL(hook.url).host}`);
    expect(JSON.stringify(created)).not.toContain('channel=test');
    expect(JSON.stringify(created)).not.toContain('whsec_');
    const stale = await app.request<any, unknown>(
      `mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { webhook { id } userErrors { field code } } }`,
      { input: { id: webhook.id, version: webhook.version + 5, description: '改' } },
      { token: admin },
    );
    expect(stale.data.updateWebhook).toEqual({ webhook: null, userErrors: [{ field: ['input', 'version'], code: 'CONFLICT' }] });
    const badUrl = await app.request<any, unknown>(
      `mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { webhook { id } userErrors { field code } } }`,
      { input: { id: webhook.id, version: webhook.version, url: 'mailto:x@example.com', eventKinds: [] } },
      { token: admin },
    );
    expect(badUrl.data.updateWebhook.userErrors.map((e: { field: string[] }) => e.field[1])).toEqual(['url', 'eventKinds']);
    expect((await state(webhook.id)).version).toBe(webhook.version);
    await update({ id: webhook.id, version: webhook.version, enabled: false });
  });
});
