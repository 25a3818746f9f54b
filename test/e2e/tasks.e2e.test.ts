import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/common/global-id.js';
import { sqlFor } from '../../src/db/sql.js';
import { ProgressAction, SubjectKind } from '../../src/modules/progress/progress.entity.js';
import { appendProgressUpdate } from '../../src/modules/progress/progress.outbox.js';
import {
  AreaTasksDocument,
  CreateRectificationDocument,
  CreateTaskDocument,
  IssueSupervisionDocument,
  MonthlyReportDocument,
  NeedsSupervisionDocument,
  RecordFollowUpReviewDocument,
  RecordSupervisionResponseDocument,
  RecordTaskProgressDocument,
  RectificationsDocument,
  TaskHealthAtDocument,
  TasksDocument,
  TransitionRectificationDocument,
  UpdateTaskDocument,
  type CreateTaskInput,
} from '../graphql/generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { systemViewer } from '../../src/auth/auth.rules.js';

const COUNTY = '511921';
const TIEFO = '511921104'; // 铁佛镇
const MASHI = '511921105'; // 麻石镇
const ZHICHENG = '511921106'; // 至诚镇 — the monthly-report scenario lives here alone
const HONGKOU = '511921107'; // 洪口镇

let app: TestApp;
let admin: string;
let staff: string;
let otherStaff: string;
let tiefoOp: string;
let mashiOp: string;
let viewer: string;
let villageOp: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', COUNTY, { name: '局长' });
  staff = await app.token('SECTION_STAFF', COUNTY, { name: '社会事务股 王', section: '社会事务股' });
  otherStaff = await app.token('SECTION_STAFF', COUNTY, { name: '养老服务股 赵', section: '养老服务股' });
  tiefoOp = await app.token('TOWNSHIP_OPERATOR', TIEFO, { name: '铁佛镇民政办' });
  mashiOp = await app.token('TOWNSHIP_OPERATOR', MASHI, { name: '麻石镇民政办' });
  viewer = await app.token('VIEWER', COUNTY);
  villageOp = await app.token('VILLAGE_OPERATOR', `${TIEFO}201`);
});
afterAll(() => app?.close());

async function count(table: string): Promise<number> {
  const [row] = await app.orm.em.fork().getConnection().execute(`select count(*)::int as n from ${table}`);
  return row.n as number;
}

/** Rows of every table this feature writes, and the events: what "nothing written" compares. */
async function snapshot() {
  const tables = [
    'task',
    'task_assignment',
    'task_progress',
    'rectification',
    'rectification_transition',
    'rectification_review',
    'supervision_action',
    'progress_update',
  ];
  return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(t)] as const)));
}

async function lastEvent() {
  const [row] = await app.orm.em
    .fork()
    .getConnection()
    .execute('select subject_kind, subject_id, action, area_code, summary, before, after from progress_update order by sequence desc limit 1');
  return row as {
    subject_kind: string;
    subject_id: string;
    action: string;
    area_code: string;
    summary: string;
    before: unknown;
    after: Record<string, unknown>;
  };
}

/** Runs a write expected to succeed and checks it appended exactly one event. */
async function oneEvent<T>(work: () => Promise<T>): Promise<T> {
  const before = await count('progress_update');
  const result = await work();
  expect(await count('progress_update')).toBe(before + 1);
  return result;
}

/** Runs a write expected to fail and checks nothing at all was written. */
async function nothingWritten<T>(work: () => Promise<T>): Promise<T> {
  const before = await snapshot();
  const result = await work();
  expect(await snapshot()).toEqual(before);
  return result;
}

const tombTask = (overrides: Partial<CreateTaskInput> = {}): CreateTaskInput => ({
  title: '硬化大墓、活人墓整治',
  category: 'SOCIAL_AFFAIRS',
  area: COUNTY,
  ownerSection: '社会事务股',
  target: 30,
  unit: '处',
  startDate: '2026-01-01',
  deadline: '2026-12-31',
  assignments: [
    { area: TIEFO, target: 20 },
    { area: MASHI, target: 10 },
  ],
  ...overrides,
});

let tombId: string;
let tiefoAssignment: { id: string; version: number };
let mashiAssignment: { id: string; version: number };

describe('key tasks', () => {
  it('creates a task with assignments and one event', async () => {
    const data = await oneEvent(() => app.query(CreateTaskDocument, { input: tombTask() }, { token: staff }));
    expect(data.createTask.userErrors).toEqual([]);
    const task = data.createTask.task!;
    expect(task).toMatchObject({ title: '硬化大墓、活人墓整治', target: 30, version: 1 });
    expect(task.assignments.map((a) => [a.area.name, a.target])).toEqual([
      ['铁佛镇', 20],
      ['麻石镇', 10],
    ]);
    tombId = task.id;
    tiefoAssignment = task.assignments[0]!;
    mashiAssignment = task.assignments[1]!;
    const event = await lastEvent();
    expect(event).toMatchObject({ subject_kind: 'TASK', subject_id: tombId, action: 'CREATED', area_code: '511921000000' });
    expect(event.after).toMatchObject({ target: 30, deadline: '2026-12-31' });
  });

  it('rejects bad input field by field and writes nothing', async () => {
    const sum = await nothingWritten(() => app.query(CreateTaskDocument, { input: tombTask({ target: 31 }) }, { token: admin }));
    expect(sum.createTask).toMatchObject({ task: null, userErrors: [{ code: 'BAD_USER_INPUT', field: ['input', 'assignments'] }] });
    const outside = await nothingWritten(() =>
      app.query(
        CreateTaskDocument,
        {
          input: tombTask({
            area: TIEFO,
            assignments: [
              { area: TIEFO, target: 20 },
              { area: MASHI, target: 10 },
            ],
          }),
        },
        { token: admin },
      ),
    );
    expect(outside.createTask.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'assignments', '1', 'area'] })]);
    const dates = await nothingWritten(() => app.query(CreateTaskDocument, { input: tombTask({ deadline: '2025-12-31' }) }, { token: admin }));
    expect(dates.createTask.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'deadline'] })]);
    const empty = await nothingWritten(() => app.query(CreateTaskDocument, { input: tombTask({ title: '', assignments: [] }) }, { token: admin }));
    expect(empty.createTask.userErrors.map((e) => e.field?.join('.'))).toEqual(expect.arrayContaining(['input.title', 'input.assignments']));
    // Blank is empty: a field-level error, not a database error.
    const blank = await nothingWritten(() =>
      app.query(CreateTaskDocument, { input: tombTask({ title: '  ', ownerSection: '   ', unit: ' ' }) }, { token: admin }),
    );
    expect(blank.createTask.userErrors.map((e) => e.field?.join('.')).sort()).toEqual(['input.ownerSection', 'input.title', 'input.unit']);
    const blankUpdate = await nothingWritten(() => app.query(UpdateTaskDocument, { input: { id: tombId, version: 1, ownerSection: ' ' } }, { token: admin }));
    expect(blankUpdate.updateTask.userErrors).toEqual([expect.objectContaining({ field: ['input', 'ownerSection'] })]);
  });

  it('lets only COUNTY_ADMIN and the owning section create tasks', async () => {
    for (const token of [otherStaff, viewer, tiefoOp]) {
      const result = await nothingWritten(() => app.request(CreateTaskDocument, { input: tombTask() }, { token }));
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const anonymous = await nothingWritten(() => app.request(CreateTaskDocument, { input: tombTask() }));
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('records progress: township operators on their own assignments only', async () => {
    const data = await oneEvent(() =>
      app.query(
        RecordTaskProgressDocument,
        { input: { assignment: tiefoAssignment.id, version: 1, done: 10, asOf: '2026-03-31', note: '一季度' } },
        { token: tiefoOp },
      ),
    );
    expect(data.recordTaskProgress.userErrors).toEqual([]);
    expect(data.recordTaskProgress.assignment).toMatchObject({
      version: 2,
      done: 10,
      progress: [{ asOf: '2026-03-31', done: 10, recordedBy: '铁佛镇民政办' }],
    });
    expect(await lastEvent()).toMatchObject({
      subject_kind: 'TASK_ASSIGNMENT',
      subject_id: tiefoAssignment.id,
      action: 'PROGRESS_RECORDED',
      area_code: `${TIEFO}000`,
    });
    tiefoAssignment.version = 2;

    const foreign = await nothingWritten(() =>
      app.request(RecordTaskProgressDocument, { input: { assignment: tiefoAssignment.id, version: 2, done: 11, asOf: '2026-04-01' } }, { token: mashiOp }),
    );
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const token of [viewer, villageOp, otherStaff]) {
      const denied = await nothingWritten(() =>
        app.request(RecordTaskProgressDocument, { input: { assignment: tiefoAssignment.id, version: 2, done: 11, asOf: '2026-04-01' } }, { token }),
      );
      expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }

    await oneEvent(() =>
      app.query(RecordTaskProgressDocument, { input: { assignment: mashiAssignment.id, version: 1, done: 5, asOf: '2026-03-31' } }, { token: staff }),
    );
    mashiAssignment.version = 2;
  });

  it('rejects stale versions, backdated and excessive progress, writing nothing', async () => {
    const stale = await nothingWritten(() =>
      app.query(RecordTaskProgressDocument, { input: { assignment: tiefoAssignment.id, version: 1, done: 12, asOf: '2026-04-30' } }, { token: tiefoOp }),
    );
    expect(stale.recordTaskProgress.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'version'] })]);
    const backdated = await nothingWritten(() =>
      app.query(RecordTaskProgressDocument, { input: { assignment: tiefoAssignment.id, version: 2, done: 12, asOf: '2026-03-01' } }, { token: tiefoOp }),
    );
    expect(backdated.recordTaskProgress.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'asOf'] })]);
    const excessive = await nothingWritten(() =>
      app.query(RecordTaskProgressDocument, { input: { assignment: tiefoAssignment.id, version: 2, done: 21, asOf: '2026-04-30' } }, { token: tiefoOp }),
    );
    expect(excessive.recordTaskProgress.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'done'] })]);
    const future = await nothingWritten(() =>
      app.query(RecordTaskProgressDocument, { input: { assignment: tiefoAssignment.id, version: 2, done: 12, asOf: '2099-01-01' } }, { token: tiefoOp }),
    );
    expect(future.recordTaskProgress.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'asOf'] })]);
  });

  it('updates with optimistic concurrency; section staff cannot hand a task away', async () => {
    const ok = await oneEvent(() => app.query(UpdateTaskDocument, { input: { id: tombId, version: 1, title: '硬化大墓、活人墓专项整治' } }, { token: staff }));
    expect(ok.updateTask.task).toMatchObject({ version: 2, title: '硬化大墓、活人墓专项整治' });
    const stale = await nothingWritten(() => app.query(UpdateTaskDocument, { input: { id: tombId, version: 1, title: '旧' } }, { token: admin }));
    expect(stale.updateTask.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    const handOff = await nothingWritten(() =>
      app.request(UpdateTaskDocument, { input: { id: tombId, version: 2, ownerSection: '养老服务股' } }, { token: staff }),
    );
    expect(handOff.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('derives health at chosen dates, reproducibly after later progress', async () => {
    const at = { id: tombId, a: '2026-03-31', b: '2026-09-30', c: '2026-10-31' };
    // 15/30 done by 2026-03-31: on track then, lagging by 2026-09-30 (75 % of the year gone).
    expect((await app.query(TaskHealthAtDocument, at, { token: admin })).task).toMatchObject({
      a: 'ON_TRACK',
      b: 'LAGGING',
      c: 'LAGGING',
      doneA: 15,
      doneC: 15,
    });
    await app.query(RecordTaskProgressDocument, { input: { assignment: tiefoAssignment.id, version: 2, done: 20, asOf: '2026-10-15' } }, { token: tiefoOp });
    await app.query(RecordTaskProgressDocument, { input: { assignment: mashiAssignment.id, version: 2, done: 10, asOf: '2026-10-20' } }, { token: mashiOp });
    // The past is unchanged; 2026-10-31 now reads DONE.
    expect((await app.query(TaskHealthAtDocument, at, { token: admin })).task).toMatchObject({ a: 'ON_TRACK', b: 'LAGGING', c: 'DONE', doneA: 15, doneC: 30 });
  });

  it('shows DUE_SOON near the deadline and OVERDUE after it', async () => {
    const created = await app.query(
      CreateTaskDocument,
      {
        input: tombTask({
          title: '未成年人保护工作站建设',
          category: 'MINOR_PROTECTION',
          ownerSection: '儿童福利股',
          target: 10,
          deadline: '2026-06-30',
          assignments: [{ area: HONGKOU, target: 10 }],
        }),
      },
      { token: admin },
    );
    const task = created.createTask.task!;
    await app.query(RecordTaskProgressDocument, { input: { assignment: task.assignments[0].id, version: 1, done: 9, asOf: '2026-06-20' } }, { token: admin });
    const health = await app.query(TaskHealthAtDocument, { id: task.id, a: '2026-06-20', b: '2026-06-28', c: '2026-07-01' }, { token: admin });
    expect(health.task).toMatchObject({ a: 'ON_TRACK', b: 'DUE_SOON', c: 'OVERDUE' });
  });

  it('lists and filters by health, section and area, scoped to the caller', async () => {
    const lagging = await app.query(TasksDocument, { filter: { health: ['LAGGING'] }, asOf: '2026-09-30' }, { token: admin });
    expect(lagging.tasks.nodes.map((t) => t.title)).toEqual(['硬化大墓、活人墓专项整治']);
    expect(lagging.tasks.nodes[0]).toMatchObject({ health: 'LAGGING', done: 15, ownerSection: '社会事务股' });
    const section = await app.query(TasksDocument, { filter: { ownerSection: '儿童福利股' } }, { token: admin });
    expect(section.tasks.nodes.map((t) => t.title)).toEqual(['未成年人保护工作站建设']);
    // A township operator sees the county task through its township's assignment, and not the other township's task.
    const mine = await app.query(TasksDocument, {}, { token: tiefoOp });
    expect(mine.tasks.nodes.map((t) => t.title)).toEqual(['硬化大墓、活人墓专项整治']);
    const byArea = await app.query(TasksDocument, { filter: { area: HONGKOU } }, { token: admin });
    expect(byArea.tasks.totalCount).toBe(1);
    const anonymous = await app.request(TasksDocument, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // A token names an area of the database: 南江县 next door, alone (its townships are not needed).
    await app.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into area (code, name, level, parent_code, source) values ('511922000000', '南江县', 'COUNTY', '511900000000', 'TEST') on conflict do nothing`,
      );
    const foreign = await app.request(`{ task(id: "${tombId}") { id } }`, undefined, { token: await app.token('COUNTY_ADMIN', '511922') });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('shows a township only its own share of a county task: its assignment, and target, done and health over it', async () => {
    const all = (await app.query(TasksDocument, { filter: { area: TIEFO } }, { token: admin })).tasks.nodes.find((t) => t.id === tombId)!;
    expect(all.assignments.map((a) => a.area.name)).toEqual(['铁佛镇', '麻石镇']);
    expect(all.target).toBe(30);
    const tiefo = all.assignments.find((a) => a.area.name === '铁佛镇')!;
    const mine = (await app.query(TasksDocument, {}, { token: tiefoOp })).tasks.nodes.find((t) => t.id === tombId)!;
    expect(mine.assignments.map((a) => a.area.name)).toEqual(['铁佛镇']);
    expect(mine).toMatchObject({ target: tiefo.target, done: tiefo.done });
    const byId = await app.query<{ task: { target: number; done: number; assignments: { id: string }[] } }, never>(
      `{ task(id: "${tombId}") { target done assignments { id } } }`,
      undefined,
      { token: tiefoOp },
    );
    expect(byId.task).toEqual({ target: tiefo.target, done: tiefo.done, assignments: [{ id: tiefoAssignment.id }] });
    // Another township's share is not theirs to read, alone or in a batch (which still returns the rest).
    const other = await app.request<{ nodes: ({ id: string } | null)[] }, never>(
      `{ nodes(ids: ["${mashiAssignment.id}", "${tiefoAssignment.id}"]) { id } }`,
      undefined,
      { token: tiefoOp },
    );
    expect(other.data?.nodes).toEqual([null, { id: tiefoAssignment.id }]);
    expect(other.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['nodes', 0], 'FORBIDDEN']]);
  });

  it('pages through tasks with cursors', async () => {
    const first = await app.query(TasksDocument, { first: 1 }, { token: admin });
    expect(first.tasks).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    const second = await app.query(TasksDocument, { first: 1, after: first.tasks.pageInfo.endCursor }, { token: admin });
    expect(second.tasks.pageInfo.hasNextPage).toBe(false);
    expect(second.tasks.nodes[0].id).not.toBe(first.tasks.nodes[0].id);
  });

  it('keeps lists to a bounded number of statements, whatever the number of tasks', async () => {
    const measure = () => app.measure(() => app.query(TasksDocument, { asOf: '2026-09-30' }, { token: admin }));
    const small = await measure();
    for (let i = 0; i < 5; i++) {
      await app.query(
        CreateTaskDocument,
        {
          input: tombTask({
            title: `村务公开专项治理 ${i}`,
            category: 'SOCIAL_GOVERNANCE',
            ownerSection: '基层政权股',
            target: 2,
            startDate: '2026-10-01',
            assignments: [
              { area: TIEFO, target: 1 },
              { area: MASHI, target: 1 },
            ],
          }),
        },
        { token: admin },
      );
    }
    const large = await measure();
    expect(large.result.tasks.nodes.length).toBe(7);
    // tasks, their areas, assignments, then the assignments' areas and progress entries: one statement each.
    expect(large.count).toBeLessThanOrEqual(5);
    expect(large.count).toBe(small.count);
    const tree = await app.measure(() => app.query(AreaTasksDocument, { code: COUNTY, asOf: '2026-09-30' }, { token: admin }));
    // area, children page, then one statement for the tasks of all 33 townships.
    expect(tree.count).toBeLessThanOrEqual(3);
    const tiefo = tree.result.area!.children.nodes.find((n) => n.code === `${TIEFO}000`)!;
    expect(tiefo.tasks.totalCount).toBe(6);
  });
});

let rectId: string;
let overdueRectId: string;

describe('audit rectification', () => {
  it('registers a finding with one event and a first transition', async () => {
    const data = await oneEvent(() =>
      app.query(
        CreateRectificationDocument,
        {
          input: {
            finding: '铁佛镇存在关系保、人情保问题 3 户',
            area: TIEFO,
            category: 'FAVORITISM',
            responsiblePerson: '张三',
            deadline: '2026-06-30',
            openedOn: '2026-03-01',
          },
        },
        { token: admin },
      ),
    );
    expect(data.createRectification.rectification).toMatchObject({ status: 'OPEN', version: 1, area: { name: '铁佛镇' } });
    rectId = data.createRectification.rectification!.id;
    const tiefoOnly = await nothingWritten(() =>
      app.request(
        CreateRectificationDocument,
        { input: { finding: 'x', area: TIEFO, category: 'OTHER', responsiblePerson: '张三', deadline: '2026-06-30' } },
        { token: tiefoOp },
      ),
    );
    expect(tiefoOnly.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('follows the lifecycle and rejects illegal jumps with INVALID_TRANSITION, writing nothing', async () => {
    const jump = await nothingWritten(() =>
      app.query(TransitionRectificationDocument, { input: { id: rectId, version: 1, to: 'RECTIFIED', on: '2026-03-10' } }, { token: tiefoOp }),
    );
    expect(jump.transitionRectification.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION', field: ['input', 'to'] })]);
    const close = await nothingWritten(() =>
      app.query(TransitionRectificationDocument, { input: { id: rectId, version: 1, to: 'CLOSED', verifier: '李四', note: 'x' } }, { token: admin }),
    );
    expect(close.transitionRectification.userErrors[0].code).toBe('INVALID_TRANSITION');

    const started = await oneEvent(() =>
      app.query(TransitionRectificationDocument, { input: { id: rectId, version: 1, to: 'RECTIFYING', on: '2026-03-10' } }, { token: tiefoOp }),
    );
    expect(started.transitionRectification.rectification).toMatchObject({ status: 'RECTIFYING', version: 2 });
    const early = await nothingWritten(() =>
      app.query(TransitionRectificationDocument, { input: { id: rectId, version: 2, to: 'RECTIFIED', on: '2026-03-01' } }, { token: tiefoOp }),
    );
    expect(early.transitionRectification.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'on'] })]);
    const stale = await nothingWritten(() =>
      app.query(TransitionRectificationDocument, { input: { id: rectId, version: 1, to: 'RECTIFIED', on: '2026-05-20' } }, { token: tiefoOp }),
    );
    expect(stale.transitionRectification.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    const otherTownship = await nothingWritten(() =>
      app.request(TransitionRectificationDocument, { input: { id: rectId, version: 2, to: 'RECTIFIED' } }, { token: mashiOp }),
    );
    expect(otherTownship.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const done = await oneEvent(() =>
      app.query(
        TransitionRectificationDocument,
        { input: { id: rectId, version: 2, to: 'RECTIFIED', on: '2026-05-20', note: '已清退 3 户' } },
        { token: tiefoOp },
      ),
    );
    expect(done.transitionRectification.rectification!.status).toBe('RECTIFIED');
  });

  it('销号 needs COUNTY_ADMIN, a note and a verifier other than the responsible person', async () => {
    const byTownship = await nothingWritten(() =>
      app.request(TransitionRectificationDocument, { input: { id: rectId, version: 3, to: 'CLOSED', verifier: '李四', note: '核实' } }, { token: tiefoOp }),
    );
    expect(byTownship.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const self = await nothingWritten(() =>
      app.query(TransitionRectificationDocument, { input: { id: rectId, version: 3, to: 'CLOSED', verifier: '张三', note: '核实' } }, { token: admin }),
    );
    expect(self.transitionRectification.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'verifier'] })]);
    const noNote = await nothingWritten(() =>
      app.query(TransitionRectificationDocument, { input: { id: rectId, version: 3, to: 'CLOSED', verifier: '李四' } }, { token: admin }),
    );
    expect(noNote.transitionRectification.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'note'] })]);
    const closed = await oneEvent(() =>
      app.query(
        TransitionRectificationDocument,
        { input: { id: rectId, version: 3, to: 'CLOSED', on: '2026-06-10', verifier: '李四', note: '入户核查属实,已销号' } },
        { token: admin },
      ),
    );
    const item = closed.transitionRectification.rectification!;
    expect(item).toMatchObject({ status: 'CLOSED', verifier: '李四', closingNote: '入户核查属实,已销号', version: 4 });
    expect(item.transitions.map((t) => [t.from, t.to, t.on, t.actorName])).toEqual([
      [null, 'OPEN', '2026-03-01', '局长'],
      ['OPEN', 'RECTIFYING', '2026-03-10', '铁佛镇民政办'],
      ['RECTIFYING', 'RECTIFIED', '2026-05-20', '铁佛镇民政办'],
      ['RECTIFIED', 'CLOSED', '2026-06-10', '局长'],
    ]);
    expect(await lastEvent()).toMatchObject({ subject_kind: 'RECTIFICATION', action: 'STATUS_CHANGED', before: { status: 'RECTIFIED' } });
  });

  it('a recurring 回头看 reopens it to RECTIFYING; a clean one keeps it closed', async () => {
    const clean = await oneEvent(() =>
      app.query(
        RecordFollowUpReviewDocument,
        { input: { id: rectId, version: 4, reviewedOn: '2026-07-15', reviewer: '县纪委 刘', recurred: false } },
        { token: admin },
      ),
    );
    expect(clean.recordFollowUpReview.rectification).toMatchObject({ status: 'CLOSED', verifier: '李四', version: 5 });
    const recurred = await oneEvent(() =>
      app.query(
        RecordFollowUpReviewDocument,
        { input: { id: rectId, version: 5, reviewedOn: '2026-08-15', reviewer: '县纪委 刘', recurred: true, note: '又发现 1 户' } },
        { token: admin },
      ),
    );
    const item = recurred.recordFollowUpReview.rectification!;
    expect(item).toMatchObject({ status: 'RECTIFYING', verifier: null, version: 6 });
    expect(item.followUpReviews.map((r) => r.recurred)).toEqual([false, true]);
    expect(item.transitions.at(-1)).toEqual({ from: 'CLOSED', to: 'RECTIFYING' });
    expect(await lastEvent()).toMatchObject({ action: 'REVIEWED', before: { status: 'CLOSED' }, after: { status: 'RECTIFYING', recurred: true } });
    const notRectified = await nothingWritten(() =>
      app.query(RecordFollowUpReviewDocument, { input: { id: rectId, version: 6, reviewer: '刘', recurred: false } }, { token: admin }),
    );
    expect(notRectified.recordFollowUpReview.userErrors[0].code).toBe('INVALID_TRANSITION');
  });

  it('flags overdue items as of a date, from the transition history', async () => {
    const created = await app.query(
      CreateRectificationDocument,
      {
        input: {
          finding: '麻石镇救助资金发放台账不规范',
          area: MASHI,
          category: 'MANAGEMENT',
          responsiblePerson: '陈五',
          deadline: '2026-04-30',
          openedOn: '2026-02-01',
        },
      },
      { token: admin },
    );
    overdueRectId = created.createRectification.rectification!.id;
    const asOf = async (date: string) =>
      (await app.query(RectificationsDocument, { filter: { overdue: true }, asOf: date }, { token: admin })).rectifications.nodes.map((n) => n.id);
    expect(await asOf('2026-04-30')).toEqual([]);
    expect(await asOf('2026-05-01')).toEqual([overdueRectId]);
    // 铁佛镇's was RECTIFYING on 2026-09-01 (reopened by 回头看) but its deadline 2026-06-30 had passed.
    expect(await asOf('2026-09-01')).toEqual([rectId, overdueRectId]);
    const statuses = await app.query(RectificationsDocument, { asOf: '2026-06-15' }, { token: admin });
    expect(statuses.rectifications.nodes.map((n) => [n.statusAsOf, n.overdue])).toEqual([
      ['CLOSED', false],
      ['OPEN', true],
    ]);
  });

  it('lists with their histories in a bounded number of statements', async () => {
    const measured = await app.measure(() => app.query(RectificationsDocument, { asOf: '2026-09-01' }, { token: admin }));
    expect(measured.result.rectifications.totalCount).toBe(2);
    // The page, then areas, transitions, reviews and supervision actions of all items: one statement each.
    expect(measured.count).toBeLessThanOrEqual(5);
    const needs = await app.measure(() => app.query(NeedsSupervisionDocument, { asOf: '2026-09-30' }, { token: admin }));
    // Tasks, rectifications, then their areas.
    expect(needs.count).toBeLessThanOrEqual(3);
  });

  it('is sensitive: hidden from VIEWER and VILLAGE_OPERATOR, and from other townships', async () => {
    for (const token of [viewer, villageOp]) {
      const result = await app.request(RectificationsDocument, {}, { token });
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const one = await app.request(`{ node(id: "${rectId}") { id } }`, undefined, { token });
      expect(one.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await app.query(RectificationsDocument, {}, { token: staff })).rectifications.totalCount).toBe(2);
    expect((await app.query(RectificationsDocument, {}, { token: tiefoOp })).rectifications.nodes.map((n) => n.id)).toEqual([rectId]);
    const foreign = await app.request(`{ rectification(id: "${overdueRectId}") { id } }`, undefined, { token: tiefoOp });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('supervision', () => {
  it('lists lagging and overdue work not yet under supervision', async () => {
    const before = await app.query(NeedsSupervisionDocument, { asOf: '2026-09-30' }, { token: admin });
    expect(before.needsSupervision.map((c) => [c.targetKind, c.title, c.health])).toEqual([
      ['Task', '未成年人保护工作站建设', 'OVERDUE'],
      ['Task', '硬化大墓、活人墓专项整治', 'LAGGING'],
      ['Rectification', '麻石镇救助资金发放台账不规范', null],
      ['Rectification', '铁佛镇存在关系保、人情保问题 3 户', null],
    ]);
    const denied = await app.request(NeedsSupervisionDocument, { asOf: '2026-09-30' }, { token: viewer });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('issues supervision against a task or rectification (by global ID) with one event', async () => {
    const data = await oneEvent(() =>
      app.query(
        IssueSupervisionDocument,
        {
          input: {
            target: tombId,
            kind: 'LISTED_SUPERVISION',
            issuedOn: '2026-09-20',
            issuer: '县民政局',
            targetUnit: '铁佛镇人民政府',
            responseDue: '2026-10-10',
          },
        },
        { token: admin },
      ),
    );
    const action = data.issueSupervision.supervisionAction!;
    expect(action).toMatchObject({ kind: 'LISTED_SUPERVISION', targetKind: 'Task', target: { id: tombId, title: '硬化大墓、活人墓专项整治' } });
    expect(await lastEvent()).toMatchObject({ subject_kind: 'SUPERVISION', action: 'CREATED' });
    const interview = await oneEvent(() =>
      app.query(
        IssueSupervisionDocument,
        {
          input: {
            target: overdueRectId,
            kind: 'WARNING_INTERVIEW',
            issuedOn: '2026-09-25',
            issuer: '县民政局',
            targetUnit: '麻石镇人民政府',
            responseDue: '2026-10-10',
          },
        },
        { token: admin },
      ),
    );
    const after = await app.query(NeedsSupervisionDocument, { asOf: '2026-09-30' }, { token: admin });
    expect(after.needsSupervision.map((c) => c.title)).toEqual(['未成年人保护工作站建设', '铁佛镇存在关系保、人情保问题 3 户']);
    // As of a date before the action, the task still needed it.
    const earlier = await app.query(NeedsSupervisionDocument, { asOf: '2026-09-19' }, { token: admin });
    expect(earlier.needsSupervision.map((c) => c.title)).toContain('硬化大墓、活人墓专项整治');
    const rect = await app.query(RectificationsDocument, { filter: { area: MASHI } }, { token: admin });
    expect(rect.rectifications.nodes[0].supervisionActions).toEqual([{ kind: 'WARNING_INTERVIEW' }]);

    const interviewId = interview.issueSupervision.supervisionAction!.id;
    const foreign = await nothingWritten(() =>
      app.request(RecordSupervisionResponseDocument, { input: { id: interviewId, version: 1, response: 'x' } }, { token: tiefoOp }),
    );
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const response = await oneEvent(() =>
      app.query(
        RecordSupervisionResponseDocument,
        { input: { id: interviewId, version: 1, response: '已制定整改方案', respondedOn: '2026-10-05' } },
        { token: mashiOp },
      ),
    );
    expect(response.recordSupervisionResponse.supervisionAction).toMatchObject({ response: '已制定整改方案', version: 2 });
    const again = await nothingWritten(() =>
      app.query(RecordSupervisionResponseDocument, { input: { id: interviewId, version: 1, response: 'x' } }, { token: admin }),
    );
    expect(again.recordSupervisionResponse.userErrors[0].code).toBe('CONFLICT');
  });

  it('rejects targets that are not work, and non-admins, writing nothing', async () => {
    const area = await nothingWritten(() =>
      app.query(
        IssueSupervisionDocument,
        {
          input: { target: toGlobalId('Area', `${TIEFO}000`), kind: 'CIRCULATED_NOTICE', issuer: '县民政局', targetUnit: '铁佛镇', responseDue: '2099-01-01' },
        },
        { token: admin },
      ),
    );
    expect(area.issueSupervision.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'target'] })]);
    const missing = await nothingWritten(() =>
      app.query(
        IssueSupervisionDocument,
        { input: { target: toGlobalId('Task', '999999'), kind: 'CIRCULATED_NOTICE', issuer: '县民政局', targetUnit: '铁佛镇', responseDue: '2099-01-01' } },
        { token: admin },
      ),
    );
    expect(missing.issueSupervision.userErrors[0].code).toBe('NOT_FOUND');
    const staffIssue = await nothingWritten(() =>
      app.request(
        IssueSupervisionDocument,
        { input: { target: tombId, kind: 'CIRCULATED_NOTICE', issuer: '社会事务股', targetUnit: '铁佛镇', responseDue: '2099-01-01' } },
        { token: staff },
      ),
    );
    expect(staffIssue.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('monthly report', () => {
  const ZC = `${ZHICHENG}000`;
  let mayReport: string;

  it('itemises a past month from its history', async () => {
    // May 2026 in 至诚镇: a task lagging at month end, a rectification opened, one closed, one overdue, a supervision, project events.
    const task = (
      await app.query(
        CreateTaskDocument,
        {
          input: tombTask({
            title: '至诚镇硬化大墓整治',
            area: ZHICHENG,
            target: 10,
            startDate: '2026-01-01',
            deadline: '2026-06-30',
            assignments: [{ area: ZHICHENG, target: 10 }],
          }),
        },
        { token: admin },
      )
    ).createTask.task!;
    await app.query(RecordTaskProgressDocument, { input: { assignment: task.assignments[0].id, version: 1, done: 3, asOf: '2026-05-15' } }, { token: admin });
    const rect = async (finding: string, openedOn: string, deadline: string) =>
      (
        await app.query(
          CreateRectificationDocument,
          { input: { finding, area: ZHICHENG, category: 'FUNDS_MISUSE', responsiblePerson: '周六', deadline, openedOn } },
          { token: admin },
        )
      ).createRectification.rectification!.id;
    const opened = await rect('至诚镇挤占救助资金', '2026-05-08', '2026-08-31');
    const closing = await rect('至诚镇低保档案缺失', '2026-04-01', '2026-05-31');
    await rect('至诚镇特困供养对象漏报', '2026-04-02', '2026-05-10');
    let v = 1;
    for (const [to, on] of [
      ['RECTIFYING', '2026-04-10'],
      ['RECTIFIED', '2026-05-12'],
    ] as const) {
      await app.query(TransitionRectificationDocument, { input: { id: closing, version: v++, to, on } }, { token: admin });
    }
    await app.query(
      TransitionRectificationDocument,
      { input: { id: closing, version: v++, to: 'CLOSED', on: '2026-05-28', verifier: '县审计局 吴', note: '复核通过' } },
      { token: admin },
    );
    await app.query(
      IssueSupervisionDocument,
      {
        input: {
          target: task.id,
          kind: 'CIRCULATED_NOTICE',
          issuedOn: '2026-05-20',
          issuer: '县民政局',
          targetUnit: '至诚镇人民政府',
          responseDue: '2026-05-30',
        },
      },
      { token: admin },
    );
    const project = toGlobalId('Project', '1');
    await app.orm.em.fork().transactional(async (em) => {
      const sql = sqlFor(em);
      for (const [asOf, percent] of [
        ['2026-04-30', 20],
        ['2026-05-15', 40],
        ['2026-06-15', 60],
      ] as const) {
        await appendProgressUpdate(sql, {
          subjectKind: SubjectKind.PROJECT,
          subjectId: project,
          areaCode: ZC,
          action: ProgressAction.PROGRESS_RECORDED,
          actor: systemViewer('511921000000'),
          summary: `至诚镇敬老院 进度 ${percent}%`,
          after: {
            name: '至诚镇敬老院',
            asOf,
            percent,
            milestones: [
              { name: '主体完工', dueDate: '2026-05-31', doneDate: asOf >= '2026-05-15' ? '2026-05-15' : null },
              { name: '建成投运', dueDate: '2026-12-31', doneDate: null },
            ],
          },
        });
      }
    });
    await app.query(TransitionRectificationDocument, { input: { id: opened, version: 1, to: 'RECTIFYING', on: '2026-05-09' } }, { token: admin });

    const report = (await app.query(MonthlyReportDocument, { month: '2026-05', area: ZHICHENG }, { token: admin })).monthlyReport;
    expect(report).toMatchObject({ month: '2026-05', asOf: '2026-05-31', areaName: '至诚镇' });
    expect(report.projectProgress.map((p) => [p.title, p.date, p.detail])).toEqual([['至诚镇敬老院', '2026-05-15', '至诚镇敬老院 进度 40%']]);
    expect(report.milestonesDue.map((m) => m.title)).toEqual(['至诚镇敬老院:主体完工']);
    expect(report.milestonesDone.map((m) => [m.title, m.date])).toEqual([['至诚镇敬老院:主体完工', '2026-05-15']]);
    expect(report.laggingTasks.map((t) => [t.title, t.owner, t.health])).toEqual([['至诚镇硬化大墓整治', '社会事务股', 'LAGGING']]);
    expect(report.overdueTasks).toEqual([]);
    expect(report.rectificationsOpened.map((r) => r.title)).toEqual(['至诚镇挤占救助资金']);
    expect(report.rectificationsClosed.map((r) => [r.title, r.date])).toEqual([['至诚镇低保档案缺失', '2026-05-28']]);
    expect(report.rectificationsClosed[0].detail).toContain('县审计局 吴');
    expect(report.rectificationsOverdue.map((r) => [r.title, r.owner])).toEqual([['至诚镇特困供养对象漏报', '周六']]);
    expect(report.supervisionIssued.map((s) => [s.title, s.owner, s.date])).toEqual([['至诚镇硬化大墓整治', '至诚镇人民政府', '2026-05-20']]);
    expect(report.itemCount).toBe(8);
    expect(report.markdown).toContain('## 四、进度滞后的重点工作');
    expect(report.markdown).toContain('1. 至诚镇硬化大墓整治(至诚镇,社会事务股):完成 3/10处(30%)');
    mayReport = report.markdown;
  });

  it('reads the same after later changes', async () => {
    const tasks = await app.query(TasksDocument, { filter: { area: ZHICHENG } }, { token: admin });
    const assignment = (
      await app.request(`{ node(id: "${tasks.tasks.nodes[0].id}") { ... on Task { assignments { id version } } } }`, undefined, { token: admin })
    ).data as {
      node: { assignments: { id: string; version: number }[] };
    };
    const a = assignment.node.assignments[0];
    await oneEvent(() =>
      app.query(RecordTaskProgressDocument, { input: { assignment: a.id, version: a.version, done: 10, asOf: '2026-06-10' } }, { token: admin }),
    );
    const overdue = (await app.query(RectificationsDocument, { filter: { area: ZHICHENG, overdue: true }, asOf: '2026-05-31' }, { token: admin }))
      .rectifications.nodes[0];
    await app.query(TransitionRectificationDocument, { input: { id: overdue.id, version: 1, to: 'RECTIFYING', on: '2026-06-02' } }, { token: admin });
    const after = (await app.query(MonthlyReportDocument, { month: '2026-05', area: ZHICHENG }, { token: admin })).monthlyReport;
    expect(after.markdown).toBe(mayReport);
    const june = (await app.query(MonthlyReportDocument, { month: '2026-06', area: ZHICHENG }, { token: admin })).monthlyReport;
    expect(june.laggingTasks).toEqual([]);
    expect(june.projectProgress.map((p) => p.detail)).toEqual(['至诚镇敬老院 进度 60%']);
  });

  it('is sensitive and scoped', async () => {
    for (const token of [viewer, villageOp]) {
      expect((await app.request(MonthlyReportDocument, { month: '2026-05' }, { token })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await app.request(MonthlyReportDocument, { month: '2026-05', area: ZHICHENG }, { token: tiefoOp })).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
    expect((await app.request(MonthlyReportDocument, { month: '2026-13' }, { token: admin })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const own = (await app.query(MonthlyReportDocument, { month: '2026-05' }, { token: tiefoOp })).monthlyReport;
    expect(own.areaName).toBe('铁佛镇');
  });

  it('serves .md and .csv over HTTP with the bearer token', async () => {
    const base = app.url.replace(/\/graphql$/, '');
    const anonymous = await fetch(`${base}/reports/monthly/2026-05.md?area=${ZHICHENG}`);
    expect(anonymous.status).toBe(401);
    const badToken = await fetch(`${base}/reports/monthly/2026-05.md`, { headers: { authorization: 'Bearer nope' } });
    expect(badToken.status).toBe(401);
    const md = await fetch(`${base}/reports/monthly/2026-05.md?area=${ZHICHENG}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(md.status).toBe(200);
    expect(md.headers.get('content-type')).toContain('text/markdown');
    expect(await md.text()).toBe(mayReport);
    const csv = await fetch(`${base}/reports/monthly/2026-05.csv?area=${ZHICHENG}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const body = Buffer.from(await csv.arrayBuffer());
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = body.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe('部分,序号,事项,区划,责任,日期,进度状态,情况,编号');
    expect(lines.filter((l) => l.startsWith('进度滞后的重点工作,1,至诚镇硬化大墓整治,'))).toHaveLength(1);
    expect(lines.length - 2).toBe(8);
    const forbidden = await fetch(`${base}/reports/monthly/2026-05.csv`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(forbidden.status).toBe(403);
    const badMonth = await fetch(`${base}/reports/monthly/2026-13.md`, { headers: { authorization: `Bearer ${admin}` } });
    expect(badMonth.status).toBe(400);
  });
});

describe('concurrent writers', () => {
  it('let exactly one of two writers with the same version win, with one event', async () => {
    const task = (await app.query(TasksDocument, { filter: { ownerSection: '社会事务股', area: TIEFO } }, { token: admin })).tasks.nodes[0];
    const { task: current } = (await app.request(`{ task(id: "${task.id}") { ... on Task { version } } }`, undefined, { token: admin })).data as {
      task: { version: number };
    };
    const before = await count('progress_update');
    const results = await Promise.all(
      ['甲', '乙'].map((who) =>
        app.query(UpdateTaskDocument, { input: { id: task.id, version: current.version, title: `硬化大墓、活人墓整治(${who})` } }, { token: admin }),
      ),
    );
    const codes = results.map((r) => r.updateTask.userErrors[0]?.code ?? 'OK').sort();
    expect(codes).toEqual(['CONFLICT', 'OK']);
    expect(await count('progress_update')).toBe(before + 1);
  });
});
