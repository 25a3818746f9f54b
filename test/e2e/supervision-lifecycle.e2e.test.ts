import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { workDemoSeeder } from '../../src/modules/supervision/supervision.demo.js';
import { responsibleDemo } from '../../src/modules/responsible/responsible.demo.js';
import { civgraph } from '../../src/features.js';

/*
 * Supervision with a lifecycle (issue 31 item 3): 交办 → 签收 → 办理 → 反馈 → 办结 (or 退回), each step dated
 * and by whom; who takes which step; the due state; the window after which a target needs supervision again;
 * 问责 outcomes. On the 通江县 demo data.
 */

const WASHI = '511921109';
let app: TestApp;
let admin: string;
let leader: string;
let washiOp: string;
let huojuOp: string;
let staff: string;
let rectId: string;

const ACTION = `id stage version response respondedOn dueState
  transitions { totalCount nodes { step fromStage toStage on note by byRole } }
  outcomes { kind name title unit note decidedOn account supervisionActionId }`;

interface Action {
  id: string;
  stage: string;
  version: number;
  response: string | null;
  transitions: {
    totalCount: number;
    nodes: { step: string; fromStage: string | null; toStage: string; on: string; note: string | null; by: string; byRole: string }[];
  };
  outcomes: { kind: string; name: string; title: string | null; unit: string | null; note: string | null; decidedOn: string; account: string | null }[];
}

interface Payload {
  supervisionAction: Action | null;
  userErrors: { code: string; field: string[] | null; message: string }[];
}

const ADVANCE = `mutation($input: AdvanceSupervisionInput!) { advanceSupervision(input: $input) { supervisionAction { ${ACTION} } userErrors { code field message: messageZh } } }`;
const OUTCOME = `mutation($input: RecordSupervisionOutcomeInput!) { recordSupervisionOutcome(input: $input) {
  outcome { kind name title unit decidedOn } supervisionAction { id version } userErrors { code field message: messageZh } } }`;

async function counts() {
  const [row] = await app.rows<Record<string, number>>(
    `select (select count(*) from progress_update)::int as events, (select count(*) from supervision_transition)::int as steps,
            (select count(*) from supervision_outcome)::int as outcomes, (select count(*) from audit_log)::int as audits,
            (select string_agg(id || ':' || stage || ':' || version, ',' order by id) from supervision_action) as actions`,
  );
  return row;
}

async function advance(token: string, input: Record<string, unknown>) {
  return (await app.request<{ advanceSupervision: Payload }, unknown>(ADVANCE, { input }, { token })) as {
    data?: { advanceSupervision: Payload };
    errors?: { extensions?: { code?: string } }[];
  };
}

/** A refused step: the user error (or the GraphQL error code), with nothing written. */
async function refused(token: string, input: Record<string, unknown>) {
  const before = await counts();
  const result = await advance(token, input);
  const after = await counts();
  // The refused mutation's own audit row (outcome refused) is the one thing written.
  expect({ ...after, audits: 0 }).toEqual({ ...before, audits: 0 });
  return result.errors?.[0]?.extensions?.code ?? result.data!.advanceSupervision.userErrors[0];
}

async function stepped(token: string, input: Record<string, unknown>): Promise<Action> {
  const before = await counts();
  const result = await advance(token, input);
  expect(result.errors).toBeUndefined();
  expect(result.data!.advanceSupervision.userErrors).toEqual([]);
  const after = await counts();
  expect([after.events - before.events, after.steps - before.steps]).toEqual([1, 1]);
  return result.data!.advanceSupervision.supervisionAction!;
}

beforeAll(async () => {
  app = await startTestApp();
  await workDemoSeeder.run(app.orm, '511921000000', civgraph);
  await responsibleDemo.run(app.orm, '511921000000', civgraph);
  admin = await app.token('COUNTY_ADMIN', '511921');
  leader = await app.token('LEADER', '511921');
  washiOp = await app.token('TOWNSHIP_OPERATOR', WASHI, { name: '瓦室镇民政办' });
  huojuOp = await app.token('TOWNSHIP_OPERATOR', '511921102');
  staff = await app.token('SECTION_STAFF', '511921', { section: '社会事务股' });
  const [rect] = await app.rows<{ id: string }>(`select target_id as id from supervision_action where target_unit = '瓦室镇人民政府'`);
  rectId = rect.id;
}, 120_000);
afterAll(() => app?.close());

describe('supervision lifecycle on the demo data', () => {
  it('puts the 优质粮油 task back on needsSupervision once its 挂牌督办 response is overdue', async () => {
    const needs = (asOf: string) =>
      app.query<{ needsSupervision: { title: string; reason: string }[] }, unknown>(
        'query($asOf: LocalDate) { needsSupervision(asOf: $asOf) { title reason } }',
        { asOf },
        { token: admin },
      );
    // Within the action's window (issued 07-05, due 07-20) it is covered.
    expect((await needs('2026-07-20')).needsSupervision.map((c) => c.title)).not.toContain('优质粮油片区国土空间规划');
    // After it, no response came: listed again, overdue.
    const december = await needs('2026-12-01');
    expect(december.needsSupervision.find((c) => c.title === '优质粮油片区国土空间规划')?.reason).toMatch(/^逾期 \d+ 天/);
  });

  it('shows the steps, the stage, the due state and the 问责 outcome of each action', async () => {
    const { supervisionActions } = await app.query<
      { supervisionActions: { nodes: (Action & { targetUnit: string; early: string; yellow: string; red: string })[] } },
      unknown
    >(
      `{ supervisionActions(first: 10) { nodes { targetUnit ${ACTION}
          early: dueState(asOf: "2026-07-16") yellow: dueState(asOf: "2026-07-17") red: dueState(asOf: "2026-07-21") } } }`,
      {},
      { token: leader },
    );
    const [interview, listed] = supervisionActions.nodes;
    expect(interview.targetUnit).toBe('瓦室镇人民政府');
    expect(interview.stage).toBe('CLOSED');
    expect(interview.transitions.nodes.map((t) => [t.step, t.fromStage, t.toStage, t.on])).toEqual([
      ['ASSIGNED', null, 'ASSIGNED', '2026-06-10'],
      ['ACKNOWLEDGED', 'ASSIGNED', 'ACKNOWLEDGED', '2026-06-11'],
      ['IN_PROGRESS', 'ACKNOWLEDGED', 'IN_PROGRESS', '2026-06-12'],
      ['RESPONDED', 'IN_PROGRESS', 'RESPONDED', '2026-06-18'],
      ['CLOSED', 'RESPONDED', 'CLOSED', '2026-06-22'],
    ]);
    expect(interview.transitions.nodes[3]).toMatchObject({ note: '已约谈分管领导,制定资金发放整改方案', by: '系统', byRole: 'COUNTY_ADMIN' });
    expect(interview.response).toBe('已约谈分管领导,制定资金发放整改方案');
    // Answered on 06-18, before 06-20: green whatever the date.
    expect([interview.early, interview.red]).toEqual(['GREEN', 'GREEN']);
    expect(interview.outcomes).toEqual([
      {
        kind: 'INTERVIEW',
        name: '瓦室镇分管民政副镇长',
        title: '副镇长',
        unit: '瓦室镇人民政府',
        note: '救助资金发放不及时,约谈分管负责人',
        decidedOn: '2026-06-10',
        account: null,
        supervisionActionId: interview.id,
      },
    ]);
    // Signed for, never answered; due 07-20: green until three days before, yellow, then red.
    expect(listed.stage).toBe('ACKNOWLEDGED');
    expect([listed.early, listed.yellow, listed.red]).toEqual(['GREEN', 'YELLOW', 'RED']);
    expect(listed.outcomes).toEqual([]);
  });

  it('puts the 问责 outcomes decided in a month in that month’s report', async () => {
    const report = (month: string) =>
      app.query<{ monthlyReport: { supervisionOutcomes: { title: string; owner: string; date: string; detail: string }[]; markdown: string } }, unknown>(
        'query($month: String!) { monthlyReport(month: $month) { supervisionOutcomes { title owner date detail } markdown } }',
        { month },
        { token: leader },
      );
    const june = await report('2026-06');
    expect(june.monthlyReport.supervisionOutcomes).toEqual([
      {
        title: '救助资金发放不及时,存在截留、挤占',
        owner: '瓦室镇分管民政副镇长,副镇长,瓦室镇人民政府',
        date: '2026-06-10',
        detail: '2026-06-10 约谈:瓦室镇分管民政副镇长(救助资金发放不及时,约谈分管负责人)',
      },
    ]);
    expect(june.monthlyReport.markdown).toContain('## 十、问责情况');
    expect((await report('2026-07')).monthlyReport.supervisionOutcomes).toEqual([]);
  });

  it('takes each step by its side only, in order, dated, with one event and one step row each', async () => {
    const issued = await app.query<{ issueSupervision: Payload }, unknown>(
      `mutation($input: IssueSupervisionInput!) { issueSupervision(input: $input) { supervisionAction { ${ACTION} } userErrors { code field message: messageZh } } }`,
      { input: { target: rectId, kind: 'SUPERVISION_LETTERS', issuer: '县民政局', targetUnit: '瓦室镇人民政府', responseDue: '2099-01-01' } },
      { token: admin },
    );
    let action = issued.issueSupervision.supervisionAction!;
    expect(action.stage).toBe('ASSIGNED');
    expect(action.transitions.nodes.map((t) => [t.step, t.byRole])).toEqual([['ASSIGNED', 'COUNTY_ADMIN']]);
    const step = (step: string, extra: Record<string, unknown> = {}) => ({ id: action.id, version: action.version, step, ...extra });

    // Out of order, by the wrong side, by a reader, outside the township: refused, nothing written.
    expect(await refused(washiOp, step('IN_PROGRESS'))).toMatchObject({
      code: 'INVALID_TRANSITION',
      field: ['input', 'step'],
      message: expect.stringContaining('交办'),
    });
    expect(await refused(washiOp, step('RESPONDED', { note: '已办' }))).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(await refused(washiOp, step('CLOSED'))).toBe('FORBIDDEN');
    expect(await refused(leader, step('ACKNOWLEDGED'))).toBe('FORBIDDEN');
    expect(await refused(huojuOp, step('ACKNOWLEDGED'))).toBe('FORBIDDEN');
    expect(await refused(admin, step('ASSIGNED'))).toMatchObject({ code: 'INVALID_TRANSITION', field: ['input', 'step'] });
    expect(await refused(washiOp, step('ACKNOWLEDGED', { on: '2026-01-01' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'on'] });
    expect(await refused(washiOp, step('ACKNOWLEDGED', { version: action.version + 1 }))).toMatchObject({ code: 'CONFLICT' });

    action = await stepped(washiOp, step('ACKNOWLEDGED'));
    action = await stepped(washiOp, step('IN_PROGRESS'));
    expect(await refused(washiOp, step('RESPONDED', { note: '  ' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['input', 'note'],
      message: '反馈须填写办理情况',
    });
    action = await stepped(washiOp, step('RESPONDED', { note: '已完成资金发放' }));
    expect(action).toMatchObject({ stage: 'RESPONDED', response: '已完成资金发放' });
    // A section closes only its own section's work; a rectification has none.
    expect(await refused(staff, step('CLOSED'))).toBe('FORBIDDEN');
    expect(await refused(admin, step('RETURNED'))).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'note'], message: '退回须填写退回理由' });
    action = await stepped(admin, step('RETURNED', { note: '缺发放凭证' }));
    expect(action.stage).toBe('IN_PROGRESS');
    action = await stepped(washiOp, step('RESPONDED', { note: '已补充发放凭证' }));
    action = await stepped(admin, step('CLOSED'));
    expect(await refused(admin, step('CLOSED'))).toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining('办结') });
    expect(action.stage).toBe('CLOSED');
    expect(action.transitions.nodes.map((t) => [t.step, t.toStage, t.by])).toEqual([
      ['ASSIGNED', 'ASSIGNED', 'COUNTY_ADMIN 511921'],
      ['ACKNOWLEDGED', 'ACKNOWLEDGED', '瓦室镇民政办'],
      ['IN_PROGRESS', 'IN_PROGRESS', '瓦室镇民政办'],
      ['RESPONDED', 'RESPONDED', '瓦室镇民政办'],
      ['RETURNED', 'IN_PROGRESS', 'COUNTY_ADMIN 511921'],
      ['RESPONDED', 'RESPONDED', '瓦室镇民政办'],
      ['CLOSED', 'CLOSED', 'COUNTY_ADMIN 511921'],
    ]);
    const [event] = await app.rows<{ action: string; summary: string; after: { stage: string } }>(
      'select action, summary, after from progress_update order by sequence desc limit 1',
    );
    expect(event).toMatchObject({ action: 'STATUS_CHANGED', summary: '两书一函 瓦室镇人民政府:办结', after: { stage: 'CLOSED' } });
  });

  it('records a 问责 outcome by the supervising side, against an account or a named person', async () => {
    const letters = await app.query<{ supervisionActions: { nodes: { id: string }[] } }, unknown>(
      '{ supervisionActions(kind: SUPERVISION_LETTERS, first: 1) { nodes { id } } }',
      {},
      { token: admin },
    );
    const action = letters.supervisionActions.nodes[0].id;
    const record = async (token: string, input: Record<string, unknown>) => {
      const before = await counts();
      const result = (await app.request<{ recordSupervisionOutcome: Payload & { outcome: unknown } }, unknown>(OUTCOME, { input }, { token })) as {
        data?: { recordSupervisionOutcome: Payload & { outcome: unknown } };
        errors?: { extensions?: { code?: string } }[];
      };
      return { result, before, after: await counts() };
    };
    for (const [token, input, expected] of [
      [admin, { supervisionAction: action, kind: 'CIRCULATED_CRITICISM' }, { code: 'BAD_USER_INPUT', message: expect.stringContaining('二选一') }],
      [admin, { supervisionAction: action, kind: 'CIRCULATED_CRITICISM', name: '张三', account: 'QWNjb3VudDox' }, { code: 'BAD_USER_INPUT' }],
      [
        admin,
        { supervisionAction: action, kind: 'ADMONISHMENT', name: '张三', decidedOn: '2026-01-01' },
        { code: 'BAD_USER_INPUT', field: ['input', 'decidedOn'] },
      ],
      [washiOp, { supervisionAction: action, kind: 'ADMONISHMENT', name: '张三' }, 'FORBIDDEN'],
      [leader, { supervisionAction: action, kind: 'ADMONISHMENT', name: '张三' }, 'FORBIDDEN'],
    ] as const) {
      const { result, before, after } = await record(token, input);
      expect(result.errors?.[0]?.extensions?.code ?? result.data!.recordSupervisionOutcome.userErrors[0]).toMatchObject(expected as object);
      expect({ ...after, audits: 0 }).toEqual({ ...before, audits: 0 });
    }
    const { result, before, after } = await record(admin, {
      supervisionAction: action,
      kind: 'CIRCULATED_CRITICISM',
      name: '李四',
      title: '民政办主任',
      unit: '瓦室镇人民政府',
      note: '资金发放凭证不全',
    });
    expect(result.data!.recordSupervisionOutcome).toMatchObject({
      outcome: { kind: 'CIRCULATED_CRITICISM', name: '李四', title: '民政办主任', unit: '瓦室镇人民政府' },
      userErrors: [],
    });
    expect([after.events - before.events, after.outcomes - before.outcomes, after.audits - before.audits]).toEqual([1, 1, 1]);

    // Against an account: its name, and and its area as the unit.
    const created = await app.query<{ createAccount: { account: { id: string } | null; userErrors: unknown[] } }, unknown>(
      'mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } userErrors { code field message } } }',
      { input: { login: 'washi.fzr', displayName: '王瓦室', role: 'TOWNSHIP_OPERATOR', area: WASHI, password: 'Washi-2026-secret!' } },
      { token: admin },
    );
    expect(created.createAccount.userErrors).toEqual([]);
    const accountId = created.createAccount.account!.id;
    const byAccount = await record(admin, { supervisionAction: action, kind: 'ADMONISHMENT', account: accountId });
    expect(byAccount.result.data!.recordSupervisionOutcome).toMatchObject({
      outcome: { kind: 'ADMONISHMENT', name: '王瓦室', unit: '瓦室镇' },
      userErrors: [],
    });

    // A section acts on supervision of its own section's work: the 优质粮油 plan belongs to 区划地名股.
    const listed = await app.query<{ supervisionActions: { nodes: { id: string }[] } }, unknown>(
      '{ supervisionActions(kind: LISTED_SUPERVISION, first: 1) { nodes { id } } }',
      {},
      { token: admin },
    );
    const overdue = { supervisionAction: listed.supervisionActions.nodes[0].id, kind: 'ORDERED_RECTIFICATION', name: '赵六', unit: '火炬镇人民政府' };
    const other = await record(staff, overdue);
    expect(other.result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect({ ...other.after, audits: 0 }).toEqual({ ...other.before, audits: 0 });
    const own = await record(await app.token('SECTION_STAFF', '511921', { section: '区划地名股' }), overdue);
    expect(own.result.data!.recordSupervisionOutcome.userErrors).toEqual([]);
    expect(own.after.outcomes - own.before.outcomes).toBe(1);
  });

  it('reads the chain in one read for a leader: overdue work with its responsible persons, open supervision, the month’s 问责', async () => {
    const ACCOUNTABILITY = `query($month: String!) { accountability(month: $month) { month asOf areaName
      items { subjectKind title health reason owner responsible { name title unit } }
      openSupervision { title targetUnit kind stage responseDue dueState }
      outcomes { kind name decidedOn } } }`;
    type Read = {
      accountability: {
        asOf: string;
        items: { subjectKind: string; title: string; health: string | null; responsible: { name: string } | null }[];
        openSupervision: { title: string; stage: string; dueState: string }[];
        outcomes: { kind: string; name: string }[];
      };
    };
    const november = await app.measure(() => app.query<Read, unknown>(ACCOUNTABILITY, { month: '2026-11' }, { token: leader }));
    const read = november.result.accountability;
    expect(read.asOf).toBe('2026-11-30');
    expect(read.items.find((i) => i.title === '优质粮油片区国土空间规划')).toMatchObject({
      subjectKind: 'Task',
      health: 'OVERDUE',
      responsible: { name: '谢国华' },
    });
    expect(read.items.find((i) => i.title === '救助资金发放不及时,存在截留、挤占')).toMatchObject({ subjectKind: 'Rectification', health: null });
    // The 优质粮油 挂牌督办 is open (signed for, never answered: red); the interview was closed in June; the 两书一函 closed today.
    expect(read.openSupervision).toEqual([
      {
        title: '优质粮油片区国土空间规划',
        targetUnit: '火炬镇人民政府',
        kind: 'LISTED_SUPERVISION',
        stage: 'ACKNOWLEDGED',
        responseDue: '2026-07-20',
        dueState: 'RED',
      },
    ]);
    expect(read.outcomes).toEqual([]);
    // Area, tasks, rectifications, responsible persons, open supervision, outcomes: six statements, whatever the size.
    expect(november.count).toBeLessThanOrEqual(6);
    const june = await app.query<Read, unknown>(ACCOUNTABILITY, { month: '2026-06' }, { token: admin });
    expect(june.accountability.outcomes).toEqual([{ kind: 'INTERVIEW', name: '瓦室镇分管民政副镇长', decidedOn: '2026-06-10' }]);
    // As of 06-30 the interview was closed (06-22) and the 优质粮油 action not yet issued (07-05).
    expect(june.accountability.openSupervision).toEqual([]);
    for (const token of [staff, washiOp]) {
      const refused = await app.request(ACCOUNTABILITY, { month: '2026-11' }, { token });
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});
