import { daysBetween } from '../../common/dates.js';
import { toGlobalId } from '../../common/global-id.js';
import { dueState, type DueState, YELLOW_DAYS } from '../supervision/supervision.lifecycle.js';

/**
 * Days before a due date from which it is due soon: the window of a task's DUE_SOON health and of
 * supervision's yellow light (the due date itself included).
 */
export const INBOX_DUE_SOON_DAYS = YELLOW_DAYS;

/** 紧迫程度 of a due date on `today`: supervision's light for a response not given yet (RED once past, YELLOW within 3 days). */
export function dueStateOf(due: string, today: string): DueState {
  return dueState(due, null, today);
}

/** What kind of reminder (the values of InboxKind; kept as strings here so the rules need no GraphQL type). */
export type InboxKindName = 'ASSIGNED' | 'DUE_SOON' | 'OVERDUE' | 'TURNED_LAGGING' | 'EXTENSION_REQUESTED' | 'EXTENSION_DECIDED';

/** An item to insert: `dedupeKey` makes a second insert of the same reminder a no-op. */
export interface InboxDraft {
  recipient: string;
  kind: InboxKindName;
  subjectType: string;
  subjectKey: string;
  areaCode: string;
  title: string;
  summary: string;
  dueDate: string | null;
  eventSequence: string | null;
  dedupeKey: string;
}

/** The recipient subject of an account: the `sub` of its access tokens. */
export const accountSub = (accountId: string) => `account:${accountId}`;

/**
 * Something with a date by which it must be done, as the sweep reads it on `today`:
 * a key task, an assignment, a project's target date or a rectification (`DEADLINE`, the deadline in
 * force), or a supervision action's response (`RESPONSE`, its response due date).
 */
export interface DatedSubject {
  subjectType: string;
  subjectKey: string;
  areaCode: string;
  /** e.g. 重点工作「特困供养机构改造」. */
  title: string;
  /** A part of the subject with a date of its own (a project milestone's position), kept apart in the dedupe key. */
  part?: string;
  what: 'DEADLINE' | 'RESPONSE';
  due: string;
  /** Done (target reached, rectified, completed, responded): no reminder. */
  done: boolean;
  /** A task or assignment whose health is LAGGING today. */
  lagging: boolean;
  recipients: readonly string[];
  /** The current responsible person (责任人): an account or a named person; null when none is set. */
  responsible?: ResponsiblePerson | null;
  /** A key task's or assignment's done quantity and target as of the sweep's date. */
  progress?: { done: number; target: number };
  /** A supervision action's 承办单位. */
  targetUnit?: string;
}

/** A responsible person as an alert names them: 姓名, 职务, 单位, and the account key where one exists. */
export interface ResponsiblePerson {
  name: string;
  title: string | null;
  unit: string | null;
  account: string | null;
}

/** What a date-driven notice in the progress stream says (`after.alert` of an ALERTED event). */
export type AlertState = 'DUE_SOON' | 'OVERDUE' | 'LAGGING' | 'RESPONSE_DUE_SOON' | 'RESPONSE_OVERDUE';

/** The progress stream's subject kind of a subject's GraphQL type. */
export const SUBJECT_KIND_OF_TYPE: Record<string, string> = {
  Task: 'TASK',
  TaskAssignment: 'TASK_ASSIGNMENT',
  Project: 'PROJECT',
  Rectification: 'RECTIFICATION',
  SupervisionAction: 'SUPERVISION',
};

/** The system actor of ALERTED events (系统提醒): no account, no role. */
export const ALERT_ACTOR = { sub: 'system:alerts', name: '系统提醒' } as const;

/** An ALERTED event to append, once (`dedupeKey`: state, subject, part, deadline in force). */
export interface AlertDraft {
  dedupeKey: string;
  subjectKind: string;
  subjectId: string;
  areaCode: string;
  summary: string;
  after: Record<string, unknown>;
}

/** 张三（副镇长，民胜镇人民政府）; 未指定 when nobody is responsible. */
export function responsibleText(person: ResponsiblePerson | null | undefined): string {
  if (!person) return '未指定';
  const details = [person.title, person.unit].filter((part): part is string => !!part);
  return details.length ? `${person.name}（${details.join('，')}）` : person.name;
}

/**
 * The date-driven notices of one subject on `today`, for the progress stream (and so the live feed and
 * webhooks), whoever is responsible, account or named person or nobody: OVERDUE once its deadline in force
 * has passed undone (RESPONSE_OVERDUE for a supervision response), DUE_SOON within
 * {@link INBOX_DUE_SOON_DAYS} days of it (RESPONSE_DUE_SOON), LAGGING while a key task or assignment lags.
 * Each once per state, subject (and part) and deadline in force.
 */
export function alertDrafts(subject: DatedSubject, today: string): AlertDraft[] {
  const subjectKind = SUBJECT_KIND_OF_TYPE[subject.subjectType];
  if (subject.done || !subjectKind) return [];
  const left = daysBetween(today, subject.due);
  const response = subject.what === 'RESPONSE';
  const who = `${subject.targetUnit ? `承办单位 ${subject.targetUnit}，` : ''}责任人 ${responsibleText(subject.responsible)}`;
  const progress = subject.progress ? `完成 ${subject.progress.done}/${subject.progress.target}，` : '';
  const term = response ? '回复期限' : '期限';
  const drafts: AlertDraft[] = [];
  const draft = (alert: AlertState, summary: string) =>
    drafts.push({
      dedupeKey: `${alert}:${subject.subjectType}:${subject.subjectKey}${subject.part ? `#${subject.part}` : ''}:${subject.due}`,
      subjectKind,
      subjectId: toGlobalId(subject.subjectType, subject.subjectKey),
      areaCode: subject.areaCode,
      summary,
      after: {
        alert,
        dueDate: subject.due,
        asOf: today,
        ...(subject.part ? { part: subject.part } : {}),
        ...(subject.progress ? { done: subject.progress.done, target: subject.progress.target } : {}),
        ...(subject.targetUnit ? { targetUnit: subject.targetUnit } : {}),
        responsible: subject.responsible
          ? {
              name: subject.responsible.name,
              title: subject.responsible.title,
              unit: subject.responsible.unit,
              account: subject.responsible.account ? toGlobalId('Account', subject.responsible.account) : null,
            }
          : null,
      },
    });
  if (left < 0) {
    draft(
      response ? 'RESPONSE_OVERDUE' : 'OVERDUE',
      `${subject.title}${response ? '督办回复' : ''}已逾期：${progress}${term} ${subject.due}（已超过 ${-left} 天），${who}`,
    );
  } else if (left <= INBOX_DUE_SOON_DAYS) {
    const when = left === 0 ? '今天到期' : `还有 ${left} 天`;
    draft(
      response ? 'RESPONSE_DUE_SOON' : 'DUE_SOON',
      `${subject.title}${response ? '督办回复' : ''}即将到期：${progress}${term} ${subject.due}（${when}），${who}`,
    );
  }
  if (subject.lagging) draft('LAGGING', `${subject.title}已滞后：${progress}${term} ${subject.due}，${who}`);
  return drafts;
}

/**
 * The date-driven reminders of one subject on `today`, for each recipient: OVERDUE once its due date has
 * passed undone, DUE_SOON within {@link INBOX_DUE_SOON_DAYS} days of it, TURNED_LAGGING while lagging.
 * Each is keyed by its due date, so it is made once per due date: an approved extension (a new deadline in
 * force) makes them due again.
 */
export function datedDrafts(subject: DatedSubject, today: string): InboxDraft[] {
  if (subject.done) return [];
  const left = daysBetween(today, subject.due);
  const term = subject.what === 'RESPONSE' ? '督办回复期限' : '期限';
  const drafts: InboxDraft[] = [];
  const draft = (recipient: string, kind: InboxKindName, summary: string): InboxDraft => ({
    recipient,
    kind,
    subjectType: subject.subjectType,
    subjectKey: subject.subjectKey,
    areaCode: subject.areaCode,
    title: subject.title,
    summary,
    dueDate: subject.due,
    eventSequence: null,
    dedupeKey: `${kind}:${subject.subjectType}:${subject.subjectKey}${subject.part ? `#${subject.part}` : ''}:${subject.due}:${recipient}`,
  });
  for (const recipient of new Set(subject.recipients)) {
    if (left < 0) {
      drafts.push(
        draft(recipient, 'OVERDUE', `${subject.title}已超过${term} ${subject.due} ${-left} 天，尚未${subject.what === 'RESPONSE' ? '回复' : '完成'}`),
      );
    } else if (left <= INBOX_DUE_SOON_DAYS) {
      const when = left === 0 ? '今天到期' : `还有 ${left} 天到期`;
      drafts.push(draft(recipient, 'DUE_SOON', `${subject.title}${term} ${subject.due}，${when}`));
    }
    if (subject.lagging) drafts.push(draft(recipient, 'TURNED_LAGGING', `${subject.title}进度滞后（期限 ${subject.due}），请加快推进`));
  }
  return drafts;
}

/** The responsible-person item kinds, by the GraphQL type of the item (responsible_change.item_kind). */
export const RESPONSIBLE_KIND_OF_TYPE: Record<string, string> = {
  Task: 'TASK',
  TaskAssignment: 'TASK_ASSIGNMENT',
  Project: 'PROJECT',
  Rectification: 'RECTIFICATION',
};

/** The GraphQL type of a progress event's subject kind (those the inbox follows). */
export const TYPE_OF_SUBJECT_KIND: Record<string, string> = {
  TASK: 'Task',
  TASK_ASSIGNMENT: 'TaskAssignment',
  PROJECT: 'Project',
  RECTIFICATION: 'Rectification',
  SUPERVISION: 'SupervisionAction',
};

/** What a progress event is, as the follower reads it. */
export interface FollowedEvent {
  sequence: string;
  subjectKind: string;
  /** The subject's GraphQL type and key (decoded from its global ID). */
  subjectType: string;
  subjectKey: string;
  areaCode: string;
  action: string;
  actorSub: string;
  actorName: string;
  summary: string;
  after: Record<string, unknown> | null;
}

/** What the follower looks up for a batch of events (each answered by one statement). */
export interface FollowLookups {
  /** The readable title of a subject (`重点工作「…」`), by `type:key`. */
  titleOf(type: string, key: string): string | null;
  /** The account key of an Account global ID, when it names an enabled account. */
  enabledAccount(globalId: string): string | null;
  /** The current responsible person's account of an item, when it is an enabled account. */
  responsibleAccountOf(type: string, key: string): string | null;
  /** The enabled TOWNSHIP_OPERATOR accounts of the township holding `areaCode` (none above township level). */
  townshipOperators(areaCode: string): string[];
  /** The enabled COUNTY_ADMIN and LEADER accounts whose subtree holds `areaCode`. */
  deciders(areaCode: string): string[];
  /** The sub of the requester of the extension a decision event (by its sequence) decided. */
  requesterOf(sequence: string): string | null;
}

/** The items whose deadline may be extended (延期申请), by type name: their `deadline_extension.item_kind`. */
export const EXTENDABLE: Record<string, string> = { Task: 'TASK', Rectification: 'RECTIFICATION' };

/**
 * The event-driven reminders of one progress event:
 * - a responsible person set or changed to an account (assignResponsible, or a create naming one): ASSIGNED to it;
 * - a supervision action issued: ASSIGNED to the responsible account of its target and to the TOWNSHIP_OPERATOR
 *   accounts of its township, due on its response date;
 * - a deadline extension requested (a task's or a rectification's): EXTENSION_REQUESTED to the COUNTY_ADMIN and LEADER
 *   accounts over the item;
 * - one decided: EXTENSION_DECIDED to its requester.
 * Never to the person who made the change, and nothing for the sweep's own notices (ALERTED). Keyed by event and
 * recipient: following an event twice adds nothing.
 */
export function eventDrafts(event: FollowedEvent, lookups: FollowLookups): InboxDraft[] {
  // A notice the sweep appended (提醒) is no change: its `after.responsible` names a person, it does not assign one.
  if (event.action === 'ALERTED') return [];
  const after = event.after ?? {};
  const title = lookups.titleOf(event.subjectType, event.subjectKey) ?? event.summary.slice(0, 100);
  const drafts: InboxDraft[] = [];
  const add = (kind: InboxKindName, recipients: (string | null)[], summary: string, dueDate: string | null = null) => {
    for (const recipient of new Set(recipients.filter((r): r is string => r !== null))) {
      if (recipient === event.actorSub) continue;
      drafts.push({
        recipient,
        kind,
        subjectType: event.subjectType,
        subjectKey: event.subjectKey,
        areaCode: event.areaCode,
        title,
        summary,
        dueDate,
        eventSequence: event.sequence,
        dedupeKey: `${kind}:${event.sequence}:${recipient}`,
      });
    }
  };
  const responsible = after.responsible as { account?: unknown } | null | undefined;
  if (Object.hasOwn(RESPONSIBLE_KIND_OF_TYPE, event.subjectType) && responsible && typeof responsible.account === 'string') {
    const account = lookups.enabledAccount(responsible.account);
    const reason = typeof after.reason === 'string' && after.reason ? `（${after.reason}）` : '';
    add('ASSIGNED', [account && accountSub(account)], `${event.actorName} 指定您为${title}的责任人${reason}`);
  }
  if (event.subjectKind === 'SUPERVISION' && event.action === 'CREATED' && typeof after.target === 'string' && typeof after.targetKind === 'string') {
    const targetKey = keyOfGlobalId(after.target);
    const responsibleAccount = targetKey === null ? null : lookups.responsibleAccountOf(after.targetKind, targetKey);
    const due = typeof after.responseDue === 'string' ? after.responseDue : null;
    add(
      'ASSIGNED',
      [responsibleAccount && accountSub(responsibleAccount), ...lookups.townshipOperators(event.areaCode).map(accountSub)],
      `${event.summary}`,
      due,
    );
  }
  if (EXTENDABLE[event.subjectType] && typeof after.extensionRequested === 'string') {
    add('EXTENSION_REQUESTED', lookups.deciders(event.areaCode).map(accountSub), `${event.actorName} ${event.summary}，请审批`);
  }
  if (EXTENDABLE[event.subjectType] && (after.extension === 'APPROVED' || after.extension === 'REFUSED')) {
    const deadline = typeof after.deadline === 'string' ? after.deadline : null;
    add('EXTENSION_DECIDED', [lookups.requesterOf(event.sequence)], `${event.actorName} 审批了您的延期申请：${event.summary}`, deadline);
  }
  return drafts;
}

/** The key of a global ID (`Type:key`, base64url), or null when it is not one. */
export function keyOfGlobalId(id: string): string | null {
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
}

/** The type and key of a global ID, or null when it is not one. */
export function typeAndKeyOfGlobalId(id: string): { type: string; key: string } | null {
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 && colon < decoded.length - 1 ? { type: decoded.slice(0, colon), key: decoded.slice(colon + 1) } : null;
}

/** Milliseconds from `now` to one minute past the next midnight in China (UTC+8, no daylight saving). */
export function msUntilAfterChinaMidnight(now: Date): number {
  const china = now.getTime() + 8 * 3_600_000;
  const nextMidnight = (Math.floor(china / 86_400_000) + 1) * 86_400_000;
  return nextMidnight - china + 60_000;
}
