import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getNamedType,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
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
}

/**
 * Generous enough for the whole county tree (county → 33 townships → 367
 * villages, with edges, nodes and statistics: two nested `first: 100` levels
 * cost ~110,000 with a dozen fields per village), while a third nested level of
 * `first: 100` (≥ 1,000,000) is refused. GitHub's API draws its line at 500,000 nodes too.
 */
export const DEFAULT_LIMITS: Limits = { maxDepth: 12, maxAliases: 30, maxTokens: 5000, maxDirectives: 20, maxCost: 500_000 };

/** Error code of a refused operation (depth, aliases, directives, cost): Apollo's code for validation failures. */
export const LIMIT_ERROR_CODE = ErrorCode.GRAPHQL_VALIDATION_FAILED;

function limitError(limit: keyof Limits, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: LIMIT_ERROR_CODE, limit } });
}

/** graphql-armor's rules report through the validation context, so the request fails with 400 and nothing runs. */
function reporter(limit: keyof Limits) {
  return [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(limitError(limit, error.message.replace(/^Syntax Error: /, '')))];
}

/** Validation rules for depth, aliases and directives (graphql-armor), added to graphql-js's specified rules. */
export function limitRules(limits: Limits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, propagateOnRejection: false, onReject: reporter('maxDepth') }),
    maxAliasesRule({ n: limits.maxAliases, propagateOnRejection: false, onReject: reporter('maxAliases') }),
    maxDirectivesRule({ n: limits.maxDirectives, propagateOnRejection: false, onReject: reporter('maxDirectives') }),
  ] as ValidationRule[];
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
export function operationCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string | null): number {
  let known = costs.get(document);
  if (!known) costs.set(document, (known = new Map()));
  const key = `${operationName ?? ''}|${variables ? JSON.stringify(variables) : ''}`;
  let cost = known.get(key);
  if (cost === undefined) {
    cost = getComplexity({ schema, query: document, variables: variables ?? {}, operationName: operationName ?? undefined, estimators });
    if (known.size >= COSTS_PER_DOCUMENT) known.clear();
    known.set(key, cost);
  }
  return cost;
}

/** The error for an operation over the cost limit; null when within it. */
export function costError(limits: Limits, schema: GraphQLSchema, document: DocumentNode, variables?: Record<string, unknown>, operationName?: string | null): GraphQLError | null {
  let cost: number;
  try {
    cost = operationCost(schema, document, variables, operationName);
  } catch (error) {
    // Missing or malformed variables: execution reports those itself, as a 400.
    if (error instanceof GraphQLError) return null;
    throw error;
  }
  if (cost <= limits.maxCost) return null;
  return limitError('maxCost', `Query cost limit of ${limits.maxCost} exceeded, found ${cost}. Ask for smaller pages (first) or fewer nested lists.`);
}

/**
 * Parses, validates and prices an operation exactly as Apollo does for HTTP:
 * for transports that do not go through Apollo (graphql-ws). Returns the
 * document, or the errors a client sees.
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
    return { errors: [new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })] };
  }
  const rules = [...specifiedRules, ...limitRules(limits), ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const invalid = validate(schema, document, rules);
  if (invalid.length) {
    return { errors: invalid.map((error) => (error.extensions.code ? error : new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: LIMIT_ERROR_CODE } }))) };
  }
  // Text that PostgreSQL cannot store (NUL…) is refused before anything runs (text-input.ts).
  const unsafeText = controlCharacterErrors(document, request.variables, request.operationName);
  if (unsafeText.length) return { errors: unsafeText };
  const tooCostly = costError(limits, schema, document, request.variables ?? undefined, request.operationName);
  return tooCostly ? { errors: [tooCostly] } : { document };
}
