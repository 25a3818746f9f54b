import { buildSchema, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { sharedAnswers, subscribeSharingEvents } from './shared-subscribe.js';
import { Role, type Viewer } from '../auth/auth.rules.js';

// The pull path: transports without a direct sink (SSE), or sources that cannot push.
const schema = buildSchema(`
  type Update { sequence: String! who: String }
  type Query { ok: Boolean }
  type Subscription { progressUpdated: Update! }
`);
const document = parse('subscription { progressUpdated { sequence who } }');
const viewer: Viewer = { sub: 'u', name: 'u', role: Role.COUNTY_ADMIN, areaCode: '511921000000' };

type Context = { viewer: Viewer; name: string; fail?: boolean };

/**
 * An event as the hub hands it to every subscriber: one object, marked
 * shareable; `who` answers from the executing context, asynchronously (as a
 * resolver that reads), so the others wait for the first one's answer.
 */
function sharedEvent(sequence: string) {
  return {
    sharedEvent: true,
    progressUpdated: {
      sequence,
      who: async (_args: unknown, context: Context) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (context.fail) throw new Error(`refused for ${context.name}`);
        return context.name;
      },
    },
  };
}

/** Subscribes once per context, each stream yielding `payload` once, and takes each first answer. */
async function firstAnswers(contexts: Context[], payload: object): Promise<ExecutionResult[]> {
  const streams = await Promise.all(
    contexts.map(async (contextValue) => {
      const stream = await subscribeSharingEvents({
        schema,
        document,
        contextValue,
        rootValue: {
          progressUpdated: async function* () {
            yield payload;
          },
        },
      });
      if (!(Symbol.asyncIterator in stream)) throw new Error(JSON.stringify(stream));
      return stream;
    }),
  );
  return Promise.all(streams.map(async (stream) => (await stream.next()).value as ExecutionResult));
}

describe('subscribeSharingEvents, pull path', () => {
  it('executes a shared event once for subscribers with the same answer key, and each gets that answer', async () => {
    const executed = sharedAnswers.executed;
    const reused = sharedAnswers.reused;
    const answers = await firstAnswers(
      ['a', 'b', 'c'].map((name) => ({ viewer, name })),
      sharedEvent('1'),
    );
    expect(sharedAnswers.executed - executed).toBe(1);
    expect(sharedAnswers.reused - reused).toBe(2);
    for (const answer of answers) expect(answer).toEqual({ data: { progressUpdated: { sequence: '1', who: 'a' } } });
  });

  it('does not reuse a shared answer with errors: the others execute their own, on their own context', async () => {
    const executed = sharedAnswers.executed;
    const reused = sharedAnswers.reused;
    const [first, ...others] = await firstAnswers(
      [
        { viewer, name: 'a', fail: true },
        { viewer, name: 'b' },
        { viewer, name: 'c' },
      ],
      sharedEvent('2'),
    );
    expect(first!.errors?.map((error) => error.message)).toEqual(['refused for a']);
    expect(others.map((answer) => answer.data)).toEqual([{ progressUpdated: { sequence: '2', who: 'b' } }, { progressUpdated: { sequence: '2', who: 'c' } }]);
    expect(others.every((answer) => !answer.errors)).toBe(true);
    expect(sharedAnswers.executed - executed).toBe(3);
    expect(sharedAnswers.reused - reused).toBe(0);
  });

  it('executes per subscriber an event that is not shareable', async () => {
    const executed = sharedAnswers.executed;
    const payload = { progressUpdated: { sequence: '3', who: (_args: unknown, context: Context) => context.name } };
    const answers = await firstAnswers(
      ['a', 'b'].map((name) => ({ viewer, name })),
      payload,
    );
    expect(sharedAnswers.executed - executed).toBe(2);
    expect(answers.map((answer) => (answer.data?.progressUpdated as { who: string }).who)).toEqual(['a', 'b']);
  });
});
