import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Random GraphQL requests for the fuzz suite (test/e2e/fuzz.e2e.test.ts): operations
 * drawn from the schema itself (every root field, arguments of every input type,
 * valid values and wrong ones, as literals and as variables, through fragments and
 * aliases), then broken the ways a careless or hostile client breaks them. Everything
 * comes from one seeded generator, so a failure names the seed and case that reproduce it.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1) (mulberry32). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Up to `n` distinct items in random order. */
  some<T>(items: readonly T[], n: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (pool.length && out.length < n) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]);
    return out;
  }
}

/** Text a client may send: real codes and names, and the hostile kinds (control characters, odd Unicode, long). */
const STRINGS = [
  '511921',
  '511921001',
  '511921001001',
  '511921100',
  '999999',
  '000000',
  '',
  ' ',
  '壁州街道',
  '敬老院',
  '2026-05',
  '2026-13',
  '2026-05-01',
  '2026-02-30',
  'ELDERLY_60_PLUS',
  'NURSING_HOME',
  'QXJlYTo1MTE5MjE=',
  'Y3Vyc29yOjE=',
  'bnVsbA==',
  'x'.repeat(300),
  '名'.repeat(120),
  'a\u0000b',
  'line\u0007bell',
  '\u202eRTL',
  '\ud800',
  '😀🇨🇳',
  "'; drop table area; --",
  '%_\\',
  '=HYPERLINK("http://x","y")',
  '__proto__',
  'constructor',
  '{"a":1}',
];

const NUMBERS = [0, 1, -1, 2, 5, 10, 50, 100, 101, 1000, -100, 2147483647, 2147483648, -2147483649, 1e15, 0.5, -0.0001];

const SCALAR_VALUES: Record<string, unknown[]> = {
  DateTimeISO: ['2026-05-01T00:00:00Z', '2026-05-01T08:00:00+08:00', '2026-13-01T00:00:00Z', 'yesterday', 0, '2099-01-01T00:00:00Z'],
  LocalDate: ['2026-05-01', '2026-02-29', '2024-02-29', '1900-01-01', '2026-5-1', 20260501],
  Period: ['2026-05', '2026-12', '2025-01', '2026-00', '2026-5', 'month'],
  Decimal: ['0', '1.5', '-3', '123456789012345678901234567890', '1e400', 'NaN', 1.25, '0.001', ''],
  JSONObject: [{}, { a: 1 }, { nested: { deep: [1, 2, { x: null }] } }, [], 'text', 1],
  ID: ['QXJlYTo1MTE5MjE=', 'RmFjaWxpdHk6MQ==', 'VGFzazox', 'UHJvamVjdDox', 'bm9wZQ==', '1', '', 'not base64 !'],
};

/** A value for an input type: mostly well-typed, sometimes wrong (the server must refuse those cleanly). */
export function inputValue(rnd: Random, type: GraphQLInputType, depth = 0): unknown {
  if (rnd.chance(0.04)) return rnd.pick<unknown>([null, 'wrong', 7, true, [], {}]);
  if (isNonNullType(type)) return inputValue(rnd, type.ofType, depth);
  if (isListType(type)) {
    const n = depth > 2 ? 0 : rnd.int(0, 3);
    return Array.from({ length: n }, () => inputValue(rnd, type.ofType, depth + 1));
  }
  if (isEnumType(type)) {
    const values = type.getValues().map((v) => v.name);
    return rnd.chance(0.9) ? rnd.pick(values) : 'NOT_A_VALUE';
  }
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    if (depth > 3) return out;
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) ? rnd.chance(0.97) : rnd.chance(0.5)) out[field.name] = inputValue(rnd, field.type, depth + 1);
    }
    if (rnd.chance(0.03)) out.notAField = 1;
    return out;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return rnd.pick(NUMBERS.filter((n) => Number.isInteger(n) || rnd.chance(0.2)));
      case 'Float':
        return rnd.pick(NUMBERS);
      case 'Boolean':
        return rnd.chance(0.95) ? rnd.chance(0.5) : 'yes';
      case 'String':
        return rnd.pick(STRINGS);
      default:
        return rnd.pick(SCALAR_VALUES[type.name] ?? STRINGS);
    }
  }
  return null;
}

/** A value written as a GraphQL literal (enum values bare, objects with unquoted keys). */
export function literal(value: unknown, type: GraphQLInputType | null): string {
  if (value === null || value === undefined) return 'null';
  const named = type ? getNullableType(type) : null;
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, named && isListType(named) ? named.ofType : null)).join(', ')}]`;
  if (typeof value === 'object') {
    const fields = named && isInputObjectType(named) ? named.getFields() : {};
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${literal(v, fields[k]?.type ?? null)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'string' && named && isEnumType(named) && /^[A-Z_][A-Z0-9_]*$/.test(value)) return value;
  if (typeof value === 'number' && !Number.isFinite(value)) return '0';
  return JSON.stringify(value);
}

export interface FuzzOperation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/**
 * Builds one random operation of `kind` against the schema: a few root fields with
 * arguments, nested selections down to `maxDepth`, some through named fragments,
 * inline fragments on abstract types, aliases, `@include`/`@skip`.
 */
export function randomOperation(schema: GraphQLSchema, rnd: Random, kind: 'query' | 'mutation' | 'subscription', maxDepth = 4): FuzzOperation {
  const root = kind === 'query' ? schema.getQueryType() : kind === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) throw new Error(`no ${kind} type`);
  const variables: Record<string, unknown> = {};
  const definitions: string[] = [];
  const fragments: string[] = [];
  let aliasCount = 0;

  function args(field: GraphQLField<unknown, unknown>): string {
    const written: string[] = [];
    for (const arg of field.args) {
      const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
      if (!required && !rnd.chance(0.4)) continue;
      if (required && rnd.chance(0.02)) continue; // a missing required argument
      const value = inputValue(rnd, arg.type);
      if (rnd.chance(0.5)) {
        const name = `v${definitions.length}`;
        definitions.push(`$${name}: ${String(arg.type)}`);
        // Sometimes a variable is declared and never sent.
        if (!rnd.chance(0.03)) variables[name] = value;
        written.push(`${arg.name}: $${name}`);
      } else {
        written.push(`${arg.name}: ${literal(value, arg.type)}`);
      }
    }
    return written.length ? `(${written.join(', ')})` : '';
  }

  function selection(type: GraphQLNamedType, depth: number): string {
    if (isLeafType(type)) return '';
    const possible = isAbstractType(type) ? schema.getPossibleTypes(type) : [type as GraphQLObjectType];
    if (isAbstractType(type)) {
      const parts = ['__typename', ...rnd.some(possible, 2).map((t) => `... on ${t.name} ${selection(t, depth)}`)];
      return `{ ${parts.join(' ')} }`;
    }
    const object = type as GraphQLObjectType;
    const fields = Object.values(object.getFields());
    const leafs = fields.filter((f) => isLeafType(getNamedType(f.type)) && !f.args.some((a) => isNonNullType(a.type)));
    const chosen = depth >= maxDepth ? rnd.some(leafs.length ? leafs : fields.slice(0, 1), 3) : rnd.some(fields, rnd.int(1, 4));
    const parts: string[] = [];
    for (const field of chosen) {
      const named = getNamedType(field.type);
      if (!isLeafType(named) && depth >= maxDepth) continue;
      const alias = rnd.chance(0.1) ? `a${aliasCount++}: ` : '';
      const directive = rnd.chance(0.05) ? ` @include(if: ${rnd.chance(0.5)})` : rnd.chance(0.03) ? ' @skip(if: false)' : '';
      const inner = isLeafType(named) ? '' : ` ${selection(named, depth + 1)}`;
      parts.push(`${alias}${field.name}${args(field)}${directive}${inner}`);
    }
    if (!parts.length || rnd.chance(0.2)) parts.push('__typename');
    const body = `{ ${parts.join(' ')} }`;
    if (depth > 0 && rnd.chance(0.15)) {
      const name = `F${fragments.length}`;
      fragments.push(`fragment ${name} on ${object.name} ${body}`);
      return `{ ...${name} }`;
    }
    return body;
  }

  const rootFields = rnd.some(Object.values(root.getFields()), kind === 'query' ? rnd.int(1, 3) : 1);
  const parts = rootFields.map((field) => {
    const named = getNamedType(field.type);
    return `${field.name}${args(field)}${isLeafType(named) ? '' : ` ${selection(named, 1)}`}`;
  });
  const operationName = rnd.chance(0.5) ? `Fuzz${rnd.int(0, 20)}` : undefined;
  const head = `${kind}${operationName ? ` ${operationName}` : ''}${definitions.length ? `(${definitions.join(', ')})` : ''}`;
  const query = [`${head} { ${parts.join(' ')} }`, ...fragments].join('\n');
  return { query, variables: Object.keys(variables).length ? variables : undefined, operationName };
}

const NOISE = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ':',
  '$',
  '@',
  '!',
  '.',
  '...',
  ',',
  '"',
  '\\',
  '\u0000',
  '#',
  'é',
  '名',
  '\n',
  ' on ',
  'fragment',
  'query',
  '__schema',
  '1e999',
  '"""',
];

/** The text broken a few ways: cut, spans deleted or repeated, noise inserted. */
export function mangle(rnd: Random, text: string): string {
  let out = text;
  for (let edits = rnd.int(1, 3); edits > 0; edits--) {
    const at = rnd.int(0, out.length);
    switch (rnd.int(0, 3)) {
      case 0:
        out = out.slice(0, at);
        break;
      case 1:
        out = out.slice(0, at) + out.slice(Math.min(out.length, at + rnd.int(1, 12)));
        break;
      case 2: {
        const span = out.slice(at, at + rnd.int(1, 20));
        out = out.slice(0, at) + span + span + out.slice(at);
        break;
      }
      default:
        out = out.slice(0, at) + rnd.pick(NOISE) + out.slice(at);
    }
  }
  return out;
}

/** Request bodies of the wrong shape: not JSON, wrong member types, batches, deep nesting. */
export function malformedBody(rnd: Random, valid: FuzzOperation): string {
  const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);
  const shapes: (() => unknown)[] = [
    () => ({ query: 5 }),
    () => ({ query: null }),
    () => ({}),
    () => ({ query: valid.query, variables: 'text' }),
    () => ({ query: valid.query, variables: [1, 2] }),
    () => ({ query: valid.query, variables: { v0: deep(rnd.int(10, 3000)) } }),
    () => ({ query: valid.query, operationName: 5 }),
    () => ({ query: valid.query, operationName: rnd.pick(['X', '', 'Fuzz99', '__proto__']) }),
    () => ({ query: valid.query, extensions: 'x' }),
    () => ({ query: valid.query, extensions: { persistedQuery: { version: 1, sha256Hash: rnd.pick(['0'.repeat(64), 'zz', 5]) } } }),
    () => ({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
    () => [valid, valid],
    // JSON.parse makes `__proto__` an own member, as a client's JSON does.
    () => JSON.parse(`{"query": ${JSON.stringify(valid.query)}, "variables": {"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}}`),
    () => ({ query: `{ ${Array.from({ length: rnd.int(31, 200) }, (_, i) => `a${i}: __typename`).join(' ')} }` }),
    () => ({
      query: `query Q(${Array.from({ length: 60 }, (_, i) => `$v${i}: Int!`).join(', ')}) { __typename }`,
      variables: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`v${i}`, 'x'])),
    }),
    () => ({ query: fragmentBomb(rnd.int(2, 11)) }),
  ];
  const raw: (() => string)[] = [
    () => mangle(rnd, JSON.stringify(valid)),
    () => 'null',
    () => '[]',
    () => '"query"',
    () => '{"query": "{ __typename }"',
    () => '\u0000',
  ];
  return rnd.chance(0.75) ? JSON.stringify(rnd.pick(shapes)()) : rnd.pick(raw)();
}

/**
 * Issue 34's compile bomb: `levels` fragments, each spreading the one below ten times
 * (about 1 KB at nine levels, 10^levels fields once expanded).
 */
export function fragmentBomb(levels: number): string {
  const fragments = ['fragment F0 on Area { name parent { name } }'];
  for (let level = 1; level <= levels; level++)
    fragments.push(`fragment F${level} on Area { ${Array.from({ length: 10 }, () => `...F${level - 1}`).join(' ')} }`);
  return [`{ area(code: "511921") { ...F${levels} } }`, ...fragments].join('\n');
}
