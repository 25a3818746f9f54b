import {
  getNullableType,
  getOperationAST,
  getVariableValues,
  Kind,
  type DocumentNode,
  type FormattedExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  isLeafType,
  isObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Context, Registry } from './context.js';
import { propertyReadOf } from './direct-resolvers.js';

/** Coerced variables of one request, as graphql-js's `execute` would see them. */
export type Variables = { [name: string]: unknown };

/**
 * A read a feature answers in one SQL statement that builds the answer's JSON in
 * PostgreSQL (as PostGraphile does): no resolver runs. It must answer exactly what
 * graphql-js answers; wherever it could differ (an error, an argument it does not
 * take) it declines by returning null, and the operation is executed as usual.
 */
export interface SqlRead {
  /** The operation as one statement, or null when this read does not take it (decided once per document). */
  compile(operation: OperationDefinitionNode, document: CompilationScope): CompiledSqlRead | null;
}

/** What a compiler is given besides the operation. */
export interface CompilationScope {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** The features' hooks, for reads that other features extend (the area tree's fields). */
  hooks: Registry['hooks'];
}

/**
 * A compiled read: the answer, its `data` the JSON text (see {@link JsonText}), or
 * null to hand the request to the executor (nothing has been written).
 */
export type CompiledSqlRead = (ctx: Context, variables: Variables) => Promise<{ data: JsonText } | null>;

/**
 * An answer's `data` as JSON text, exactly as JSON.stringify would write the value:
 * a SQL read's answer, built in PostgreSQL. Over HTTP it goes into the response as
 * it is ({@link stringifyResult}), neither parsed nor serialized again; anything
 * else that serializes it gets the parsed value (`toJSON`).
 */
export class JsonText {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** Apollo's `stringifyResult`: its own (JSON.stringify and a newline), with a {@link JsonText} written as it is. */
export function stringifyResult(result: FormattedExecutionResult): string {
  if (result.data instanceof JsonText && result.errors === undefined && result.extensions === undefined) return `{"data":${result.data.text}}\n`;
  return `${JSON.stringify(result)}\n`;
}

/**
 * The first of `reads` that takes the document's operation, wrapped so that it gets
 * coerced variables; null when none takes it. A document whose variables graphql-js
 * would refuse is left to graphql-js, which words the refusal.
 */
export function compileSqlRead(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  reads: readonly SqlRead[],
  hooks: Registry['hooks'] = {},
): CompiledSqlRead | null {
  if (!reads.length) return null;
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'query') return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const scope: CompilationScope = { schema, fragments, hooks };
  for (const read of reads) {
    const compiled = read.compile(operation, scope);
    if (!compiled) continue;
    const definitions = operation.variableDefinitions ?? [];
    return async (ctx, raw) => {
      const coerced = definitions.length ? getVariableValues(schema, definitions, raw ?? {}) : { coerced: {} };
      if ('errors' in coerced) return null;
      return compiled(ctx, coerced.coerced);
    };
  }
  return null;
}

/**
 * The fields of a selection set on `type` by response key, in the order graphql-js
 * answers them, with fragments spread in; null when the selection set has a directive
 * (@skip, @include, ...), a fragment on another type, or a response key twice (which
 * graphql-js would merge): cases a compiled read leaves to the executor.
 */
export function fieldsOf(
  selectionSet: SelectionSetNode,
  type: GraphQLObjectType,
  scope: CompilationScope,
  into = new Map<string, FieldNode>(),
): Map<string, FieldNode> | null {
  for (const selection of selectionSet.selections) {
    if (selection.directives?.length) return null;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      if (into.has(key)) return null;
      into.set(key, selection);
      continue;
    }
    const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : scope.fragments.get(selection.name.value);
    if (!fragment || fragment.directives?.length) return null;
    const on = fragment.typeCondition?.name.value;
    if (on !== undefined && on !== type.name && !type.getInterfaces().some((i) => i.name === on)) return null;
    if (!fieldsOf(fragment.selectionSet, type, scope, into)) return null;
  }
  return into;
}

/** A part of a statement: SQL text, or a bind parameter read from the request's variables (a throw declines the request). */
export type SqlPart = string | ((variables: Variables) => unknown);

/** A statement under construction: text with `?` where its parameters go, in order. */
export class SqlText {
  constructor(readonly parts: readonly SqlPart[]) {}

  /** The statement's text and a function giving its parameters for one request. */
  build(): { text: string; params: (variables: Variables) => unknown[] } {
    const getters = this.parts.filter((part): part is (variables: Variables) => unknown => typeof part === 'function');
    const text = this.parts.map((part) => (typeof part === 'string' ? part : '?')).join('');
    return { text, params: (variables) => getters.map((get) => get(variables)) };
  }
}

/** `sql\`...\``: SQL text; interpolated strings are SQL text, functions are parameters, SqlTexts nest. */
export function sql(strings: TemplateStringsArray, ...values: (string | SqlText | ((variables: Variables) => unknown))[]): SqlText {
  const parts: SqlPart[] = [];
  strings.forEach((text, i) => {
    parts.push(text);
    if (i >= values.length) return;
    const value = values[i];
    if (value instanceof SqlText) parts.push(...value.parts);
    else parts.push(value);
  });
  return new SqlText(parts);
}

/** Joins statements' parts with a separator. */
export function joinSql(items: readonly SqlText[], separator: string): SqlText {
  return new SqlText(items.flatMap((item, i) => (i ? [separator, ...item.parts] : item.parts)));
}

/**
 * A JSON object's keys and values as a row, which PostgreSQL turns into the object
 * (`row_to_json`, `json_agg` of rows; nested rows become nested objects) keeping the
 * column order: about twice as fast as json_build_object, which looks up its
 * arguments' types on every call. Response keys are GraphQL names
 * (`[_A-Za-z][_0-9A-Za-z]*`), safe as quoted column names up to PostgreSQL's 63
 * bytes; null when a key is longer (the caller declines).
 */
export function columns(entries: readonly (readonly [key: string, value: SqlText])[]): SqlText | null {
  if (!entries.length || entries.some(([key]) => key.length > MAX_COLUMN_NAME)) return null;
  return joinSql(
    entries.map(([key, value]) => sql`${value} as "${key}"`),
    ', ',
  );
}

/** A row of `entries` as one value (an object in the JSON): `(select r from (select ... ) r)`. */
export function record(entries: readonly (readonly [key: string, value: SqlText])[]): SqlText | null {
  const list = columns(entries);
  return list && sql`(select r from (select ${list}) r)`;
}

const MAX_COLUMN_NAME = 63;

/** Raised by a {@link plainSelection} serializer where graphql-js would not give a plain value: the caller declines. */
export class NotPlain extends Error {}

/**
 * A selection of plain fields compiled into a function that answers it from a
 * source object in JS, as graphql-js answers it: each field read as graphql-js's
 * default resolver reads it (the property, getters included), or as the direct
 * resolver of a getter reads it, and leaves serialized by their type. Null when
 * a field has another resolver, arguments, a list or an abstract type; the
 * serializer throws {@link NotPlain} where graphql-js
 * would raise an error (a null in a non-null field, a value the scalar cannot
 * serialize, a method where a property was expected).
 */
export function plainSelection(
  selectionSet: SelectionSetNode,
  type: GraphQLObjectType,
  scope: CompilationScope,
): ((source: object) => Record<string, unknown>) | null {
  const fields = fieldsOf(selectionSet, type, scope);
  if (!fields) return null;
  const parts: [key: string, read: (source: object) => unknown][] = [];
  for (const [key, field] of fields) {
    const name = field.name.value;
    if (name === '__typename') {
      parts.push([key, () => type.name]);
      continue;
    }
    const definition = type.getFields()[name];
    if (!definition || field.arguments?.length) return null;
    // No resolver (graphql-js reads the property), or a getter of the type's class (its extensions.propertyRead).
    const reads = definition.resolve ? propertyReadOf(definition) : { objectClass: undefined, property: name };
    if (!reads) return null;
    const { objectClass, property } = reads;
    const nonNull = definition.type !== getNullableType(definition.type);
    const valueType = getNullableType(definition.type);
    let complete: (value: unknown) => unknown;
    if (isLeafType(valueType)) {
      if (field.selectionSet) return null;
      complete = (value) => {
        const serialized = valueType.serialize(value);
        if (serialized === undefined) throw new NotPlain(name);
        return serialized;
      };
    } else if (isObjectType(valueType) && field.selectionSet) {
      const nested = plainSelection(field.selectionSet, valueType, scope);
      if (!nested) return null;
      complete = (value) => nested(value as object);
    } else {
      return null;
    }
    parts.push([
      key,
      (source) => {
        if (objectClass && !(source instanceof objectClass)) throw new NotPlain(name);
        const value = (source as Record<string, unknown>)[property];
        if (typeof value === 'function') throw new NotPlain(name);
        if (value === null || value === undefined) {
          if (nonNull) throw new NotPlain(name);
          return null;
        }
        return complete(value);
      },
    ]);
  }
  return (source) => {
    const answer: Record<string, unknown> = {};
    for (const [key, read] of parts) answer[key] = read(source);
    return answer;
  };
}
