import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLInputType,
  type GraphQLEnumType,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromGlobalId, toGlobalId } from '../../src/common/global-id.js';
import { civgraph } from '../../src/features.js';
import { seedDemo } from '../../src/feature.js';
import { InboxGenerator } from '../../src/modules/inbox/inbox.generate.js';
import { previousQuarter, quarterOfDate, todayInChina } from '../../src/modules/governance/governance.rules.js';
import { lastTwelveMonths } from '../../src/modules/stats/stats.demo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/progress.js';
import { allFields, SchemaWalk, type ArgumentTable, type WalkError, type WalkResponse } from '../support/schema-walk.js';

/**
 * Every field answers (issue 28). On the demo data, as the county admin, the
 * walk (test/support/schema-walk.ts) reads every field of every object type
 * the data reaches over HTTP, and every subscription's payload over
 * graphql-ws around a few writes whose payloads it reads too. Any error fails;
 * every DateTimeISO value must be ISO 8601 with an offset; and every field of
 * every object type must have answered, but for {@link UNREACHED}: a field
 * added without data to reach it fails here until the demo data (or the walk)
 * reaches it, or it is listed below with its reason.
 */

const schema = buildSchema(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));

/** 壁州街道, a township of 通江县; the walk also starts at its first village (figures are reported by villages). */
const TOWNSHIP = '511921001';
const COUNTY = '511921';
const months = lastTwelveMonths(new Date());
/** The demo figures' last month (stats.demo.ts: the 12 months ending now). */
const month = months.at(-1)!.key;
/** The demo openness records' last full quarter (governance.demo.ts). */
const quarter = previousQuarter(quarterOfDate(todayInChina()), 1).text;

/**
 * Fields the walk does not reach, each with why. Keys are `Type.field`, or
 * `Type.*` for all of a type's fields. A listed field that the walk does read
 * fails the test too: the list stays exact. Empty today: the demo data, four
 * harmless writes and every other mutation refused on blank input reach every field.
 */
const UNREACHED: Record<string, string> = {};

let app: TestApp;
let admin: string;
let village: string;
let walk: SchemaWalk;
/** Every query the walk sent over HTTP, with its answer, for the other transports to answer again. */
const httpReads: { query: string; answer: WalkResponse }[] = [];
beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.orm, '511921000000', civgraph);
  admin = await app.token('COUNTY_ADMIN', COUNTY);
  // The demo's responsible persons are named people, not accounts, so no inbox item reaches the walk's caller (a development
  // token): give it one, as the inbox's generator stores them, so the walk reads every InboxItem field on a real row.
  await app.orm.em
    .fork()
    .getConnection()
    .execute(
      `insert into inbox_item (recipient_sub, kind, subject_type, subject_key, area_code, title, summary, due_date, dedupe_key)
       select 'dev:county_admin:${COUNTY}', 'DUE_SOON', 'Task', id::text, area_code, '重点工作「' || title || '」', '期限将至', deadline, 'schema-walk'
         from task order by id limit 1`,
    );
  // The demo as a running server holds it: swept at start-up, with its notices (ALERTED, by system:alerts with no role) in the stream.
  const sweeper = new InboxGenerator(app.databaseUrl);
  await sweeper.sweep();
  await sweeper.close();
  const [first] = await app.orm.em
    .fork()
    .getConnection()
    .execute<{ code: string }[]>(`select min(code) as code from area where level = 'VILLAGE' and code like '${TOWNSHIP}%'`);
  village = first.code;
  walk = new SchemaWalk(
    schema,
    table,
    async (query) => {
      const answer = (await app.request(query, undefined, { token: admin })) as WalkResponse;
      if (query.startsWith('query')) httpReads.push({ query, answer });
      return answer;
    },
    {
      // About 120 requests today (walk and variants); the bound keeps a runaway walk short.
      maxRequests: 400,
      maxDepth: 12,
      roots: [TOWNSHIP, village].map((code) => ({ type: 'Area', path: [{ field: `area(code: "${code}")` }] })),
      // Areas above the county (its ancestors) are outside the admin's reach: FORBIDDEN there is the rule, not a bug.
      follow: (type, id) => type !== 'Area' || fromGlobalId(id).key.startsWith(COUNTY),
    },
  );
});
afterAll(() => app?.close());

/**
 * Argument values: required arguments by name (areas at the county, periods
 * the demo data fills, ids seen in earlier answers by the field's type, enums
 * their first value), `first: 10` for connections, and a replay cursor for
 * `progressUpdated`. Other optional arguments are left out.
 */
const table: ArgumentTable = ({ type, field, arg, seen }) => {
  if (arg.name === 'first') return 10;
  if (type === 'Subscription' && field === 'progressUpdated' && arg.name === 'after') return '0';
  const required = arg.type.toString().endsWith('!') && arg.defaultValue === undefined;
  if (!required) return undefined;
  switch (arg.name) {
    case 'code':
    case 'area':
    case 'parent':
      return COUNTY;
    case 'period':
    case 'to':
      return month;
    case 'month':
      // monthlyReport: last month, issued in the setup and with a back-dated entry since (补录, MonthlyReportLateEntry).
      return months.at(-2)!.key;
    case 'from':
      return months[0].key;
    case 'quarter':
      return quarter;
    case 'indicator':
      return 'ELDERLY_60_PLUS';
    case 'id': {
      // node(id): any object seen; rectification(id), task(id)…: one of the type the field returns.
      const returns = getNamedType((schema.getType(type) as GraphQLObjectType).getFields()[field].type);
      return (field === 'node' ? [...seen.ids.values()].flat() : seen.ids.get(returns.name))?.[0];
    }
    case 'webhook':
      return seen.ids.get('Webhook')?.[0];
    case 'ids': {
      const ids = [...seen.ids.values()].map((list) => list[0]);
      return ids.length ? ids : undefined;
    }
  }
  const named = getNamedType(arg.type);
  if (isEnumType(named)) return named.getValues()[0].value;
  if (named.name === 'Boolean') return true;
  return undefined;
};

const enumValues = (name: string) => (schema.getType(name) as GraphQLEnumType).getValues().map((v) => v.value as string);

/**
 * Other values, one argument at a time, for {@link SchemaWalk.variants}:
 * other kinds of period, filters, `asOf`, the non-default of each flag,
 * every value of an enum, and the township instead of the county.
 */
const variants = ({ type, field, arg, seen }: Parameters<ArgumentTable>[0]): unknown[] => {
  const named = getNamedType(arg.type);
  const list = arg.type.toString().startsWith('[');
  const firstId = (typeName: string) => seen.ids.get(typeName)?.slice(0, 1) ?? [];
  switch (arg.name) {
    case 'after': {
      // The first cursor of the same connection's edges: the second page.
      const edge = getNamedType((schema.getType(type) as GraphQLObjectType).getFields()[field].type as GraphQLNamedType).name.replace(/Connection$/, 'Edge');
      return seen.cursors.get(edge)?.slice(0, 1) ?? [];
    }
    case 'first':
    case 'id':
    case 'ids':
    case 'code':
      return [];
    case 'period':
      return [months.at(-1)!.key.slice(0, 4), `${month.slice(0, 4)}Q${Math.ceil(Number(month.slice(5)) / 3)}`, months[0].key];
    case 'from':
      return [months[6].key];
    case 'month':
      return [month];
    case 'quarter':
      return [previousQuarter(quarterOfDate(todayInChina()), 2).text, quarterOfDate(todayInChina()).text];
    case 'indicator':
      return ['ASSISTANCE_FUNDS_YUAN'];
    case 'indicators':
      return [['ELDERLY_60_PLUS', 'ASSISTANCE_FUNDS_YUAN']];
    case 'asOf':
      return [todayInChina(), `${month.slice(0, 4)}-06-30`];
    case 'year':
      return [Number(month.slice(0, 4))];
    case 'area':
    case 'parent':
    case 'parentCode':
      return type === 'Subscription' ? [] : [TOWNSHIP];
    case 'nameContains':
      return ['镇'];
    case 'ownerSection':
      return ['社会事务股'];
    case 'programmeId':
      return firstId('DemonstrationProgramme');
    case 'target':
      return [...firstId('Task'), ...firstId('Rectification')];
    case 'filter':
      if (named.name === 'TaskFilter')
        return [{ area: TOWNSHIP }, { category: 'SOCIAL_AFFAIRS' }, { health: enumValues('TaskHealth') }, { ownerSection: '社会事务股' }];
      if (named.name === 'RectificationFilter')
        return [{ area: TOWNSHIP }, { overdue: true }, { overdue: false }, { status: enumValues('RectificationStatus') }];
      if (named.name === 'AuditLogFilter')
        return [{ from: '2026-01-01T00:00:00Z', to: new Date().toISOString() }, { outcome: 'OK' }, { mutation: 'updateFacility' }];
      throw new Error(`no filter values for ${type}.${field}(${arg.name}: ${named.name})`);
  }
  if (isEnumType(named)) {
    const all = enumValues(named.name);
    return list ? [all, all.slice(0, 1)] : all;
  }
  if (named.name === 'Boolean') return [true, false];
  return [];
};

/**
 * An input every mutation refuses before writing: its required fields blank
 * (empty strings and ids, -1, empty lists, the first enum value), optional
 * ones left out. What the payload reads is then its userErrors and a null
 * object: the payload's fields answer, and nothing changes.
 */
function refusedInput(type: GraphQLInputType): unknown {
  const inner = getNullableType(type);
  if (isListType(inner)) return [];
  if (isInputObjectType(inner)) {
    const out: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) if (isNonNullType(field.type)) out[field.name] = refusedInput(field.type);
    return out;
  }
  if (isEnumType(inner)) return inner.getValues()[0].value;
  switch (inner.name) {
    case 'Int':
    case 'Float':
      return -1;
    case 'Boolean':
      return false;
    case 'LocalDate':
      return '2026-01-01';
    case 'Decimal':
      return '-1';
    default:
      return '';
  }
}

/** Errors as `CODE at path: message`, then the request that met them (to reproduce). */
const described = (errors: WalkError[]) => errors.map((e) => `${e.code ?? '-'} at ${e.path?.join('.') ?? '-'}: ${e.message}\n    ${e.query}`);

const auth = () => ({ authorization: `Bearer ${admin}` });

/** A subscription reading every field of its payload, recording each message in the walk. */
function subscribe(client: Client, name: string): { messages: WalkResponse[]; stop: () => void } {
  const op = walk.operation('subscription', name);
  const messages: WalkResponse[] = [];
  const stop = client.subscribe(
    { query: op.query },
    {
      next: (value) => {
        messages.push(value as WalkResponse);
        walk.recordRoot(op, value as WalkResponse);
      },
      error: (error) => {
        const errors = (Array.isArray(error) ? error : [error]) as Array<{ message?: string; extensions?: Record<string, unknown> }>;
        const response = { errors: errors.map((e) => ({ message: String(e.message ?? e), extensions: e.extensions })) };
        messages.push(response);
        walk.recordRoot(op, response);
      },
      complete: () => undefined,
    },
  );
  return { messages, stop };
}

/** Runs a mutation reading every field of its payload; returns the payload. */
async function write(name: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const op = walk.operation('mutation', name);
  const response = (await app.request(op.query, { input }, { token: admin })) as WalkResponse;
  walk.recordRoot(op, response);
  return (response.data?.[name] ?? {}) as Record<string, unknown>;
}

// The cases share one walk and run in order: writes and subscriptions, refused writes, the walk, its variants, then the checks.
describe('every field answers', () => {
  it('reads every subscription payload over graphql-ws, around writes whose payloads it reads too', async () => {
    const { area } = await app.query<
      {
        area: {
          facilities: { nodes: Array<{ id: string; version: number }> };
          tasks: { nodes: Array<{ assignments: Array<{ id: string; version: number; target: number; done: number }> }> };
        };
      },
      undefined
    >(
      `{ area(code: "${COUNTY}") { facilities(first: 1, statuses: [OPERATING]) { nodes { id version } } tasks(first: 50) { nodes { assignments { id version target done } } } } }`,
      undefined,
      { token: admin },
    );
    const facility = area.facilities.nodes[0];
    const assignment = area.tasks.nodes.flatMap((t) => t.assignments).find((a) => a.done < a.target)!;

    const baseline = app.progressHub.stats.subscribers;
    const client = app.wsClient(auth());
    const live = ['facilityStatusChanged', 'progressUpdated', 'statsChanged', 'taskHealthChanged'].map((name) => subscribe(client, name));
    // Every subscription listens before the writes (the hub registers them asynchronously).
    await eventually(() => expect(app.progressHub.stats.subscribers).toBeGreaterThanOrEqual(baseline + live.length));

    // A location (GeoPoint), a status change (facilityStatusChanged), a figure over a demo one
    // (ObservationChange, statsChanged), task progress (taskHealthChanged), and a stale write (UserError).
    expect(await write('updateFacility', { id: facility.id, version: facility.version, location: { latitude: 31.91, longitude: 107.24 } })).toMatchObject({
      userErrors: [],
    });
    expect(await write('changeFacilityStatus', { id: facility.id, version: facility.version + 1, status: 'SUSPENDED' })).toMatchObject({ userErrors: [] });
    expect(await write('reportObservations', { area: village, period: month, values: [{ indicator: 'ELDERLY_60_PLUS', value: '321' }] })).toMatchObject({
      userErrors: [],
    });
    expect(
      await write('recordTaskProgress', {
        assignment: assignment.id,
        version: assignment.version,
        done: assignment.done + 1,
        asOf: todayInChina(),
        note: '巡查',
      }),
    ).toMatchObject({
      userErrors: [],
    });
    // A webhook (registered stopped: nothing is sent) and one recorded attempt, as the deliverer writes it: Webhook, WebhookDelivery.
    expect(await write('createWebhook', { url: 'https://hooks.invalid/walk', eventKinds: ['TASK'], enabled: false, description: '遍历' })).toMatchObject({
      userErrors: [],
    });
    await app.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into webhook_delivery (webhook_id, delivery_id, event_sequence, attempt, ok, status_code, error, duration_ms)
         select id, id || '-1', 1, 1, false, 500, 'HTTP 500', 12 from webhook`,
      );
    // 账号: an account made and signed in (Account, SignInPayload); its own mutations (changePassword,
    // signOutEverywhere) take the account's token, not the admin's development token, so they run here.
    expect(
      await write('createAccount', { login: 'walker', displayName: '遍历账号', role: 'TOWNSHIP_OPERATOR', area: TOWNSHIP, password: 'Walk-pass-2026' }),
    ).toMatchObject({ userErrors: [] });
    const signedIn = await write('signIn', { login: 'walker', password: 'Walk-pass-2026' });
    expect(signedIn).toMatchObject({ userErrors: [] });
    for (const [name, input] of [
      ['changePassword', { currentPassword: 'Walk-pass-2026', newPassword: 'Walk-pass-2027' }],
      ['signOutEverywhere', undefined],
    ] as const) {
      const op = walk.operation('mutation', name);
      const response = (await app.request(op.query, input && { input }, { token: signedIn.accessToken as string })) as WalkResponse;
      walk.recordRoot(op, response);
      expect(response.data?.[name]).toMatchObject({ userErrors: [] });
    }
    // 责任到人: the walker's account made responsible for an assignment (ResponsiblePerson.account; Account.responsibilities on the payload).
    const [walker] = await app.rows<{ id: string }>(`select id::text as id from account where login = 'walker'`);
    expect(await write('assignResponsible', { item: assignment.id, account: toGlobalId('Account', walker.id), reason: '遍历' })).toMatchObject({
      userErrors: [],
    });
    // 报送 of last month (IssuedMonthlyReport, its files).
    expect(await write('issueMonthlyReport', { area: COUNTY, month: months.at(-2)!.key })).toMatchObject({ userErrors: [] });
    // 补录: a finding dated in the issued month, registered after the issue (MonthlyReportLateEntry in that month's monthlyReport).
    expect(
      await write('createRectification', {
        finding: '补录的整改',
        area: TOWNSHIP,
        category: 'FAVORITISM',
        responsiblePerson: '遍历',
        deadline: `${months.at(-2)!.key}-28`,
        openedOn: `${months.at(-2)!.key}-02`,
      }),
    ).toMatchObject({ userErrors: [] });
    const stale = await write('updateFacility', { id: facility.id, version: facility.version, name: '过期的写入' });
    expect(stale.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);

    await eventually(() => expect(live.map((s) => s.messages.length > 0)).toEqual([true, true, true, true]));
    for (const subscription of live) subscription.stop();
    expect(described(walk.result.errors)).toEqual([]);
  });

  it('refuses every other mutation on blank input in its payload (userErrors, nothing written), without an error', async () => {
    const mutations = Object.values(schema.getMutationType()!.getFields()).filter((m) => !walk.result.read.has(`Mutation.${m.name}`));
    expect(mutations.length).toBeGreaterThan(0);
    const accepted: string[] = [];
    for (const mutation of mutations) {
      const payload = await write(mutation.name, refusedInput(mutation.args.find((a) => a.name === 'input')!.type) as Record<string, unknown>);
      if (!(payload.userErrors as unknown[] | undefined)?.length) accepted.push(mutation.name);
    }
    expect(accepted).toEqual([]);
    expect(described(walk.result.errors)).toEqual([]);
  });

  it('walks every type the demo data reaches over HTTP, without an error', async () => {
    const result = await walk.walk();
    expect(described(result.errors)).toEqual([]);
    expect(result.requests).toBeLessThan(400);
  });

  it('reads every field again with other argument values (periods, filters, asOf, flags, enums), without an error', async () => {
    const before = walk.result.errors.length;
    await walk.variants(variants);
    expect(described(walk.result.errors.slice(before))).toEqual([]);
  });

  it('answers every query of the walk the same over graphql-ws and SSE as over HTTP', async () => {
    expect(httpReads.length).toBeGreaterThan(50);
    const ws = app.wsClient({ authorization: `Bearer ${admin}` });
    const sse = createSseClient({ url: `${app.url}/stream`, headers: { authorization: `Bearer ${admin}` }, retryAttempts: 0 });
    const once = (client: { subscribe: Client['subscribe'] }, query: string) =>
      new Promise<WalkResponse>((resolve, reject) => {
        let answer: WalkResponse = {};
        client.subscribe({ query }, { next: (value) => (answer = value as WalkResponse), error: reject, complete: () => resolve(answer) });
      });
    /** What must agree: the data, and each error's code and path (messages may differ by transport). */
    const shape = (answer: WalkResponse) => ({
      data: answer.data ?? null,
      errors: (answer.errors ?? []).map((e) => [e.extensions?.code, e.path?.join('.')]),
    });
    const differ: string[] = [];
    try {
      for (const { query, answer } of httpReads) {
        for (const [name, client] of [
          ['graphql-ws', ws],
          ['SSE', sse],
        ] as const) {
          const again = await once(client, query);
          if (JSON.stringify(shape(again)) !== JSON.stringify(shape(answer))) differ.push(`${name}: ${query.slice(0, 200)}`);
        }
      }
    } finally {
      sse.dispose();
    }
    expect(differ).toEqual([]);
  }, 120_000);

  it('reads every timestamp as ISO 8601 with an offset', () => {
    expect(walk.result.dateTimes).toBeGreaterThan(50);
    expect(walk.result.badDateTimes).toEqual([]);
  });

  it('has read every field of every object type, but the listed exceptions', () => {
    const excepted = (key: string) => key in UNREACHED || `${key.split('.')[0]}.*` in UNREACHED;
    const all = [...allFields(schema)];
    const unread = all.filter((key) => !walk.result.read.has(key) && !excepted(key));
    expect(unread).toEqual([]);
    // The list stays exact: an exception the walk reads, or one naming no field, is stale.
    const stale = Object.keys(UNREACHED).filter((key) => {
      const fields = key.endsWith('.*') ? all.filter((f) => f.startsWith(key.slice(0, -1))) : all.filter((f) => f === key);
      return fields.length === 0 || fields.some((f) => walk.result.read.has(f));
    });
    expect(stale).toEqual([]);
  });
});
