import { ArrayMaxSize, ArrayMinSize, IsOptional } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, InputType, ObjectType } from 'type-graphql';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import { PayloadErrors, UserError, userError } from '../../common/payload.js';
import { sqlFor, type Sql } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import { AREA_COLUMNS, Area, areaFromRow, type AreaRow } from '../area/area.entity.js';
import { Role, assertCanWrite, type Viewer } from '../../auth/auth.rules.js';
import { AreaLevel, normalizeCode, subtreeRange } from '../../common/codes.js';

/** What a merger or retirement hands to each feature that owns rows keyed by area. */
export interface AreaSuccession {
  /** 12-digit codes of the areas being retired. */
  sources: string[];
  /** 12-digit code of the successor; null when areas are retired without one. */
  target: string | null;
  /** First day the successor alone covers the territory (`YYYY-MM-01`); sources end the day before. */
  effectiveDate: string;
  actor: Viewer;
}

/**
 * A feature's reaction to a merger (两项改革), run INSIDE the merging transaction
 * before its event: move or close the feature's rows of `sources` (facilities
 * move to the target; statistics move figures from the effective month on).
 * Throw a DomainError to refuse the merger; everything rolls back.
 */
export type AreaMergeHook = (sql: Sql, succession: AreaSuccession) => Promise<void>;

declare module '../../graphql/context.js' {
  interface Hooks {
    /**
     * AREA MERGE HOOKS — every feature that keys rows by area lists one in its
     * manifest (`hooks: { areaMerge: [myHook] }`), e.g. facilities moving their
     * rows to the target. Run in the order of the feature list.
     */
    areaMerge: AreaMergeHook[];
  }
}

@InputType({ description: '区划合并 — merge areas into a successor (两项改革: township and village mergers).' })
export class MergeAreasInput {
  @Field(() => [String], { description: '被撤并区划 — codes of the areas that cease (1–50), same level as the target, current.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  sources!: string[];

  @Field({ description: '承继区划 — code of the current area that takes them over.' })
  target!: string;

  @Field(() => LocalDateResolver, { description: '生效日期 — first day of a month from which the target alone reports; sources get `validTo` the day before.' })
  effectiveDate!: string;
}

@InputType({ description: '区划撤销 — retire one area, with or without a successor.' })
export class RetireAreaInput {
  @Field({ description: '区划代码 — the area that ceases.' })
  area!: string;

  @Field(() => String, { nullable: true, description: '承继区划 — optional successor (then this is a one-source merger).' })
  @IsOptional()
  successor?: string | null;

  @Field(() => LocalDateResolver, { description: '生效日期 — first day of a month; the area gets `validTo` the day before.' })
  effectiveDate!: string;
}

@ObjectType({ description: 'Result of `mergeAreas` / `retireArea`.' })
export class AreaSuccessionPayload {
  @Field(() => Area, { nullable: true, description: '承继区划 — the successor after the change; null on errors or without a successor.' })
  target?: Area | null;

  @Field(() => [Area], { nullable: true, description: '被撤并区划 — the retired areas, with `validTo` and `successor` set; null on errors.' })
  retired?: Area[] | null;

  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success (then nothing was written).' })
  userErrors!: UserError[];
}

/**
 * Area history (两项改革): mergers and retirements. Sources keep their rows
 * (and codes, and past figures, which still roll up for past periods) with
 * `validTo` and `successorCode`; from the effective date only the target is
 * current, reports and the features' `areaMerge` hooks move future rows to it.
 *
 * Rules: COUNTY_ADMIN only; sources and target current, distinct, of one level
 * (village or township); a township can be merged only once it has no current
 * villages (merge those into the target's villages first: village codes carry
 * their township); the effective date is the first day of a month.
 */
export class MergerService {
  async merge(
    ctx: Context,
    input: { sources: string[]; target: string | null; effectiveDate: string },
    fields: { source: (i: number) => string; target: string } = { source: (i) => `sources.${i}`, target: 'target' },
  ): Promise<{ target: Area | null; retired: Area[] }> {
    const errors: UserError[] = [];
    const sources = input.sources.map((code, i) => normalizeCode(code, fields.source(i)));
    const target = input.target === null ? null : normalizeCode(input.target, fields.target);
    const targetField = fields.target;
    for (const code of [...sources, ...(target ? [target] : [])]) assertCanWrite(ctx.viewer, code, [Role.COUNTY_ADMIN]);
    const viewer = ctx.viewer!;
    if (!/^\d{4}-\d{2}-01$/.test(input.effectiveDate)) {
      errors.push(
        userError(
          ErrorCode.BAD_USER_INPUT,
          `effectiveDate must be the first day of a month (figures are monthly), got ${input.effectiveDate}`,
          'effectiveDate',
        ),
      );
    }
    if (new Set(sources).size !== sources.length) errors.push(userError(ErrorCode.BAD_USER_INPUT, 'sources lists an area twice', 'sources'));
    if (target && sources.includes(target)) errors.push(userError(ErrorCode.BAD_USER_INPUT, 'the target cannot be one of the sources', targetField));

    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const rows = await sql<AreaRow & { villages: number }>(
        `select ${AREA_COLUMNS},
                (select count(*)::int from area v where v.level = 'VILLAGE' and v.valid_to is null
                    and a.level = 'TOWNSHIP' and v.code between a.code and substr(a.code, 1, 9) || '999') as villages
           from area a where code = any(?::text[]) for update`,
        [[...sources, ...(target ? [target] : [])]],
      );
      const byCode = new Map(rows.map((row) => [row.code, row]));
      const check = (code: string, field: string) => {
        const row = byCode.get(code);
        if (!row) return errors.push(userError(ErrorCode.NOT_FOUND, `No area with code ${code}`, field));
        if (row.level !== AreaLevel.VILLAGE && row.level !== AreaLevel.TOWNSHIP) {
          return errors.push(userError(ErrorCode.BAD_USER_INPUT, `${row.name} is a ${row.level.toLowerCase()}: only townships and villages merge`, field));
        }
        if (row.valid_to !== null) return errors.push(userError(ErrorCode.BAD_USER_INPUT, `${row.name} was already retired on ${row.valid_to}`, field));
        if (row.valid_from && row.valid_from >= input.effectiveDate) {
          return errors.push(userError(ErrorCode.BAD_USER_INPUT, `${row.name} only exists from ${row.valid_from}`, field));
        }
        return 0;
      };
      sources.forEach((code, i) => {
        const field = fields.source(i);
        check(code, field);
        const row = byCode.get(code);
        if (row && row.villages > 0) {
          errors.push(
            userError(ErrorCode.BAD_USER_INPUT, `${row.name} still has ${row.villages} current villages: merge them into the target's villages first`, field),
          );
        }
        if (row && target && byCode.get(target) && byCode.get(target)!.level !== row.level) {
          errors.push(
            userError(
              ErrorCode.BAD_USER_INPUT,
              `${row.name} is a ${row.level.toLowerCase()} but the target is a ${byCode.get(target)!.level.toLowerCase()}`,
              field,
            ),
          );
        }
      });
      if (target) check(target, targetField);
      if (errors.length) throw new PayloadErrors(errors);

      const retired = await sql<AreaRow>(
        `update area set valid_to = ?::date - 1, successor_code = ?
          where code = any(?::text[]) returning ${AREA_COLUMNS}`,
        [input.effectiveDate, target, sources],
      );
      const succession: AreaSuccession = { sources, target, effectiveDate: input.effectiveDate, actor: viewer };
      for (const hook of ctx.registry.hooks.areaMerge ?? []) await hook(sql, succession);
      const names = sources.map((code) => byCode.get(code)!.name).join('、');
      const targetRow = target ? byCode.get(target)! : null;
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.AREA,
        subjectId: toGlobalId('Area', target ?? sources[0]),
        areaCode: target ?? sources[0],
        action: ProgressAction.UPDATED,
        actor: viewer,
        summary: targetRow ? `${names} 并入 ${targetRow.name}（${input.effectiveDate} 起）` : `${names} 撤销（${input.effectiveDate} 起）`,
        before: { sources: sources.map((code) => ({ code, validTo: null, successor: null })) },
        after: { sources: retired.map((row) => ({ code: row.code, validTo: row.valid_to, successor: row.successor_code })) },
      });
      return { target: targetRow ? areaFromRow(targetRow) : null, retired: retired.sort((a, b) => a.code.localeCompare(b.code)).map(areaFromRow) };
    });
  }

  /** 撤销: retire one area, optionally naming a successor (then it is a one-source merger). */
  async retire(ctx: Context, input: RetireAreaInput) {
    return this.merge(
      ctx,
      { sources: [input.area], target: input.successor ?? null, effectiveDate: input.effectiveDate },
      { source: () => 'area', target: 'successor' },
    );
  }
}

export const mergerService = new MergerService();

/** Whether `code` is inside the subtree of `ancestor` (helper for hooks). */
export function inSubtree(code: string, ancestor: { code: string; level: AreaLevel }): boolean {
  const [lo, hi] = subtreeRange(ancestor.code, ancestor.level);
  return code >= lo && code <= hi;
}

/** Rejects a merger whose hook found rows it cannot move (for hooks). */
export function refuseMerge(message: string, field = 'sources'): never {
  throw new DomainError(ErrorCode.BAD_USER_INPUT, message, field);
}
