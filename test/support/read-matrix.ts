import { getNamedType, isInterfaceType, isObjectType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { fromGlobalId } from '../../src/common/global-id.js';
import type { MatrixRole } from './access-matrix.js';
import type { Result, TestApp } from './app.js';
import { significantPrefix } from '../../src/common/codes.js';

/**
 * The read matrix: the read-side counterpart of the access matrix. Every read
 * (Query field, `Area` field, `node(id)` type, HTTP download, subscription) ×
 * every role × a caller at the county, at a township and at one of its villages
 * (and anonymous), against a fixture holding objects of every kind inside and
 * outside each caller's subtree. A case asserts that
 *
 * - everything the response reveals lies in the caller's subtree and may be
 *   read by the caller's role (no leak: ids, area codes, names, counts);
 * - what the caller may read is actually returned (the case cannot pass by
 *   returning nothing);
 * - refusals are the feature's documented ones (FORBIDDEN, UNAUTHENTICATED,
 *   an empty list or null), and their messages name no area the caller neither
 *   holds nor asked about.
 *
 * A feature adds rows (test/e2e/read-matrix.rows.ts); the runner
 * (test/e2e/read-matrix.e2e.test.ts) fails when a Query or Subscription field,
 * a Node type, an `Area` field or a field leading from one protected object to
 * another has no row.
 */

export type ReadRole = MatrixRole;
export const READ_ROLES: ReadRole[] = ['COUNTY_ADMIN', 'SECTION_STAFF', 'TOWNSHIP_OPERATOR', 'VILLAGE_OPERATOR', 'VIEWER', 'LEADER'];
/** Who may see audit rectification and supervision (SENSITIVE_READERS in the services). */
export const SENSITIVE: ReadRole[] = ['COUNTY_ADMIN', 'LEADER', 'SECTION_STAFF', 'TOWNSHIP_OPERATOR'];
/** Who may read the audit log (AUDIT_READERS in the audit service): the bureau's administrators and its leaders (县/局领导). */
export const AUDIT_READERS: ReadRole[] = ['COUNTY_ADMIN', 'LEADER'];

/**
 * The fixture's places: the county 通江县 (C), 民胜镇 (A) with two of its
 * villages (A1, A2), 火炬镇 (B) with one (B1), and 南江县 (XC), a township (X)
 * and a village (X1) of it, a second county loaded for the "outside" of county callers.
 */
export const PLACES = {
  C: '511921000000',
  A: '511921101000',
  A1: '511921101001',
  A2: '511921101200',
  B: '511921102000',
  B1: '511921102001',
  XC: '511922000000',
  X: '511922001000',
  X1: '511922001001',
} as const;
export type Place = keyof typeof PLACES;

/** The areas every area-rooted row is probed at, for every caller. */
export const PROBE_AREAS: string[] = [PLACES.C, PLACES.A, PLACES.A1, PLACES.A2, PLACES.B, PLACES.B1, PLACES.XC, PLACES.X1];

/** Who asks: a role at an area (12 digits), or anonymous. */
export interface Caller {
  role: ReadRole | 'ANONYMOUS';
  area: string | null;
  section?: string;
}

/** Every role at the county, at 民胜镇 and at its village A1; then anonymous. */
export function readCallers(): Caller[] {
  const callers: Caller[] = READ_ROLES.flatMap((role) => [PLACES.C, PLACES.A, PLACES.A1].map((area) => ({ role, area })));
  callers.push({ role: 'ANONYMOUS', area: null });
  return callers;
}

export function callerName(caller: Caller): string {
  return caller.area ? `${caller.role} at ${caller.area}` : 'anonymous';
}

/** Whether `code` lies in the subtree of `root` (itself included). */
export function inSubtree(root: string, code: string): boolean {
  return code.startsWith(significantPrefix(root));
}

/** One object of the fixture, as the matrix knows it. */
export interface Known {
  /** Global ID (or a pseudo-ID `Type:key` for objects that are not Nodes). */
  id: string;
  /** GraphQL type name. */
  type: string;
  /** Where the fixture put it (a key of {@link PLACES}), for test names. */
  place: string;
  /** The areas it belongs to; a caller holding any of them may read it (a task: its own area and its assignments'). */
  codes: string[];
  /** Roles that may read it at all; every signed-in role when absent. */
  readers?: ReadRole[];
  /** Replaces the `codes` rule: whether a caller at this area may read it. */
  visibleFrom?: (callerArea: string) => boolean;
  /** Unique strings (names, titles, findings) that only it carries: found anywhere in a response, they reveal it. */
  names?: string[];
  /** Anything a row's checks need (targets, done quantities, values…). */
  data?: Record<string, unknown>;
}

/** The fixture's objects, by ID and by name. */
export class Registry {
  private readonly byId = new Map<string, Known>();
  private readonly named: [string, Known][] = [];

  add(known: Known): Known {
    if (this.byId.has(known.id)) throw new Error(`registered twice: ${known.id}`);
    this.byId.set(known.id, known);
    for (const name of known.names ?? []) this.named.push([name, known]);
    return known;
  }

  get(id: string): Known | undefined {
    return this.byId.get(id);
  }

  /** The object with this id; throws when the fixture has none. */
  one(id: string): Known {
    const known = this.byId.get(id);
    if (!known) throw new Error(`not in the fixture: ${id}`);
    return known;
  }

  all(...types: string[]): Known[] {
    return [...this.byId.values()].filter((known) => !types.length || types.includes(known.type));
  }

  /** The fixture objects whose unique names appear in `text`. */
  namedIn(text: string): Known[] {
    return this.named.filter(([name]) => text.includes(name)).map(([, known]) => known);
  }
}

/** Whether the caller may read the object (role, then area). */
export function mayRead(caller: Caller, known: Known): boolean {
  if (!caller.area || caller.role === 'ANONYMOUS') return false;
  if (known.readers && !known.readers.includes(caller.role)) return false;
  const area = caller.area;
  return known.visibleFrom ? known.visibleFrom(area) : known.codes.some((code) => inSubtree(area, code));
}

/** Whether the object belongs to the subtree of `area` (a probe's area). */
export function touches(known: Known, area: string): boolean {
  return known.codes.some((code) => inSubtree(area, code));
}

/**
 * What a response reveals, as tokens: global IDs of fixture objects, or
 * `code:<12 digits>` for per-area data that has no ID of its own (a rolled-up
 * value, a village missing from a report, an openness record).
 */
export type Revealed = string;
export const code = (areaCode: string): Revealed => `code:${areaCode}`;

/** How a probe must come out. */
export type Outcome =
  /** Data, revealing only what the caller may read, and at least `include`. */
  | { kind: 'DATA'; include: Revealed[]; count?: number }
  /** No error and nothing revealed (an empty list, an empty summary). */
  | { kind: 'EMPTY' }
  /** No error, and null (an object by ID), or nothing revealed (a field of an area). */
  | { kind: 'NULL' }
  | { kind: 'FORBIDDEN' }
  | { kind: 'UNAUTHENTICATED' };

/** The context of a probe handed to a row's hooks. */
export interface ProbeContext<F> {
  fx: F;
  caller: Caller;
  /** The probe's area (area-rooted rows), or null. */
  area: string | null;
  outcome: Outcome;
}

interface RowBase<F> {
  /** Test name, e.g. `Area.facilities`. */
  name: string;
  /** Schema coordinates the row exercises (`Query.tasks`, `Area.tasks`, `Node.Task`, `Task.assignments`…). */
  covers: string[];
  /** Roles that may read at all; the others get FORBIDDEN. Every signed-in role when absent. */
  readers?: ReadRole[];
  /** Extra checks on data a probe returned (values, counts), e.g. that a total counts only what the caller may see. */
  check?(data: any, probe: ProbeContext<F>): void;
  /**
   * Objects this row may reveal although the caller's role may not read them
   * elsewhere (an audit entry naming the account a call created): true lets
   * `known` through the leak check for this row only. The caller's subtree
   * still applies (see {@link leaks}).
   */
  alsoReveals?(known: Known, caller: Caller): boolean;
  /** Known cases where the code does not (yet) do what the row expects: `it.fails`, the reason in the name. */
  gaps?: { role: ReadRole | 'ANONYMOUS'; area?: string; reason: string }[];
}

/**
 * A read rooted at an area (an `Area` field, or a Query field with an area
 * argument), probed at every area of {@link PROBE_AREAS} (or `probes`) in one
 * request. Probes inside the caller's subtree must return what the caller may
 * read there; an ancestor of the caller's area (the county for a township
 * operator) `above`; a disjoint area `outside`.
 */
export interface AreaRow<F> extends RowBase<F> {
  kind: 'area';
  /** What an anonymous caller gets. */
  anonymous: 'UNAUTHENTICATED' | 'EMPTY';
  /** An ancestor of the caller's own area: refused, or cut to the caller's subtree. */
  above: 'FORBIDDEN' | 'NARROWED';
  /** An area outside the caller's subtree: refused, or nothing. */
  outside: 'FORBIDDEN' | 'EMPTY';
  /** The areas to probe; null for a field without an area argument (probed once). */
  probes?: (string | null)[];
  /** The root field selection for one probe, e.g. `area(code: "…") { facilities { … } }`. */
  select(area: string | null, fx: F): string;
  /** What one probe's data reveals. */
  reveal(data: any): Revealed[];
  /** The types whose readable objects in the probe's area the data must include (default: `include`). */
  types?: string[];
  /** Replaces `types`: the tokens a DATA probe must include. */
  include?(probe: { fx: F; caller: Caller; area: string | null }): Revealed[];
  /** The count the data reports (a connection's `totalCount`), checked against what the caller may read. */
  count?(data: any): number;
  /** Replaces the inside/above/outside rule for a row with a rule of its own. */
  outcome?(probe: { fx: F; caller: Caller; area: string | null }): Outcome | null;
}

/**
 * A read of objects by ID (`node`, `nodes`, `task(id)` …): every object of the
 * row's types in the fixture, in one `nodes(ids:)` request (or aliases). Objects
 * the caller may read come back; the others give `outside`.
 */
export interface ObjectRow<F> extends RowBase<F> {
  kind: 'object';
  /** The objects to fetch. */
  objects(fx: F): Known[];
  anonymous: 'UNAUTHENTICATED' | 'NULL';
  outside: 'FORBIDDEN' | 'NULL';
  /** `nodes` fetches all in one list (paths `[alias, index]`); `field` uses one alias per object: `field(id: "…")`. */
  via: { nodes: string } | { field: string; selection: string };
  reveal(data: any): Revealed[];
}

/** A download over HTTP (report, exports): one GET per probe area. */
export interface HttpRow<F> extends RowBase<F> {
  kind: 'http';
  above: 'FORBIDDEN';
  outside: 'FORBIDDEN';
  probes?: string[];
  path(area: string, fx: F): string;
  /** IDs or codes the body reveals (names are found by the registry's name scan). */
  reveal(body: string): Revealed[];
  types?: string[];
  include?(probe: { fx: F; caller: Caller; area: string | null }): Revealed[];
}

export type ReadRow<F> = AreaRow<F> | ObjectRow<F> | HttpRow<F>;

/** What every fixture hands the runner. */
export interface ReadFixture {
  registry: Registry;
}

/** The default outcome of an area probe for a caller. */
export function areaOutcome<F extends ReadFixture>(row: AreaRow<F> | HttpRow<F>, fx: F, caller: Caller, area: string | null): Outcome {
  const custom = row.kind === 'area' ? row.outcome?.({ fx, caller, area }) : null;
  if (custom) return custom;
  if (!caller.area) return row.kind === 'http' || row.anonymous === 'UNAUTHENTICATED' ? { kind: 'UNAUTHENTICATED' } : { kind: 'EMPTY' };
  if (row.readers && !row.readers.includes(caller.role as ReadRole)) return { kind: 'FORBIDDEN' };
  const within = area === null || inSubtree(caller.area, area);
  const above = area !== null && !within && inSubtree(area, caller.area);
  if (!within && !above) return { kind: row.outside };
  if (above && row.above === 'FORBIDDEN') return { kind: 'FORBIDDEN' };
  const include = row.include ? row.include({ fx, caller, area }) : readableIn(fx.registry, caller, area, row.types ?? []);
  return { kind: 'DATA', include };
}

/** IDs of the objects of `types` the caller may read in the subtree of `area` (anywhere when null). */
export function readableIn(registry: Registry, caller: Caller, area: string | null, types: string[]): Revealed[] {
  if (!types.length) return [];
  return registry
    .all(...types)
    .filter((known) => mayRead(caller, known) && (area === null || touches(known, area)))
    .map((known) => known.id);
}

/** Types that are public (the area hierarchy, the indicator catalogue): revealing them is never a leak. */
const PUBLIC_TYPES = new Set(['Area', 'Indicator']);

/** Asserts that everything revealed may be read by the caller; returns the problems (empty: fine). */
export function leaks(
  registry: Registry,
  caller: Caller,
  revealed: Revealed[],
  readers: ReadRole[] | undefined,
  alsoReveals?: (known: Known, caller: Caller) => boolean,
): string[] {
  const problems: string[] = [];
  const roleOk = !!caller.area && (!readers || readers.includes(caller.role as ReadRole));
  for (const token of revealed) {
    if (token.startsWith('code:')) {
      const at = token.slice(5);
      if (!roleOk || !caller.area || !inSubtree(caller.area, at)) problems.push(`data of ${at}`);
      continue;
    }
    const known = registry.get(token);
    if (known) {
      const allowed = mayRead(caller, known) || (!!caller.area && touches(known, caller.area) && !!alsoReveals?.(known, caller));
      if (!allowed || !roleOk) problems.push(`${known.type} of ${known.place} (${known.id})`);
      continue;
    }
    let type = '?';
    try {
      type = fromGlobalId(token).type;
    } catch {
      // not a global ID
    }
    if (!PUBLIC_TYPES.has(type)) problems.push(`an object the fixture does not know: ${token} (${type})`);
  }
  return problems;
}

/** The 12-digit codes an error message names; each must be the caller's own area or the area the caller asked about. */
function namedCodes(message: string): string[] {
  return message.match(/\d{12}/g) ?? [];
}

interface ProbeResult {
  errors: { message: string; code: string | undefined }[];
  data: unknown;
  /** Response text of this probe (data and error messages), for the name scan. */
  text: string;
}

/** Checks one probe against its outcome. */
function verify<F extends ReadFixture>(row: ReadRow<F>, fx: F, caller: Caller, area: string | null, outcome: Outcome, probe: ProbeResult, label: string) {
  const where = `${row.name} ${label}`;
  for (const error of probe.errors) {
    const foreign = namedCodes(error.message).filter((c) => c !== caller.area && c !== area);
    expect(foreign, `${where}: the error message "${error.message}" names areas the caller neither holds nor asked about`).toEqual([]);
  }
  const revealed = probe.data == null ? [] : row.kind === 'http' ? row.reveal(probe.data as string) : row.reveal(probe.data);
  const named = fx.registry.namedIn(probe.text).map((known) => known.id);
  const found = [...new Set([...revealed, ...named])];
  if (outcome.kind === 'FORBIDDEN' || outcome.kind === 'UNAUTHENTICATED') {
    expect(
      probe.errors.map((e) => e.code),
      `${where}: expected ${outcome.kind}, got ${JSON.stringify(probe.errors)}`,
    ).toEqual(probe.errors.length ? probe.errors.map(() => outcome.kind) : [outcome.kind]);
    expect(found, `${where}: a refused read revealed something`).toEqual([]);
    return;
  }
  expect(probe.errors, `${where}: expected no error, got ${JSON.stringify(probe.errors)}`).toEqual([]);
  const leaked = leaks(fx.registry, caller, found, row.readers, row.alsoReveals?.bind(row));
  expect(leaked, `${where}: revealed what the caller may not read: ${leaked.join('; ')}`).toEqual([]);
  if (outcome.kind === 'NULL') {
    // An object by ID: null; a field of an area: nothing revealed.
    if (row.kind === 'object') expect(probe.data, `${where}: expected null`).toBeNull();
    expect(found, `${where}: expected nothing`).toEqual([]);
    return;
  }
  if (outcome.kind === 'EMPTY') {
    expect(found, `${where}: expected nothing`).toEqual([]);
  } else {
    const missing = outcome.include.filter((token) => !found.includes(token)).map((token) => describeToken(fx.registry, token));
    expect(missing, `${where}: what the caller may read must be returned, missing: ${missing.join('; ')}`).toEqual([]);
  }
  if (row.kind === 'area' && row.count && probe.data != null) {
    const expected = outcome.kind === 'EMPTY' ? 0 : readableIn(fx.registry, caller, area, row.types ?? []).length;
    expect(row.count(probe.data), `${where}: the count must be of what the caller may read`).toBe(expected);
  }
  row.check?.(probe.data, { fx, caller, area, outcome });
}

function describeToken(registry: Registry, token: Revealed): string {
  const known = registry.get(token);
  return known ? `${known.type} of ${known.place}` : token;
}

/** The probes' results of one GraphQL response, by alias (top-level) or by list index under one alias. */
function split(result: Result<Record<string, unknown>>, keys: string[], byIndex: string | null): Map<string, ProbeResult> {
  const out = new Map<string, ProbeResult>();
  const unplaced = (result.errors ?? []).filter(
    (e) => !e.path || (byIndex ? e.path[0] !== byIndex || typeof e.path[1] !== 'number' : !keys.includes(String(e.path[0]))),
  );
  expect(unplaced, `errors outside any probe: ${JSON.stringify(unplaced)}`).toEqual([]);
  keys.forEach((key, index) => {
    const errors = (result.errors ?? [])
      .filter((e) => (byIndex ? e.path?.[0] === byIndex && e.path[1] === index : e.path?.[0] === key))
      .map((e) => ({ message: e.message, code: e.extensions?.code as string | undefined }));
    const data = byIndex ? ((result.data?.[byIndex] as unknown[] | undefined)?.[index] ?? null) : (result.data?.[key] ?? null);
    out.set(key, { errors, data, text: JSON.stringify(data) + errors.map((e) => e.message).join('\n') });
  });
  return out;
}

/** The runner's view of the app and fixture. */
export interface ReadMatrixContext<F extends ReadFixture> {
  app: TestApp;
  fx: F;
}

const tokens = new Map<string, Promise<string>>();
export function tokenFor(app: TestApp, caller: Caller): Promise<string> | undefined {
  if (!caller.area || caller.role === 'ANONYMOUS') return undefined;
  const key = `${app.url} ${caller.role} ${caller.area} ${caller.section ?? ''}`;
  let token = tokens.get(key);
  if (!token) tokens.set(key, (token = app.token(caller.role, caller.area, { section: caller.section })));
  return token;
}

/** Runs one row for one caller: one request (area and object rows) or one GET per probe (HTTP rows). */
export async function runRow<F extends ReadFixture>(ctx: ReadMatrixContext<F>, row: ReadRow<F>, caller: Caller): Promise<void> {
  const { app, fx } = ctx;
  const token = await tokenFor(app, caller);
  if (row.kind === 'area') {
    const probes = row.probes ?? PROBE_AREAS;
    const keys = probes.map((_, i) => `p${i}`);
    const query = `query ReadMatrix {\n${probes.map((area, i) => `  ${keys[i]}: ${row.select(area, fx)}`).join('\n')}\n}`;
    const result = await app.request<Record<string, unknown>, never>(query, undefined, { token });
    if (result.data === null && probes.length > 1) {
      // An error in a non-null root field nulls the whole response: ask one probe at a time.
      for (const [i, area] of probes.entries()) {
        const one = await app.request<Record<string, unknown>, never>(`query ReadMatrix { ${keys[i]}: ${row.select(area, fx)} }`, undefined, { token });
        verify(row, fx, caller, area, areaOutcome(row, fx, caller, area), split(one, [keys[i]], null).get(keys[i])!, `at ${area ?? '-'}`);
      }
      return;
    }
    const results = split(result, keys, null);
    probes.forEach((area, i) => verify(row, fx, caller, area, areaOutcome(row, fx, caller, area), results.get(keys[i])!, `at ${area ?? '-'}`));
    return;
  }
  if (row.kind === 'object') {
    const objects = row.objects(fx);
    expect(objects.length, `${row.name}: the fixture holds no objects for this row`).toBeGreaterThan(0);
    const outcomeOf = (known: Known): Outcome => {
      if (!caller.area) return { kind: row.anonymous };
      if (row.readers && !row.readers.includes(caller.role as ReadRole)) return { kind: 'FORBIDDEN' };
      return mayRead(caller, known) ? { kind: 'DATA', include: [known.id] } : { kind: row.outside };
    };
    const label = (known: Known) => `${known.type} of ${known.place} (${known.id})`;
    if ('nodes' in row.via) {
      for (let from = 0; from < objects.length; from += 100) {
        const chunk = objects.slice(from, from + 100);
        const query = `query ReadMatrix($ids: [ID!]!) { nodes(ids: $ids) { ${row.via.nodes} } }`;
        const result = await app.request<Record<string, unknown>, { ids: string[] }>(query, { ids: chunk.map((k) => k.id) }, { token });
        const keys = chunk.map((k) => k.id);
        const results = split(result, keys, 'nodes');
        chunk.forEach((known) => verify(row, fx, caller, null, outcomeOf(known), results.get(known.id)!, label(known)));
      }
    } else {
      const { field, selection } = row.via;
      for (let from = 0; from < objects.length; from += 25) {
        const chunk = objects.slice(from, from + 25);
        const keys = chunk.map((_, i) => `o${i}`);
        const query = `query ReadMatrix {\n${chunk.map((known, i) => `  ${keys[i]}: ${field}(id: "${known.id}") { ${selection} }`).join('\n')}\n}`;
        const result = await app.request<Record<string, unknown>, never>(query, undefined, { token });
        const results = split(result, keys, null);
        chunk.forEach((known, i) => verify(row, fx, caller, null, outcomeOf(known), results.get(keys[i])!, label(known)));
      }
    }
    return;
  }
  const base = app.url.replace(/\/graphql$/, '');
  for (const area of row.probes ?? PROBE_AREAS) {
    const response = await fetch(base + row.path(area, fx), { headers: token ? { authorization: `Bearer ${await token}` } : {} });
    const body = await response.text();
    const outcome = areaOutcome(row, fx, caller, area);
    const status = { FORBIDDEN: 403, UNAUTHENTICATED: 401 } as Record<string, number>;
    const probe: ProbeResult =
      response.status === 200
        ? { errors: [], data: body, text: body }
        : {
            errors: [{ message: body, code: Object.entries(status).find(([, s]) => s === response.status)?.[0] ?? `HTTP ${response.status}` }],
            data: null,
            text: body,
          };
    if (outcome.kind === 'DATA') expect(response.status, `${row.name} at ${area}: ${body.slice(0, 200)}`).toBe(200);
    verify(row, fx, caller, area, outcome, probe, `at ${area}`);
  }
}

/**
 * Whether some caller would get something back from the row: an object it may
 * read, or a non-empty count. A row whose every case passes by returning
 * nothing proves nothing.
 */
export function hasSomethingToReturn<F extends ReadFixture>(row: ReadRow<F>, fx: F, callers: Caller[]): boolean {
  for (const caller of callers) {
    if (row.kind === 'object') {
      if (row.readers && !row.readers.includes(caller.role as ReadRole)) continue;
      if (row.objects(fx).some((known) => mayRead(caller, known))) return true;
      continue;
    }
    for (const area of row.probes ?? PROBE_AREAS) {
      const outcome = areaOutcome(row, fx, caller, area);
      if (outcome.kind !== 'DATA') continue;
      if (outcome.include.length) return true;
      if (row.kind === 'area' && row.count && readableIn(fx.registry, caller, area, row.types ?? []).length) return true;
    }
  }
  return false;
}

/** Registers one test per row × caller. `getContext` is read when the tests run (after `beforeAll`). */
export function describeReadMatrix<F extends ReadFixture>(getContext: () => ReadMatrixContext<F>, rows: ReadRow<F>[], callers: Caller[] = readCallers()) {
  for (const row of rows) {
    describe(`read matrix: ${row.name}`, () => {
      it('has something in the fixture to return to some caller', () => {
        expect(hasSomethingToReturn(row, getContext().fx, callers)).toBe(true);
      });
      for (const caller of callers) {
        const gap = row.gaps?.find((g) => g.role === caller.role && (g.area === undefined || g.area === caller.area));
        const test = gap ? it.fails : it;
        test(gap ? `${callerName(caller)} [KNOWN GAP: ${gap.reason}]` : callerName(caller), () => runRow(getContext(), row, caller));
      }
    });
  }
}

/** Fields of `Area` that are the public hierarchy itself (readable by anyone, anonymous included). */
export const PUBLIC_AREA_FIELDS = [
  'id',
  'code',
  'name',
  'shortName',
  'level',
  'kind',
  'parent',
  'children',
  'childCount',
  'ancestors',
  'descendants',
  'descendantCount',
  'isCurrent',
  'validFrom',
  'validTo',
  'successor',
];

function isConnection(type: GraphQLNamedType): boolean {
  return isObjectType(type) && type.name.endsWith('Connection') && 'nodes' in type.getFields();
}

/**
 * The reads the matrix must cover, as schema coordinates: every Query and
 * Subscription field, every Node type (`Node.Facility`), every non-public field
 * of `Area`, and every field that leads from one protected Node type to another
 * (`Task.assignments`, `Project.facility`, `SupervisionAction.target` …).
 */
export function readCoordinates(schema: GraphQLSchema): string[] {
  const coordinates: string[] = [];
  for (const root of [schema.getQueryType(), schema.getSubscriptionType()]) {
    if (root) coordinates.push(...Object.keys(root.getFields()).map((field) => `${root.name}.${field}`));
  }
  const node = schema.getType('Node');
  const nodeTypes = node && isInterfaceType(node) ? schema.getPossibleTypes(node) : [];
  coordinates.push(...nodeTypes.map((type) => `Node.${type.name}`));
  const area = schema.getType('Area');
  if (area && isObjectType(area)) {
    coordinates.push(
      ...Object.keys(area.getFields())
        .filter((field) => !PUBLIC_AREA_FIELDS.includes(field))
        .map((field) => `Area.${field}`),
    );
  }
  const protectedNode = (type: GraphQLNamedType) => type.name !== 'Area' && (type === node || nodeTypes.some((t) => t.name === type.name));
  for (const type of nodeTypes) {
    if (type.name === 'Area') continue;
    for (const field of Object.values(type.getFields())) {
      let named: GraphQLNamedType = getNamedType(field.type);
      if (isObjectType(named) && isConnection(named)) named = getNamedType(named.getFields().nodes.type);
      if (protectedNode(named)) coordinates.push(`${type.name}.${field.name}`);
    }
  }
  return coordinates;
}

/** Coordinates of {@link readCoordinates} that neither a row covers nor `exempt` names (with its reason). */
export function uncoveredReads(schema: GraphQLSchema, covered: string[], exempt: Record<string, string>): string[] {
  const known = new Set([...covered, ...Object.keys(exempt)]);
  return readCoordinates(schema).filter((coordinate) => !known.has(coordinate));
}
