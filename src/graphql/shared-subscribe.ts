import {
  createSourceEventStream,
  execute,
  GraphQLError,
  getOperationAST,
  Kind,
  print,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Viewer } from '../auth/auth.rules.js';
import type { Context } from './context.js';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * graphql-js `subscribe`, except that a `progressUpdated` event is executed
 * ONCE for every subscriber that would get the same answer: the same event
 * (the hub hands one object to every subscriber of a scope), the same document
 * and operation, the same values of the variables its selection uses (the root
 * field's own arguments — area, after, kinds — only choose the stream, not the
 * answer), and the same viewer (who decides what nested fields may show). A
 * thousand county dashboards cost one execution per event instead of a
 * thousand. A shared answer with errors is not shared: each subscriber then
 * executes on its own context, so its error carries its own request id.
 * Other payloads (the derived subscriptions make one object per subscriber)
 * are executed per subscriber as graphql-js does.
 */
export async function subscribeSharingEvents(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  const key = answerKey(args);
  const own = (payload: unknown): Result => {
    sharedAnswers.executed++;
    return execute({ ...args, rootValue: payload });
  };
  const sink = (args.contextValue as Context | undefined)?.directSink;
  if (sink && isPushSource(source)) return pushThrough(source, sink, key, args.contextValue, own);
  const context = args.contextValue;
  return mapStream(source as AsyncGenerator<unknown, unknown, unknown>, (payload) => {
    const answer = answerFor(payload as object, key, context, own);
    // A shared answer with errors is not reused: this subscriber executes its own (its request id).
    const take = (): Result => {
      if (answer.context === context) return answer.result!;
      if (answer.failed) return own(payload);
      sharedAnswers.reused++;
      return answer.result!;
    };
    if (!answer.waiters) return take();
    const waiters = answer.waiters;
    return new Promise<ExecutionResult>((resolve, reject) =>
      waiters.push(() => {
        try {
          resolve(take());
        } catch (error) {
          reject(error);
        }
      }),
    );
  });
}

/**
 * A payload whose answer may be shared: one object handed to many subscribers
 * (a progress event from the hub), which says so by its type (a getter on its
 * class, so it is not serialized). Anything else is executed per subscriber.
 */
export interface SharedEvent {
  readonly sharedEvent: true;
}

function isSharedEvent(payload: object): payload is SharedEvent {
  return (payload as Partial<SharedEvent>).sharedEvent === true;
}

/** Counters for tests and the benchmark: events executed, and deliveries that sent an answer executed for another subscriber. */
export const sharedAnswers = { executed: 0, reused: 0 };

/**
 * A source stream that can hand its values over as they come instead of
 * queuing them for next(): the progress hub's subscribers. After `listen`, the
 * values queued so far and every later one go to `listener`, synchronously, in
 * order; next() then settles only when the stream ends (done) or fails
 * (rejects). `overflow` fails it as when its own queue overflows: the consumer
 * cannot keep up. `fail` ends it with `error`: next() rejects with it.
 */
export interface PushSource<T = unknown> extends AsyncGenerator<T, unknown, unknown> {
  listen(listener: (value: T) => void): void;
  overflow(): void;
  fail(error: unknown): void;
}

function isPushSource(source: object): source is PushSource {
  return typeof (source as Partial<PushSource>).listen === 'function';
}

/**
 * Where a transport lets a subscription write its answers itself, by context:
 * graphql-ws registers one per operation. Without one, answers go back through
 * the transport's own loop (SSE, and graphql-ws for sources that cannot push).
 */
export interface DirectSink {
  /**
   * Sends one answer: `json` is `result` as JSON text when it has no errors
   * (made once per event and answer key), else null and the sink shapes
   * `result`'s errors for this subscription. Returns false when the connection
   * has fallen too far behind to take more.
   */
  send(result: ExecutionResult, json: string | null): boolean;
}

declare module './context.js' {
  interface ContextExtensions {
    /** graphql-ws: where this subscription's answers are written (the push path); absent on the other transports. */
    directSink?: DirectSink;
  }
}

/**
 * An event's answer: shared by the subscribers of the event with the same
 * answer key, or a subscriber's own. Until its execution settles, `waiters`
 * are the subscriptions to resume.
 */
interface Answer {
  /** The context it was executed on: another subscriber's, when it is shared. */
  context: unknown;
  result: ExecutionResult | null;
  /** Whether `result` has errors (then it is not shared). */
  failed: boolean;
  /** `result` as JSON text, made at most once (see {@link jsonOf}). */
  json: string | null;
  waiters: (() => void)[] | null;
}

/** Answers per event and answer key, dropped with the event once every subscriber has taken it. */
const answersByEvent = new WeakMap<object, Map<string, Answer>>();

/** The answer to `payload` for a subscriber whose answer key is `key`: shared when the event is shareable and the key known. */
function answerFor(payload: object, key: string | null, context: unknown, own: (payload: unknown) => Result): Answer {
  if (key === null || !isSharedEvent(payload)) return answerOf(context, own(payload));
  let answers = answersByEvent.get(payload);
  if (!answers) answersByEvent.set(payload, (answers = new Map<string, Answer>()));
  let answer = answers.get(key);
  if (!answer) answers.set(key, (answer = answerOf(context, own(payload))));
  return answer;
}

/** Executes `payload` into an answer; settled at once when the execution is synchronous. */
function answerOf(context: unknown, result: Result): Answer {
  const answer: Answer = { context, result: null, failed: false, json: null, waiters: null };
  const settle = (settled: ExecutionResult) => {
    answer.result = settled;
    answer.failed = Boolean(settled.errors?.length);
    const waiters = answer.waiters ?? [];
    answer.waiters = null;
    // Each resumes one subscription and handles its own failures.
    for (const resume of waiters) resume();
  };
  if (result instanceof Promise) {
    answer.waiters = [];
    result.then(settle, (error: unknown) =>
      settle({ errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error), { originalError: error as Error })] }),
    );
  } else settle(result);
  return answer;
}

/** A settled answer without errors as JSON text, stringified once for every subscriber it goes to. */
function jsonOf(answer: Answer): string {
  return (answer.json ??= JSON.stringify(answer.result));
}

/**
 * The push path: each event is written to the subscriber's sink as the source
 * hands it over, the answer executed and turned into JSON text once per event
 * and answer key, instead of each delivery travelling through an async
 * iterator, the transport's loop and a JSON message of its own. Order holds per
 * subscription: while an answer still executes (a resolver that reads), the
 * events after it wait in the subscription's backlog, and all the subscriptions
 * waiting on one answer resume together when it settles. The stream handed to
 * the transport only ends, and only once the backlog is sent, so `complete` or
 * `error` comes last.
 */
export function pushThrough(
  source: PushSource,
  sink: DirectSink,
  key: string | null,
  context: unknown,
  own: (payload: unknown) => Result,
): AsyncGenerator<ExecutionResult, void, void> {
  let open = true;
  // Events not yet sent, oldest first; the first may be waiting for its answer.
  const backlog: { payload: unknown; answer: Answer }[] = [];
  let drained: (() => void) | null = null;
  /** Sends the backlog up to the first answer still executing; true when it is empty. */
  const send = (): boolean => {
    while (backlog.length) {
      const head = backlog[0];
      const { answer } = head;
      if (answer.waiters) {
        answer.waiters.push(flush);
        return false;
      }
      if (answer.failed && answer.context !== context) {
        // A shared answer with errors: this subscriber executes its own (its request id).
        head.answer = answerOf(context, own(head.payload));
        continue;
      }
      backlog.shift();
      if (answer.context !== context) sharedAnswers.reused++;
      if (open && !sink.send(answer.result!, answer.failed ? null : jsonOf(answer))) {
        // Too far behind: nothing more is sent; the source fails and the client resumes from its last cursor.
        open = false;
        source.overflow();
      }
    }
    return true;
  };
  // Runs inside the hub's delivery loop and inside the resumption of every
  // subscription waiting on a shared answer: whatever goes wrong here (an
  // execution or a send that throws) ends this subscription alone, with the
  // error, as graphql-js's subscribe would, and never reaches the others.
  const flush = () => {
    let empty: boolean;
    try {
      empty = send();
    } catch (error) {
      backlog.length = 0;
      open = false;
      source.fail(error);
      empty = true;
    }
    if (empty) drained?.();
  };
  source.listen((payload) => {
    if (!open) return;
    let answer: Answer;
    try {
      answer = answerFor(payload as object, key, context, own);
    } catch (error) {
      open = false;
      source.fail(error);
      return;
    }
    backlog.push({ payload, answer });
    if (backlog.length === 1) flush();
  });
  const done: IteratorReturnResult<void> = { value: undefined, done: true };
  const stream: AsyncGenerator<ExecutionResult, void, void> = {
    async next() {
      try {
        // Values go to the sink: next() settles only when the source ends or fails.
        await source.next();
        return done;
      } finally {
        if (backlog.length) await new Promise<void>((resolve) => (drained = resolve));
        open = false;
      }
    },
    async return() {
      open = false;
      await source.return(undefined);
      return done;
    },
    async throw(error: unknown) {
      open = false;
      await source.return(undefined);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}

/**
 * What decides one subscription's answer to an event, as a string; null when
 * it cannot be told (no single root field, or no viewer to key on).
 */
export function answerKey(args: Pick<ExecutionArgs, 'document' | 'operationName' | 'variableValues' | 'contextValue'>): string | null {
  const viewer = (args.contextValue as { viewer?: Viewer | null } | undefined)?.viewer;
  if (!viewer) return null;
  const operation = getOperationAST(args.document, args.operationName);
  const root = operation?.selectionSet.selections;
  if (!operation || root?.length !== 1 || root[0].kind !== Kind.FIELD) return null;
  const rootField = root[0];
  // Variables anywhere but in the root field's own arguments (fragments included).
  const used = new Set<string>();
  const collect = (node: Parameters<typeof visit>[0]) =>
    visit(node, {
      Variable: (variable) => {
        used.add(variable.name.value);
      },
    });
  for (const definition of args.document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) collect(definition);
  if (rootField.selectionSet) collect(rootField.selectionSet);
  for (const directive of rootField.directives ?? []) collect(directive);
  const values = args.variableValues ?? {};
  const variables = [...used].sort().map((name) => [name, values[name] ?? null]);
  return JSON.stringify([
    viewer.sub,
    viewer.role,
    viewer.areaCode,
    viewer.section ?? null,
    documentText(args.document),
    operation.name?.value ?? null,
    variables,
  ]);
}

const texts = new WeakMap<DocumentNode, string>();
function documentText(document: DocumentNode): string {
  let text = texts.get(document);
  if (text === undefined) texts.set(document, (text = document.loc?.source.body ?? print(document)));
  return text;
}

/** `source` with each value mapped; ending it ends `source` at once. */
function mapStream<T>(source: AsyncGenerator<unknown, unknown, unknown>, map: (value: unknown) => T | Promise<T>): AsyncGenerator<T, void, void> {
  const done: IteratorReturnResult<void> = { value: undefined, done: true };
  const stream: AsyncGenerator<T, void, void> = {
    async next() {
      const event = await source.next();
      if (event.done) return done;
      return { value: await map(event.value), done: false };
    },
    async return() {
      await source.return?.(undefined);
      return done;
    },
    async throw(error: unknown) {
      await source.return?.(undefined);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
