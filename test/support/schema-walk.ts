import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/**
 * The schema walk (issue 28): reads every field of every object type that the
 * data reaches, starting from Query's root fields, breadth-first, and reports
 * which (type, field) pairs answered without an error, every error met, and
 * every DateTimeISO value that is not ISO 8601 with an offset.
 *
 * A type is read at a path (root fields, each with its arguments, and a type
 * condition where a field is abstract): all its leaf fields, plus `__typename`
 * and `id` of each object-typed field. Every object-typed field that answered
 * non-null gives a path to its type; Nodes are read instead through
 * `nodes(ids:)` with up to {@link NODES_PER_READ} of the ids seen, so paths stay
 * short and one request reads many objects. A type is read once, or again (at
 * most {@link MAX_READS_PER_TYPE} times) through another path or other ids while
 * some of its object-typed fields never answered non-null (their types may be
 * reached only there). Arguments come from an {@link ArgumentTable}; a field
 * whose required argument cannot be filled yet (an id not seen yet) is retried
 * once the queue has drained. Extra roots (areas below the county) and the ids
 * of mutation and subscription answers are walked in the second round.
 * {@link SchemaWalk.variants} then reads fields again with other argument values.
 */

/** `Type.field`. */
export type FieldKey = `${string}.${string}`;

/** One step of a path: a field with its arguments, and the concrete type its value is read as. */
export interface Step {
  /** `name(arg: literal, …)`. */
  field: string;
  /** Type condition (`... on X`) when the field's type is abstract. */
  on?: string;
}

/** What the walk collected so far (global IDs by `__typename`). */
export interface Seen {
  ids: Map<string, string[]>;
  /** Cursors by edge type (`FacilityEdge`…), for `after`. */
  cursors: Map<string, string[]>;
}

/**
 * Fills one argument of a field: a JS value (written as a GraphQL literal for
 * the argument's type), `undefined` to leave it out. Returning `undefined` for
 * a required argument leaves the field unread for now.
 */
export type ArgumentTable = (context: { type: string; field: string; arg: GraphQLArgument; seen: Seen }) => unknown;

/** An error met by the walk, with the request that met it. */
export interface WalkError {
  query: string;
  message: string;
  code?: string;
  path?: ReadonlyArray<string | number>;
}

export interface WalkResult {
  /** (type, field) pairs read with a non-error answer (null included). */
  read: Set<FieldKey>;
  errors: WalkError[];
  /** DateTimeISO values that are not ISO 8601 with Z or ±hh:mm, with where they were read. */
  badDateTimes: string[];
  /** How many DateTimeISO values were checked. */
  dateTimes: number;
  requests: number;
  /** Fields left unread because a required argument could not be filled. */
  unfilled: Set<FieldKey>;
  seen: Seen;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A GraphQL response as the walk reads it. */
export type WalkResponse = {
  data?: Record<string, Json> | null;
  errors?: ReadonlyArray<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
};

/** ISO 8601 date-time with a time zone offset (Z or ±hh:mm), as DateTimeISO must serialize. */
export const ISO_8601_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export const MAX_READS_PER_TYPE = 6;
/** Objects of one Node type read in one `nodes(ids:)` request. */
export const NODES_PER_READ = 10;

/** A value as a GraphQL literal of `type` (strings quoted, enums bare, lists and input objects spelled out). */
export function literal(value: unknown, type: GraphQLInputType): string {
  const inner = getNullableType(type) as GraphQLInputType;
  if (value === null) return 'null';
  if (isListType(inner)) {
    const items = Array.isArray(value) ? value : [value];
    return `[${items.map((item) => literal(item, inner.ofType)).join(', ')}]`;
  }
  if (isEnumType(inner)) return String(value);
  if (isInputObjectType(inner)) {
    const fields = inner.getFields();
    const entries = Object.entries(value as Record<string, unknown>).map(([name, v]) => `${name}: ${literal(v, fields[name].type)}`);
    return `{ ${entries.join(', ')} }`;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Every (type, field) pair of the schema's object types, introspection types left out. */
export function allFields(schema: GraphQLSchema): Set<FieldKey> {
  const all = new Set<FieldKey>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.keys(type.getFields())) all.add(`${type.name}.${field}`);
  }
  return all;
}

/** The query reading `selection` at the end of `path` (from the root Query, or the root `operation` type). */
export function wrap(path: Step[], selection: string, operation = 'query'): string {
  let inner = selection;
  for (let i = path.length - 1; i >= 0; i--) {
    const step = path[i];
    const body = step.on ? `__typename ... on ${step.on} { ${inner} }` : inner;
    inner = `${step.field} { ${body} }`;
  }
  return `${operation} { ${inner} }`;
}

/**
 * The walk's state: what was read, queued and met. Also records the answers of
 * subscriptions and mutations ({@link SchemaWalk.recordRoot}).
 */
export class SchemaWalk {
  readonly result: WalkResult;
  private readonly reads = new Map<string, number>();
  /** Object-typed fields that answered non-null at least once. */
  private readonly reached = new Set<FieldKey>();
  /** Types to read at a path, or (path null) through `nodes(ids:)` with the ids of the type seen and not read yet. */
  private readonly queue: Array<{ type: string; path: Step[] | null; only?: Set<string> }> = [];
  private readonly readIds = new Set<string>();
  /** Ids met in mutation and subscription answers, walked from the second round on. */
  private readonly later = new Map<string, string[]>();
  /** Up to {@link MAX_READS_PER_TYPE} paths each type was read at with objects found (for {@link variants}). */
  private readonly paths = new Map<string, Step[][]>();
  private readonly pending: Array<{ type: string; path: Step[]; only: Set<string> }> = [];

  constructor(
    readonly schema: GraphQLSchema,
    private readonly table: ArgumentTable,
    private readonly request: (query: string) => Promise<WalkResponse>,
    private readonly options: {
      maxRequests: number;
      maxDepth: number;
      /** Paths read first, besides Query itself (an area at each level: villages hold what a county does not). */
      roots?: Array<{ type: string; path: Step[] }>;
      /** Whether to walk on into an object seen with this id (false: outside the caller's reach, a refusal). */
      follow?: (type: string, id: string) => boolean;
    },
  ) {
    this.result = {
      read: new Set(),
      errors: [],
      badDateTimes: [],
      dateTimes: 0,
      requests: 0,
      unfilled: new Set(),
      seen: { ids: new Map(), cursors: new Map() },
    };
  }

  /** `name(args)` of a field, or null when a required argument cannot be filled (yet). */
  fieldCall(type: string, field: GraphQLField<unknown, unknown>): string | null {
    const args: string[] = [];
    for (const arg of field.args) {
      const value = this.table({ type, field: field.name, arg, seen: this.result.seen });
      if (value === undefined) {
        if (isNonNullType(arg.type) && arg.defaultValue === undefined) return null;
        continue;
      }
      args.push(`${arg.name}: ${literal(value, arg.type)}`);
    }
    return args.length ? `${field.name}(${args.join(', ')})` : field.name;
  }

  /**
   * The selection reading every field of `type` (object-typed ones as
   * `__typename` and `id`), and the fields left out. With `inline` > 0, an
   * object-typed field that is not a Node is read in place, that many levels
   * deep (a mutation's or subscription's answer cannot be walked into later).
   */
  selection(type: GraphQLObjectType, only?: Set<string>, inline = 0): Selection {
    const parts = ['__typename'];
    const calls = new Map<string, string>();
    const nested = new Map<string, Selection & { type: GraphQLObjectType }>();
    const left: string[] = [];
    for (const field of Object.values(type.getFields())) {
      if (only && !only.has(field.name)) continue;
      const call = this.fieldCall(type.name, field);
      if (call === null) {
        left.push(field.name);
        continue;
      }
      calls.set(field.name, call);
      const named = getNamedType(field.type);
      if (isLeafType(named)) parts.push(call);
      else if (inline > 0 && isObjectType(named) && !this.isNode(named.name)) {
        const inner = this.selection(named, undefined, inline - 1);
        nested.set(field.name, { ...inner, type: named });
        parts.push(`${call} { ${inner.text} }`);
      } else parts.push(`${call} { __typename${hasId(named) ? ' id' : ''} }`);
    }
    return { text: parts.join(' '), calls, nested, left };
  }

  private isNode(typeName: string): boolean {
    const type = this.schema.getType(typeName);
    return isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node');
  }

  /** Walks from Query's root fields until every reachable type has been read (or the request budget is spent). */
  async walk(): Promise<WalkResult> {
    this.queue.unshift({ type: this.schema.getQueryType()!.name, path: [] });
    // The extra roots once Query's own reach is walked: what they lead to is read at the county first.
    const roots = (this.options.roots ?? []).map((root) => ({
      ...root,
      only: new Set(Object.keys((this.schema.getType(root.type) as GraphQLObjectType).getFields())),
    }));
    for (let round = 0; round < 4; round++) {
      if (round === 1) {
        this.queue.push(...roots);
        for (const [type, ids] of this.later) {
          const seen = this.result.seen.ids.get(type) ?? [];
          this.result.seen.ids.set(type, [...seen, ...ids.filter((id) => !seen.includes(id))]);
          if (this.isNode(type)) this.enqueue(type, null);
        }
      }
      while (this.queue.length && this.result.requests < this.options.maxRequests) {
        const next = this.queue.shift()!;
        if (!next.only && !this.wanted(next.type)) continue;
        let path = next.path;
        if (path === null) {
          const ids = (this.result.seen.ids.get(next.type) ?? []).filter((id) => !this.readIds.has(id)).slice(0, NODES_PER_READ);
          if (!ids.length) continue;
          for (const id of ids) this.readIds.add(id);
          path = [{ field: `nodes(ids: ${JSON.stringify(ids)})`, on: next.type }];
        }
        await this.read(next.type, path, next.only);
      }
      // Fields whose arguments needed ids seen later: once more.
      this.queue.push(...this.pending.splice(0));
    }
    for (const left of this.queue) {
      if (!left.only) continue;
      const type = this.schema.getType(left.type) as GraphQLObjectType;
      for (const field of this.selection(type, left.only).left) this.result.unfilled.add(`${left.type}.${field}`);
    }
    return this.result;
  }

  private wanted(type: string): boolean {
    const reads = this.reads.get(type) ?? 0;
    if (reads === 0) return true;
    if (reads >= MAX_READS_PER_TYPE) return false;
    const object = this.schema.getType(type) as GraphQLObjectType;
    return Object.values(object.getFields()).some((f) => !isLeafType(getNamedType(f.type)) && !this.reached.has(`${type}.${f.name}`));
  }

  private enqueue(type: string, path: Step[] | null): void {
    if (!this.wanted(type)) return;
    if (path === null) {
      if (!this.queue.some((q) => q.type === type && q.path === null)) this.queue.push({ type, path });
      return;
    }
    // A couple of candidate paths per type waiting at a time: the first is read, the next only while the type still wants one.
    if (this.queue.filter((q) => q.type === type && !q.only).length >= MAX_READS_PER_TYPE) return;
    this.queue.push({ type, path });
  }

  /** Reads `type` at `path` over the request function, recording what answered. */
  private async read(typeName: string, path: Step[], only?: Set<string>): Promise<void> {
    const type = this.schema.getType(typeName) as GraphQLObjectType;
    const { text, calls, left } = this.selection(type, only);
    if (left.length) this.pending.push({ type: typeName, path, only: new Set(left) });
    if (calls.size === 0) return;
    const query = wrap(path, text);
    if (path.length + 2 > this.options.maxDepth) {
      this.result.errors.push({ query, message: `path too deep to read ${typeName} within the depth limit` });
      return;
    }
    this.reads.set(typeName, (this.reads.get(typeName) ?? 0) + 1);
    this.result.requests++;
    const response = await this.request(query);
    if (response.errors?.some((e) => e.extensions?.limit) && calls.size > 1) {
      // Refused for an abuse limit: read the fields in two halves.
      this.reads.set(typeName, this.reads.get(typeName)! - 1);
      const names = [...calls.keys()];
      await this.read(typeName, path, new Set(names.slice(0, names.length >> 1)));
      await this.read(typeName, path, new Set(names.slice(names.length >> 1)));
      return;
    }
    const objects: Found[] = [];
    objectsAt(response.data, path, objects);
    const paths = this.paths.get(typeName) ?? [];
    if (paths.length < MAX_READS_PER_TYPE && objects.some((o) => o.object.__typename === typeName)) this.paths.set(typeName, [...paths, path]);
    this.record(query, response, objects, type, { calls, nested: new Map() }, path);
  }

  /**
   * Reads each field with arguments again, once per value `values` gives for
   * one of its arguments (the others as the table fills them), at a path
   * where its type was read: the code paths those values take answer too
   * (a quarter or a year instead of a month, a filter, `asOf`…). Composite
   * answers are read one level deep. Call after {@link walk}.
   */
  async variants(values: (context: { type: string; field: string; arg: GraphQLArgument; seen: Seen }) => unknown[]): Promise<void> {
    for (const [typeName, path] of [...this.paths].flatMap(([name, paths]) => paths.map((p) => [name, p] as const))) {
      const type = this.schema.getType(typeName) as GraphQLObjectType;
      const aliased: Array<{ alias: string; text: string; field: string }> = [];
      for (const field of Object.values(type.getFields())) {
        if (this.fieldCall(typeName, field) === null) continue;
        const filled = new Map<string, string>();
        for (const arg of field.args) {
          const value = this.table({ type: typeName, field: field.name, arg, seen: this.result.seen });
          if (value !== undefined) filled.set(arg.name, literal(value, arg.type));
        }
        const named = getNamedType(field.type);
        const inner = isLeafType(named) ? '' : ` { ${isObjectType(named) ? this.selection(named).text : '__typename'} }`;
        for (const arg of field.args) {
          for (const value of values({ type: typeName, field: field.name, arg, seen: this.result.seen })) {
            const args = new Map(filled).set(arg.name, literal(value, arg.type));
            const call = `${field.name}(${[...args].map(([name, v]) => `${name}: ${v}`).join(', ')})`;
            aliased.push({ alias: `v${aliased.length}`, text: call + inner, field: field.name });
          }
        }
      }
      // Within the alias limit: at most 25 per request.
      for (let i = 0; i < aliased.length && this.result.requests < this.options.maxRequests; i += 25) {
        const batch = aliased.slice(i, i + 25);
        const query = wrap(path, `__typename ${batch.map((a) => `${a.alias}: ${a.text}`).join(' ')}`);
        this.result.requests++;
        const response = await this.request(query);
        for (const error of response.errors ?? []) {
          this.result.errors.push({ query, message: error.message, code: error.extensions?.code as string | undefined, path: error.path });
        }
      }
    }
  }

  /**
   * A mutation or subscription reading every field of `field`'s type: a
   * mutation takes each argument from a variable of the same name, a
   * subscription's arguments come from the table.
   */
  operation(kind: 'mutation' | 'subscription', name: string): Operation {
    const root = (kind === 'mutation' ? this.schema.getMutationType() : this.schema.getSubscriptionType())!;
    const field = root.getFields()[name];
    if (!field) throw new Error(`${root.name}.${name} is not in the schema`);
    const type = getNamedType(field.type);
    if (!isObjectType(type)) throw new Error(`${root.name}.${name} returns ${type.name}, not an object type`);
    const selection = this.selection(type, undefined, 2);
    let call: string | null;
    let variables = '';
    if (kind === 'mutation') {
      variables = field.args.length ? `(${field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ')})` : '';
      call = field.args.length ? `${name}(${field.args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : name;
    } else {
      call = this.fieldCall(root.name, field);
      if (call === null) throw new Error(`${root.name}.${name}: the table cannot fill its required arguments`);
    }
    return { query: `${kind}${variables} { ${call} { ${selection.text} } }`, root, field: name, type, selection };
  }

  /**
   * Records the answer of a root field of a subscription or mutation (one
   * message of a subscription): the root field itself, and its value read as
   * its type. The Nodes it holds are walked after Query's own reach.
   */
  recordRoot(op: Operation, response: WalkResponse): void {
    const { query, root, field, type, selection } = op;
    const objects: Found[] = [];
    const value = response.data?.[field];
    const visit = (v: Json | undefined, at: Array<string | number>) => {
      if (Array.isArray(v)) v.forEach((item, i) => visit(item, [...at, i]));
      else if (v && typeof v === 'object') objects.push({ object: v, at });
    };
    visit(value, [field]);
    if (!response.errors?.length && value !== undefined) this.result.read.add(`${root.name}.${field}`);
    this.record(query, response, objects, type, selection, null);
  }

  /**
   * Records an answer: errors, fields read, DateTimeISO values, ids, and the
   * paths to the types of object-typed fields that answered non-null.
   */
  private record(
    query: string,
    response: WalkResponse,
    objects: Found[],
    type: GraphQLObjectType,
    selection: Pick<Selection, 'calls' | 'nested'>,
    path: Step[] | null,
  ): void {
    for (const error of response.errors ?? []) {
      this.result.errors.push({ query, message: error.message, code: error.extensions?.code as string | undefined, path: error.path });
    }
    this.readObjects(
      (response.errors ?? []).map((e) => (e.path ?? []).join('.')),
      objects,
      type,
      selection,
      path,
    );
  }

  private readObjects(
    errorPaths: string[],
    objects: Found[],
    type: GraphQLObjectType,
    { calls, nested }: Pick<Selection, 'calls' | 'nested'>,
    path: Step[] | null,
  ): void {
    for (const { object, at } of objects) {
      if (object.__typename !== type.name) continue;
      for (const [name, call] of calls) {
        const where = [...at, name].join('.');
        if (errorPaths.some((p) => p === '' || p === where || p.startsWith(`${where}.`))) continue;
        if (!(name in object)) continue;
        this.result.read.add(`${type.name}.${name}`);
        const named = getNamedType(type.getFields()[name].type);
        const values = flatten(object[name]);
        if (named.name === 'DateTimeISO') {
          for (const value of values) {
            this.result.dateTimes++;
            if (value !== null && (typeof value !== 'string' || !ISO_8601_WITH_OFFSET.test(value)))
              this.result.badDateTimes.push(`${type.name}.${name} = ${JSON.stringify(value)}`);
          }
        }
        if (name === 'cursor' && typeof object[name] === 'string') {
          const cursors = this.result.seen.cursors.get(type.name) ?? [];
          cursors.push(object[name]);
          this.result.seen.cursors.set(type.name, cursors);
        }
        if (isLeafType(named)) continue;
        const inner = nested.get(name);
        if (inner) {
          const found: Found[] = [];
          const visit = (v: Json, at: Array<string | number>) => {
            if (Array.isArray(v)) v.forEach((item, i) => visit(item, [...at, i]));
            else if (v && typeof v === 'object') found.push({ object: v, at });
          };
          visit(object[name], [...at, name]);
          if (found.length) this.reached.add(`${type.name}.${name}`);
          this.readObjects(errorPaths, found, inner.type, inner, null);
          continue;
        }
        for (const value of values) {
          if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
          const concrete = value.__typename as string;
          this.reached.add(`${type.name}.${name}`);
          if (typeof value.id === 'string') {
            if (this.options.follow && !this.options.follow(concrete, value.id)) continue;
            if (path === null) {
              // A mutation's or subscription's answer (it arrives when the server sends it): walked after
              // Query's own reach, so the walk's order does not depend on message timing.
              const later = this.later.get(concrete) ?? [];
              if (!later.includes(value.id)) later.push(value.id);
              this.later.set(concrete, later);
              continue;
            }
            const ids = this.result.seen.ids.get(concrete) ?? [];
            if (!ids.includes(value.id)) ids.push(value.id);
            this.result.seen.ids.set(concrete, ids);
          }
          if (typeof value.id === 'string' && this.isNode(concrete)) {
            this.enqueue(concrete, null);
          } else if (path) {
            this.enqueue(concrete, [...path, { field: call, on: isAbstractType(named) ? concrete : undefined }]);
          }
        }
      }
    }
  }
}

/** What a selection asks for: the text, each field's call, the fields read in place, the fields left out. */
export interface Selection {
  text: string;
  calls: Map<string, string>;
  nested: Map<string, Selection & { type: GraphQLObjectType }>;
  left: string[];
}

/** A mutation or subscription reading every field of its root field's type ({@link SchemaWalk.operation}). */
export interface Operation {
  query: string;
  root: GraphQLObjectType;
  field: string;
  type: GraphQLObjectType;
  selection: Selection;
}

type Found = { object: Record<string, Json>; at: Array<string | number> };

function hasId(type: GraphQLNamedType): boolean {
  return (isObjectType(type) || isInterfaceType(type)) && 'id' in type.getFields();
}

/** The objects at the end of `path` in `data`, with their response paths. */
function objectsAt(data: Record<string, Json> | null | undefined, path: Step[], out: Found[]): void {
  const visit = (value: Json, depth: number, at: Array<string | number>) => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, depth, [...at, i]));
      return;
    }
    if (depth === path.length) {
      out.push({ object: value, at });
      return;
    }
    const name = path[depth].field.replace(/\(.*$/, '');
    if (name in value) visit(value[name], depth + 1, [...at, name]);
  };
  if (data) visit(data, 0, []);
}

function flatten(value: Json): Json[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}
