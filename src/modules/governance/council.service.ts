import { pageRequest, toPage, type Page, type PageArgs } from '../../common/connection.js';
import { inputArea } from '../../common/area-input.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import { assertValidInput, assertVersion, throwProblems, versionConflict } from '../../common/payload.js';
import { sqlFor, type Sql } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import type { Area } from '../area/area.entity.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import { lockRow, versionedUpdate } from '../progress/progress.write.js';
import {
  BODY_COLUMNS,
  bodyFromRow,
  GovernanceCoverage,
  meetingFromRow,
  type MeetingRow,
  type GovernanceBody,
  type GovernanceBodyRow,
  type GovernanceMeeting,
} from './governance.entity.js';
import type { CreateGovernanceBodyInput, GovernanceBodiesArgs, RecordGovernanceMeetingInput, UpdateGovernanceBodyInput } from './governance.inputs.js';
import { BODY_TYPE_NAME, BodyType, checkBody, isIsoDate, share, todayInChina } from './governance.rules.js';
import { currentArea, GOVERNANCE_WRITERS, keyOf, readableSubtree } from './governance.scope.js';
import { changedFields } from '../../common/changes.js';
import { AreaLevel, normalizeCode } from '../../common/codes.js';
import { assertCanRead, assertCanWrite, requireViewer } from '../../auth/auth.rules.js';

/** Fields of a body that an event records. */
const snapshot = (body: GovernanceBodyRow) => ({
  establishedOn: body.established_on,
  chair: body.chair,
  charterAdopted: body.charter_adopted,
  members: body.members,
});

function lockBody(sql: Sql, id: string): Promise<GovernanceBodyRow> {
  return lockRow<GovernanceBodyRow>(
    sql,
    `select ${BODY_COLUMNS} from governance_body where id = ? for update`,
    [id],
    () => new DomainError(ErrorCode.NOT_FOUND, `No self-governance body ${toGlobalId('GovernanceBody', id)}`, 'id'),
  );
}

/**
 * Village self-governance bodies (红白理事会, 议事会): their register, meetings and
 * coverage roll-ups. Writes: the village's own operator, its township, the county.
 */
export class CouncilService {
  /** A village's body of one type; null when the village has none. */
  async bodyOf(ctx: Context, area: Area, bodyType: BodyType): Promise<GovernanceBody | null> {
    assertCanRead(ctx.viewer, area.code);
    return ctx.loaders.governance.bodyOfVillage.load(`${area.code}:${bodyType}`);
  }

  async byId(ctx: Context, id: string): Promise<GovernanceBody | null> {
    requireViewer(ctx.viewer);
    const body = await ctx.loaders.governance.bodyById.load(id);
    if (body) assertCanRead(ctx.viewer, body.areaCode);
    return body;
  }

  /** Bodies anywhere in an area's subtree, in (village, type) order. */
  async bodies(ctx: Context, area: Area, args: GovernanceBodiesArgs): Promise<Page<GovernanceBody>> {
    return ctx.loaders.governance.bodies.load({ ...readableSubtree(ctx, area), bodyType: args.bodyType ?? null, page: pageRequest(args) });
  }

  /** How many current villages below an area have the body. */
  async coverage(ctx: Context, area: Area, bodyType: BodyType): Promise<GovernanceCoverage> {
    const range = readableSubtree(ctx, area);
    const counts = await ctx.loaders.governance.coverage.load({ ...range, bodyType });
    return Object.assign(new GovernanceCoverage(), {
      areaCode: area.code,
      ...range,
      bodyType,
      villageCount: counts.villages,
      villagesWithBody: counts.matching,
      share: share(counts.matching, counts.villages),
    });
  }

  /** The villages counted in a coverage that lack the body, in code order. */
  async villagesWithout(ctx: Context, coverage: GovernanceCoverage, args: PageArgs): Promise<Page<Area>> {
    const page = pageRequest(args);
    const key = { lo: coverage.lo, hi: coverage.hi, bodyType: coverage.bodyType };
    const rows = await ctx.loaders.governance.villagesWithout.load({ ...key, page });
    return toPage(rows, page, (area) => area.code, coverage.villageCount - coverage.villagesWithBody);
  }

  async meetings(ctx: Context, body: GovernanceBody, args: PageArgs): Promise<Page<GovernanceMeeting>> {
    return ctx.loaders.governance.meetings.load({ bodyId: body.dbId, page: pageRequest(args) });
  }

  async meetingCount(ctx: Context, body: GovernanceBody, year: number | null): Promise<number> {
    return ctx.loaders.governance.meetingCount.load({ bodyId: body.dbId, year: year ?? Number(todayInChina().slice(0, 4)) });
  }

  /** 成立 — registers a village's body; one of each type per village. */
  async create(ctx: Context, input: CreateGovernanceBodyInput): Promise<{ body: GovernanceBody }> {
    requireViewer(ctx.viewer);
    const picked = inputArea(input);
    const areaCode = normalizeCode(picked.code, picked.field);
    const viewer = assertCanWrite(ctx.viewer, areaCode, GOVERNANCE_WRITERS);
    await assertValidInput(input);
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const village = await currentArea(sql, areaCode, [AreaLevel.VILLAGE], picked.field);
      throwProblems(checkBody({ establishedOn: input.establishedOn, chair: input.chair ?? null, members: input.members }, todayInChina()));
      const [row] = await sql<GovernanceBodyRow>(
        `insert into governance_body (area_code, body_type, established_on, chair, charter_adopted, members)
         values (?, ?, ?, ?, ?, ?::jsonb)
         on conflict (area_code, body_type) do nothing
         returning ${BODY_COLUMNS}`,
        [
          areaCode,
          input.bodyType,
          input.establishedOn,
          input.chair ?? null,
          input.charterAdopted,
          JSON.stringify(input.members.map(({ name, role }) => ({ name, role }))),
        ],
      );
      if (!row) throw new DomainError(ErrorCode.BAD_USER_INPUT, `${village.name} already has a ${BODY_TYPE_NAME[input.bodyType]}`, 'bodyType');
      const body = bodyFromRow(row);
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.GOVERNANCE_BODY,
        subjectId: body.id,
        areaCode,
        action: ProgressAction.CREATED,
        actor: viewer,
        summary: `${village.name} ${BODY_TYPE_NAME[body.bodyType]} 成立(${body.establishedOn},${body.members.length}名成员)`,
        after: { bodyType: body.bodyType, ...snapshot(row) },
      });
      return { body };
    });
  }

  /** Changes a body's details, guarded by its `version`. */
  async update(ctx: Context, input: UpdateGovernanceBodyInput): Promise<{ body: GovernanceBody }> {
    requireViewer(ctx.viewer);
    const id = keyOf(input.id, 'GovernanceBody', 'id');
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const current = await lockBody(sql, id);
      const viewer = assertCanWrite(ctx.viewer, current.area_code, GOVERNANCE_WRITERS);
      await assertValidInput(input);
      assertVersion(current.version, input.version, '该自治组织 (this body)');
      const next = {
        establishedOn: input.establishedOn ?? current.established_on,
        chair: input.chair === undefined ? current.chair : input.chair,
        charterAdopted: input.charterAdopted ?? current.charter_adopted,
        members: input.members ? input.members.map(({ name, role }) => ({ name, role })) : current.members,
      };
      throwProblems(checkBody(next, todayInChina()));
      const row = await versionedUpdate<GovernanceBodyRow>(sql, {
        update: `update governance_body set established_on = ?, chair = ?, charter_adopted = ?, members = ?::jsonb,
                version = version + 1, updated_at = now()
          where id = ? and version = ? returning ${BODY_COLUMNS}`,
        params: [next.establishedOn, next.chair, next.charterAdopted, JSON.stringify(next.members), id, input.version],
        lostRace: () => versionConflict(-1, input.version, '该自治组织 (this body)'),
        event: async (written) => {
          const { before, after } = changedFields(snapshot(current), snapshot(written));
          const [area] = await sql<{ name: string }>('select name from area where code = ?', [current.area_code]);
          return {
            subjectKind: SubjectKind.GOVERNANCE_BODY,
            subjectId: toGlobalId('GovernanceBody', id),
            areaCode: current.area_code,
            action: ProgressAction.UPDATED,
            actor: viewer,
            summary: `${area.name} ${BODY_TYPE_NAME[current.body_type]} 修改 ${Object.keys(after).join('、') || '(无变化)'}`,
            before,
            after,
          };
        },
      });
      return { body: bodyFromRow(row) };
    });
  }

  /** Appends a meeting to a body's log. */
  async recordMeeting(ctx: Context, input: RecordGovernanceMeetingInput): Promise<{ body: GovernanceBody; meeting: GovernanceMeeting }> {
    requireViewer(ctx.viewer);
    const id = keyOf(input.bodyId, 'GovernanceBody', 'bodyId');
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const [body] = await sql<GovernanceBodyRow>(`select ${BODY_COLUMNS} from governance_body where id = ?`, [id]);
      if (!body) throw new DomainError(ErrorCode.NOT_FOUND, `No self-governance body ${input.bodyId}`, 'bodyId');
      const viewer = assertCanWrite(ctx.viewer, body.area_code, GOVERNANCE_WRITERS);
      await assertValidInput(input);
      const today = todayInChina();
      if (!isIsoDate(input.heldOn)) throw new DomainError(ErrorCode.BAD_USER_INPUT, `heldOn must be a date, got "${input.heldOn}"`, 'heldOn');
      if (input.heldOn > today) throw new DomainError(ErrorCode.BAD_USER_INPUT, `heldOn ${input.heldOn} is in the future (today is ${today})`, 'heldOn');
      if (input.heldOn < body.established_on) {
        throw new DomainError(ErrorCode.BAD_USER_INPUT, `heldOn ${input.heldOn} is before the body was established (${body.established_on})`, 'heldOn');
      }
      const [meeting] = await sql<MeetingRow>(
        `insert into governance_meeting (body_id, held_on, topic, attendance, recorded_by) values (?, ?, ?, ?, ?)
         returning id::text as id, body_id::text as body_id, held_on, topic, attendance, recorded_by, created_at`,
        [id, input.heldOn, input.topic, input.attendance, viewer.name],
      );
      const [area] = await sql<{ name: string }>('select name from area where code = ?', [body.area_code]);
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.GOVERNANCE_BODY,
        subjectId: toGlobalId('GovernanceBody', id),
        areaCode: body.area_code,
        action: ProgressAction.PROGRESS_RECORDED,
        actor: viewer,
        summary: `${area.name} ${BODY_TYPE_NAME[body.body_type]} ${input.heldOn} 开会:${input.topic}(${input.attendance}人参会)`,
        after: { meetingId: toGlobalId('GovernanceMeeting', meeting.id), heldOn: input.heldOn, topic: input.topic, attendance: input.attendance },
      });
      return { body: bodyFromRow(body), meeting: meetingFromRow(meeting) };
    });
  }
}

export const councilService = new CouncilService();
