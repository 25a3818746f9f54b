import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutationsWithoutRows } from '../support/access-matrix.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createProbeTable, probeSchema, RECORD_PROBE } from '../support/probe.resolver.js';
import { matrixRows } from './access-matrix.rows.js';
import { civgraphSchema } from '../../src/features.js';

// Runs against civgraph's schema plus a test-only probe mutation (see
// test/support/probe.resolver.ts): the audit is a mechanism for every
// feature's mutations, proven here on one whose writes the test controls
// (including a crash after writing). The access matrix itself runs on the real
// mutations in test/e2e/access-matrix.e2e.test.ts.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ schema: await probeSchema() });
  await createProbeTable(app.orm);
});
afterAll(() => app?.close());

const INJECTION = "'; drop table area; --";
const SCRIPT = '<script>alert(1)</script>';

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return app.orm.em.getConnection().execute(text, params);
}

type AuditRowOut = {
  mutation: string;
  outcome: string;
  error_codes: string[];
  args: Record<string, unknown>;
  actor_sub: string | null;
  actor_role: string | null;
  actor_area_code: string | null;
  operation_name: string | null;
  duration_ms: number;
  request_id: string | null;
};

async function lastAudit(): Promise<AuditRowOut> {
  const [row] = await sql<AuditRowOut>('select * from audit_log order by id desc limit 1');
  return row;
}

async function probe(input: Record<string, unknown>, token?: string) {
  return app.request<{ recordProbe: { note: string | null; userErrors: { code: string; field: string[] }[] } }, unknown>(RECORD_PROBE, { input }, { token });
}

describe('access matrix coverage check', () => {
  it('names the mutations that have no row', async () => {
    // The matrix's rows cover the published schema; the probe's mutation has none.
    expect(mutationsWithoutRows(await civgraphSchema(), matrixRows)).toEqual([]);
    expect(mutationsWithoutRows(await probeSchema(), matrixRows)).toEqual(['recordProbe']);
    expect(mutationsWithoutRows(await probeSchema(), [...matrixRows, { field: 'recordProbe' }])).toEqual([]);
  });
});

describe('audit of mutations over HTTP', () => {
  it('records a successful call with caller, operation, arguments, outcome and duration', async () => {
    const token = await app.token('TOWNSHIP_OPERATOR', '511921101', { name: '张三' });
    const result = await probe({ areaCode: '511921101001', note: '修好了' }, token);
    expect(result.errors).toBeUndefined();
    const row = await lastAudit();
    expect(row).toMatchObject({
      mutation: 'recordProbe',
      operation_name: 'RecordProbe',
      outcome: 'OK',
      error_codes: [],
      actor_sub: 'dev:township_operator:511921101',
      actor_role: 'TOWNSHIP_OPERATOR',
      actor_area_code: '511921101000',
      args: { input: { areaCode: '511921101001', note: '修好了', crash: false } },
    });
    expect(row.duration_ms).toBeGreaterThanOrEqual(0);
    expect(row.request_id).toMatch(/\S/);
  });

  it('redacts secrets and keeps injection-looking strings verbatim, in the data and in the audit', async () => {
    const token = await app.token('COUNTY_ADMIN', '511921');
    const note = `${INJECTION} ${SCRIPT}`;
    const result = await probe({ areaCode: '511921101001', note, password: 'hunter2' }, token);
    expect(result.data!.recordProbe.note).toBe(note);
    expect(await sql('select note from probe_note where note = ?', [note])).toHaveLength(1);
    const row = await lastAudit();
    expect(row.args).toEqual({ input: { areaCode: '511921101001', note, password: '[REDACTED]', crash: false } });
    expect(JSON.stringify(row)).not.toContain('hunter2');
    expect((await sql<{ n: number }>('select count(*)::int as n from area'))[0].n).toBeGreaterThan(400);
  });

  it('records user errors with their codes', async () => {
    const token = await app.token('COUNTY_ADMIN', '511921');
    const result = await probe({ areaCode: '511921101001', note: '' }, token);
    expect(result.data!.recordProbe.userErrors.map((e) => e.code)).toEqual(['BAD_USER_INPUT']);
    expect(await lastAudit()).toMatchObject({ outcome: 'USER_ERRORS', error_codes: ['BAD_USER_INPUT'] });
  });

  it('records refused calls: FORBIDDEN outside the subtree, UNAUTHENTICATED without a token', async () => {
    const outsider = await app.token('TOWNSHIP_OPERATOR', '511921102');
    expect((await probe({ areaCode: '511921101001', note: 'x' }, outsider)).errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(await lastAudit()).toMatchObject({ outcome: 'ERROR', error_codes: ['FORBIDDEN'], actor_area_code: '511921102000' });
    expect((await probe({ areaCode: '511921101001', note: 'x' })).errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect(await lastAudit()).toMatchObject({ outcome: 'ERROR', error_codes: ['UNAUTHENTICATED'], actor_sub: null });
  });

  it('records a rolled-back mutation, whose own write is gone', async () => {
    const token = await app.token('COUNTY_ADMIN', '511921');
    const result = await probe({ areaCode: '511921101001', note: 'rolled back', crash: true }, token);
    expect(result.errors![0].extensions!.code).toBe('INTERNAL_SERVER_ERROR');
    expect(await sql('select 1 from probe_note where note = ?', ['rolled back'])).toEqual([]);
    expect(await lastAudit()).toMatchObject({
      mutation: 'recordProbe',
      outcome: 'ERROR',
      error_codes: ['INTERNAL_SERVER_ERROR'],
      args: { input: { note: 'rolled back' } },
    });
  });
});

describe('audit of mutations over graphql-ws', () => {
  it('records the call like HTTP does', async () => {
    const token = await app.token('VILLAGE_OPERATOR', '511921101001', { name: '王五' });
    const client = app.wsClient({ authorization: `Bearer ${token}` });
    const result = await new Promise<{ data?: unknown; errors?: unknown }>((resolve, reject) => {
      let value: { data?: unknown } = {};
      client.subscribe(
        { query: RECORD_PROBE, variables: { input: { areaCode: '511921101001', note: 'over ws', password: 'pw' } }, operationName: 'RecordProbe' },
        { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
      );
    });
    expect(result).toEqual({ data: { recordProbe: { note: 'over ws', userErrors: [] } } });
    expect(await lastAudit()).toMatchObject({
      mutation: 'recordProbe',
      outcome: 'OK',
      actor_sub: 'dev:village_operator:511921101001',
      args: { input: { note: 'over ws', password: '[REDACTED]' } },
    });
  });
});

describe('mutations over GET', () => {
  it('are refused with 405 and write nothing', async () => {
    const before = await sql('select count(*)::int as n from probe_note');
    const token = await app.token('COUNTY_ADMIN', '511921');
    const url = `${app.url}?query=${encodeURIComponent('mutation { recordProbe(input: { areaCode: "511921101001", note: "via GET" }) { note } }')}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(405);
    expect(await sql('select count(*)::int as n from probe_note')).toEqual(before);
  });
});

const AUDIT_LOG = `query AuditLog($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id mutation outcome errorCodes operationName arguments occurredAt durationMs actor { sub name role area { code } } }
  }
}`;

type AuditPage = {
  auditLog: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: {
      id: string;
      mutation: string;
      outcome: string;
      errorCodes: string[];
      arguments: Record<string, unknown>;
      occurredAt: string;
      actor: { sub: string; role: string; area: { code: string } } | null;
    }[];
  };
};

describe('auditLog', () => {
  it('lists calls newest first for a county admin, with filters and pages', async () => {
    const caller = await app.token('TOWNSHIP_OPERATOR', '511921103', { name: '审计对象' });
    const sub = 'dev:township_operator:511921103';
    for (const note of ['one', 'two', '']) await probe({ areaCode: '511921103001', note }, caller);
    const admin = await app.token('COUNTY_ADMIN', '511921');
    const all = await app.query<AuditPage, unknown>(AUDIT_LOG, { filter: { sub } }, { token: admin });
    expect(all.auditLog.totalCount).toBe(3);
    expect(all.auditLog.nodes.map((n) => [n.outcome, (n.arguments.input as { note: string }).note])).toEqual([
      ['USER_ERRORS', ''],
      ['OK', 'two'],
      ['OK', 'one'],
    ]);
    expect(all.auditLog.nodes[0]).toMatchObject({
      mutation: 'recordProbe',
      errorCodes: ['BAD_USER_INPUT'],
      actor: { sub, role: 'TOWNSHIP_OPERATOR', area: { code: '511921103000' } },
    });

    const firstPage = await app.query<AuditPage, unknown>(AUDIT_LOG, { filter: { sub }, first: 2 }, { token: admin });
    expect(firstPage.auditLog.pageInfo.hasNextPage).toBe(true);
    const secondPage = await app.query<AuditPage, unknown>(
      AUDIT_LOG,
      { filter: { sub }, first: 2, after: firstPage.auditLog.pageInfo.endCursor },
      { token: admin },
    );
    expect(secondPage.auditLog.nodes.map((n) => n.id)).toEqual([all.auditLog.nodes[2].id]);

    const ok = await app.query<AuditPage, unknown>(AUDIT_LOG, { filter: { sub, outcome: 'OK', mutation: 'recordProbe' } }, { token: admin });
    expect(ok.auditLog.totalCount).toBe(2);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await app.query<AuditPage, unknown>(AUDIT_LOG, { filter: { sub, from: future } }, { token: admin })).auditLog.totalCount).toBe(0);
    expect((await app.query<AuditPage, unknown>(AUDIT_LOG, { filter: { sub, to: future } }, { token: admin })).auditLog.totalCount).toBe(3);

    const node = await app.query<{ node: { mutation: string } | null }, unknown>(
      'query($id: ID!) { node(id: $id) { ... on AuditEntry { mutation } } }',
      { id: all.auditLog.nodes[0].id },
      { token: admin },
    );
    expect(node.node).toEqual({ mutation: 'recordProbe' });
  });

  it('orders by id as a number, not as text (999999 before 1000000)', async () => {
    const sub = 'test:audit-order';
    for (const id of [999_999, 1_000_000]) {
      await sql(
        `insert into audit_log (id, occurred_at, duration_ms, actor_sub, actor_name, actor_role, actor_area_code, operation_name, mutation, args, outcome, error_codes, request_id)
         overriding system value values (?, now(), 1, ?, '排序', 'COUNTY_ADMIN', '511921000000', null, 'recordProbe', '{}'::jsonb, 'OK', '{}', null)`,
        [id, sub],
      );
    }
    const admin = await app.token('COUNTY_ADMIN', '511921');
    const page = await app.query<AuditPage, unknown>(AUDIT_LOG, { filter: { sub } }, { token: admin });
    const keys = page.auditLog.nodes.map((n) => Buffer.from(n.id, 'base64').toString());
    expect(keys).toEqual(['AuditEntry:1000000', 'AuditEntry:999999']);
  });

  it('shows a county admin only calls by callers inside their county', async () => {
    // A token names an area of the database: 南江县 next door, alone (its townships are not needed).
    await app.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into area (code, name, level, parent_code, source) values ('511922000000', '南江县', 'COUNTY', '511900000000', 'TEST') on conflict do nothing`,
      );
    const elsewhere = await app.token('COUNTY_ADMIN', '511922');
    const page = await app.query<AuditPage, unknown>(AUDIT_LOG, {}, { token: elsewhere });
    expect(page.auditLog.totalCount).toBe(0);
    const [row] = await sql<{ n: number }>('select count(*)::int as n from audit_log');
    expect(row.n).toBeGreaterThan(0);
  });

  it.each(['SECTION_STAFF', 'TOWNSHIP_OPERATOR', 'VILLAGE_OPERATOR', 'VIEWER'] as const)('is FORBIDDEN for %s', async (role) => {
    const area = role === 'VILLAGE_OPERATOR' ? '511921101001' : role === 'TOWNSHIP_OPERATOR' ? '511921101' : '511921';
    const result = await app.request(AUDIT_LOG, {}, { token: await app.token(role, area) });
    expect(result.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(result.data).toBeNull();
  });

  it('is UNAUTHENTICATED without a token', async () => {
    const result = await app.request(AUDIT_LOG, {});
    expect(result.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });
});
