import { isDeepStrictEqual } from 'node:util';
import type { GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Result, TestApp } from './app.js';

/**
 * The access matrix: every mutation × every role × a target inside and outside
 * the caller's subtree (and anonymous). Allowed calls must succeed; every other
 * call must fail with FORBIDDEN (UNAUTHENTICATED when anonymous) and change
 * nothing. A feature adds one {@link MatrixRow} per mutation.
 */

export type MatrixRole = 'COUNTY_ADMIN' | 'SECTION_STAFF' | 'TOWNSHIP_OPERATOR' | 'VILLAGE_OPERATOR' | 'VIEWER' | 'LEADER';

/** The operation a case sends. */
export interface MatrixCall {
  query: string;
  variables?: Record<string, unknown>;
}

/** How one mutation is exercised by the matrix. */
export interface MatrixRow {
  /** The Mutation field, e.g. `updateFacility`. */
  field: string;
  /** Roles that may call it inside their own subtree; everyone else is refused. */
  allowed: MatrixRole[];
  /**
   * The 12-digit area the calls target (default: a village of 民胜镇,
   * {@link DEFAULT_TARGET}). Use a township or the county for mutations on
   * objects that live there.
   */
  target?: string;
  /**
   * `section` claim for SECTION_STAFF tokens (mutations owned by a section).
   * When SECTION_STAFF is allowed, a further case calls from inside with
   * another section's token, which must be refused.
   */
  section?: string;
  /** Distinguishes several rows of one field (e.g. a transition to different states). */
  label?: string;
  /**
   * The mutation takes no area: it acts on the caller's own area (a county's
   * checklist item, a county's programme). An allowed role outside the target
   * then acts, rightly, on its own area, so it has no outside case; the roles
   * refused by role keep theirs.
   */
  actsOnCallerArea?: boolean;
  /**
   * `allowed`: a caller without a token may call it too (signIn, refreshSession,
   * signOut: the credentials are in the input), so the anonymous case must succeed.
   */
  anonymous?: 'allowed';
  /**
   * Cases where the service does not (yet) enforce what the matrix expects.
   * They run as `it.fails` with the reason in the test name: visible in every
   * run, and failing (asking for the entry to be removed) once the gap is closed.
   */
  gaps?: { role: MatrixRole; scope: 'inside' | 'outside'; reason: string }[];
  /**
   * Builds a valid call on `areaCode`, creating whatever it needs first (e.g. a
   * facility in that area, through `app` with a county admin's token). Runs
   * before the "before" snapshot, once per case, so prerequisites do not count
   * as changes and every case starts from a fresh, valid state (read versions
   * here, when the call is about to be made).
   */
  prepare(app: TestApp, areaCode: string): Promise<MatrixCall>;
  /**
   * What the call would change, as comparable data: e.g. the rows of the
   * feature's table in that area and the count of progress events. Refused
   * calls must leave it equal; allowed calls must change it. `call` is what
   * {@link prepare} returned, for snapshots of the very object acted on.
   */
  snapshot(app: TestApp, areaCode: string, call: MatrixCall): Promise<unknown>;
}

/** One generated case. */
export interface MatrixCase {
  role: MatrixRole | 'ANONYMOUS';
  /** Where the caller's area lies relative to the target. */
  scope: 'inside' | 'outside' | '-';
  /** The caller's area (12 digits), null when anonymous. */
  viewerArea: string | null;
  /** The SECTION_STAFF token's section when it differs from the row's. */
  section?: string;
  expect: 'allowed' | 'FORBIDDEN' | 'UNAUTHENTICATED';
}

/** The section of a SECTION_STAFF caller who does not own the row's object. */
export const OTHER_SECTION = '其他股室';

/** 民胜镇 (511921101), its first village, and neighbours used for "outside". */
export const DEFAULT_TARGET = '511921101001';

const LEVEL_DIGITS: Record<MatrixRole, 6 | 9 | 12> = {
  COUNTY_ADMIN: 6,
  SECTION_STAFF: 6,
  VIEWER: 6,
  LEADER: 6,
  TOWNSHIP_OPERATOR: 9,
  VILLAGE_OPERATOR: 12,
};

/** The significant digits of a 12-digit code (6 for a county, 9 for a township, 12 for a village). */
function digitsOf(code: string): 6 | 9 | 12 {
  if (code.endsWith('000000')) return 6;
  if (code.endsWith('000')) return 9;
  return 12;
}

/**
 * Another area at the same level as `prefix`, one that exists (a token must name
 * a real area, or it is refused as UNAUTHENTICATED before any rule runs): the
 * next county (通江县 511921 → 南江县 511922, which the matrix loads), the first
 * township or subdistrict (001, or 002 next to it), the first community (001) or
 * the first village (200, the statistical code's first 村委会) next to a community.
 */
function sibling(prefix: string): string {
  const width = prefix.length === 6 ? 2 : 3;
  const head = prefix.slice(0, prefix.length - width);
  const last = Number(prefix.slice(-width));
  const other = prefix.length === 6 ? last + 1 : prefix.length === 12 && last === 1 ? 200 : last === 1 ? 2 : 1;
  return head + String(other).padStart(width, '0');
}

/** Every area a token of the rows' cases names (12 digits): the matrix's database must hold them all. */
export function matrixAreas(rows: Pick<MatrixRow, 'allowed' | 'target' | 'section' | 'actsOnCallerArea' | 'anonymous'>[]): string[] {
  const areas = rows.flatMap((row) => matrixCases(row).flatMap((c) => (c.viewerArea ? [c.viewerArea] : [])));
  return [...new Set(areas)].sort();
}

/**
 * The cases for a row: for each role, a caller whose area contains the target
 * (inside) and one at the same level next to it (outside); plus anonymous. A
 * role whose level lies below the target's (a village operator on a township's
 * object) gets a caller inside the target's subtree, which is still outside the
 * caller's reach: the target is not in the caller's subtree.
 */
export function matrixCases(row: Pick<MatrixRow, 'allowed' | 'target' | 'section' | 'actsOnCallerArea' | 'anonymous'>): MatrixCase[] {
  const target = row.target ?? DEFAULT_TARGET;
  const targetDigits = digitsOf(target);
  const cases: MatrixCase[] = [];
  for (const role of Object.keys(LEVEL_DIGITS) as MatrixRole[]) {
    const digits = LEVEL_DIGITS[role];
    const allowedRole = row.allowed.includes(role);
    if (digits <= targetDigits) {
      const inside = target.slice(0, digits);
      cases.push({ role, scope: 'inside', viewerArea: inside.padEnd(12, '0'), expect: allowedRole ? 'allowed' : 'FORBIDDEN' });
      if (role === 'SECTION_STAFF' && allowedRole && row.section) {
        cases.push({ role, scope: 'inside', viewerArea: inside.padEnd(12, '0'), section: OTHER_SECTION, expect: 'FORBIDDEN' });
      }
      if (!(row.actsOnCallerArea && allowedRole)) cases.push({ role, scope: 'outside', viewerArea: sibling(inside).padEnd(12, '0'), expect: 'FORBIDDEN' });
    } else {
      // Below the target: an area inside the target's subtree, e.g. its first village.
      const below = target.slice(0, targetDigits) + '001'.repeat((digits - targetDigits) / 3);
      cases.push({ role, scope: 'outside', viewerArea: below.padEnd(12, '0'), expect: 'FORBIDDEN' });
    }
  }
  cases.push({ role: 'ANONYMOUS', scope: '-', viewerArea: null, expect: row.anonymous === 'allowed' ? 'allowed' : 'UNAUTHENTICATED' });
  return cases;
}

/** Mutation fields of a schema that have no matrix row. */
export function mutationsWithoutRows(schema: GraphQLSchema, rows: Pick<MatrixRow, 'field'>[]): string[] {
  const covered = new Set(rows.map((row) => row.field));
  return Object.keys(schema.getMutationType()?.getFields() ?? {}).filter((field) => !covered.has(field));
}

/** The test name of a case. */
function caseName(c: MatrixCase): string {
  return `${c.role}${c.section ? ` of ${c.section}` : ''} ${c.scope} (${c.viewerArea ?? 'no token'}) → ${c.expect}`;
}

/** Registers one test per case of every row. `getApp` is read when the tests run (after `beforeAll`). */
export function describeAccessMatrix(getApp: () => TestApp, rows: MatrixRow[]) {
  for (const row of rows) {
    const target = row.target ?? DEFAULT_TARGET;
    describe(`access matrix: ${row.field}${row.label ? ` (${row.label})` : ''} on ${target}`, () => {
      for (const matrixCase of matrixCases(row)) {
        const gap = row.gaps?.find((g) => g.role === matrixCase.role && g.scope === matrixCase.scope && !matrixCase.section);
        const test = gap ? it.fails : it;
        test(gap ? `${caseName(matrixCase)} [KNOWN GAP: ${gap.reason}]` : caseName(matrixCase), async () => {
          const app = getApp();
          const call = await row.prepare(app, target);
          const before = await row.snapshot(app, target, call);
          const token = matrixCase.viewerArea
            ? await app.token(matrixCase.role as MatrixRole, matrixCase.viewerArea, {
                section: matrixCase.role === 'SECTION_STAFF' ? (matrixCase.section ?? row.section) : undefined,
              })
            : undefined;
          const result: Result<Record<string, { userErrors?: unknown[] } | null>> = await app.request(call.query, call.variables, { token });
          const after = await row.snapshot(app, target, call);
          if (matrixCase.expect === 'allowed') {
            expect(result.errors, 'an allowed call must not fail').toBeUndefined();
            expect(result.data?.[row.field]?.userErrors ?? [], 'an allowed call must have no userErrors').toEqual([]);
            expect(isDeepStrictEqual(before, after), 'an allowed call must change something').toBe(false);
          } else {
            expect(result.errors?.map((e) => e.extensions?.code)).toEqual([matrixCase.expect]);
            expect(after, 'a refused call must change nothing').toEqual(before);
          }
        });
      }
    });
  }
}
