import { randomBytes } from 'node:crypto';
import { getArgumentValues, isObjectType, visit, type FieldNode, type GraphQLObjectType, type SelectionSetNode } from 'graphql';
import { normalizeCode, PREFIX_LENGTH, type AreaLevel } from '../../common/codes.js';
import { pageRequest, type PageRequest } from '../../common/connection.js';
import { fieldsOf, columns, JsonText, record, sql, type CompilationScope, type SqlRead, type SqlText, type Variables } from '../../graphql/sql-reads.js';
import { preparedName } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import type { AreaListArgs } from './area.inputs.js';

type ChildrenPage = PageRequest & { includeRetired: boolean };

/** An area where a {@link AreaTreeField} goes in the answer. */
export interface AreaKey {
  code: string;
  level: AreaLevel;
}

/**
 * A field of Area that another feature answers inside the tree read (its
 * manifest: `hooks: { areaTreeFields: [...] }`), such as the statistics of
 * every node of a county tree. The statement gives each area's code and level
 * where the field goes; after it, the feature answers the field for all of
 * them at once (one batch, rather than a resolver per node).
 */
export interface AreaTreeField {
  /** The field's name on Area. */
  name: string;
  /** The field with its arguments and selection, compiled; null leaves the operation to the executor. */
  compile(field: FieldNode, scope: CompilationScope): AreaTreeFill | null;
}

/**
 * The field's answer (JSON values) for each of `areas`, in order, exactly as
 * graphql-js would answer it; null where that could differ (an error, a viewer
 * who may not read it): the resolvers then answer the whole operation.
 */
export type AreaTreeFill = (ctx: Context, variables: Variables, areas: readonly AreaKey[]) => Promise<unknown[] | null>;

declare module '../../graphql/context.js' {
  interface Hooks {
    /**
     * AREA TREE FIELDS — fields on Area that the area tree read (one statement)
     * takes, answered by the feature that owns them (area.sql-read.ts).
     */
    areaTreeFields: AreaTreeField[];
  }
}

/**
 * Where a field answered after the statement goes, in the statement's JSON: the
 * string `"<FILL_MARK><fill's index>:<code> <level>"`. The mark is random per
 * process, so no stored text can pose as a place; places never reach an answer
 * (they are replaced, or the read declines).
 */
const FILL_MARK = `fill-${randomBytes(12).toString('hex')}-`;

/**
 * The area tree as one statement: `area(code) { ... children { ... } }` with plain
 * fields, `children` connections and counts is answered by a single SQL statement that
 * builds the answer's JSON in PostgreSQL, the shape of a dashboard's tree and
 * drill-down. Fields other features join in (`hooks.areaTreeFields`: the
 * statistics) are answered after the statement, one batch for the whole tree.
 * Anything else in the selection (facilities, `parent`, a directive) leaves the
 * whole operation to the executor, as do arguments the resolvers would refuse
 * (their errors are worded there).
 *
 * Every field here mirrors its resolver in area.entity.ts / area.service.ts /
 * area.loaders.ts; test/e2e/executor.e2e.test.ts compares the answers byte for byte
 * with graphql-js. Area reads need no viewer: the hierarchy is public.
 */
export const areaTreeRead: SqlRead = {
  compile(operation, scope) {
    const query = scope.schema.getQueryType();
    const area = scope.schema.getType('Area');
    if (!query || !isObjectType(area)) return null;
    const compiler = new TreeCompiler(scope, area);
    const root = fieldsOf(operation.selectionSet, query, scope);
    if (!root) return null;
    const entries: [string, SqlText][] = [];
    for (const [key, field] of root) {
      let value: SqlText | null = null;
      if (field.name.value === '__typename') value = sql`${`'${query.name}'::text`}`;
      else if (field.name.value === 'area' && onlyArguments(field, ['code'])) {
        const definition = query.getFields().area;
        const code = argument(field, (variables) => normalizeCode((getArgumentValues(definition, field, variables) as { code: string }).code, 'code'));
        const object = code && field.selectionSet && compiler.object(field.selectionSet, 'a0', 0);
        if (object) value = sql`(select ${object} from area a0 where a0.code = ${bind(code, (c) => c, 'text')})`;
      }
      if (!value) return null;
      entries.push([key, value]);
    }
    const fills = compiler.fills;
    const list = columns(entries);
    if (!list) return null;
    const { text, params } = sql`select row_to_json(q)::text as data from (select ${list}) q`.build();
    const prepared = preparedName('area_tree', text);
    return async (ctx, variables) => {
      let values: unknown[];
      try {
        values = params(variables);
      } catch {
        // An argument the resolver would refuse: the executor words the error.
        return null;
      }
      const [row] = await ctx.sql<{ data: string }>(text, values, { prepared });
      // json_agg puts ", \n " between items. A newline is never raw inside a JSON string
      // (PostgreSQL writes \n), so this makes the text exactly what JSON.stringify writes.
      const json = row.data.replaceAll(', \n ', ',');
      const data = fills.length ? await fillIn(ctx, variables, json, fills) : json;
      return data === null ? null : { data: new JsonText(data) };
    };
  },
};

/**
 * Answers the fields that other features fill in (each fill once, for all its
 * areas, all fills at once so that their loaders batch together) and writes their
 * values in place of the places in `json`; null when a fill declines.
 */
async function fillIn(ctx: Context, variables: Variables, json: string, fills: readonly AreaTreeFill[]): Promise<string | null> {
  // Piece 0 precedes the first place; each other piece starts with a place's rest (`0:<code> <level>"`).
  const pieces = json.split(`"${FILL_MARK}`);
  const areas = fills.map(() => [] as AreaKey[]);
  const places: { fill: number; index: number; rest: string }[] = [];
  for (let p = 1; p < pieces.length; p++) {
    const piece = pieces[p];
    const colon = piece.indexOf(':');
    const space = piece.indexOf(' ', colon);
    const end = piece.indexOf('"', space);
    const fill = Number(piece.slice(0, colon));
    places.push({
      fill,
      index: areas[fill].push({ code: piece.slice(colon + 1, space), level: piece.slice(space + 1, end) as AreaLevel }) - 1,
      rest: piece.slice(end + 1),
    });
  }
  const answers = await Promise.all(fills.map((fill, i) => (areas[i].length ? fill(ctx, variables, areas[i]) : Promise.resolve([]))));
  if (answers.some((values) => values === null)) return null;
  let text = pieces[0];
  for (const { fill, index, rest } of places) text += JSON.stringify(answers[fill]![index]) + rest;
  return text;
}

/** A nested `children` deeper than this is left to the executor (depth limits apply there). */
const MAX_DEPTH = 6;

/** Plain columns of Area and their SQL (alias `$`). */
const COLUMNS: Record<string, (a: string) => string> = {
  code: (a) => `${a}.code`,
  name: (a) => `${a}.name`,
  level: (a) => `${a}.level`,
  kind: (a) => `${a}.kind`,
  // The text PostgreSQL sends for a date, which is what the driver hands the resolver.
  validFrom: (a) => `${a}.valid_from::text`,
  validTo: (a) => `${a}.valid_to::text`,
  isCurrent: (a) => `(${a}.valid_to is null)`,
  // toGlobalId: base64url of `Area:<code>`, without padding.
  id: (a) => base64url(`'Area:' || ${a}.code`),
  // shortNameOf in area.rules.ts, step by step.
  shortName: (a) =>
    `regexp_replace(regexp_replace(regexp_replace(regexp_replace(${a}.name, '居民委员会$', ''), '村民委员会$', '村'), '(居委会|委员会)$', ''), '村村$', '村')`,
};

/**
 * The fields of Area the tree read compiles into its statement: the plain columns
 * above, and the three `areaField` answers by subquery. Fields other features join
 * in (`hooks.areaTreeFields`, e.g. `stats`) are filled after the statement.
 * test/e2e/area-fields.e2e.test.ts holds every Area field of the schema to be
 * here, in a hook, or in {@link AREA_RESOLVER_ONLY}.
 */
export const AREA_SQL_FIELDS: readonly string[] = [...Object.keys(COLUMNS), 'childCount', 'descendantCount', 'children'];

/**
 * Fields of Area the tree read does NOT compile: selecting one leaves the whole
 * operation to the executor (graphql-jit or graphql-js), so only its resolver
 * answers it. A new Area field goes either into the statement (COLUMNS or
 * `areaField`) or here, on purpose.
 */
export const AREA_RESOLVER_ONLY: readonly string[] = [
  // Other areas by relation: parent/successor/ancestors are read by the area loaders;
  // descendants is a paged range read with its own filters.
  'parent',
  'successor',
  'ancestors',
  'descendants',
  // Other features' fields on Area, answered by their resolvers and access rules
  // (the viewer matters for these, unlike the public hierarchy).
  'approval',
  'demonstrationEnrolments',
  'facilities',
  'facilitySummary',
  'governanceBodies',
  'governanceBody',
  'governanceCoverage',
  'observationHistory',
  'observationHistoryConnection',
  'observations',
  'opennessCompliance',
  'opennessRecord',
  'projects',
  'rectifications',
  'reporting',
  'reportingCompletenessSetting',
  'statsSeries',
  'tasks',
];

/** base64url without padding of a text expression (PostgreSQL's base64 wraps lines at 76: removed too). */
const base64url = (text: string) => `translate(encode(convert_to(${text}, 'UTF8'), 'base64'), E'+/=\\n', '-_')`;

/** encodeCursor in common/connection.ts. */
const cursor = (code: string) => base64url(`'k:' || ${code}`);

/** Significant digits of a code at the level in `level` (PREFIX_LENGTH in common/codes.ts). */
const prefixLength = (level: string) =>
  `case ${level} ${Object.entries(PREFIX_LENGTH)
    .map(([name, length]) => `when '${name}' then ${length}`)
    .join(' ')} end`;

function onlyArguments(field: FieldNode, names: readonly string[]): boolean {
  return (field.arguments ?? []).every((arg) => names.includes(arg.name.value));
}

/**
 * An argument's value: known when the document is compiled (literals only: it goes
 * into the statement's text, so a prepared statement plans as well as a one-off),
 * or read per request from the variables (a bind parameter). Null when a literal is
 * one the resolver refuses: the executor answers with its error.
 */
type Value<T> = { constant: T } | { read: (variables: Variables) => T };

function argument<T>(field: FieldNode, read: (variables: Variables) => T): Value<T> | null {
  if (!usesVariables(field)) {
    try {
      return { constant: read({}) };
    } catch {
      return null;
    }
  }
  // Evaluated once per request however many parameters use it.
  const seen = new WeakMap<Variables, T>();
  return {
    read: (variables) => {
      if (seen.has(variables)) return seen.get(variables)!;
      const value = read(variables);
      seen.set(variables, value);
      return value;
    },
  };
}

function usesVariables(field: FieldNode): boolean {
  let found = false;
  for (const arg of field.arguments ?? []) {
    visit(arg.value, {
      Variable() {
        found = true;
      },
    });
  }
  return found;
}

/** Part of a value as SQL: a literal when the value is constant, else a bind parameter; cast to `type`. */
function bind<T>(value: Value<T>, pick: (value: T) => string | number | boolean | null, type: string): SqlText {
  if ('read' in value) return sql`${(variables: Variables) => pick(value.read(variables))}::${type}`;
  const v = pick(value.constant);
  const literal = v === null ? 'null' : typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v);
  return sql`${literal}::${type}`;
}

class TreeCompiler {
  /** The fields other features answer after the statement, by the index their places carry. */
  readonly fills: AreaTreeFill[] = [];
  private readonly treeFields: ReadonlyMap<string, AreaTreeField>;
  private readonly connection: GraphQLObjectType;
  private readonly edge: GraphQLObjectType;
  private readonly pageInfo: GraphQLObjectType;

  constructor(
    private readonly scope: CompilationScope,
    private readonly area: GraphQLObjectType,
  ) {
    this.connection = scope.schema.getType('AreaConnection') as GraphQLObjectType;
    this.edge = scope.schema.getType('AreaEdge') as GraphQLObjectType;
    this.pageInfo = scope.schema.getType('PageInfo') as GraphQLObjectType;
    this.treeFields = new Map((scope.hooks.areaTreeFields ?? []).map((field) => [field.name, field]));
  }

  /**
   * The area in alias `a` as a row (an object in the JSON), or null when the
   * selection is not all compilable.
   */
  object(selectionSet: SelectionSetNode, a: string, depth: number): SqlText | null {
    const entries = this.entries(selectionSet, this.area, (field) => this.areaField(field, a, depth));
    return entries && record(entries);
  }

  /** Each response key of the selection with its SQL, in answer order; null when a field is not compilable. */
  private entries(
    selectionSet: SelectionSetNode,
    type: GraphQLObjectType,
    valueOf: (field: FieldNode, key: string) => SqlText | null,
  ): [string, SqlText][] | null {
    const fields = fieldsOf(selectionSet, type, this.scope);
    if (!fields) return null;
    const entries: [string, SqlText][] = [];
    for (const [key, field] of fields) {
      const value = valueOf(field, key);
      if (!value) return null;
      entries.push([key, value]);
    }
    return entries;
  }

  private areaField(field: FieldNode, a: string, depth: number): SqlText | null {
    const name = field.name.value;
    const definition = this.area.getFields()[name];
    if (name === '__typename') return sql`'Area'::text`;
    if (!definition) return null;
    const treeField = this.treeFields.get(name);
    if (treeField) {
      const fill = treeField.compile(field, this.scope);
      if (!fill) return null;
      // Where the value goes, the area it is of: filled in by fillIn.
      return sql`${`'${FILL_MARK}${this.fills.push(fill) - 1}:' || ${a}.code || ' ' || ${a}.level`}`;
    }
    if (COLUMNS[name]) return field.arguments?.length ? null : sql`${COLUMNS[name](a)}`;
    if (name === 'childCount') {
      return field.arguments?.length ? null : sql`(select count(*)::int from area x where x.parent_code = ${a}.code and x.valid_to is null)`;
    }
    if (name === 'descendantCount' && onlyArguments(field, ['level'])) {
      const level = argument(field, (variables) => (getArgumentValues(definition, field, variables) as { level?: string | null }).level ?? null);
      if (!level) return null;
      const only = bind(level, (l) => l, 'text');
      // The loader's range: (code, prefix padded with 9s]; current areas only.
      return sql`(select count(*)::int from area x
          where x.code > ${a}.code and x.code <= rpad(left(${a}.code, ${prefixLength(`${a}.level`)}), 12, '9')
            and (${only} is null or x.level = ${only}) and x.valid_to is null)`;
    }
    if (name === 'children' && field.selectionSet && onlyArguments(field, ['first', 'after', 'includeRetired']) && depth < MAX_DEPTH) {
      const page = argument(field, (variables): ChildrenPage => {
        const args = getArgumentValues(definition, field, variables) as unknown as AreaListArgs;
        return { ...pageRequest(args), includeRetired: args.includeRetired };
      });
      return page && this.children(field.selectionSet, a, depth + 1, page);
    }
    return null;
  }

  /**
   * A page of children as the children loader reads it: parent_code, current unless
   * `includeRetired`, after the cursor's code, in code order, `first` of them.
   */
  private children(selectionSet: SelectionSetNode, parent: string, depth: number, page: Value<ChildrenPage>): SqlText | null {
    const c = `a${depth}`;
    const retired = bind(page, (p) => p.includeRetired, 'boolean');
    const after = bind(page, (p) => p.afterKey, 'text');
    const first = bind(page, (p) => p.first, 'int');
    const inList = (t: string) =>
      sql`${t}.parent_code = ${parent}.code and (${retired} or ${t}.valid_to is null) and (${after} is null or ${t}.code > ${after})`;
    const entries = this.entries(selectionSet, this.connection, (field) => {
      const name = field.name.value;
      if (field.arguments?.length) return null;
      if (name === '__typename') return sql`'AreaConnection'::text`;
      if (name === 'totalCount') {
        return sql`(select count(*)::int from area t where t.parent_code = ${parent}.code and (${retired} or t.valid_to is null))`;
      }
      if (!field.selectionSet) return null;
      if (name === 'nodes') {
        const object = this.object(field.selectionSet, c, depth);
        return object && sql`coalesce(json_agg(${object} order by ${c}.code), '[]'::json)`;
      }
      if (name === 'edges') {
        const edge = this.edgeObject(field.selectionSet, c, depth);
        return edge && sql`coalesce(json_agg(${edge} order by ${c}.code), '[]'::json)`;
      }
      if (name === 'pageInfo') {
        const hasNextPage = sql`(select count(*)::int from (select 1 from area t where ${inList('t')} limit ${first} + 1) t) > ${first}`;
        return this.pageInfoObject(field.selectionSet, c, hasNextPage, after);
      }
      return null;
    });
    const list = entries && columns(entries);
    // One row always (`group by ()`, also when no column aggregates the page): the
    // aggregates over an empty page give null, hence the coalesces.
    return (
      list &&
      sql`(select r from (select ${list}
        from (select * from area ${c} where ${inList(c)} order by ${c}.code limit ${first}) ${c} group by ()) r)`
    );
  }

  private edgeObject(selectionSet: SelectionSetNode, c: string, depth: number): SqlText | null {
    const entries = this.entries(selectionSet, this.edge, (field) => {
      const name = field.name.value;
      if (field.arguments?.length) return null;
      if (name === '__typename') return sql`'AreaEdge'::text`;
      if (name === 'cursor') return sql`${cursor(`${c}.code`)}`;
      return name === 'node' && field.selectionSet ? this.object(field.selectionSet, c, depth) : null;
    });
    return entries && record(entries);
  }

  private pageInfoObject(selectionSet: SelectionSetNode, c: string, hasNextPage: SqlText, after: SqlText): SqlText | null {
    const entries = this.entries(selectionSet, this.pageInfo, (field) => {
      if (field.arguments?.length) return null;
      switch (field.name.value) {
        case '__typename':
          return sql`'PageInfo'::text`;
        case 'hasNextPage':
          return hasNextPage;
        case 'hasPreviousPage':
          return sql`(${after} is not null)`;
        case 'startCursor':
          return sql`${cursor(`min(${c}.code)`)}`;
        case 'endCursor':
          return sql`${cursor(`max(${c}.code)`)}`;
        default:
          return null;
      }
    });
    return entries && record(entries);
  }
}
