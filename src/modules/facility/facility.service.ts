import { pageRequest, toPage, type Page } from '../../common/connection.js';
import { badInput, DomainError, ErrorCode } from '../../common/errors.js';
import { fromGlobalId, toGlobalId } from '../../common/global-id.js';
import { assertValidInput, assertVersion, throwProblems } from '../../common/payload.js';
import { changedKeys, pick } from '../../common/changes.js';
import { todayInChina } from '../../common/dates.js';
import type { Sql } from '../../db/sql.js';
import { sqlFor } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import type { Area } from '../area/area.entity.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import { versionedUpdate } from '../progress/progress.write.js';
import {
  FACILITY_COLUMNS,
  FACILITY_FIELDS,
  facilityFromRow,
  facilityValueOf,
  type Facility,
  type FacilityField,
  type FacilityRow,
  type FacilitySummary,
} from './facility.entity.js';
import type { ChangeFacilityStatusInput, CreateFacilityInput, FacilitiesArgs, FacilitySummaryArgs, UpdateFacilityInput } from './facility.inputs.js';
import { emptyFacilitySummary } from './facility.loaders.js';
import {
  assertFacilityTransition,
  FACILITY_STATUS_LABEL,
  FACILITY_TYPE_LABEL,
  facilityFieldProblems,
  FacilityStatus,
  OPERATING_MODEL_LABEL,
} from './facility.rules.js';
import { visibleRange } from '../../auth/auth.scope.js';
import { normalizeCode } from '../../common/codes.js';
import { assertCanRead, assertCanWrite, requireViewer, Role, type Viewer } from '../../auth/auth.rules.js';

/**
 * Who keeps the facility ledgers (设施台账): the areas — the county's
 * administrators, township civil-affairs offices in their township, village
 * operators in their village. Bureau sections own tasks and projects, not
 * facilities: SECTION_STAFF read facilities across the county but do not write
 * them (a project they own still moves its linked facility, see moveForProject).
 */
export const FACILITY_WRITERS = [Role.COUNTY_ADMIN, Role.TOWNSHIP_OPERATOR, Role.VILLAGE_OPERATOR];

/** Decodes a Facility global ID to its database key; NOT_FOUND for another type's ID. */
export function facilityKey(id: string, field = 'id'): string {
  const { type, key } = fromGlobalId(id, field);
  if (type !== 'Facility' || !/^[1-9]\d{0,17}$/.test(key)) throw new DomainError(ErrorCode.NOT_FOUND, `No facility has ID "${id}"`, field);
  return key;
}

/** An existing, current area by code (any accepted form); NOT_FOUND / BAD_USER_INPUT on `field`. */
export async function currentAreaCode(sql: Sql, input: string, field: string): Promise<string> {
  const code = normalizeCode(input, field);
  const [row] = await sql<{ code: string; valid_to: string | null }>('select code, valid_to from area where code = ?', [code]);
  if (!row) throw new DomainError(ErrorCode.NOT_FOUND, `No area has code ${code}`, field);
  if (row.valid_to !== null) throw new DomainError(ErrorCode.BAD_USER_INPUT, `Area ${code} was retired on ${row.valid_to}`, field);
  return code;
}

/** Another writer committed between our read and our guarded UPDATE. */
export function lostRace(what: string): DomainError {
  return new DomainError(ErrorCode.CONFLICT, `${what} was changed by someone else while you saved; reload and retry`, 'version');
}

/** The fields an event records for a facility, in API spelling. */
function snapshot(row: FacilityRow): FacilityValues {
  return Object.fromEntries(FACILITY_FIELDS.map((field) => [field.key, facilityValueOf(field, row)]));
}

/** What the input gives for a field: undefined when not given; text trimmed, blank optional text null. */
function given(field: FacilityField, input: object): unknown {
  const value = field.fromInput ? field.fromInput(input as Record<string, unknown>) : (input as Record<string, unknown>)[field.key];
  if (!field.text || typeof value !== 'string') return value;
  const text = value.trim();
  return field.nullable && !text ? null : text;
}

/** A facility's writable values in API spelling (the keys of FACILITY_FIELDS). */
type FacilityValues = Record<string, unknown>;

/** The rules' view of the values. */
const ruled = (values: FacilityValues) => values as unknown as Parameters<typeof facilityFieldProblems>[0];

const INSERTED = FACILITY_FIELDS;
const UPDATED = FACILITY_FIELDS.filter((field) => !field.createOnly);

/**
 * 服务站点 — reads and writes of facilities. Writes: load → check scope, version
 * and rules → change in one transaction → append exactly one progress event as
 * the transaction's last statement.
 */
export class FacilityService {
  /** One facility the caller may read; null when there is none. */
  async byKey(ctx: Context, key: string): Promise<Facility | null> {
    requireViewer(ctx.viewer);
    if (!/^[1-9]\d{0,17}$/.test(key)) return null;
    const facility = await ctx.loaders.facility.byId.load(key);
    if (facility) assertCanRead(ctx.viewer, facility.areaCode);
    return facility;
  }

  /** Facilities of an area (and its subtree), as far as the caller may read them. */
  async list(ctx: Context, area: Area, args: FacilitiesArgs): Promise<Page<Facility>> {
    const page = pageRequest(args);
    if (page.afterKey !== null && !/^\d{1,18}$/.test(page.afterKey)) throw badInput('after', 'after is not a cursor from this connection');
    const range = visibleRange(ctx.viewer, area, args.includeDescendants);
    if (!range) return toPage<Facility>([], page, (f) => f.key, 0);
    return ctx.loaders.facility.list.load({
      lo: range[0],
      hi: range[1],
      types: args.types?.length ? args.types : null,
      statuses: args.statuses?.length ? args.statuses : null,
      operatingModels: args.operatingModels?.length ? args.operatingModels : null,
      page,
    });
  }

  /** Counts by type × status × operating model over the area's subtree, in one statement. */
  async summary(ctx: Context, area: Area, args: FacilitySummaryArgs): Promise<FacilitySummary> {
    const range = visibleRange(ctx.viewer, area, args.includeDescendants);
    if (!range) return emptyFacilitySummary();
    return ctx.loaders.facility.summary.load({ lo: range[0], hi: range[1] });
  }

  /** Registers a facility (new, or existing with its current status). One CREATED event. */
  async create(ctx: Context, input: CreateFacilityInput, options: { source?: 'USER' | 'DEMO' } = {}): Promise<{ facility: Facility }> {
    const viewer = requireViewer(ctx.viewer);
    await assertValidInput(input);
    const values: FacilityValues = Object.fromEntries(INSERTED.map((field) => [field.key, field.resolved ? null : (given(field, input) ?? null)]));
    throwProblems(facilityFieldProblems(ruled(values)));
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const areaCode = await currentAreaCode(sql, input.area, 'area');
      assertCanWrite(viewer, areaCode, FACILITY_WRITERS);
      values.areaCode = areaCode;
      values.openedOn ??= input.status === FacilityStatus.OPERATING ? todayInChina() : null;
      const [row] = await sql<FacilityRow>(
        `insert into facility (${INSERTED.map((field) => field.column).join(', ')}, source)
         values (${INSERTED.map(() => '?').join(', ')}, ?) returning ${FACILITY_COLUMNS}`,
        [...INSERTED.map((field) => values[field.key]), options.source ?? 'USER'],
      );
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.FACILITY,
        subjectId: toGlobalId('Facility', row.id),
        areaCode,
        action: ProgressAction.CREATED,
        actor: viewer,
        summary: `登记${FACILITY_TYPE_LABEL[row.type]} ${row.name}(${OPERATING_MODEL_LABEL[row.operating_model]},${FACILITY_STATUS_LABEL[row.status]},床位 ${row.beds})`,
        before: null,
        after: snapshot(row),
      });
      return { facility: facilityFromRow(row) };
    });
  }

  /** Changes fields (not status). Stale version → CONFLICT. One UPDATED event; none when nothing changes. */
  async update(ctx: Context, input: UpdateFacilityInput): Promise<{ facility: Facility }> {
    const viewer = requireViewer(ctx.viewer);
    const key = facilityKey(input.id);
    await assertValidInput(input);
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const current = await this.load(sql, key, 'id');
      assertCanWrite(viewer, current.area_code, FACILITY_WRITERS);
      assertVersion(current.version, input.version, 'Facility');
      const areaCode = input.area == null ? current.area_code : await currentAreaCode(sql, input.area, 'area');
      if (areaCode !== current.area_code) assertCanWrite(viewer, areaCode, FACILITY_WRITERS);
      const before = snapshot(current);
      const next: FacilityValues = { ...before, areaCode };
      for (const field of UPDATED) {
        const value = field.resolved ? undefined : given(field, input);
        if (value !== undefined && (value !== null || field.nullable)) next[field.key] = value;
      }
      throwProblems(facilityFieldProblems(ruled(next)));
      const changed = changedKeys(before, next);
      if (!changed.length) return { facility: facilityFromRow(current) };
      const row = await versionedUpdate<FacilityRow>(sql, {
        update: `update facility set ${UPDATED.map((field) => `${field.column} = ?`).join(', ')}, version = version + 1, updated_at = now()
          where id = ? and version = ? returning ${FACILITY_COLUMNS}`,
        params: [...UPDATED.map((field) => next[field.key]), key, input.version],
        lostRace: () => lostRace('Facility'),
        event: (written) => ({
          subjectKind: SubjectKind.FACILITY,
          subjectId: toGlobalId('Facility', key),
          areaCode: written.area_code,
          action: ProgressAction.UPDATED,
          actor: viewer,
          summary: `${written.name} 修改 ${changed.join('、')}`,
          before: pick(before, changed),
          after: pick(snapshot(written), changed),
        }),
      });
      return { facility: facilityFromRow(row) };
    });
  }

  /** Moves the facility one lifecycle step. Illegal jump → INVALID_TRANSITION. One STATUS_CHANGED event. */
  async changeStatus(ctx: Context, input: ChangeFacilityStatusInput): Promise<{ facility: Facility }> {
    const viewer = requireViewer(ctx.viewer);
    const key = facilityKey(input.id);
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const current = await this.load(sql, key, 'id');
      assertCanWrite(viewer, current.area_code, FACILITY_WRITERS);
      assertVersion(current.version, input.version, 'Facility');
      assertFacilityTransition(current.status, input.status);
      const row = await this.writeStatus(sql, viewer, current, input.status, input.openedOn ?? null, null);
      return { facility: facilityFromRow(row) };
    });
  }

  /**
   * Moves a project's linked facility, inside the project's transaction, with its
   * own event. Used when a project starts (PLANNED → UNDER_CONSTRUCTION) or
   * completes (→ BUILT, which a completed construction project certifies even
   * from PLANNED). Returns the new row, or null when the facility needs no move.
   */
  async moveForProject(sql: Sql, viewer: Viewer, key: string, to: FacilityStatus, from: FacilityStatus[], projectName: string): Promise<FacilityRow | null> {
    const [current] = await sql<FacilityRow>(`select ${FACILITY_COLUMNS} from facility where id = ? for update`, [key]);
    if (!current || !from.includes(current.status)) return null;
    return this.writeStatus(sql, viewer, current, to, null, projectName);
  }

  private async writeStatus(
    sql: Sql,
    viewer: Viewer,
    current: FacilityRow,
    to: FacilityStatus,
    openedOn: string | null,
    projectName: string | null,
  ): Promise<FacilityRow> {
    const opening = to === FacilityStatus.OPERATING && current.opened_on === null ? (openedOn ?? todayInChina()) : current.opened_on;
    return versionedUpdate<FacilityRow>(sql, {
      update: `update facility set status = ?, opened_on = ?, version = version + 1, updated_at = now()
        where id = ? and version = ? returning ${FACILITY_COLUMNS}`,
      params: [to, opening, current.id, current.version],
      lostRace: () => lostRace('Facility'),
      event: (row) => ({
        subjectKind: SubjectKind.FACILITY,
        subjectId: toGlobalId('Facility', current.id),
        areaCode: current.area_code,
        action: ProgressAction.STATUS_CHANGED,
        actor: viewer,
        summary: `${current.name} 状态 ${FACILITY_STATUS_LABEL[current.status]} → ${FACILITY_STATUS_LABEL[to]}${projectName ? `(项目 ${projectName})` : ''}`,
        before: { status: current.status, openedOn: current.opened_on },
        after: { status: to, openedOn: row.opened_on },
      }),
    });
  }

  /** The row, in the open transaction; NOT_FOUND on `field` when missing. */
  async load(sql: Sql, key: string, field: string): Promise<FacilityRow> {
    const [row] = await sql<FacilityRow>(`select ${FACILITY_COLUMNS} from facility where id = ?`, [key]);
    if (!row) throw new DomainError(ErrorCode.NOT_FOUND, `No facility has ID "${toGlobalId('Facility', key)}"`, field);
    return row;
  }
}

export const facilityService = new FacilityService();
