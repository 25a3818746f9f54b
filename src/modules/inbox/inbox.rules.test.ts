import { describe, expect, it } from 'vitest';
import { toGlobalId } from '../../common/global-id.js';
import { inboxOptionsFrom } from './inbox.generate.js';
import {
  alertDrafts,
  datedDrafts,
  dueStateOf,
  eventDrafts,
  responsibleText,
  msUntilAfterChinaMidnight,
  type DatedSubject,
  type FollowedEvent,
  type FollowLookups,
} from './inbox.rules.js';

const subject = (over: Partial<DatedSubject> = {}): DatedSubject => ({
  subjectType: 'Task',
  subjectKey: '7',
  areaCode: '511921000000',
  title: '重点工作「消防改造」',
  what: 'DEADLINE',
  due: '2026-06-30',
  done: false,
  lagging: false,
  recipients: ['account:1'],
  ...over,
});

describe('date-driven reminders', () => {
  it('DUE_SOON from three days before the due date to the day itself, OVERDUE after it, nothing before', () => {
    const kinds = (today: string) => datedDrafts(subject(), today).map((d) => d.kind);
    expect(kinds('2026-06-26')).toEqual([]);
    expect(kinds('2026-06-27')).toEqual(['DUE_SOON']);
    expect(kinds('2026-06-30')).toEqual(['DUE_SOON']);
    expect(kinds('2026-07-01')).toEqual(['OVERDUE']);
    expect(datedDrafts(subject(), '2026-06-30')[0].summary).toBe('重点工作「消防改造」期限 2026-06-30，今天到期');
    expect(datedDrafts(subject({ what: 'RESPONSE' }), '2026-07-02')[0].summary).toBe('重点工作「消防改造」已超过督办回复期限 2026-06-30 2 天，尚未回复');
  });

  it('nothing for done work; TURNED_LAGGING while lagging; one per recipient, keyed by due date', () => {
    expect(datedDrafts(subject({ done: true, lagging: true }), '2026-07-05')).toEqual([]);
    const drafts = datedDrafts(subject({ lagging: true, recipients: ['account:1', 'account:2', 'account:1'] }), '2026-06-01');
    expect(drafts.map((d) => `${d.kind}>${d.recipient}`)).toEqual(['TURNED_LAGGING>account:1', 'TURNED_LAGGING>account:2']);
    expect(drafts[0].dedupeKey).toBe('TURNED_LAGGING:Task:7:2026-06-30:account:1');
    // Another deadline in force (an approved extension) is another reminder.
    expect(datedDrafts(subject({ due: '2026-07-31' }), '2026-07-29')[0].dedupeKey).toBe('DUE_SOON:Task:7:2026-07-31:account:1');
  });

  it('colours a due date: red once past, yellow within three days, else green', () => {
    expect([dueStateOf('2026-06-30', '2026-06-26'), dueStateOf('2026-06-30', '2026-06-27'), dueStateOf('2026-06-30', '2026-07-01')]).toEqual([
      'GREEN',
      'YELLOW',
      'RED',
    ]);
  });
});

describe('notices in the progress stream (ALERTED)', () => {
  const zhang = { name: '张三', title: '副镇长', unit: '民胜镇人民政府', account: null };

  it('LAGGING names the progress, the deadline in force and the responsible person; one per state and deadline, whoever is responsible', () => {
    const lagging = alertDrafts(subject({ lagging: true, recipients: [], responsible: zhang, progress: { done: 3, target: 10 } }), '2026-06-01');
    expect(lagging).toEqual([
      {
        dedupeKey: 'LAGGING:Task:7:2026-06-30',
        subjectKind: 'TASK',
        subjectId: toGlobalId('Task', '7'),
        areaCode: '511921000000',
        summary: '重点工作「消防改造」已滞后：完成 3/10，期限 2026-06-30，责任人 张三（副镇长，民胜镇人民政府）',
        after: {
          alert: 'LAGGING',
          dueDate: '2026-06-30',
          asOf: '2026-06-01',
          done: 3,
          target: 10,
          responsible: { name: '张三', title: '副镇长', unit: '民胜镇人民政府', account: null },
        },
      },
    ]);
    // Nobody responsible: still a notice, saying so; an account is named by its global ID.
    expect(alertDrafts(subject({ lagging: true, recipients: [] }), '2026-06-01')[0].summary).toContain('责任人 未指定');
    const account = alertDrafts(subject({ lagging: true, responsible: { ...zhang, account: '5' } }), '2026-06-01')[0].after.responsible;
    expect(account).toMatchObject({ account: toGlobalId('Account', '5') });
  });

  it('OVERDUE after the deadline, DUE_SOON within three days of it, RESPONSE_* for a supervision response; nothing when done or far off', () => {
    const states = (over: Partial<DatedSubject>, today: string) => alertDrafts(subject(over), today).map((d) => d.dedupeKey);
    expect(states({}, '2026-07-02')).toEqual(['OVERDUE:Task:7:2026-06-30']);
    expect(states({}, '2026-06-28')).toEqual(['DUE_SOON:Task:7:2026-06-30']);
    expect(states({}, '2026-06-26')).toEqual([]);
    expect(states({ done: true, lagging: true }, '2026-07-02')).toEqual([]);
    expect(states({ part: 'milestone-2', subjectType: 'Project' }, '2026-07-02')).toEqual(['OVERDUE:Project:7#milestone-2:2026-06-30']);
    const response = subject({
      what: 'RESPONSE',
      subjectType: 'SupervisionAction',
      title: '督办「优质粮油」',
      targetUnit: '民胜镇人民政府',
      responsible: zhang,
    });
    const [overdue] = alertDrafts(response, '2026-07-02');
    expect(overdue).toMatchObject({ dedupeKey: 'RESPONSE_OVERDUE:SupervisionAction:7:2026-06-30', subjectKind: 'SUPERVISION' });
    expect(overdue.summary).toBe(
      '督办「优质粮油」督办回复已逾期：回复期限 2026-06-30（已超过 2 天），承办单位 民胜镇人民政府，责任人 张三（副镇长，民胜镇人民政府）',
    );
    expect(alertDrafts(response, '2026-06-30')[0].summary).toContain('督办回复即将到期：回复期限 2026-06-30（今天到期）');
    expect(responsibleText({ name: '李四', title: null, unit: null, account: null })).toBe('李四');
  });
});

describe('event-driven reminders', () => {
  const lookups = (over: Partial<FollowLookups> = {}): FollowLookups => ({
    titleOf: () => '重点工作「消防改造」',
    enabledAccount: (id) => (id === toGlobalId('Account', '5') ? '5' : null),
    responsibleAccountOf: () => '5',
    townshipOperators: () => ['8', '9'],
    deciders: () => ['2', '3'],
    requesterOf: () => 'account:4',
    ...over,
  });
  const event = (over: Partial<FollowedEvent>): FollowedEvent => ({
    sequence: '42',
    subjectKind: 'TASK',
    subjectType: 'Task',
    subjectKey: '7',
    areaCode: '511921104000',
    action: 'UPDATED',
    actorSub: 'account:3',
    actorName: '局长',
    summary: '摘要',
    after: null,
    ...over,
  });

  it('ASSIGNED to the account made responsible (enabled only), never to the one who assigned it', () => {
    const assigned = event({ after: { responsible: { account: toGlobalId('Account', '5'), name: '何春梅' }, reason: '年初分解' } });
    expect(eventDrafts(assigned, lookups())).toEqual([
      expect.objectContaining({
        recipient: 'account:5',
        kind: 'ASSIGNED',
        summary: '局长 指定您为重点工作「消防改造」的责任人（年初分解）',
        dedupeKey: 'ASSIGNED:42:account:5',
      }),
    ]);
    expect(eventDrafts(event({ after: { responsible: { account: toGlobalId('Account', '6') } } }), lookups())).toEqual([]);
    expect(eventDrafts(event({ after: { responsible: { account: null, name: '张三' } } }), lookups())).toEqual([]);
    expect(eventDrafts({ ...assigned, actorSub: 'account:5' }, lookups())).toEqual([]);
  });

  it('a supervision action: its target’s responsible account and the township’s operators, due on the response date', () => {
    const issued = event({
      subjectKind: 'SUPERVISION',
      subjectType: 'SupervisionAction',
      action: 'CREATED',
      after: { target: toGlobalId('Rectification', '3'), targetKind: 'Rectification', responseDue: '2026-07-10' },
    });
    expect(eventDrafts(issued, lookups()).map((d) => `${d.recipient}@${d.dueDate}`)).toEqual([
      'account:5@2026-07-10',
      'account:8@2026-07-10',
      'account:9@2026-07-10',
    ]);
  });

  it('extension requested: the deciders but the requester; decided: the requester', () => {
    expect(eventDrafts(event({ after: { extensionRequested: '2026-08-01', reason: '资金' } }), lookups()).map((d) => d.recipient)).toEqual(['account:2']);
    const decided = eventDrafts(event({ after: { extension: 'APPROVED', deadline: '2026-08-01' } }), lookups());
    expect(decided).toEqual([expect.objectContaining({ recipient: 'account:4', kind: 'EXTENSION_DECIDED', dueDate: '2026-08-01' })]);
  });

  it('nothing for the sweep’s own notices (ALERTED), though they name a responsible account', () => {
    const alerted = event({
      action: 'ALERTED',
      actorSub: 'system:alerts',
      after: { alert: 'LAGGING', responsible: { account: toGlobalId('Account', '5'), name: '何春梅' } },
    });
    expect(eventDrafts(alerted, lookups())).toEqual([]);
  });
});

describe('scheduling and settings', () => {
  it('sweeps a minute after the next midnight in China', () => {
    // 2026-06-30 23:00 in China is 15:00 UTC: one hour and one minute to go.
    expect(msUntilAfterChinaMidnight(new Date('2026-06-30T15:00:00Z'))).toBe(61 * 60_000);
    expect(msUntilAfterChinaMidnight(new Date('2026-06-30T16:00:00Z'))).toBe(24 * 3_600_000 + 60_000);
  });

  it('reads INBOX_* from the environment, refusing nonsense', () => {
    expect(inboxOptionsFrom({})).toEqual({ background: true, pollMs: 2_000, sweepMs: 600_000 });
    expect(inboxOptionsFrom({ INBOX_BACKGROUND: 'off', INBOX_POLL_MS: '500' })).toMatchObject({ background: false, pollMs: 500 });
    expect(() => inboxOptionsFrom({ INBOX_BACKGROUND: 'no' })).toThrow('INBOX_BACKGROUND');
    expect(() => inboxOptionsFrom({ INBOX_SWEEP_MS: '10' })).toThrow('INBOX_SWEEP_MS');
  });
});
