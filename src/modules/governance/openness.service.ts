import { pageRequest, toPage, type Page, type PageArgs } from '../../common/connection.js';
import { inputArea } from '../../common/area-input.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import { assertValidInput, assertVersion, throwProblems, versionConflict } from '../../common/payload.js';
import { sqlFor } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import type { Area } from '../area/area.entity.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import { lockRow, versionedUpdate } from '../progress/progress.write.js';
import {
  ENTRY_COLUMNS,
  entryFromRow,
  ITEM_COLUMNS,
  itemAppliesTo,
  itemFromRow,
  OpennessCompliance,
  OpennessRecord,
  type OpennessEntryRow,
  type OpennessItem,
  type OpennessItemRow,
} from './governance.entity.js';
import type { CreateOpennessItemInput, RecordOpennessInput, UpdateOpennessItemInput } from './governance.inputs.js';
import { checkOpennessEntries, parseQuarter, share, todayInChina, type Problem } from './governance.rules.js';
import { currentArea, GOVERNANCE_WRITERS, readableSubtree } from './governance.scope.js';
import { changedFields } from '../../common/changes.js';
import { AreaLevel, normalizeCode } from '../../common/codes.js';
import { assertCanRead, assertCanWrite, requireViewer, Role } from '../../auth/auth.rules.js';

const ADMIN = [Role.COUNTY_ADMIN];

const itemSnapshot = (row: OpennessItemRow) => ({ name: row.name, description: row.description, active: row.active, position: row.position });

/** The subject of an openness event: one village's sheet for one quarter. */
export const opennessSubjectId = (areaCode: string, quarter: string) => toGlobalId('OpennessRecord', `${areaCode}:${quarter}`);

/**
 * Village-affairs openness (村务公开): the checklist of required contents, each
 * village's records per quarter, and compliance roll-ups. A village complies in a
 * quarter when every active checklist item has a published entry.
 */
export class OpennessService {
  /** The checklist that applies to the caller's county: the default items and the county's own. */
  async checklist(ctx: Context, includeInactive: boolean): Promise<OpennessItem[]> {
    const viewer = requireViewer(ctx.viewer);
    const items = (await ctx.loaders.governance.checklist.load('all')).filter((item) => itemAppliesTo(item, viewer.areaCode));
    return includeInactive ? items : items.filter((item) => item.active);
  }

  async item(ctx: Context, code: string): Promise<OpennessItem | null> {
    return (await ctx.loaders.governance.checklist.load('all')).find((item) => item.code === code) ?? null;
  }

  /** A village's records for a quarter (null above village level). */
  async record(ctx: Context, area: Area, quarterText: string): Promise<OpennessRecord | null> {
    assertCanRead(ctx.viewer, area.code);
    const quarter = parseQuarter(quarterText, 'quarter');
    if (area.level !== AreaLevel.VILLAGE) return null;
    const [all, rows] = await Promise.all([ctx.loaders.governance.checklist.load('all'), ctx.loaders.governance.entries.load(`${area.code}:${quarter.text}`)]);
    const items = all.filter((item) => itemAppliesTo(item, area.code));
    const published = new Set(rows.filter((row) => row.published).map((row) => row.item_code));
    const order = new Map(items.map((item, index) => [item.code, index]));
    return Object.assign(new OpennessRecord(), {
      areaCode: area.code,
      quarter: quarter.text,
      entries: rows.map(entryFromRow).sort((a, b) => (order.get(a.itemCode) ?? 0) - (order.get(b.itemCode) ?? 0)),
      missingItems: items.filter((item) => item.active && !published.has(item.code)),
    });
  }

  async compliance(ctx: Context, area: Area, quarterText: string): Promise<OpennessCompliance> {
    const range = readableSubtree(ctx, area);
    const quarter = parseQuarter(quarterText, 'quarter');
    const counts = await ctx.loaders.governance.compliance.load({ ...range, quarter: quarter.text });
    return Object.assign(new OpennessCompliance(), {
      areaCode: area.code,
      ...range,
      quarter: quarter.text,
      villageCount: counts.villages,
      compliantCount: counts.matching,
      rate: share(counts.matching, counts.villages),
    });
  }

  async nonCompliantVillages(ctx: Context, compliance: OpennessCompliance, args: PageArgs): Promise<Page<Area>> {
    const page = pageRequest(args);
    const rows = await ctx.loaders.governance.nonCompliant.load({ lo: compliance.lo, hi: compliance.hi, quarter: compliance.quarter, page });
    return toPage(rows, page, (area) => area.code, compliance.villageCount - compliance.compliantCount);
  }

  /** Adds an item to the caller's county's checklist (it applies to that county's villages only). */
  async createItem(ctx: Context, input: CreateOpennessItemInput): Promise<{ item: OpennessItem }> {
    const viewer = requireViewer(ctx.viewer);
    const county = viewer.areaCode.slice(0, 6).padEnd(12, '0');
    assertCanWrite(viewer, county, ADMIN);
    await assertValidInput(input);
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const [known] = await sql<{ code: string }>(`select code from area where code = ? and level = 'COUNTY' and valid_to is null`, [county]);
      if (!known)
        throw new DomainError(ErrorCode.FORBIDDEN, `Your area ${viewer.areaCode} is not a county of this deployment: its checklist cannot be changed here`);
      const [row] = await sql<OpennessItemRow>(
        `insert into openness_item (code, name, description, position, owner_area_code) values (?, ?, ?, ?, ?)
         on conflict (code) do nothing returning ${ITEM_COLUMNS}`,
        [input.code, input.name.trim(), input.description ?? null, input.position, county],
      );
      if (!row) throw new DomainError(ErrorCode.BAD_USER_INPUT, `The checklist already has an item ${input.code}`, 'code');
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.OPENNESS,
        subjectId: toGlobalId('OpennessItem', row.code),
        areaCode: county,
        action: ProgressAction.CREATED,
        actor: viewer,
        summary: `村务公开清单新增:${row.name}(${row.code})`,
        after: itemSnapshot(row),
      });
      return { item: itemFromRow(row) };
    });
  }

  /** Changes an item of the caller's county (the default checklist changes only with civgraph's migrations). */
  async updateItem(ctx: Context, input: UpdateOpennessItemInput): Promise<{ item: OpennessItem }> {
    const viewer = requireViewer(ctx.viewer);
    assertCanWrite(viewer, viewer.areaCode, ADMIN);
    await assertValidInput(input);
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const current = await lockRow<OpennessItemRow>(
        sql,
        `select ${ITEM_COLUMNS} from openness_item where code = ? for update`,
        [input.code],
        () => new DomainError(ErrorCode.NOT_FOUND, `The checklist has no item ${input.code}`, 'code'),
      );
      if (!current.owner_area_code) {
        throw new DomainError(
          ErrorCode.FORBIDDEN,
          `${input.code} is on the default checklist, which changes only with civgraph itself: add your county's own item instead`,
        );
      }
      assertCanWrite(viewer, current.owner_area_code, ADMIN);
      assertVersion(current.version, input.version, `公开事项 ${input.code}`);
      const ownerArea = current.owner_area_code;
      const row = await versionedUpdate<OpennessItemRow>(sql, {
        update: `update openness_item set name = ?, description = ?, active = ?, position = ?, version = version + 1, updated_at = now()
          where code = ? and version = ? returning ${ITEM_COLUMNS}`,
        params: [
          input.name?.trim() ?? current.name,
          input.description === undefined ? current.description : input.description,
          input.active ?? current.active,
          input.position ?? current.position,
          input.code,
          input.version,
        ],
        lostRace: () => versionConflict(-1, input.version, `公开事项 ${input.code}`),
        event: (written) => {
          const { before, after } = changedFields(itemSnapshot(current), itemSnapshot(written));
          return {
            subjectKind: SubjectKind.OPENNESS,
            subjectId: toGlobalId('OpennessItem', input.code),
            areaCode: ownerArea,
            action: ProgressAction.UPDATED,
            actor: viewer,
            summary: `村务公开清单修改:${written.name}(${Object.keys(after).join('、') || '无变化'})`,
            before,
            after,
          };
        },
      });
      return { item: itemFromRow(row) };
    });
  }

  /**
   * Records a village's openness for a quarter: each entry is created or, when it
   * exists, replaced if its `version` matches. All entries or none; one event.
   */
  async recordOpenness(ctx: Context, input: RecordOpennessInput): Promise<{ record: OpennessRecord | null }> {
    requireViewer(ctx.viewer);
    const picked = inputArea(input);
    const areaCode = normalizeCode(picked.code, picked.field);
    const viewer = assertCanWrite(ctx.viewer, areaCode, GOVERNANCE_WRITERS);
    await assertValidInput(input);
    const quarter = parseQuarter(input.quarter, 'quarter');
    await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const village = await currentArea(sql, areaCode, [AreaLevel.VILLAGE], picked.field);
      const items = (await sql<OpennessItemRow>(`select ${ITEM_COLUMNS} from openness_item`)).filter((item) => itemAppliesTo(item, areaCode));
      const checklist = new Map(items.map((item) => [item.code, item]));
      throwProblems(checkOpennessEntries(quarter, input.entries, checklist, todayInChina()));
      const existing = await sql<OpennessEntryRow>(`select ${ENTRY_COLUMNS} from openness_entry where area_code = ? and quarter = ? for update`, [
        areaCode,
        quarter.text,
      ]);
      const byItem = new Map(existing.map((row) => [row.item_code, row]));
      const conflicts: Problem[] = [];
      input.entries.forEach((entry, index) => {
        const current = byItem.get(entry.itemCode);
        if (current && entry.version !== current.version) {
          conflicts.push({
            code: ErrorCode.CONFLICT,
            field: `entries.${index}.version`,
            message: `${entry.itemCode} for ${quarter.text} is at version ${current.version}${entry.version == null ? ' (already recorded)' : `, you sent ${entry.version}`}; reload and retry`,
          });
        } else if (!current && entry.version != null) {
          conflicts.push({
            code: ErrorCode.CONFLICT,
            field: `entries.${index}.version`,
            message: `${entry.itemCode} for ${quarter.text} has not been recorded yet: omit version`,
          });
        }
      });
      throwProblems(conflicts);
      const written = await sql<{ item_code: string }>(
        `with input as (
           select * from unnest(?::text[], ?::boolean[], ?::text[], ?::date[], ?::text[], ?::int[])
             as i(item_code, published, form, published_on, checked_by, version))
         insert into openness_entry as e (area_code, quarter, item_code, published, form, published_on, checked_by)
         select ?, ?, item_code, published, form, published_on, checked_by from input
         on conflict (area_code, quarter, item_code) do update
           set published = excluded.published, form = excluded.form, published_on = excluded.published_on,
               checked_by = excluded.checked_by, version = e.version + 1, updated_at = now()
           where e.version = (select version from input where input.item_code = excluded.item_code)
         returning e.item_code`,
        [
          input.entries.map((e) => e.itemCode),
          input.entries.map((e) => e.published),
          input.entries.map((e) => (e.published ? e.form : null)),
          input.entries.map((e) => (e.published ? e.publishedOn : null)),
          input.entries.map((e) => e.checkedBy ?? null),
          input.entries.map((e) => e.version ?? null),
          areaCode,
          quarter.text,
        ],
      );
      if (written.length !== input.entries.length) {
        throw new DomainError(ErrorCode.CONFLICT, `Someone else recorded ${village.name} ${quarter.text} at the same time; reload and retry`, 'entries');
      }
      const names = new Map(items.map((item) => [item.code, item.name]));
      const state = (e: { published: boolean; form?: string | null }, publishedOn: string | null | undefined) => ({
        published: e.published,
        form: e.form ?? null,
        publishedOn: publishedOn ?? null,
      });
      const before = Object.fromEntries(
        existing.filter((row) => input.entries.some((e) => e.itemCode === row.item_code)).map((row) => [row.item_code, state(row, row.published_on)]),
      );
      const after = Object.fromEntries(input.entries.map((e) => [e.itemCode, state(e, e.publishedOn)]));
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.OPENNESS,
        subjectId: opennessSubjectId(areaCode, quarter.text),
        areaCode,
        action: ProgressAction.REPORTED,
        actor: viewer,
        summary: `${village.name} ${quarter.text} 村务公开:${input.entries.map((e) => `${names.get(e.itemCode)}${e.published ? '已公开' : '未公开'}`).join(',')}`,
        before: Object.keys(before).length ? before : null,
        after,
      });
    });
    const area = await ctx.loaders.area.byCode.load(areaCode);
    return { record: await this.record(ctx, area!, quarter.text) };
  }
}

export const opennessService = new OpennessService();
