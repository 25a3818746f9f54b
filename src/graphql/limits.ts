import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  getNamedType,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { ErrorCode } from '../common/errors.js';
import { controlCharacterErrors } from './text-input.js';

/**
 * Abuse limits on what one GraphQL operation may ask for. The same limits guard
 * HTTP (Apollo) and graphql-ws: both transports call the functions below.
 */
export interface Limits {
  /** Deepest selection nesting (fields inside fields). */
  maxDepth: number;
  /** Aliased fields in one operation (aliases multiply the work of one field). */
  maxAliases: number;
  /** Lexical tokens in the document (checked while parsing, before anything else). */
  maxTokens: number;
  /** Directives in one operation. */
  maxDirectives: number;
  /** Estimated cost: every field costs 1, and a connection multiplies what it selects by its `first`. */
  maxCost: number;
  /**
   * Field selections in one operation with its fragments expanded in place
   * (each spread counts its fragment again): a bound on the work of compiling
   * and planning the operation, checked while validating, before anything runs.
   */
  maxFields: number;
}

/**
 * Generous enough for the whole county tree (county → 33 townships → 367
 * villages, with edges, nodes and statistics: two nested `first: 100` levels
 * cost ~110,000 with a dozen fields per village), while a third nested level of
 * `first: 100` (≥ 1,000,000) is refused. GitHub's API draws its line at 500,000 nodes too.
 *
 * `maxFields` (1,000), from measurement: the largest documents the project
 * sends count 230 expanded fields (the console's introspection query with every
 * option), 45 (test/graphql, the dashboard's documents in web/graphql fewer) and
 * under 40 (bench/). What one operation below it costs (this machine, 2 cores
 * shared with other builds): validating it a few ms; graphql-jit compiling it
 * up to ~250 µs per field for distinct nested selections (fragments nesting
 * `parent`/`ancestors`/`children` in each other: 381 fields 18–51 ms, 765 fields
 * 43–85 ms, 1,193 fields 149–192 ms), which is why the executor compiles only
 * operations of at most JIT_MAX_FIELDS (src/graphql/executor.ts) and leaves
 * larger ones to graphql-js. The probe that froze the server, nine levels of a
 * fragment spread ten times (905 bytes), counts 10⁹ fields: graphql-jit took
 * 4.7 s at 10⁷ (level 7), 45.7 s at 10⁸; now refused in under a millisecond.
 */
export const DEFAULT_LIMITS: Limits = { maxDepth: 12, maxAliases: 30, maxTokens: 5000, maxDirectives: 20, maxCost: 500_000, maxFields: 1000 };

/** Error code of a refused operation (depth, aliases, directives, cost): Apollo's code for validation failures. */
export const LIMIT_ERROR_CODE = ErrorCode.GRAPHQL_VALIDATION_FAILED;

function limitError(limit: keyof Limits, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: LIMIT_ERROR_CODE, limit } });
}

/** graphql-armor's rules report through the validation context, so the request fails with 400 and nothing runs. */
function reporter(limit: keyof Limits) {
  return [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(limitError(limit, error.message.replace(/^Syntax Error: /, '')))];
}

/**
 * Validation rules for depth, aliases and directives (graphql-armor) and the
 * expanded field count, added to graphql-js's specified rules.
 */
export function limitRules(limits: Limits): ValidationRule[] {
  return [
    maxFieldsRule(limits.maxFields),
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, propagateOnRejection: false, onReject: reporter('maxDepth') }),
    // graphql-armor leaves aliases of `__typename` uncounted by default (its allowList): 1,000
    // of them passed. Every alias counts here, fragments expanded (its count memoises each fragment).
    maxAliasesRule({ n: limits.maxAliases, allowList: [], propagateOnRejection: false, onReject: reporter('maxAliases') }),
    maxDirectivesRule({ n: limits.maxDirectives, propagateOnRejection: false, onReject: reporter('maxDirectives') }),
  ] as ValidationRule[];
}

/**
 * The field selections of an operation as it would be executed: every
 * fragment spread counts its fragment's fields again, in place. graphql-jit
 * compiles (and graphql-js plans) per expanded selection, so this is what a
 * document of a few hundred bytes can multiply: nine levels of fragments each
 * spreading the one below ten times make 10⁹ selections out of 900 bytes.
 *
 * Linear in the document's size: each fragment is counted once and its count
 * remembered, and counting stops as soon as the total passes `budget` (the
 * result is then some number above it, not the full count). A fragment cycle
 * (refused by graphql-js's NoFragmentCyclesRule in the same validation) counts
 * nothing the second time round instead of looping.
 */
export function expandedFieldCount(document: DocumentNode, operation: OperationDefinitionNode, budget = Number.POSITIVE_INFINITY): number {
  return fieldCounter(document, budget)(operation);
}

/** {@link expandedFieldCount} for each operation of one document, sharing the fragments' counts. */
function fieldCounter(document: DocumentNode, budget: number): (operation: OperationDefinitionNode) => number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const counted = new Map<string, number>();
  const spread = (name: string): number => {
    let fields = counted.get(name);
    if (fields === undefined) {
      counted.set(name, 0);
      const fragment = fragments.get(name);
      fields = fragment ? count(fragment.selectionSet) : 0;
      counted.set(name, fields);
    }
    return fields;
  };
  const count = (selectionSet: SelectionSetNode): number => {
    let fields = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) fields += 1 + (selection.selectionSet ? count(selection.selectionSet) : 0);
      else if (selection.kind === Kind.INLINE_FRAGMENT) fields += count(selection.selectionSet);
      else fields += spread(selection.name.value);
      // Over the budget: the rest need not be counted (a fragment's partial count is over it too).
      if (fields > budget) break;
    }
    return fields;
  };
  return (operation) => count(operation.selectionSet);
}

/** Refuses an operation of more than `max` expanded field selections (see {@link expandedFieldCount}). */
export function maxFieldsRule(max: number): ValidationRule {
  return (context): ASTVisitor => ({
    Document(document) {
      const refusal = standIns.get(document) ?? fieldsError(document, max);
      if (refusal) context.reportError(refusal);
      return false;
    },
  });
}

/** The maxFields refusal of a document (its first operation over `max` expanded fields), or null. */
export function fieldsError(document: DocumentNode, max: number): GraphQLError | null {
  const count = fieldCounter(document, max);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION && count(definition) > max) {
      return limitError(
        'maxFields',
        `Fields limit of ${max} exceeded, found more than ${max} (each fragment spread counts its fields again). Ask for fewer fields, or spread fewer fragments.`,
      );
    }
  }
  return null;
}

/** Stand-in documents of refused ones, each with the refusal {@link maxFieldsRule} reports for it. */
const standIns = new WeakMap<DocumentNode, GraphQLError>();

/**
 * For Apollo, whose validation is one graphql-js pass: a document over the field
 * budget must be refused before that pass, since graphql-js's
 * OverlappingFieldsCanBeMerged is quadratic in repeated sibling fields (1,200
 * `parent { name }` siblings, 19 KB and under the token limit, took ~250 ms to
 * validate; under the budget, 1,000 sibling fields take ~25 ms). Apollo has no
 * hook that can refuse there, so its validationDidStart swaps in a tiny stand-in
 * document (returned here) that {@link maxFieldsRule} refuses with the original's
 * error: the same 400 and the same error as any limit, in microseconds.
 * graphql-ws and SSE count before validating in {@link checkOperation}.
 */
export function standInIfOverFields(document: DocumentNode, max: number): DocumentNode | null {
  const refusal = fieldsError(document, max);
  if (!refusal) return null;
  const standIn = parse('{ __typename }');
  standIns.set(standIn, refusal);
  return standIn;
}

/**
 * Parse options with the token limit. graphql-js's own `maxTokens` (what
 * graphql-armor's max-tokens parser re-implements) stops the lexer at the
 * limit, so a huge document costs no more than a small one.
 */
export function parseOptions(limits: Limits): ParseOptions {
  return { maxTokens: limits.maxTokens };
}

/** A connection (a field with a `first` argument) costs its selection times the page size it may return. */
const connectionEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.args.some((arg) => arg.name === 'first') || !getNamedType(field.type).name.endsWith('Connection')) return undefined;
  // Without `first` a connection serves its default page, at most MAX_PAGE_SIZE (100) items.
  const first = typeof args.first === 'number' ? args.first : 100;
  return 1 + childComplexity * Math.max(first, 1);
};

const estimators = [fieldExtensionsEstimator(), connectionEstimator, simpleEstimator({ defaultComplexity: 1 })];

/**
 * Costs already computed, per parsed document (Apollo and graphql-ws keep a
 * document per distinct query text, so a dashboard's repeated query is priced
 * once), then per operation name and variables.
 */
const costs = new WeakMap<DocumentNode, Map<string, number>>();
/** Variable combinations remembered per document; a document asked with more starts over. */
const COSTS_PER_DOCUMENT = 100;

/** The estimated cost of an operation (needs the variables, so it runs after validation). */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName?: string | null,
): number {
  let known = costs.get(document);
  if (!known) costs.set(document, (known = new Map<string, number>()));
  const key = `${operationName ?? ''}|${variables ? JSON.stringify(variables) : ''}`;
  let cost = known.get(key);
  if (cost === undefined) {
    cost = getComplexity({ schema, query: document, variables: variables ?? {}, operationName: operationName ?? undefined, estimators });
    if (known.size >= COSTS_PER_DOCUMENT) known.clear();
    known.set(key, cost);
  }
  return cost;
}

/**
 * The error for an operation over the cost limit; null when within it. Only a
 * problem of the variables (malformed ones, or an argument they leave null that
 * may not be, which execution reports at the field) is left for execution to
 * report: anything else the estimate cannot price is a refusal, such as
 * graphql-query-complexity's own limit of 10,000 visited nodes (its error was
 * once taken for a variable problem and let through).
 */
export function costError(
  limits: Limits,
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown>,
  operationName?: string | null,
): GraphQLError | null {
  let cost: number;
  try {
    cost = operationCost(schema, document, variables, operationName);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    if (/^(Argument|Variable) "/.test(error.message)) return null;
    return limitError('maxCost', `Query cost could not be estimated: ${error.message}`);
  }
  if (cost <= limits.maxCost) return null;
  return limitError('maxCost', `Query cost limit of ${limits.maxCost} exceeded, found ${cost}. Ask for smaller pages (first) or fewer nested lists.`);
}

/**
 * The error for a request whose operation cannot be resolved (graphql-js's
 * wording, Apollo's code): it names one the document does not hold, or names
 * none where the document holds several. Null when it resolves.
 */
export function operationResolutionError(document: DocumentNode, operationName: string | null | undefined): GraphQLError | null {
  if (getOperationAST(document, operationName)) return null;
  const message =
    operationName != null
      ? `Unknown operation named "${operationName}".`
      : document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION)
        ? 'Must provide operation name if query contains multiple operations.'
        : 'Must provide an operation.';
  return new GraphQLError(message, { extensions: { code: ErrorCode.OPERATION_RESOLUTION_FAILURE } });
}

/**
 * A message without its trailing "Did you mean …?": what a variable's coercion
 * error suggests (an enum value, an input field) names the schema, which a
 * server without introspection does not tell (the same pattern Apollo strips
 * from validation errors with `hideSchemaDetailsFromClientErrors`).
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, '');
}

/**
 * How deep the variables of one request may nest (lists in lists, objects in
 * objects). civgraph's deepest input (a JSON scalar inside an input object in a
 * list) is a handful of levels; a 1 MB body can nest 500,000, and every walk
 * of the variables (the control-character check, the cost cache's key,
 * graphql-js's coercion, the audit row's JSON) recurses: 3,000 levels
 * overflowed the stack into a masked 500.
 */
export const MAX_VARIABLE_DEPTH = 32;

/**
 * BAD_USER_INPUT when the variables nest deeper than {@link MAX_VARIABLE_DEPTH},
 * else null. Walks without recursion, so it is itself safe at any depth; run
 * before anything else looks into the variables, on every transport.
 */
export function variableDepthError(variables: unknown): GraphQLError | null {
  const stack: [value: unknown, depth: number][] = [[variables, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_VARIABLE_DEPTH) {
      return new GraphQLError(`Variables nest deeper than ${MAX_VARIABLE_DEPTH} levels`, {
        extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'variables' },
      });
    }
    for (const inner of Object.values(value)) stack.push([inner, depth + 1]);
  }
  return null;
}

/** graphql-js's cap on variable coercion errors: past it, execution aborts with one unlocated error. */
export const MAX_VARIABLE_ERRORS = 50;

/**
 * The request error of an operation Apollo has resolved or would, before any
 * compilation or execution: the operation the request names is not in the
 * document (OPERATION_RESOLUTION_FAILURE), its variables have more errors than
 * graphql-js reports (BAD_USER_INPUT: graphql-js would abort with an unlocated
 * error that reached clients masked), or it costs too much. Null when it may
 * run; fewer variable errors are left to execution, which reports each as
 * BAD_USER_INPUT.
 */
export function operationError(
  limits: Limits,
  schema: GraphQLSchema,
  document: DocumentNode,
  request: { variables?: Record<string, unknown> | null; operationName?: string | null },
  options: { introspection: boolean } = { introspection: true },
): GraphQLError | null {
  const operation = getOperationAST(document, request.operationName);
  if (!operation) return operationResolutionError(document, request.operationName);
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, {
    maxErrors: MAX_VARIABLE_ERRORS,
    hideSuggestions: !options.introspection,
  });
  if (coerced.errors && coerced.errors.length > MAX_VARIABLE_ERRORS) {
    return new GraphQLError(`Too many errors in the variables (more than ${MAX_VARIABLE_ERRORS}); the first: ${coerced.errors[0].message}`, {
      nodes: coerced.errors[0].nodes,
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    });
  }
  // Execution refuses these variables itself, each error a located BAD_USER_INPUT, before anything runs.
  if (coerced.errors) return null;
  return costError(limits, schema, document, request.variables ?? undefined, operation.name?.value);
}

/**
 * Parses, validates and checks an operation exactly as Apollo does for HTTP:
 * for transports that do not go through Apollo (graphql-ws, SSE). Returns the
 * document, or the errors a client sees. With introspection off, validation
 * messages suggest no names ("Did you mean …?"), as Apollo's are on HTTP.
 */
export function checkOperation(
  schema: GraphQLSchema,
  limits: Limits,
  request: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null },
  options: { introspection: boolean } = { introspection: true },
): { document: DocumentNode } | { errors: GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(request.query, parseOptions(limits));
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return {
      errors: [
        new GraphQLError(error.message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED },
        }),
      ],
    };
  }
  // Counted before graphql-js validates: see standInIfOverFields.
  const tooManyFields = fieldsError(document, limits.maxFields);
  if (tooManyFields) return { errors: [tooManyFields] };
  const rules = [...specifiedRules, ...limitRules(limits), ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const invalid = validate(schema, document, rules, { hideSuggestions: !options.introspection });
  if (invalid.length) {
    return {
      errors: invalid.map((error) =>
        error.extensions.code ? error : new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: LIMIT_ERROR_CODE } }),
      ),
    };
  }
  // Text that PostgreSQL cannot store (NUL…) is refused before anything runs (text-input.ts).
  const tooDeep = variableDepthError(request.variables);
  if (tooDeep) return { errors: [tooDeep] };
  const unsafeText = controlCharacterErrors(document, request.variables, request.operationName);
  if (unsafeText.length) return { errors: unsafeText };
  const refused = operationError(limits, schema, document, request, options);
  return refused ? { errors: [refused] } : { document };
}
