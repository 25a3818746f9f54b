import pg from 'pg';
import { significantPrefix } from '../../common/codes.js';
import { todayInChina } from '../../common/dates.js';
import { log } from '../../common/log.js';
import type { ServerService, ServiceDeps } from '../../feature.js';
import type { MilestoneValue } from '../project/project.rules.js';
import { PROGRESS_CHANNEL } from '../progress/progress.outbox.js';
import { RECTIFICATION_EXTENSIONS } from '../rectification/rectification.entity.js';
import { APPROVED_EXTENSIONS } from '../task/task.entity.js';
import { deadlineInForce, taskHealth, TaskHealth, type ApprovedExtension } from '../task/task.rules.js';
import {
  accountSub,
  ALERT_ACTOR,
  alertDrafts,
  datedDrafts,
  eventDrafts,
  EXTENDABLE,
  msUntilAfterChinaMidnight,
  RESPONSIBLE_KIND_OF_TYPE,
  TYPE_OF_SUBJECT_KIND,
  typeAndKeyOfGlobalId,
  type AlertDraft,
  type DatedSubject,
  type FollowedEvent,
  type FollowLookups,
  type InboxDraft,
  type ResponsiblePerson,
} from './inbox.rules.js';
import { envInteger } from '../../common/env.js';

/** Events the follower reads per statement. */
const BATCH = 200;

/** How the inbox's background work runs (environment: INBOX_BACKGROUND, INBOX_POLL_MS, INBOX_SWEEP_MS). */
export interface InboxOptions {
  /** false: this server neither follows the stream nor sweeps (another server does, or tests drive it). */
  background: boolean;
  /** How often the follower looks for new events. */
  pollMs: number;
  /** How often the date sweep runs (besides at start-up and just after midnight, China time). */
  sweepMs: number;
}

export function inboxOptionsFrom(env: Record<string, string | undefined>): InboxOptions {
  const number = (name: string, fallback: number, min: number, max: number) => envInteger(env, name, fallback, min, max);
  const background = env.INBOX_BACKGROUND ?? '';
  if (!['', 'on', 'off'].includes(background)) throw new Error(`INBOX_BACKGROUND must be on or off, got "${background}"`);
  return {
    background: background !== 'off',
    pollMs: number('INBOX_POLL_MS', 2_000, 50, 600_000),
    sweepMs: number('INBOX_SWEEP_MS', 600_000, 1_000, 86_400_000),
  };
}

/** The current responsible person of every item (one row per item: its latest responsible_change). */
const CURRENT_RESPONSIBLE = `current as (
  select distinct on (item_kind, item_id) item_kind, item_id, account_id, name, title, unit from responsible_change order by item_kind, item_id, id desc)`;

/** The drafts of $1 (JSON) inserted as inbox items, once each (`dedupe_key`): the CTEs `d` and `ins`. */
const INSERT_ITEMS = `with d as (
    select * from jsonb_to_recordset($1::jsonb) as d(recipient text, kind text, subject_type text, subject_key text, area_code text, title text,
                                                    summary text, due_date date, event_sequence bigint, dedupe_key text)),
  ins as (
    insert into inbox_item (recipient_sub, kind, subject_type, subject_key, area_code, title, summary, due_date, event_sequence, dedupe_key)
    select recipient, kind, subject_type, subject_key, area_code, left(title, 300), left(summary, 1000), due_date, event_sequence, dedupe_key from d
    on conflict (dedupe_key) do nothing
    returning 1)`;

/** Inserts drafts, once each (`dedupe_key`); with `cursor`, moves the follower's cursor up to it in the same statement. */
const INSERT_DRAFTS = `${INSERT_ITEMS},
  moved as (update inbox_cursor set sequence = greatest(sequence, $2::bigint) where name = 'events' and $2::bigint is not null returning 1)
  select (select count(*)::int from ins) as inserted, (select count(*)::int from moved) as moved`;

/**
 * The sweep's one write: its inbox items ($1, once each by `dedupe_key`) and its ALERTED progress events ($2).
 * An alert is new when its key enters `progress_alert` (a concurrent sweep's same key waits for it, then
 * conflicts); the new ones take consecutive sequence numbers (the counter row is locked only when there are
 * any, until this statement commits, as every writer's), are appended as the system actor ($3, $4), and the
 * last sequence is announced on the progress channel ($5) for the live hubs.
 */
const SWEEP_INSERT = `${INSERT_ITEMS},
  a as (
    select * from jsonb_to_recordset($2::jsonb) as a(ord int, dedupe_key text, subject_kind text, subject_id text, area_code text, summary text, after jsonb)),
  fresh as (
    insert into progress_alert (dedupe_key, subject_kind, subject_id)
    select dedupe_key, subject_kind, subject_id from a order by dedupe_key
    on conflict (dedupe_key) do nothing
    returning dedupe_key),
  numbered as (
    select a.*, row_number() over (order by a.ord) as n, count(*) over () as total from a join fresh using (dedupe_key)),
  next as (
    update event_sequence set value = value + (select count(*) from fresh) where exists (select 1 from fresh) returning value),
  written as (
    insert into progress_update (sequence, subject_kind, subject_id, area_code, action, actor_sub, actor_name, actor_role, summary, before, after)
    select next.value - numbered.total + numbered.n, numbered.subject_kind, numbered.subject_id, numbered.area_code, 'ALERTED', $3, $4, null,
           left(numbered.summary, 1000), null, numbered.after
      from numbered cross join next
    returning sequence)
  select (select count(*)::int from ins) as inserted, (select count(*)::int from written) as alerted,
         (select count(*)::int from (select pg_notify($5, max(sequence)::text) from written having count(*) > 0) n) as announced`;

/**
 * Makes the inbox's items (待办/提醒), off every writer's path:
 * - {@link follow}: reads the progress stream after its cursor (`inbox_cursor`) and turns events into
 *   ASSIGNED, EXTENSION_REQUESTED and EXTENSION_DECIDED items (inbox.rules.ts `eventDrafts`); the items and
 *   the cursor move in one statement. Writers only append events: a stopped or slow follower never
 *   holds a write up, it catches up from its cursor.
 * - {@link sweep}: on a date, DUE_SOON, OVERDUE and TURNED_LAGGING items for what responsible accounts
 *   hold (inbox.rules.ts `datedDrafts`), and ALERTED progress events (提醒, `alertDrafts`) for every
 *   subject whoever is responsible, read in five statements and inserted in one, whatever the number.
 * Both insert with `on conflict do nothing` (`dedupe_key`; `progress_alert` for the events), so running
 * either twice, or on two servers, makes each item and each event once. It works on a small pool of its
 * own (not the ORM's), and its statements are marked as background work.
 */
export class InboxGenerator {
  private pool: pg.Pool | null = null;
  /** Statements sent (tests bound the sweep's cost with it). */
  readonly stats = { statements: 0 };
  /** What the last sweep made: inbox items, and ALERTED events appended to the progress stream. */
  lastSweep = { items: 0, alerts: 0 };

  constructor(private readonly databaseUrl: string) {}

  private async query<T>(text: string, params: unknown[] = []): Promise<T[]> {
    this.pool ??= this.openPool();
    this.stats.statements++;
    return (await this.pool.query(`/* background: inbox */ ${text}`, params)).rows as T[];
  }

  private openPool(): pg.Pool {
    const pool = new pg.Pool({ connectionString: this.databaseUrl, max: 2, application_name: 'civgraph-inbox', idleTimeoutMillis: 30_000 });
    pool.on('error', (error) => log.warn({ err: error }, 'inbox: idle connection lost'));
    return pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.end().catch(() => undefined);
  }

  /** Follows the progress stream up to its head; returns how many items it made. */
  async follow(): Promise<number> {
    let made = 0;
    for (;;) {
      const [state] = await this.query<{ cursor: string; head: string }>(
        `select c.sequence::text as cursor, (select value from event_sequence)::text as head from inbox_cursor c where c.name = 'events'`,
      );
      if (!state || BigInt(state.cursor) >= BigInt(state.head)) return made;
      const rows = await this.query<{
        sequence: string;
        subject_kind: string;
        subject_id: string;
        area_code: string;
        action: string;
        actor_sub: string;
        actor_name: string;
        summary: string;
        after: Record<string, unknown> | null;
      }>(
        `select sequence::text as sequence, subject_kind, subject_id, area_code, action, actor_sub, actor_name, summary, after from progress_update
          where sequence > $1::bigint and sequence <= $2::bigint order by sequence limit $3`,
        [state.cursor, state.head, BATCH],
      );
      const events: FollowedEvent[] = [];
      for (const row of rows) {
        const subject = typeAndKeyOfGlobalId(row.subject_id);
        if (!subject || TYPE_OF_SUBJECT_KIND[row.subject_kind] !== subject.type || !/^\d{1,18}$/.test(subject.key)) continue;
        events.push({
          sequence: row.sequence,
          subjectKind: row.subject_kind,
          subjectType: subject.type,
          subjectKey: subject.key,
          areaCode: row.area_code,
          action: row.action,
          actorSub: row.actor_sub,
          actorName: row.actor_name,
          summary: row.summary,
          after: row.after,
        });
      }
      const drafts = events.length ? await this.draftsOf(events) : [];
      const covered = rows.length < BATCH ? state.head : rows[rows.length - 1].sequence;
      const [result] = await this.query<{ inserted: number }>(INSERT_DRAFTS, [JSON.stringify(drafts.map(asRecord)), covered]);
      made += result.inserted;
    }
  }

  /** The drafts of a batch of events, with what they need looked up in four statements. */
  private async draftsOf(events: FollowedEvent[]): Promise<InboxDraft[]> {
    const keysOf = (type: string) => [...new Set(events.filter((e) => e.subjectType === type).map((e) => e.subjectKey))];
    const targets: { type: string; key: string }[] = [];
    const accountIds = new Set<string>();
    const decisions: { sequence: string; kind: string; item: string }[] = [];
    for (const event of events) {
      const after = event.after ?? {};
      const responsible = after.responsible as { account?: unknown } | null | undefined;
      if (responsible && typeof responsible.account === 'string') {
        const account = typeAndKeyOfGlobalId(responsible.account);
        if (account?.type === 'Account' && /^\d{1,18}$/.test(account.key)) accountIds.add(account.key);
      }
      if (event.subjectKind === 'SUPERVISION' && typeof after.target === 'string' && typeof after.targetKind === 'string') {
        const target = typeAndKeyOfGlobalId(after.target);
        if (target && RESPONSIBLE_KIND_OF_TYPE[target.type] && /^\d{1,18}$/.test(target.key)) targets.push(target);
      }
      if (EXTENDABLE[event.subjectType] && (after.extension === 'APPROVED' || after.extension === 'REFUSED'))
        decisions.push({ sequence: event.sequence, kind: EXTENDABLE[event.subjectType], item: event.subjectKey });
    }
    const titles = await this.query<{ type: string; key: string; title: string }>(
      `select 'Task' as type, t.id::text as key, '重点工作「' || t.title || '」' as title from task t where t.id = any($1::bigint[])
       union all
       select 'TaskAssignment', a.id::text, '任务分解「' || t.title || '（' || ar.name || '）」' from task_assignment a join task t on t.id = a.task_id join area ar on ar.code = a.area_code
        where a.id = any($2::bigint[])
       union all
       select 'Project', p.id::text, '民政项目「' || p.name || '」' from project p where p.id = any($3::bigint[])
       union all
       select 'Rectification', r.id::text, '审计整改「' || r.finding || '」' from rectification r where r.id = any($4::bigint[])
       union all
       select 'SupervisionAction', s.id::text, '督办「' || s.target_label || '」' from supervision_action s where s.id = any($5::bigint[])`,
      [keysOf('Task'), keysOf('TaskAssignment'), keysOf('Project'), keysOf('Rectification'), keysOf('SupervisionAction')],
    );
    const accounts = await this.query<{ id: string; role: string; area_code: string }>(
      `select id::text as id, role, area_code from account
        where not disabled and (id = any($1::bigint[]) or role in ('TOWNSHIP_OPERATOR', 'COUNTY_ADMIN', 'LEADER'))`,
      [[...accountIds]],
    );
    const responsible = targets.length
      ? await this.query<{ type: string; key: string; account: string }>(
          `select t.type, t.key, r.account_id::text as account
             from unnest($1::text[], $2::bigint[]) as t(type, key)
             join lateral (select c.account_id from responsible_change c
                            where c.item_kind = case t.type when 'Task' then 'TASK' when 'TaskAssignment' then 'TASK_ASSIGNMENT' when 'Project' then 'PROJECT' else 'RECTIFICATION' end
                              and c.item_id = t.key order by c.id desc limit 1) r on true
             join account a on a.id = r.account_id and not a.disabled`,
          [targets.map((t) => t.type), targets.map((t) => t.key)],
        )
      : [];
    const requesters = decisions.length
      ? await this.query<{ sequence: string; sub: string }>(
          `select u.sequence::text as sequence, e.requested_by_sub as sub
             from unnest($1::bigint[], $2::text[], $3::bigint[]) as u(sequence, kind, item)
             join progress_update p on p.sequence = u.sequence
             join lateral (select x.requested_by_sub from deadline_extension x
                            where x.item_kind = u.kind and x.item_id = u.item and x.state <> 'PENDING' and x.decided_at <= p.occurred_at
                            order by x.decided_at desc, x.id desc limit 1) e on true`,
          [decisions.map((d) => d.sequence), decisions.map((d) => d.kind), decisions.map((d) => d.item)],
        )
      : [];
    const titleMap = new Map(titles.map((row) => [`${row.type}:${row.key}`, row.title]));
    const enabled = new Set(accounts.map((a) => a.id));
    const responsibleMap = new Map(responsible.map((row) => [`${row.type}:${row.key}`, row.account]));
    const requesterMap = new Map(requesters.map((row) => [row.sequence, row.sub]));
    const lookups: FollowLookups = {
      titleOf: (type, key) => titleMap.get(`${type}:${key}`) ?? null,
      enabledAccount: (globalId) => {
        const account = typeAndKeyOfGlobalId(globalId);
        return account?.type === 'Account' && enabled.has(account.key) ? account.key : null;
      },
      responsibleAccountOf: (type, key) => responsibleMap.get(`${type}:${key}`) ?? null,
      townshipOperators: (areaCode) => {
        if (areaCode.slice(6, 9) === '000') return [];
        const township = `${areaCode.slice(0, 9)}000`;
        return accounts.filter((a) => a.role === 'TOWNSHIP_OPERATOR' && a.area_code === township).map((a) => a.id);
      },
      deciders: (areaCode) =>
        accounts.filter((a) => (a.role === 'COUNTY_ADMIN' || a.role === 'LEADER') && areaCode.startsWith(significantPrefix(a.area_code))).map((a) => a.id),
      requesterOf: (sequence) => requesterMap.get(sequence) ?? null,
    };
    return events.flatMap((event) => eventDrafts(event, lookups));
  }

  /**
   * The date sweep on `today` (China date), over every key task, assignment, project, rectification and
   * unanswered supervision action, whoever is responsible:
   * - inbox items (DUE_SOON, OVERDUE, TURNED_LAGGING) for the responsible person where it is an enabled
   *   account (for a supervision action: its target's, and its township's operators);
   * - ALERTED progress events (提醒, `alertDrafts`), once each, for the live feed and webhooks, whether the
   *   responsible person is an account, a named person or nobody.
   * Five reads and one insert (items and events together, in the insert's own transaction), whatever the
   * number of items. Returns how many inbox items it made (`alerts` in {@link lastSweep}: how many events).
   */
  async sweep(today: string = todayInChina()): Promise<number> {
    const doneOf = (assignment: string) => `coalesce((select tp.done from task_progress tp where tp.assignment_id = ${assignment} and tp.as_of <= $1::date
                                  order by tp.as_of desc, tp.id desc limit 1), 0)`;
    // `account`: the responsible account when enabled (it gets inbox items); `account_raw`: the person's account, enabled or not.
    type Responsible = {
      account: string | null;
      account_raw: string | null;
      person_name: string | null;
      person_title: string | null;
      person_unit: string | null;
    };
    type TaskLike = Responsible & {
      key: string;
      area_code: string;
      title: string;
      target: number;
      done: number;
      start_date: string;
      deadline: string;
      extensions: ApprovedExtension[];
    };
    // The current responsible person of an item (`c`), and `account` only when it is an enabled account.
    const person = `c.account_id::text as account_raw, ac.id::text as account, c.name as person_name, c.title as person_title, c.unit as person_unit`;
    const joinPerson = (kind: string, id: string) =>
      `left join current c on c.item_kind = '${kind}' and c.item_id = ${id} left join account ac on ac.id = c.account_id and not ac.disabled`;
    const tasks = await this.query<TaskLike>(
      `with ${CURRENT_RESPONSIBLE}
       select t.id::text as key, t.area_code, '重点工作「' || t.title || '」' as title, t.target, t.start_date::text as start_date, t.deadline::text as deadline,
              coalesce((select sum(${doneOf('a.id')})::int from task_assignment a where a.task_id = t.id), 0) as done,
              ${APPROVED_EXTENSIONS} as extensions, ${person}
         from task t ${joinPerson('TASK', 't.id')}
        where t.start_date <= $1::date`,
      [today],
    );
    const assignments = await this.query<TaskLike>(
      `with ${CURRENT_RESPONSIBLE}
       select a.id::text as key, a.area_code, '任务分解「' || t.title || '（' || ar.name || '）」' as title, a.target, t.start_date::text as start_date,
              t.deadline::text as deadline, ${doneOf('a.id')} as done, ${APPROVED_EXTENSIONS} as extensions, ${person}
         from task_assignment a join task t on t.id = a.task_id join area ar on ar.code = a.area_code ${joinPerson('TASK_ASSIGNMENT', 'a.id')}
        where t.start_date <= $1::date`,
      [today],
    );
    const projects = await this.query<Responsible & { key: string; area_code: string; title: string; due: string | null; milestones: MilestoneValue[] }>(
      `with ${CURRENT_RESPONSIBLE}
       select p.id::text as key, p.area_code, '民政项目「' || p.name || '」' as title, p.target_date::text as due, p.milestones, ${person}
         from project p ${joinPerson('PROJECT', 'p.id')}
        where p.status in ('PLANNED', 'IN_PROGRESS')`,
    );
    const rectifications = await this.query<Responsible & { key: string; area_code: string; title: string; due: string; extensions: ApprovedExtension[] }>(
      `with ${CURRENT_RESPONSIBLE}
       select r.id::text as key, r.area_code, '审计整改「' || r.finding || '」' as title, r.deadline::text as due, ${RECTIFICATION_EXTENSIONS} as extensions,
              c.account_id::text as account_raw, ac.id::text as account, coalesce(c.name, r.responsible_person) as person_name, c.title as person_title,
              c.unit as person_unit
         from rectification r ${joinPerson('RECTIFICATION', 'r.id')}
        where r.status in ('OPEN', 'RECTIFYING') and r.opened_on <= $1::date`,
      [today],
    );
    const supervision = await this.query<
      Responsible & { key: string; area_code: string; title: string; due: string; target_unit: string; recipients: string[] }
    >(
      `with ${CURRENT_RESPONSIBLE}
       select s.id::text as key, s.area_code, '督办「' || s.target_label || '」' as title, s.response_due::text as due, s.target_unit,
              c.account_id::text as account_raw, ac.id::text as account, c.title as person_title, c.unit as person_unit,
              coalesce(c.name, (select r.responsible_person from rectification r where s.target_kind = 'Rectification' and r.id::text = s.target_key)) as person_name,
              array(select ac.id::text where ac.id is not null
                    union
                    select a.id::text from account a
                     where a.role = 'TOWNSHIP_OPERATOR' and not a.disabled and substr(s.area_code, 7, 3) <> '000' and a.area_code = substr(s.area_code, 1, 9) || '000') as recipients
         from supervision_action s
         left join current c on c.item_kind = case s.target_kind when 'Task' then 'TASK' when 'TaskAssignment' then 'TASK_ASSIGNMENT' when 'Project' then 'PROJECT'
                                                                  when 'Rectification' then 'RECTIFICATION' end
                            and c.item_id::text = s.target_key
         left join account ac on ac.id = c.account_id and not ac.disabled
        where s.stage not in ('RESPONDED', 'CLOSED') and s.issued_on <= $1::date`,
      [today],
    );
    const responsibleOf = (row: Responsible): ResponsiblePerson | null =>
      row.person_name === null ? null : { name: row.person_name, title: row.person_title, unit: row.person_unit, account: row.account_raw };
    const recipientsOf = (row: Responsible) => (row.account === null ? [] : [accountSub(row.account)]);
    const subjects: DatedSubject[] = [];
    const taskSubject = (type: string, row: TaskLike): DatedSubject => {
      const deadline = deadlineInForce(row.deadline, row.extensions, today);
      const health = taskHealth({ target: row.target, done: row.done, startDate: row.start_date, deadline, asOf: today });
      return {
        subjectType: type,
        subjectKey: row.key,
        areaCode: row.area_code,
        title: row.title,
        what: 'DEADLINE',
        due: deadline,
        done: health === TaskHealth.DONE,
        lagging: health === TaskHealth.LAGGING,
        recipients: recipientsOf(row),
        responsible: responsibleOf(row),
        progress: { done: row.done, target: row.target },
      };
    };
    for (const row of tasks) subjects.push(taskSubject('Task', row));
    for (const row of assignments) subjects.push(taskSubject('TaskAssignment', row));
    const dated = (type: string, row: Responsible & { key: string; area_code: string; title: string }, due: string, part?: string): DatedSubject => ({
      subjectType: type,
      subjectKey: row.key,
      areaCode: row.area_code,
      title: row.title,
      part,
      what: 'DEADLINE',
      due,
      done: false,
      lagging: false,
      recipients: recipientsOf(row),
      responsible: responsibleOf(row),
    });
    for (const row of projects) {
      if (row.due) subjects.push(dated('Project', row, row.due));
      // 推进方案节点: each open milestone by its own due date.
      row.milestones.forEach((milestone, index) => {
        if (!milestone.doneDate && typeof milestone.dueDate === 'string') {
          subjects.push(dated('Project', { ...row, title: `${row.title}节点「${milestone.name}」` }, milestone.dueDate, `milestone-${index + 1}`));
        }
      });
    }
    // A rectification's deadline in force, after approved extensions (延期), as a task's.
    for (const row of rectifications) subjects.push(dated('Rectification', row, deadlineInForce(row.due, row.extensions, today)));
    for (const row of supervision) {
      subjects.push({
        subjectType: 'SupervisionAction',
        subjectKey: row.key,
        areaCode: row.area_code,
        title: row.title,
        what: 'RESPONSE',
        due: row.due,
        done: false,
        lagging: false,
        recipients: row.recipients.map(accountSub),
        responsible: responsibleOf(row),
        targetUnit: row.target_unit,
      });
    }
    const drafts = subjects.flatMap((subject) => datedDrafts(subject, today));
    // Once each by key (the insert numbers the new ones by their count), sorted: two sweeps at once take the keys' locks in one order.
    const alerts = [...new Map(subjects.flatMap((subject) => alertDrafts(subject, today)).map((alert) => [alert.dedupeKey, alert])).values()].sort((a, b) =>
      a.dedupeKey < b.dedupeKey ? -1 : a.dedupeKey > b.dedupeKey ? 1 : 0,
    );
    this.lastSweep = { items: 0, alerts: 0 };
    if (!drafts.length && !alerts.length) return 0;
    const [result] = await this.query<{ inserted: number; alerted: number }>(SWEEP_INSERT, [
      JSON.stringify(drafts.map(asRecord)),
      JSON.stringify(alerts.map((alert, index) => alertRecord(alert, index))),
      ALERT_ACTOR.sub,
      ALERT_ACTOR.name,
      PROGRESS_CHANNEL,
    ]);
    this.lastSweep = { items: result.inserted, alerts: result.alerted };
    return result.inserted;
  }
}

/** An alert as the sweep's insert reads it (`ord`: its place, which orders the sequence numbers). */
function alertRecord(alert: AlertDraft, ord: number) {
  return {
    ord,
    dedupe_key: alert.dedupeKey,
    subject_kind: alert.subjectKind,
    subject_id: alert.subjectId,
    area_code: alert.areaCode,
    summary: alert.summary,
    after: alert.after,
  };
}

/** A draft as the insert's `jsonb_to_recordset` reads it. */
function asRecord(draft: InboxDraft) {
  return {
    recipient: draft.recipient,
    kind: draft.kind,
    subject_type: draft.subjectType,
    subject_key: draft.subjectKey,
    area_code: draft.areaCode,
    title: draft.title,
    summary: draft.summary,
    due_date: draft.dueDate,
    event_sequence: draft.eventSequence,
    dedupe_key: draft.dedupeKey,
  };
}

/**
 * The inbox's background work as a server service (the inbox manifest's `services`): the follower every
 * `pollMs`, the sweep at start-up, every `sweepMs` and one minute after each midnight (China time). Neither
 * delays start-up; a failed turn is logged and tried again at the next.
 */
export function inboxService({ orm }: ServiceDeps, options: InboxOptions = inboxOptionsFrom(process.env)): ServerService {
  const generator = new InboxGenerator(orm.config.get('clientUrl'));
  const timers: NodeJS.Timeout[] = [];
  let following: Promise<unknown> | null = null;
  let sweeping: Promise<unknown> | null = null;
  let stopped = false;
  const follow = () => {
    if (stopped || following) return;
    following = generator
      .follow()
      .catch((error: unknown) => log.warn({ err: error }, 'inbox: following the progress stream failed; retrying'))
      .finally(() => (following = null));
  };
  const sweep = () => {
    if (stopped || sweeping) return;
    sweeping = generator
      .sweep(todayInChina())
      .catch((error: unknown) => log.warn({ err: error }, 'inbox: the date sweep failed; retrying'))
      .finally(() => (sweeping = null));
  };
  const afterMidnight = () => {
    const timer = setTimeout(() => {
      sweep();
      afterMidnight();
    }, msUntilAfterChinaMidnight(new Date()));
    timer.unref();
    timers[2] = timer;
  };
  return {
    extensions: {},
    start() {
      if (!options.background) return Promise.resolve();
      sweep();
      follow();
      timers[0] = setInterval(follow, options.pollMs);
      timers[1] = setInterval(sweep, options.sweepMs);
      for (const timer of timers) timer.unref();
      afterMidnight();
      return Promise.resolve();
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all([following, sweeping]);
      await generator.close();
    },
  };
}
