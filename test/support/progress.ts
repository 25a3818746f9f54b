import type { Client } from 'graphql-ws';
import { print } from 'graphql';
import { toGlobalId } from '../../src/common/global-id.js';
import { sqlFor } from '../../src/db/sql.js';
import { ProgressAction, SubjectKind } from '../../src/modules/progress/progress.entity.js';
import { appendProgressUpdate } from '../../src/modules/progress/progress.outbox.js';
import { ProgressUpdatedDocument, type ProgressUpdatedSubscription, type ProgressUpdatedSubscriptionVariables } from '../graphql/generated/graphql.js';
import type { TestApp } from './app.js';
import { systemViewer } from '../../src/auth/auth.rules.js';

export type Delivered = ProgressUpdatedSubscription['progressUpdated'];

/**
 * Appends one event in its own committed transaction, as a feature's mutation
 * would (the features that write events live on other branches). Returns its sequence.
 */
export function appendEvent(
  app: Pick<TestApp, 'orm'>,
  areaCode: string,
  summary: string,
  options: { kind?: SubjectKind; beforeCommit?: () => Promise<void> } = {},
): Promise<string> {
  return app.orm.em.fork().transactional(async (em) => {
    const sequence = await appendProgressUpdate(sqlFor(em), {
      subjectKind: options.kind ?? SubjectKind.FACILITY,
      subjectId: toGlobalId('Facility', summary),
      areaCode: areaCode.padEnd(12, '0'),
      action: ProgressAction.STATUS_CHANGED,
      actor: systemViewer('511921000000'),
      summary,
      before: { status: 'UNDER_CONSTRUCTION' },
      after: { status: 'BUILT' },
    });
    await options.beforeCommit?.();
    return sequence;
  });
}

/** The sequence of the last committed event (`0` when none). */
export async function committedHead(app: Pick<TestApp, 'orm'>): Promise<string> {
  const [row] = await app.orm.em.fork().getConnection().execute<{ value: string }[]>('select value::text as value from event_sequence');
  return row.value;
}

/** A running `progressUpdated` subscription and what it has received. */
export interface Watching {
  events: Delivered[];
  errors: unknown[];
  completed: boolean;
  /** Resolves when `count` events have arrived (fails the test after `timeoutMs`). */
  until(count: number, timeoutMs?: number): Promise<Delivered[]>;
  stop(): void;
}

export function watch(client: Client, variables: ProgressUpdatedSubscriptionVariables): Watching {
  const state: Watching = {
    events: [],
    errors: [],
    completed: false,
    async until(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (state.events.length < count) {
        if (state.errors.length) throw new Error(`subscription failed: ${JSON.stringify(state.errors)}`);
        if (Date.now() > deadline) throw new Error(`expected ${count} events, got ${state.events.length}: ${state.events.map((e) => e.summary).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return state.events;
    },
    stop: () => undefined,
  };
  state.stop = client.subscribe<ProgressUpdatedSubscription>(
    { query: print(ProgressUpdatedDocument), variables: variables },
    {
      next: (value) => {
        if (value.errors?.length) state.errors.push(...value.errors);
        else if (value.data) state.events.push(value.data.progressUpdated);
      },
      error: (error) => (Array.isArray(error) ? state.errors.push(...(error as unknown[])) : state.errors.push(error)),
      complete: () => (state.completed = true),
    },
  );
  return state;
}

/** Waits until `check` passes or fails with its last error. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Waits a little and returns: for asserting that nothing more arrives. */
export const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
