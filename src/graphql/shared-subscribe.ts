import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  print,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
} from 'graphql';
import type { Viewer } from '../auth/auth.rules.js';

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
  if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
  const key = answerKey(args);
  const own = (payload: unknown): Result => {
    sharedAnswers.executed++;
    return execute({ ...args, rootValue: payload });
  };
  return mapStream(source as AsyncGenerator<unknown, unknown, unknown>, (payload) => {
    if (key === null || !shareable.has(payload as object)) return own(payload);
    let answers = shared.get(payload as object);
    if (!answers) shared.set(payload as object, (answers = new Map()));
    let answer = answers.get(key);
    if (!answer) {
      answer = { context: args.contextValue, result: Promise.resolve(own(payload)) };
      answers.set(key, answer);
      return answer.result;
    }
    const { context } = answer;
    sharedAnswers.reused++;
    return answer.result.then((result) => (result.errors?.length && context !== args.contextValue ? own(payload) : result));
  });
}

/**
 * Payloads whose answer may be shared: one object handed to many subscribers (a
 * progress event from the hub). The feature that makes them adds them here;
 * anything else is executed per subscriber.
 */
export const shareable = new WeakSet<object>();

/** Counters for tests and the benchmark: events executed, and deliveries that took an answer executed for another subscriber. */
export const sharedAnswers = { executed: 0, reused: 0 };

/** Answers per event, dropped with the event once every subscriber has taken it. */
const shared = new WeakMap<object, Map<string, { context: unknown; result: Promise<ExecutionResult> }>>();

/**
 * What decides one subscription's answer to an event, as a string; null when
 * it cannot be told (no single root field, or no viewer to key on).
 */
export function answerKey(args: Pick<ExecutionArgs, 'document' | 'operationName' | 'variableValues' | 'contextValue'>): string | null {
  const viewer = (args.contextValue as { viewer?: Viewer | null } | undefined)?.viewer;
  if (!viewer) return null;
  const operation = getOperationAST(args.document, args.operationName);
  const root = operation?.selectionSet.selections;
  if (!operation || root?.length !== 1 || root[0]!.kind !== Kind.FIELD) return null;
  const rootField = root[0] as FieldNode;
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
  return JSON.stringify([viewer.sub, viewer.role, viewer.areaCode, viewer.section ?? null, documentText(args.document), operation.name?.value ?? null, variables]);
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
  } as AsyncGenerator<T, void, void>;
  return stream;
}
