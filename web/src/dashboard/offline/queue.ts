import {
  EntryCompleteMilestoneDocument,
  EntryRecordProjectProgressDocument,
  EntryRecordTaskProgressDocument,
  EntryReportObservationsDocument,
} from '../../../graphql/generated/graphql';
import { SessionExpiredError, gql, queueOwner } from '../api';
import { failureText } from '../entry';

/**
 * 离线填报: figures and progress entered without a network (or whose send failed
 * for network reasons), kept in IndexedDB until they are sent. Each entry is the
 * mutation's whole input — with the `version` the form was read at and its own
 * idempotency key (幂等键), so a send repeated after a lost answer applies once —
 * and its state: 待同步 (pending), 已同步 (synced) or 失败 (failed, with the
 * server's Chinese reason, kept for correction). Pending entries are sent in the
 * order they were made, when the network returns (the `online` event) and on a
 * retry with backoff. docs/domain/dashboard.md describes it.
 *
 * An entry belongs to the account that made it (`queueOwner()`: the account id,
 * or a developer token's sub), read from the session each time, never from role,
 * area and name (two accounts can share those): another account signed in on the
 * same device neither sees nor sends it; it stays, hidden, for its owner's next
 * sign-in (退出登录 still clears the device).
 */

export type EntryState = 'pending' | 'synced' | 'failed';

export interface QueuedEntry {
  /** The idempotency key, also the record's key. */
  id: string;
  /** The account that made it (`account:<id>`, or `token:<sub>` for a developer token): only it sees and sends it. */
  owner: string;
  kind: 'observations' | 'taskProgress' | 'projectProgress' | 'milestone';
  /** The form it belongs to, e.g. `stats:<village>:<month>`, `task:<assignment>` or `project:<project>`. */
  form: string;
  /** The field keys of the form it fills (where its state is shown). */
  fields: Record<string, string>;
  input: Record<string, unknown>;
  createdAt: number;
  state: EntryState;
  reason?: string;
  code?: string;
  /** When it was sent or refused (ms): a form read before then does not show it yet. */
  settledAt?: number;
}

const DB = 'civgraph-offline';
const STORE = 'entries';
/** Synced entries are shown as 已同步 for a day, then forgotten. */
const SYNCED_KEPT_MS = 24 * 3600_000;
const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

let opening: Promise<IDBDatabase> | null = null;
function db(): Promise<IDBDatabase> {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
  });
  return opening;
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const database = await db();
  return new Promise((resolve, reject) => {
    const tx = database.transaction(STORE, mode);
    const request = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request ? request.result : undefined);
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });
}

/** Every kept entry, oldest first. */
export async function entries(): Promise<QueuedEntry[]> {
  const all = ((await run('readonly', (store) => store.getAll() as IDBRequest<QueuedEntry[]>)) ?? []).sort((a, b) => a.createdAt - b.createdAt);
  return all;
}

/** The signed-in account's kept entries of one form, oldest first. */
export async function entriesOf(form: string): Promise<QueuedEntry[]> {
  const owner = queueOwner();
  if (!owner) return [];
  return (await entries()).filter((e) => e.owner === owner && e.form === form);
}

async function put(entry: QueuedEntry): Promise<void> {
  await run('readwrite', (store) => store.put(entry));
  changed();
}

export async function remove(id: string): Promise<void> {
  await run('readwrite', (store) => store.delete(id));
  changed();
}

/** Forgets every kept entry (退出登录: nothing of this account stays on the device). */
export async function clearQueue(): Promise<void> {
  await run('readwrite', (store) => store.clear());
  changed();
}

/** A new idempotency key (幂等键). */
export function newKey(): string {
  return crypto.randomUUID();
}

/**
 * Keeps an entry as 待同步, owned by the signed-in account, and tries to send it (it stays pending when the network is still away).
 */
export async function enqueue(entry: Omit<QueuedEntry, 'createdAt' | 'state' | 'owner'>): Promise<void> {
  const owner = queueOwner();
  if (!owner) throw new SessionExpiredError();
  // A corrected entry replaces the failed ones it covers.
  for (const old of await entriesOf(entry.form)) {
    if (old.state !== 'pending' && Object.keys(old.fields).some((f) => f in entry.fields)) await run('readwrite', (store) => store.delete(old.id));
  }
  await put({ ...entry, owner, createdAt: Date.now(), state: 'pending' });
  schedule(0);
}

/** Whether a failed send is the network's fault (no answer, a gateway's), not the server's refusal. */
export function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError || (error instanceof Error && /^HTTP 5\d\d$/.test(error.message));
}

const listeners = new Set<() => void>();
/** Called after any change of the kept entries (forms redraw their 待同步/已同步/失败 marks). */
export function onQueueChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function changed(): void {
  for (const listener of listeners) listener();
}

let timer: ReturnType<typeof setTimeout> | undefined;
let attempt = 0;
let syncing: Promise<void> | null = null;

function schedule(delay: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => void syncNow(), delay);
}

/** Sends the signed-in account's pending entries in order; stops at the first network failure and tries again later. */
export function syncNow(): Promise<void> {
  syncing ??= (async () => {
    try {
      const owner = queueOwner();
      if (!owner) return;
      const now = Date.now();
      for (const entry of await entries()) {
        if (entry.state === 'synced' && now - entry.createdAt > SYNCED_KEPT_MS) await remove(entry.id);
      }
      for (const entry of (await entries()).filter((e) => e.owner === owner && e.state === 'pending')) {
        // The session changed meanwhile: another account's entries are never sent with its token.
        if (queueOwner() !== owner) return;
        let userErrors: { messageZh?: string | null; message: string; code: string }[];
        try {
          userErrors = await send(entry);
        } catch (error) {
          // The session ended: the entries wait, pending, for the same person's next sign-in.
          if (error instanceof SessionExpiredError) return;
          if (!isNetworkFailure(error)) {
            await put({ ...entry, state: 'failed', reason: failureText(error), settledAt: Date.now() });
            continue;
          }
          schedule(BACKOFF_MS[Math.min(attempt++, BACKOFF_MS.length - 1)]);
          return;
        }
        attempt = 0;
        if (userErrors.length) {
          const reason = userErrors.map((e) => e.messageZh || e.message).join('；');
          await put({ ...entry, state: 'failed', reason, code: userErrors[0].code, settledAt: Date.now() });
        } else {
          await put({ ...entry, state: 'synced', reason: undefined, code: undefined, settledAt: Date.now() });
        }
      }
    } finally {
      syncing = null;
    }
  })();
  return syncing;
}

async function send(entry: QueuedEntry) {
  if (entry.kind === 'observations') {
    const { reportObservations } = await gql(EntryReportObservationsDocument, { input: entry.input as never });
    return reportObservations.userErrors;
  }
  if (entry.kind === 'projectProgress') {
    const { recordProjectProgress } = await gql(EntryRecordProjectProgressDocument, { input: entry.input as never });
    return recordProjectProgress.userErrors;
  }
  if (entry.kind === 'milestone') {
    const { completeMilestone } = await gql(EntryCompleteMilestoneDocument, { input: entry.input as never });
    return completeMilestone.userErrors;
  }
  const { recordTaskProgress } = await gql(EntryRecordTaskProgressDocument, { input: entry.input as never });
  return recordTaskProgress.userErrors;
}

let started = false;
/** Starts sending the signed-in account's entries: now, on `online`, and with backoff after a failure. */
export function startSync(): void {
  if (!started) {
    started = true;
    window.addEventListener('online', () => {
      attempt = 0;
      schedule(0);
    });
  }
  schedule(0);
}

/** The mark shown at a field: 待同步, 已同步 or 失败 with the reason. */
export function stateText(entry: QueuedEntry): string {
  if (entry.state === 'pending') return '待同步';
  if (entry.state === 'synced') return '已同步';
  return `失败：${entry.reason ?? '未能上报'}`;
}
