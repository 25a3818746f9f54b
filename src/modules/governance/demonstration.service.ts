import { pageRequest, toPage, type Page, type PageArgs } from '../../common/connection.js';
import { inputArea } from '../../common/area-input.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import { assertValidInput, assertVersion, versionConflict } from '../../common/payload.js';
import { sqlFor, type Sql } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import type { Area } from '../area/area.entity.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import { lockRow, versionedUpdate } from '../progress/progress.write.js';
import {
  ENROLMENT_COLUMNS,
  enrolmentFromRow,
  type DemonstrationEnrolment,
  PROGRAMME_COLUMNS,
  programmeFromRow,
  type DemonstrationEvidence,
  type DemonstrationProgramme,
  type EnrolmentRow,
  type ProgrammeRow,
} from './governance.entity.js';
import type {
  AddDemonstrationEvidenceInput,
  ChangeEnrolmentStatusInput,
  CreateDemonstrationProgrammeInput,
  EnrolInDemonstrationInput,
  EnrolmentsArgs,
  ProgrammeEnrolmentsArgs,
  ProgrammesArgs,
  UpdateDemonstrationProgrammeInput,
} from './governance.inputs.js';
import { assertTransition, ENROLMENT_STATUS_NAME, EnrolmentStatus } from './governance.rules.js';
import { currentArea, GOVERNANCE_WRITERS, keyOf, readableSubtree, viewerRange } from './governance.scope.js';
import { changedFields } from '../../common/changes.js';
import { AreaLevel, normalizeCode } from '../../common/codes.js';
import { assertCanRead, assertCanWrite, readRange, requireViewer, Role, type Viewer } from '../../auth/auth.rules.js';

const ADMIN = [Role.COUNTY_ADMIN];

/**
 * A programme is visible to callers inside the subtree of the bureau that runs it
 * (a township operator sees its county's programmes) and to callers above that
 * bureau: SQL condition on the viewer's code and readable range.
 */
const VISIBLE = '(?::text between scope_lo and scope_hi or area_code between ?::text and ?::text)';
const visibleParams = (viewer: Viewer) => [viewer.areaCode, ...readRange(viewer)!];

const programmeSnapshot = (row: ProgrammeRow) => ({ name: row.name, level: row.level, year: row.year, description: row.description });

async function programmeRow(sql: Sql, id: string, field: string, lock = false): Promise<ProgrammeRow> {
  const [row] = await sql<ProgrammeRow>(`select ${PROGRAMME_COLUMNS} from demonstration_programme where id = ?${lock ? ' for update' : ''}`, [id]);
  if (!row) throw new DomainError(ErrorCode.NOT_FOUND, `No demonstration programme ${toGlobalId('DemonstrationProgramme', id)}`, field);
  return row;
}

/** Inserts one evidence note; the caller appends the event. */
async function insertEvidence(sql: Sql, enrolmentId: string, note: string, viewer: Viewer): Promise<void> {
  await sql('insert into demonstration_evidence (enrolment_id, note, recorded_by) values (?, ?, ?)', [enrolmentId, note, viewer.name]);
}

/**
 * Demonstration programmes (示范创建) and the areas enrolled in them. Programme
 * definitions, enrolment and status changes are the county's; evidence notes
 * may come from the enrolled area, its township or the county.
 */
export class DemonstrationService {
  async programmeById(ctx: Context, id: string): Promise<DemonstrationProgramme | null> {
    const viewer = requireViewer(ctx.viewer);
    const [row] = await ctx.sql<ProgrammeRow>(`select ${PROGRAMME_COLUMNS} from demonstration_programme where id = ? and ${VISIBLE}`, [
      id,
      ...visibleParams(viewer),
    ]);
    return row ? programmeFromRow(row) : null;
  }

  async enrolmentById(ctx: Context, id: string): Promise<DemonstrationEnrolment | null> {
    requireViewer(ctx.viewer);
    const enrolment = await ctx.loaders.governance.enrolmentById.load(id);
    if (enrolment) assertCanRead(ctx.viewer, enrolment.areaCode);
    return enrolment;
  }

  /** Programmes the caller can see (their county's, or those run inside their subtree), newest year first. */
  async programmes(ctx: Context, args: ProgrammesArgs): Promise<Page<DemonstrationProgramme>> {
    const viewer = requireViewer(ctx.viewer);
    const page = pageRequest(args);
    const where = `(?::int is null or year = ?::int) and (?::text is null or level = ?::text) and ${VISIBLE}`;
    const params = [args.year ?? null, args.year ?? null, args.level ?? null, args.level ?? null, ...visibleParams(viewer)];
    // Newest first: the key sorts descending by year, then ascending by id (qualified: a
    // bare `id` in ORDER BY is the selected `id::text`, which sorts '10' before '9').
    const sortKey = `lpad((9999 - year)::text, 4, '0') || ':' || lpad(id::text, 19, '0')`;
    const rows = await ctx.sql<ProgrammeRow>(
      `select ${PROGRAMME_COLUMNS} from demonstration_programme where ${where} and ${sortKey} > ? order by year desc, demonstration_programme.id limit ?`,
      [...params, page.afterKey ?? '', page.first + 1],
    );
    const total = async () => (await ctx.sql<{ n: number }>(`select count(*)::int as n from demonstration_programme where ${where}`, params))[0].n;
    return toPage(rows.map(programmeFromRow), page, (p) => `${String(9999 - p.year).padStart(4, '0')}:${p.dbId.padStart(19, '0')}`, total);
  }

  /** Enrolments in an area's subtree. */
  async enrolments(ctx: Context, area: Area, args: EnrolmentsArgs): Promise<Page<DemonstrationEnrolment>> {
    const range = readableSubtree(ctx, area);
    const programmeId = args.programmeId ? keyOf(args.programmeId, 'DemonstrationProgramme', 'programmeId') : null;
    return ctx.loaders.governance.enrolments.load({ ...range, programmeId, status: args.status ?? null, page: pageRequest(args) });
  }

  /** A programme's enrolments that the caller may read. */
  async programmeEnrolments(ctx: Context, programme: DemonstrationProgramme, args: ProgrammeEnrolmentsArgs): Promise<Page<DemonstrationEnrolment>> {
    const range = viewerRange(ctx);
    return ctx.loaders.governance.enrolments.load({ ...range, programmeId: programme.dbId, status: args.status ?? null, page: pageRequest(args) });
  }

  async evidence(ctx: Context, enrolment: DemonstrationEnrolment, args: PageArgs): Promise<Page<DemonstrationEvidence>> {
    return ctx.loaders.governance.evidence.load({ enrolmentId: enrolment.dbId, page: pageRequest(args) });
  }

  async createProgramme(ctx: Context, input: CreateDemonstrationProgrammeInput): Promise<{ programme: DemonstrationProgramme }> {
    const viewer = requireViewer(ctx.viewer);
    assertCanWrite(viewer, viewer.areaCode, ADMIN);
    await assertValidInput(input);
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      // The programme belongs to the caller's own area, which this deployment must hold.
      const [known] = await sql<{ code: string }>('select code from area where code = ? and valid_to is null', [viewer.areaCode]);
      if (!known) throw new DomainError(ErrorCode.FORBIDDEN, `Your area ${viewer.areaCode} is not an area of this deployment`);
      const [lo, hi] = readRange(viewer)!;
      const [row] = await sql<ProgrammeRow>(
        `insert into demonstration_programme (area_code, scope_lo, scope_hi, name, level, year, description) values (?, ?, ?, ?, ?, ?, ?)
         on conflict (area_code, name, year) do nothing returning ${PROGRAMME_COLUMNS}`,
        [viewer.areaCode, lo, hi, input.name.trim(), input.level, input.year, input.description ?? null],
      );
      if (!row) throw new DomainError(ErrorCode.BAD_USER_INPUT, `A programme named ${input.name} already exists for ${input.year}`, 'name');
      const programme = programmeFromRow(row);
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.DEMONSTRATION,
        subjectId: programme.id,
        areaCode: viewer.areaCode,
        action: ProgressAction.CREATED,
        actor: viewer,
        summary: `新建示范创建项目:${row.year}年 ${row.name}`,
        after: programmeSnapshot(row),
      });
      return { programme };
    });
  }

  async updateProgramme(ctx: Context, input: UpdateDemonstrationProgrammeInput): Promise<{ programme: DemonstrationProgramme }> {
    requireViewer(ctx.viewer);
    const id = keyOf(input.id, 'DemonstrationProgramme', 'id');
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const current = await programmeRow(sql, id, 'id', true);
      const viewer = assertCanWrite(ctx.viewer, current.area_code, ADMIN);
      await assertValidInput(input);
      assertVersion(current.version, input.version, '该示范创建项目 (this programme)');
      const next = {
        name: input.name?.trim() ?? current.name,
        level: input.level ?? current.level,
        year: input.year ?? current.year,
        description: input.description === undefined ? current.description : input.description,
      };
      const [clash] = await sql('select 1 from demonstration_programme where area_code = ? and name = ? and year = ? and id <> ?', [
        current.area_code,
        next.name,
        next.year,
        id,
      ]);
      if (clash) throw new DomainError(ErrorCode.BAD_USER_INPUT, `A programme named ${next.name} already exists for ${next.year}`, 'name');
      const row = await versionedUpdate<ProgrammeRow>(sql, {
        update: `update demonstration_programme set name = ?, level = ?, year = ?, description = ?, version = version + 1, updated_at = now()
          where id = ? and version = ? returning ${PROGRAMME_COLUMNS}`,
        params: [next.name, next.level, next.year, next.description, id, input.version],
        lostRace: () => versionConflict(-1, input.version, '该示范创建项目 (this programme)'),
        event: (written) => {
          const { before, after } = changedFields(programmeSnapshot(current), programmeSnapshot(written));
          return {
            subjectKind: SubjectKind.DEMONSTRATION,
            subjectId: toGlobalId('DemonstrationProgramme', id),
            areaCode: current.area_code,
            action: ProgressAction.UPDATED,
            actor: viewer,
            summary: `修改示范创建项目 ${written.name}:${Object.keys(after).join('、') || '(无变化)'}`,
            before,
            after,
          };
        },
      });
      return { programme: programmeFromRow(row) };
    });
  }

  /** 申报 — enrols a township or village as APPLIED. */
  async enrol(ctx: Context, input: EnrolInDemonstrationInput): Promise<{ enrolment: DemonstrationEnrolment }> {
    requireViewer(ctx.viewer);
    const programmeId = keyOf(input.programmeId, 'DemonstrationProgramme', 'programmeId');
    const picked = inputArea(input);
    const areaCode = normalizeCode(picked.code, picked.field);
    const viewer = assertCanWrite(ctx.viewer, areaCode, ADMIN);
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const programme = await programmeRow(sql, programmeId, 'programmeId');
      const area = await currentArea(sql, areaCode, [AreaLevel.TOWNSHIP, AreaLevel.VILLAGE], picked.field);
      if (areaCode < programme.scope_lo || areaCode > programme.scope_hi) {
        throw new DomainError(ErrorCode.BAD_USER_INPUT, `${area.name} is outside the area that runs ${programme.name}`, picked.field);
      }
      const [row] = await sql<EnrolmentRow>(
        `insert into demonstration_enrolment (programme_id, area_code, status) values (?, ?, 'APPLIED')
         on conflict (programme_id, area_code) do nothing returning ${ENROLMENT_COLUMNS}`,
        [programmeId, areaCode],
      );
      if (!row) throw new DomainError(ErrorCode.BAD_USER_INPUT, `${area.name} is already enrolled in ${programme.name}`, picked.field);
      const enrolment = enrolmentFromRow(row);
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.DEMONSTRATION,
        subjectId: enrolment.id,
        areaCode,
        action: ProgressAction.CREATED,
        actor: viewer,
        summary: `${area.name} 申报 ${programme.year}年 ${programme.name}`,
        after: { programme: programme.name, status: row.status },
      });
      return { enrolment };
    });
  }

  /** Moves an enrolment one step along its lifecycle (or drops it), guarded by `version`. */
  async changeStatus(ctx: Context, input: ChangeEnrolmentStatusInput): Promise<{ enrolment: DemonstrationEnrolment }> {
    requireViewer(ctx.viewer);
    const id = keyOf(input.id, 'DemonstrationEnrolment', 'id');
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const current = await lockRow<EnrolmentRow>(
        sql,
        `select ${ENROLMENT_COLUMNS} from demonstration_enrolment where id = ? for update`,
        [id],
        () => new DomainError(ErrorCode.NOT_FOUND, `No enrolment ${input.id}`, 'id'),
      );
      const viewer = assertCanWrite(ctx.viewer, current.area_code, ADMIN);
      await assertValidInput(input);
      assertVersion(current.version, input.version, '该创建单位 (this enrolment)');
      assertTransition(current.status, input.status);
      const note = input.note?.trim();
      const row = await versionedUpdate<EnrolmentRow>(sql, {
        update: `update demonstration_enrolment set status = ?, version = version + 1, updated_at = now()
          where id = ? and version = ? returning ${ENROLMENT_COLUMNS}`,
        params: [input.status, id, input.version],
        lostRace: () => versionConflict(-1, input.version, '该创建单位 (this enrolment)'),
        alsoWrite: async () => {
          if (note) await insertEvidence(sql, id, note, viewer);
        },
        event: async () => {
          const [names] = await sql<{ area: string; programme: string }>(
            'select a.name as area, p.name as programme from area a, demonstration_programme p where a.code = ? and p.id = ?',
            [current.area_code, current.programme_id],
          );
          return {
            subjectKind: SubjectKind.DEMONSTRATION,
            subjectId: toGlobalId('DemonstrationEnrolment', id),
            areaCode: current.area_code,
            action: ProgressAction.STATUS_CHANGED,
            actor: viewer,
            summary: `${names.area} ${names.programme} 状态 ${ENROLMENT_STATUS_NAME[current.status]} → ${ENROLMENT_STATUS_NAME[input.status]}`,
            before: { status: current.status },
            after: { status: input.status, ...(note ? { note } : {}) },
          };
        },
      });
      return { enrolment: enrolmentFromRow(row) };
    });
  }

  /** Appends an evidence note to an enrolment. */
  async addEvidence(ctx: Context, input: AddDemonstrationEvidenceInput): Promise<{ enrolment: DemonstrationEnrolment }> {
    requireViewer(ctx.viewer);
    const id = keyOf(input.enrolmentId, 'DemonstrationEnrolment', 'enrolmentId');
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const [current] = await sql<EnrolmentRow>(`select ${ENROLMENT_COLUMNS} from demonstration_enrolment where id = ?`, [id]);
      if (!current) throw new DomainError(ErrorCode.NOT_FOUND, `No enrolment ${input.enrolmentId}`, 'enrolmentId');
      const viewer = assertCanWrite(ctx.viewer, current.area_code, GOVERNANCE_WRITERS);
      await assertValidInput(input);
      if (current.status === EnrolmentStatus.DROPPED) {
        throw new DomainError(ErrorCode.BAD_USER_INPUT, 'This enrolment was dropped: it takes no more evidence', 'enrolmentId');
      }
      await insertEvidence(sql, id, input.note.trim(), viewer);
      const [names] = await sql<{ area: string; programme: string }>(
        'select a.name as area, p.name as programme from area a, demonstration_programme p where a.code = ? and p.id = ?',
        [current.area_code, current.programme_id],
      );
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.DEMONSTRATION,
        subjectId: toGlobalId('DemonstrationEnrolment', id),
        areaCode: current.area_code,
        action: ProgressAction.PROGRESS_RECORDED,
        actor: viewer,
        summary: `${names.area} ${names.programme} 佐证:${input.note.trim().slice(0, 60)}`,
        after: { note: input.note.trim() },
      });
      return { enrolment: enrolmentFromRow(current) };
    });
  }
}

export const demonstrationService = new DemonstrationService();
