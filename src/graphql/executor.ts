import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  defaultTypeResolver,
  execute,
  getOperationAST,
  GraphQLError,
  isAbstractType,
  printSchema,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLAbstractType,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type SourceLocation,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { log } from '../common/log.js';
import type { Context, Registry } from './context.js';
import { expandedFieldCount } from './limits.js';
import { compileSqlRead, type CompiledSqlRead, type JsonText, type SqlRead } from './sql-reads.js';

/** How `/graphql` over HTTP executes operations (GRAPHQL_EXECUTOR). */
export const GRAPHQL_EXECUTORS = ['jit', 'graphql-js'] as const;
export type GraphqlExecutor = (typeof GRAPHQL_EXECUTORS)[number];

/** What one execution needs: the arguments Apollo hands graphql-js's `execute`. */
export type Execution = Pick<ExecutionArgs, 'schema' | 'document' | 'operationName' | 'variableValues' | 'contextValue'>;

/**
 * Executes operations through queries compiled by graphql-jit, answering what
 * graphql-js's `execute` answers: the same data, the same errors, the same
 * refusals of variables. An operation is compiled once per document; one that
 * graphql-jit cannot compile, or would collect wrongly, is executed by graphql-js.
 *
 * Hazards that remain (src/graphql/executor.test.ts shows the rest is the same):
 * a field without a resolver (type-graphql `simpleResolvers`) is read as a plain
 * property, so a promise there is not awaited, and a getter that throws escapes
 * the execution (after an awaited resolver, the request hangs): give such a field
 * a resolver (`simple: false`). After a null in a non-null
 * field that resolved synchronously, graphql-js leaves the later fields of that
 * selection set unexecuted; graphql-jit executes them and reports their errors.
 */
export function jitExecutor(schema: GraphQLSchema, sqlReads: readonly SqlRead[] = [], hooks: Registry['hooks'] = {}, options: { jsonText?: boolean } = {}) {
  // Apollo keeps each validated document in its LRU document store and hands the same
  // DocumentNode to every request with the same text, so the node is the cache key; a
  // document Apollo evicts takes its compiled queries with it.
  const cache = new WeakMap<DocumentNode, Map<string | undefined, Compiled>>();
  interface Compiled {
    /** undefined until needed; null when graphql-jit cannot take the document. */
    query: CompiledQuery | null | undefined;
    sql: CompiledSqlRead | null;
  }

  function compiledFor(document: DocumentNode, operationName: string | undefined): Compiled {
    let byName = cache.get(document);
    if (!byName) cache.set(document, (byName = new Map<string | undefined, Compiled>()));
    let compiled = byName.get(operationName);
    if (compiled === undefined) {
      // The SQL read is tried first; graphql-jit compiles only what it declines (lazily).
      const sql = compileSqlRead(schema, document, operationName, sqlReads, hooks);
      compiled = { sql, query: sql ? undefined : compile(schema, document, operationName) };
      byName.set(operationName, compiled);
    }
    return compiled;
  }

  return async function run(args: Execution): Promise<ExecutionResult> {
    const entry = compiledFor(args.document, args.operationName ?? undefined);
    if (entry.sql) {
      const context = args.contextValue as Context;
      let answer: { data: JsonText } | null = null;
      try {
        answer = await entry.sql(context, args.variableValues ?? {});
      } catch (error) {
        // A failed statement is not an answer: the resolvers run instead, so the request
        // succeeds if they can, and otherwise fails as graphql-js fails it (data with the
        // field null, a masked error at its path), never as a whole-request error.
        // Not a fault yet (nothing is masked): a failing resolver is logged as one, at its path. A context
        // without a logger (an executor used outside the server) has the process's.
        (context?.log ?? log).warn({ err: error }, 'SQL read failed; executing the resolvers instead');
      }
      // As text for Apollo's stringifyResult (options.jsonText), parsed for anyone else.
      if (answer) return options.jsonText ? (answer as unknown as ExecutionResult) : { data: answer.data.toJSON() as Record<string, unknown> };
      // Declined for this request's arguments (or failed): executed as any other operation.
      if (entry.query === undefined) entry.query = compile(schema, args.document, args.operationName ?? undefined);
    }
    const compiled = entry.query!;
    if (!compiled) return execute(args);
    const result = await compiled.query(undefined, args.contextValue, args.variableValues);
    // No `data` at all: graphql-jit refused the variables, before any resolver ran. graphql-js
    // coerces them afresh, so a refusal reads exactly as before (graphql-jit words its own,
    // and Apollo answers 400 BAD_USER_INPUT only to graphql-js's), and what graphql-jit
    // refuses but graphql-js accepts is executed.
    if (!('data' in result)) return execute(args);
    return asGraphqlJsResult(result);
  };
}

/**
 * The most expanded field selections (see expandedFieldCount in limits.ts) of an
 * operation graphql-jit compiles; larger ones, up to the refusal limit
 * (`maxFields`, 1,000 by default), are executed by graphql-js, which plans them
 * without compiling. graphql-jit's compile time grows with the distinct
 * selections, up to ~250 µs per field on this 2-core machine under load
 * (measured: 189 fields 42 ms, 297 fields 14 ms, 381 fields 18–51 ms, 765 fields
 * 43–85 ms, 1,193 fields 149–192 ms, 12,285 fields 2.3 s), so a compile here stays
 * around 50 ms at worst. The largest documents the project sends count 45 fields
 * (the dashboard's and test/graphql's): they are all compiled; the console's
 * introspection query (230) is not.
 *
 * Compiled queries are cached per parsed document, and Apollo keeps one per
 * distinct query text: whitespace variants of one operation each cost a parse,
 * a validation and a compile. That is accepted because each is bounded (by
 * this, the token limit and the field limit) and the rate limit bounds how many.
 */
export const JIT_MAX_FIELDS = 200;

function compile(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): CompiledQuery | null {
  if (spreadsConditionally(document)) return null;
  const operation = getOperationAST(document, operationName);
  if (!operation || expandedFieldCount(document, operation, JIT_MAX_FIELDS) > JIT_MAX_FIELDS) return null;
  const query = withGuardedTypeResolvers(schema, () =>
    // Errors are rebuilt as graphql-js errors (asGraphqlJsError), so graphql-jit's stacks are never read.
    compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true }),
  );
  return isCompiledQuery(query) ? query : null;
}

/**
 * Whether the document spreads a fragment more than once and has @skip or
 * @include: graphql-jit decides a fragment's inclusion at its first spread in a
 * selection set and drops the others, where graphql-js includes it when any
 * spread is included (graphql-jit #111, #166; its `useExperimentalPathBasedSkipInclude`
 * mends spreads at different paths, not two in one selection set). Such
 * documents are left to graphql-js.
 */
function spreadsConditionally(document: DocumentNode): boolean {
  const spread = new Set<string>();
  let repeated = false;
  let conditional = false;
  visit(document, {
    FragmentSpread(node) {
      repeated ||= spread.has(node.name.value);
      spread.add(node.name.value);
    },
    Directive(node) {
      conditional ||= node.name.value === 'skip' || node.name.value === 'include';
    },
  });
  return repeated && conditional;
}

/**
 * Runs `compile` while every interface and union resolves its type through a
 * guard, which the compiled query keeps. graphql-jit calls `resolveType` outside
 * its error handling: a throw (type-graphql's throws for an object of no known
 * class) would escape the execution, and after an awaited resolver leave the
 * request hanging. Guarded, the field gets an error and null, as in graphql-js.
 * The swap is safe because compiling is synchronous: no execution sees it.
 */
function withGuardedTypeResolvers<T>(schema: GraphQLSchema, compile: () => T): T {
  const types = Object.values(schema.getTypeMap()).filter(isAbstractType);
  const originals = types.map((type) => type.resolveType);
  types.forEach((type) => (type.resolveType = guardedTypeResolver(type)));
  try {
    return compile();
  } finally {
    types.forEach((type, i) => (type.resolveType = originals[i]));
  }
}

function guardedTypeResolver(type: GraphQLAbstractType): GraphQLTypeResolver<unknown, unknown> {
  // graphql-js's default (`__typename`, then `isTypeOf`) where the type has none, not graphql-jit's.
  const resolveType = type.resolveType ?? defaultTypeResolver;
  return (value, context, info) => {
    try {
      return resolveType(value, context, info, type);
    } catch {
      // "No type": graphql-jit reports it at the field (masked, see raisedBySelf).
      return undefined;
    }
  };
}

/** The result as graphql-js builds it: `errors` (when any) before `data`, so the JSON reads the same. */
function asGraphqlJsResult(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return { data: result.data };
  return { errors: result.errors.map(asGraphqlJsError), data: result.data };
}

/**
 * A graphql-jit field error as graphql-js's `locatedError` would have raised it.
 * It matters beyond looks: Apollo reads `extensions.code` unguarded, and graphql-jit
 * leaves `extensions` undefined unless the thrown error had some (the formatting
 * then failed into a bare masked error without a path); and formatError and the
 * error log decide what to mask by the `originalError`.
 */
function asGraphqlJsError(error: GraphQLError): GraphQLError {
  const thrown = error.originalError as unknown;
  // A thrown non-Error graphql-js wraps as well (masked either way).
  const original = thrown === undefined ? raisedBySelf(error) : thrown instanceof Error ? thrown : new Error(`Unexpected error value: ${String(thrown)}`);
  // graphql-js passes an error that already has a path through as it is.
  if (original instanceof GraphQLError && Array.isArray(original.path)) return original;
  const located = new GraphQLError(original.message, { path: error.path, originalError: original });
  // graphql-js locates by the field's nodes (or the thrown error's own); graphql-jit passes
  // only their computed locations, which are the same lines and columns.
  const locations = original instanceof GraphQLError && original.locations ? original.locations : error.locations;
  (located as { locations?: readonly SourceLocation[] }).locations = locations;
  return located;
}

/**
 * What graphql-js would carry as the original of an error graphql-jit raised
 * itself (its checks keep only a message). graphql-js raises a null in a
 * non-null field, a serializer returning nothing and a rejection without a
 * reason as plain Errors, which are masked and logged; so is a type that cannot
 * be resolved here (graphql-js masks what type-graphql's resolveType throws; it
 * would show its own message for a resolveType that returns nothing). The rest
 * graphql-jit checks, graphql-js reports as a GraphQLError with the same
 * message: a scalar that cannot serialize a value, a list that is not iterable,
 * a resolved type that is not a possible type.
 */
function raisedBySelf(error: GraphQLError): Error {
  if (error.message === '' || INTERNAL.test(error.message)) return new Error(error.message);
  // graphql-jit leaves out the quotes graphql-js puts around the field.
  return new GraphQLError(error.message.replace(NOT_ITERABLE, 'Expected Iterable, but did not find one for field "$1".'));
}

const INTERNAL = /^(Cannot return null for non-nullable field |Expected a value of type |Runtime Object type is not a possible type for )/;
const NOT_ITERABLE = /^Expected Iterable, but did not find one for field (\S+)\.$/;

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];

/**
 * graphql-jit behind Apollo Server: its gateway interface is the one way to
 * execute with something other than graphql-js (Apollo Server 5 has no
 * `executor` option). Apollo still parses, validates, caches documents and runs
 * every plugin hook; only the execution step is ours.
 */
export function jitGateway(schema: GraphQLSchema, sqlReads: readonly SqlRead[] = [], hooks: Registry['hooks'] = {}): Gateway {
  const run = jitExecutor(schema, sqlReads, hooks, { jsonText: true });
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async load() {
      return {
        executor: (request) =>
          run({
            schema,
            document: request.document,
            // The request's name, as Apollo passes graphql-js (not the resolved operation's).
            operationName: request.request.operationName,
            variableValues: request.request.variables,
            contextValue: request.context,
          }),
      };
    },
    async stop() {},
  };
}
