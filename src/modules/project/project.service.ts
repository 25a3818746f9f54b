import { Decimal } from 'decimal.js';
import { pageRequest, toPage, type Page, type PageArgs } from '../../common/connection.js';
import { badInput, DomainError, ErrorCode } from '../../common/errors.js';
import { fromGlobalId, toGlobalId } from '../../common/global-id.js';
import { assertValidInput, assertVersion, PayloadErrors, throwProblems } from '../../common/payload.js';
import { ResponsibleItemKind } from '../../people/responsible.entity.js';
import { recordResponsibleAtCreation, resolvePerson } from '../../people/responsible.write.js';
import { changedKeys, pick } from '../../common/changes.js';
import { todayInChina } from '../../common/dates.js';
import { sqlFor, type Sql } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import type { Area } from '../area/area.entity.js';
import type { Facility, FacilityRow } from '../facility/facility.entity.js';
import { currentAreaCode, facilityKey, facilityService, lostRace } from '../facility/facility.service.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import type { Replayable } from '../../graphql/idempotency.service.js';
import { lockRow, versionedUpdate } from '../progress/progress.write.js';
import {
  PROGRESS_ENTRY_COLUMNS,
  progressEntryFromRow,
  PROJECT_COLUMNS,
  projectFromRow,
  type Project,
  type ProjectProgress,
  type ProjectProgressRow,
  type ProjectRow,
} from './project.entity.js';
import type {
  ChangeProjectStatusInput,
  CompleteMilestoneInput,
  CreateProjectInput,
  ProjectsArgs,
  RecordProjectProgressInput,
  SetProjectPlanInput,
  SetProjectTeamInput,
  UpdateProjectInput,
} from './project.inputs.js';
import {
  assertProjectTransition,
  linkedFacilityMove,
  MISSING_LABEL,
  missingForStart,
  planProblems,
  progressProblems,
  PROJECT_STATUS_LABEL,
  ProjectStatus,
  type LeadOfficialValue,
  type MilestoneValue,
  type TaskForceMemberValue,
} from './project.rules.js';
import { visibleRange } from '../../auth/auth.scope.js';
import { assertCanRead, assertCanWrite, assertCanWriteSectionItem, inViewerSubtree, requireViewer, Role, type Viewer } from '../../auth/auth.rules.js';

/**
 * Who may change projects: never VILLAGE_OPERATOR or VIEWER; SECTION_STAFF only
 * their own section's projects (责任股室), which they may not hand to another
 * section (assertCanWriteSectionItem).
 */
export const PROJECT_WRITERS = [Role.COUNTY_ADMIN, Role.SECTION_STAFF, Role.TOWNSHIP_OPERATOR];

/** Largest amount numeric(14,2) holds. */
const MAX_AMOUNT = new Decimal('999999999999.99');

export function projectKey(id: string, field: string): string {
  const { type, key } = fromGlobalId(id, field);
  if (type !== 'Project' || !/^[1-9]\d{0,17}$/.test(key)) throw new DomainError(ErrorCode.NOT_FOUND, `No project has ID "${id}"`, field);
  return key;
}

function amount(value: string, field: string): string {
  const d = new Decimal(value);
  if (d.isNegative() || d.greaterThan(MAX_AMOUNT)) throw badInput(field, `${field} must be between 0 and ${MAX_AMOUNT.toFixed(2)} yuan`);
  return d.toFixed(2);
}

function datesProblem(start: string | null, target: string | null): { field: string; message: string }[] {
  return start && target && target < start ? [{ field: 'targetDate', message: `targetDate (${target}) cannot be before startDate (${start})` }] : [];
}

const team = (lead: { name: string; title: string } | null | undefined): LeadOfficialValue | null =>
  lead ? { name: lead.name.trim(), title: lead.title.trim() } : null;
const members = (list: { name: string; role: string; unit: string }[] | null | undefined): TaskForceMemberValue[] =>
  (list ?? []).map((m) => ({ name: m.name.trim(), role: m.role.trim(), unit: m.unit.trim() }));
const plan = (list: { name: string; dueDate: string; doneDate?: string | null }[] | null | undefined): MilestoneValue[] =>
  (list ?? []).map((m) => ({ name: m.name.trim(), dueDate: m.dueDate, doneDate: m.doneDate ?? null }));

/** A started (not final) project must keep its lead official, task force and plan. */
function keepsStartRule(
  status: ProjectStatus,
  next: { leadOfficial: LeadOfficialValue | null; taskForce: TaskForceMemberValue[]; milestones: MilestoneValue[] },
) {
  if (status !== ProjectStatus.IN_PROGRESS && status !== ProjectStatus.SUSPENDED) return;
  throwProblems(missingForStart(next).map((field) => ({ field, message: `A project under way needs its ${MISSING_LABEL[field]}` })));
}

function snapshot(row: ProjectRow): Record<string, unknown> {
  return {
    name: row.name,
    category: row.category,
    areaCode: row.area_code,
    ownerSection: row.owner_section,
    plannedInvestment: row.planned_investment,
    securedFunding: row.secured_funding,
    leadOfficial: row.lead_official,
    taskForce: row.task_force,
    milestones: row.milestones,
    status: row.status,
    startDate: row.start_date,
    targetDate: row.target_date,
    facility: row.facility_id && toGlobalId('Facility', row.facility_id),
  };
}

/** Column values for an edit, keyed by column; jsonb columns are marked. */
type ColumnSet = Record<string, unknown>;
const JSON_COLUMNS = new Set(['lead_official', 'task_force', 'milestones']);

/**
 * 民政项目 — reads and writes of projects. Every change runs in one transaction
 * that ends with exactly one progress event for the project (and, when a linked
 * facility moves, a second event of its own).
 */
export class ProjectService {
  async byKey(ctx: Context, key: string): Promise<Project | null> {
    requireViewer(ctx.viewer);
    if (!/^[1-9]\d{0,17}$/.test(key)) return null;
    const project = await ctx.loaders.project.byId.load(key);
    if (project) assertCanRead(ctx.viewer, project.areaCode);
    return project;
  }

  async list(ctx: Context, area: Area, args: ProjectsArgs): Promise<Page<Project>> {
    const page = pageRequest(args);
    if (page.afterKey !== null && !/^\d{1,18}$/.test(page.afterKey)) throw badInput('after', 'after is not a cursor from this connection');
    const range = visibleRange(ctx.viewer, area, args.includeDescendants);
    if (!range) return toPage<Project>([], page, (p) => p.key, 0);
    return ctx.loaders.project.list.load({
      lo: range[0],
      hi: range[1],
      statuses: args.statuses?.length ? args.statuses : null,
      ownerSection: args.ownerSection == null ? null : args.ownerSection.trim(),
      page,
    });
  }

  async progress(ctx: Context, project: Project, args: PageArgs): Promise<Page<ProjectProgress>> {
    const page = pageRequest(args);
    if (page.afterKey !== null && !/^\d{1,18}$/.test(page.afterKey)) throw badInput('after', 'after is not a cursor from this connection');
    return ctx.loaders.project.progress.load({ project: project.key, page });
  }

  /** The linked facility, when the caller may read it. */
  async facility(ctx: Context, project: Project): Promise<Facility | null> {
    if (!project.facilityKey) return null;
    const facility = await ctx.loaders.facility.byId.load(project.facilityKey);
    return facility && ctx.viewer && inViewerSubtree(ctx.viewer, facility.areaCode) ? facility : null;
  }

  async create(ctx: Context, input: CreateProjectInput, options: { source?: 'USER' | 'DEMO' } = {}): Promise<{ project: Project }> {
    const viewer = requireViewer(ctx.viewer);
    await assertValidInput(input);
    const planned = amount(input.plannedInvestment, 'plannedInvestment');
    const secured = amount(input.securedFunding, 'securedFunding');
    const milestones = plan(input.milestones);
    throwProblems([...planProblems(milestones), ...datesProblem(input.startDate ?? null, input.targetDate ?? null)]);
    const ownerSection = input.ownerSection.trim();
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const areaCode = await currentAreaCode(sql, input.area, 'area');
      assertCanWriteSectionItem(viewer, areaCode, PROJECT_WRITERS, { what: 'project', owner: ownerSection });
      const facility = input.facility == null ? null : await this.linkable(sql, viewer, input.facility);
      const responsible = input.responsible ? await resolvePerson(sql, viewer, input.responsible, 'responsible.') : null;
      if (responsible?.errors.length) throw new PayloadErrors(responsible.errors);
      const [row] = await sql<ProjectRow>(
        `insert into project (name, category, area_code, owner_section, planned_investment, secured_funding, lead_official, task_force, milestones,
                              status, start_date, target_date, facility_id, source)
         values (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, 'PLANNED', ?, ?, ?, ?) returning ${PROJECT_COLUMNS}`,
        [
          input.name.trim(),
          input.category,
          areaCode,
          ownerSection,
          planned,
          secured,
          JSON.stringify(team(input.leadOfficial)),
          JSON.stringify(members(input.taskForce)),
          JSON.stringify(milestones),
          input.startDate ?? null,
          input.targetDate ?? null,
          facility?.id ?? null,
          options.source ?? 'USER',
        ],
      );
      const responsibleAfter = await recordResponsibleAtCreation(sql, { kind: ResponsibleItemKind.PROJECT, key: row.id, person: responsible?.person, viewer });
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.PROJECT,
        subjectId: toGlobalId('Project', row.id),
        areaCode,
        action: ProgressAction.CREATED,
        actor: viewer,
        summary: `新建项目 ${row.name}(计划投资 ${row.planned_investment} 元,责任股室 ${row.owner_section})`,
        before: null,
        after: { ...snapshot(row), ...responsibleAfter },
      });
      return { project: projectFromRow(row) };
    });
  }

  async update(ctx: Context, input: UpdateProjectInput): Promise<{ project: Project }> {
    requireViewer(ctx.viewer);
    const key = projectKey(input.id, 'id');
    await assertValidInput(input);
    const ownerSection = input.ownerSection?.trim();
    return this.edit(ctx, key, 'id', input.version, ProgressAction.UPDATED, { ownerSection }, async (current, sql, viewer) => {
      const set: ColumnSet = {};
      if (input.name != null) set.name = input.name.trim();
      if (input.category != null) set.category = input.category;
      if (ownerSection != null) set.owner_section = ownerSection;
      if (input.area != null) {
        set.area_code = await currentAreaCode(sql, input.area, 'area');
        assertCanWrite(viewer, set.area_code as string, PROJECT_WRITERS);
      }
      if (input.plannedInvestment != null) set.planned_investment = amount(input.plannedInvestment, 'plannedInvestment');
      if (input.securedFunding != null) set.secured_funding = amount(input.securedFunding, 'securedFunding');
      if (input.startDate !== undefined) set.start_date = input.startDate;
      if (input.targetDate !== undefined) set.target_date = input.targetDate;
      if (input.facility !== undefined) set.facility_id = input.facility === null ? null : (await this.linkable(sql, viewer, input.facility)).id;
      const start = (set.start_date === undefined ? current.start_date : set.start_date) as string | null;
      const target = (set.target_date === undefined ? current.target_date : set.target_date) as string | null;
      throwProblems(datesProblem(start, target));
      return {
        set,
        summary: (row, changed) =>
          `${row.name} 修改 ${changed.map((k) => (k === 'ownerSection' ? `责任股室 ${current.owner_section} → ${row.owner_section}` : k)).join('、')}`,
      };
    });
  }

  async setTeam(ctx: Context, input: SetProjectTeamInput): Promise<{ project: Project }> {
    requireViewer(ctx.viewer);
    const key = projectKey(input.project, 'project');
    await assertValidInput(input);
    return this.edit(ctx, key, 'project', input.version, ProgressAction.UPDATED, {}, async (current) => {
      const next = { leadOfficial: team(input.leadOfficial), taskForce: members(input.taskForce), milestones: current.milestones };
      keepsStartRule(current.status, next);
      return {
        set: { lead_official: next.leadOfficial, task_force: next.taskForce },
        summary: (row) =>
          `${row.name} 牵头领导 ${next.leadOfficial ? `${next.leadOfficial.name}(${next.leadOfficial.title})` : '未定'},工作专班 ${next.taskForce.length} 人`,
      };
    });
  }

  async setPlan(ctx: Context, input: SetProjectPlanInput): Promise<{ project: Project }> {
    requireViewer(ctx.viewer);
    const key = projectKey(input.project, 'project');
    await assertValidInput(input);
    const milestones = plan(input.milestones);
    throwProblems(planProblems(milestones));
    return this.edit(ctx, key, 'project', input.version, ProgressAction.UPDATED, {}, async (current) => {
      keepsStartRule(current.status, { leadOfficial: current.lead_official, taskForce: current.task_force, milestones });
      return { set: { milestones }, summary: (row) => `${row.name} 推进方案 ${milestones.length} 个节点` };
    });
  }

  async completeMilestone(ctx: Context, input: CompleteMilestoneInput): Promise<{ project: Project }> {
    requireViewer(ctx.viewer);
    const key = projectKey(input.project, 'project');
    await assertValidInput(input);
    return this.edit(ctx, key, 'project', input.version, ProgressAction.PROGRESS_RECORDED, {}, async (current) => {
      const milestone = current.milestones[input.position - 1];
      if (!milestone)
        throw new DomainError(
          ErrorCode.NOT_FOUND,
          `The plan has no milestone at position ${input.position} (it has ${current.milestones.length})`,
          'position',
          `推进方案没有第 ${input.position} 个节点（共 ${current.milestones.length} 个），请刷新后重试`,
        );
      if (milestone.doneDate)
        throw new DomainError(
          ErrorCode.BAD_USER_INPUT,
          `Milestone "${milestone.name}" was already done on ${milestone.doneDate}`,
          'position',
          `节点「${milestone.name}」已于 ${milestone.doneDate} 完成`,
        );
      const doneDate = input.doneDate ?? todayInChina();
      if (doneDate > todayInChina()) {
        throw new DomainError(
          ErrorCode.BAD_USER_INPUT,
          `doneDate (${doneDate}) cannot be in the future`,
          'doneDate',
          `完成日期 ${doneDate} 晚于今天，不能提前填报`,
        );
      }
      const milestones = current.milestones.map((m, i) => (i === input.position - 1 ? { ...m, doneDate } : m));
      return { set: { milestones }, summary: (row) => `${row.name} 节点完成:${milestone.name}(计划 ${milestone.dueDate},完成 ${doneDate})` };
    });
  }

  async changeStatus(ctx: Context, input: ChangeProjectStatusInput): Promise<{ project: Project }> {
    requireViewer(ctx.viewer);
    const key = projectKey(input.id, 'id');
    let facilityToMove: string | null = null;
    return this.edit(
      ctx,
      key,
      'id',
      input.version,
      ProgressAction.STATUS_CHANGED,
      {},
      async (current) => {
        assertProjectTransition(current.status, input.status);
        if (input.status === ProjectStatus.IN_PROGRESS) {
          const missing = missingForStart({ leadOfficial: current.lead_official, taskForce: current.task_force, milestones: current.milestones });
          throwProblems(
            missing.map((field) => ({
              field: 'status',
              message: `一项目一牵头领导、一项目一工作专班、一项目一推进方案: the project cannot start without its ${MISSING_LABEL[field]}`,
            })),
          );
        }
        facilityToMove = current.facility_id;
        const set: ColumnSet = { status: input.status };
        if (input.status === ProjectStatus.IN_PROGRESS && !current.start_date) set.start_date = todayInChina();
        return { set, summary: (row) => `${row.name} 状态 ${PROJECT_STATUS_LABEL[current.status]} → ${PROJECT_STATUS_LABEL[input.status]}` };
      },
      // After the project's own event: the linked facility moves with an event of its own.
      async (sql, viewer, row) => {
        const move = linkedFacilityMove(input.status);
        if (move && facilityToMove) await facilityService.moveForProject(sql, viewer, facilityToMove, move.to, move.from, row.name);
      },
    );
  }

  async recordProgress(ctx: Context, input: RecordProjectProgressInput): Promise<{ project: Project; progress: ProjectProgress }> {
    const viewer = requireViewer(ctx.viewer);
    const key = projectKey(input.project, 'project');
    await assertValidInput(input);
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      // The row lock orders appends to one project, so "the latest entry" cannot change under us.
      const current = await lockRow<ProjectRow>(
        sql,
        `select ${PROJECT_COLUMNS} from project where id = ? for update`,
        [key],
        () => new DomainError(ErrorCode.NOT_FOUND, `No project has ID "${input.project}"`, 'project'),
      );
      assertCanWriteSectionItem(viewer, current.area_code, PROJECT_WRITERS, { what: 'project', owner: current.owner_section });
      if (current.status === ProjectStatus.COMPLETED)
        throw new DomainError(
          ErrorCode.BAD_USER_INPUT,
          `${current.name} is completed: no more progress to record`,
          'project',
          `${current.name}已完成，不再填报进度`,
        );
      const today = todayInChina();
      const entry = { percent: input.percent, note: input.note?.trim() || null, asOf: input.asOf ?? today };
      const latest = current.progress_percent === null ? null : { percent: current.progress_percent, note: null, asOf: current.progress_as_of! };
      throwProblems(progressProblems(latest, entry, today));
      const [saved] = await sql<ProjectProgressRow>(
        `insert into project_progress (project_id, percent, note, blockers, as_of, recorded_by_sub, recorded_by_name, recorded_by_role)
         values (?, ?, ?, ?, ?, ?, ?, ?) returning ${PROGRESS_ENTRY_COLUMNS}`,
        [key, entry.percent, entry.note, input.blockers?.trim() || null, entry.asOf, viewer.sub, viewer.name, viewer.role],
      );
      // Progress is not an edit of the project's own fields: it does not bump `version`.
      const [row] = await sql<ProjectRow>(
        `update project set progress_percent = ?, progress_as_of = ?, updated_at = now() where id = ? returning ${PROJECT_COLUMNS}`,
        [entry.percent, entry.asOf, key],
      );
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind.PROJECT,
        subjectId: toGlobalId('Project', key),
        areaCode: current.area_code,
        action: ProgressAction.PROGRESS_RECORDED,
        actor: viewer,
        summary: `${current.name} 进度 ${current.progress_percent ?? 0}% → ${entry.percent}%(截至 ${entry.asOf})${entry.note ? `:${entry.note}` : ''}`,
        before: { progressPercent: current.progress_percent, progressAsOf: current.progress_as_of },
        // `name`, `ownerSection` and `asOf` let the history alone (the monthly report) name, attribute and date the entry.
        after: {
          name: current.name,
          ownerSection: current.owner_section,
          asOf: entry.asOf,
          progressPercent: entry.percent,
          progressAsOf: entry.asOf,
          note: entry.note,
          blockers: saved.blockers,
          entry: toGlobalId('ProjectProgress', saved.id),
        },
      });
      return { project: projectFromRow(row), progress: progressEntryFromRow(saved) };
    });
  }

  /** A replayed progress entry (same 幂等键, same input): the project and the entry read again; nothing is written. */
  readonly progressReplay: Replayable<{ project: Project; progress: ProjectProgress }, { project: string; progress: string }> = {
    ref: (result) => ({ project: result.project.key, progress: result.progress.key }),
    replay: async (ctx, ref) => {
      const [project] = await ctx.sql<ProjectRow>(`select ${PROJECT_COLUMNS} from project where id = ?`, [ref.project]);
      const [progress] = await ctx.sql<ProjectProgressRow>(`select ${PROGRESS_ENTRY_COLUMNS} from project_progress where id = ?`, [ref.progress]);
      return { project: projectFromRow(project), progress: progressEntryFromRow(progress) };
    },
  };

  /** A replayed milestone completion (same 幂等键, same input): the project read again; nothing is written. */
  readonly projectReplay: Replayable<{ project: Project }, { project: string }> = {
    ref: (result) => ({ project: result.project.key }),
    replay: async (ctx, ref) => {
      const [project] = await ctx.sql<ProjectRow>(`select ${PROJECT_COLUMNS} from project where id = ?`, [ref.project]);
      return { project: projectFromRow(project) };
    },
  };

  /** A facility the caller may link (and so later move): it exists and lies in their writable scope. */
  private async linkable(sql: Sql, viewer: Viewer, id: string): Promise<FacilityRow> {
    const row = await facilityService.load(sql, facilityKey(id, 'facility'), 'facility');
    assertCanWrite(viewer, row.area_code, PROJECT_WRITERS);
    return row;
  }

  /**
   * The shape of every edit: load in a transaction → scope, version and rule
   * checks (in `change`) → guarded UPDATE (`version = ?`) → one event → `after`.
   * An edit that changes nothing writes nothing. `handTo.ownerSection` is the
   * section the edit gives the project (undefined: unchanged), checked with
   * the caller's permission before anything else.
   */
  private async edit(
    ctx: Context,
    key: string,
    field: string,
    version: number,
    action: ProgressAction,
    handTo: { ownerSection?: string },
    change: (current: ProjectRow, sql: Sql, viewer: Viewer) => Promise<{ set: ColumnSet; summary: (row: ProjectRow, changed: string[]) => string }>,
    after?: (sql: Sql, viewer: Viewer, row: ProjectRow) => Promise<void>,
  ): Promise<{ project: Project }> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const [current] = await sql<ProjectRow>(`select ${PROJECT_COLUMNS} from project where id = ?`, [key]);
      if (!current) throw new DomainError(ErrorCode.NOT_FOUND, `No project has ID "${toGlobalId('Project', key)}"`, field);
      assertCanWriteSectionItem(viewer, current.area_code, PROJECT_WRITERS, { what: 'project', owner: current.owner_section, next: handTo.ownerSection });
      assertVersion(current.version, version, 'Project');
      const { set, summary } = await change(current, sql, viewer);
      const columns = Object.keys(set);
      const before = snapshot(current);
      const candidate = snapshot({
        ...current,
        ...(set as Partial<ProjectRow>),
        facility_id: set.facility_id === undefined ? current.facility_id : (set.facility_id as string | null),
      });
      const changed = changedKeys(before, candidate);
      if (!changed.length) return { project: projectFromRow(current) };
      const assignments = columns.map((c) => (JSON_COLUMNS.has(c) ? `${c} = ?::jsonb` : `${c} = ?`)).join(', ');
      const values = columns.map((c) => (JSON_COLUMNS.has(c) ? JSON.stringify(set[c]) : set[c]));
      const row = await versionedUpdate<ProjectRow>(sql, {
        update: `update project set ${assignments}, version = version + 1, updated_at = now() where id = ? and version = ? returning ${PROJECT_COLUMNS}`,
        params: [...values, key, version],
        lostRace: () => lostRace('Project'),
        event: (row) => {
          const written = snapshot(row);
          return {
            subjectKind: SubjectKind.PROJECT,
            subjectId: toGlobalId('Project', key),
            areaCode: row.area_code,
            action,
            actor: viewer,
            summary: summary(row, changed),
            before: pick(before, changed),
            // The name and section travel with every project event, so the history alone can name and attribute the project.
            after: { name: row.name, ownerSection: row.owner_section, ...pick(written, changed) },
          };
        },
      });
      if (after) await after(sql, viewer, row);
      return { project: projectFromRow(row) };
    });
  }
}

export const projectService = new ProjectService();
