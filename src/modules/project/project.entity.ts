import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../common/global-id.js';
import { DecimalScalar } from '../../common/money.js';
import { Node } from '../../common/node.js';
import { ProgressActor } from '../progress/progress.entity.js';
import { ProjectCategory, ProjectStatus, type LeadOfficialValue, type MilestoneValue, type TaskForceMemberValue } from './project.rules.js';

registerEnumType(ProjectStatus, {
  name: 'ProjectStatus',
  description: '项目状态 — PLANNED → IN_PROGRESS → COMPLETED, and SUSPENDED from (and back to) IN_PROGRESS.',
  valuesConfig: {
    PLANNED: { description: '谋划 — planned, not started' },
    IN_PROGRESS: { description: '推进中 — under way (needs a lead official, a task force and a plan)' },
    COMPLETED: { description: '完成 — completed (建成); final' },
    SUSPENDED: { description: '暂停 — suspended' },
  },
});

registerEnumType(ProjectCategory, {
  name: 'ProjectCategory',
  description: '项目类别 — the line of civil-affairs work a project serves.',
  valuesConfig: {
    ELDERLY_CARE: { description: '养老服务 — elderly care' },
    MINOR_PROTECTION: { description: '未成年人保护 — minor protection' },
    SOCIAL_ASSISTANCE: { description: '社会救助 — social assistance' },
    SOCIAL_AFFAIRS: { description: '社会事务 — social affairs' },
    SOCIAL_GOVERNANCE: { description: '社会治理 — social governance' },
    OTHER: { description: '其他 — other' },
  },
});

@ObjectType('LeadOfficial', { description: '牵头领导 — the one official who leads a project.' })
export class LeadOfficial {
  @Field({ description: '姓名 — name.' })
  name!: string;

  @Field({ description: '职务 — title, e.g. 副县长.' })
  title!: string;
}

@ObjectType('TaskForceMember', { description: "工作专班成员 — a member of a project's task force." })
export class TaskForceMember {
  @Field({ description: '姓名 — name.' })
  name!: string;

  @Field({ description: '专班职责 — role in the task force, e.g. 组长.' })
  role!: string;

  @Field({ description: '单位 — unit the member comes from.' })
  unit!: string;
}

@ObjectType('ProjectMilestone', { description: "推进方案节点 — one step of a project's plan." })
export class ProjectMilestone {
  @Field(() => Int, { description: '序号 — position in the plan, from 1; names the milestone in completeMilestone.' })
  position!: number;

  @Field({ description: '节点 — what is to be done.' })
  name!: string;

  @Field(() => LocalDateResolver, { description: '计划完成 — due date.' })
  dueDate!: string;

  @Field(() => LocalDateResolver, { nullable: true, description: '实际完成 — done date; null while open.' })
  doneDate!: string | null;
}

@ObjectType('ProjectProgress', { description: '项目进度 — one appended progress entry; entries are never changed.' })
export class ProjectProgress {
  /** Database key. */
  key!: string;

  @Field(() => ID, { description: 'Global ID.' })
  get id(): string {
    return toGlobalId('ProjectProgress', this.key);
  }

  @Field(() => Int, { description: '完成比例 — percent complete, 0–100.' })
  percent!: number;

  @Field(() => String, { nullable: true, description: '说明 — note (required when percent falls).' })
  note!: string | null;

  @Field(() => String, { nullable: true, description: '存在问题 — blockers.' })
  blockers!: string | null;

  @Field(() => LocalDateResolver, { description: '截至 — the date the figure describes.' })
  asOf!: string;

  @Field({ description: '填报时间 — when it was recorded.' })
  recordedAt!: Date;

  @Field(() => ProgressActor, { description: '填报人 — who recorded it.' })
  recordedBy!: ProgressActor;
}

/**
 * 民政项目 — a capital project, owned by a bureau section (责任股室, never
 * blank). Invariants: it starts (IN_PROGRESS) only with a
 * lead official, a non-empty task force and a plan; progress is an append-only
 * history whose latest entry is mirrored in `progressPercent`; `version` grows
 * by one on every edit of its own fields (optimistic concurrency).
 */
@ObjectType('Project', {
  implements: Node,
  description: '民政项目 — a capital project: 责任股室, investment, 牵头领导, 工作专班, 推进方案, status and progress history.',
})
export class Project {
  /** Database key. */
  key!: string;

  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('Project', this.key);
  }

  @Field({ description: '项目名称 — name.' })
  name!: string;

  @Field(() => ProjectCategory, { description: '类别 — line of work.' })
  category!: ProjectCategory;

  /** 12-digit code of the project's area. */
  areaCode!: string;

  @Field({
    description: "责任股室 — the bureau section that owns the project, e.g. 养老服务股; its staff (SECTION_STAFF) change only their own section's projects.",
  })
  ownerSection!: string;

  @Field(() => DecimalScalar, { description: '计划总投资 — planned investment, yuan.' })
  plannedInvestment!: string;

  @Field(() => DecimalScalar, { description: '向上争取资金 — upper-level funds secured, yuan.' })
  securedFunding!: string;

  @Field(() => LeadOfficial, { nullable: true, description: '牵头领导 — lead official; required to start.' })
  leadOfficial!: LeadOfficial | null;

  @Field(() => [TaskForceMember], { description: '工作专班 — task force; at least one member to start.' })
  taskForce!: TaskForceMember[];

  @Field(() => [ProjectMilestone], { description: '推进方案 — the plan: milestones in order; at least one to start.' })
  milestones!: ProjectMilestone[];

  @Field(() => ProjectStatus, { description: '状态 — status.' })
  status!: ProjectStatus;

  @Field(() => LocalDateResolver, { nullable: true, description: '开工日期 — start date (set when it starts, unless given).' })
  startDate!: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '目标日期 — target date, e.g. 建成投运 by year end.' })
  targetDate!: string | null;

  /** Database key of the linked facility. */
  facilityKey!: string | null;

  @Field(() => Int, { nullable: true, description: '最新进度 — percent of the latest progress entry; null before the first.' })
  progressPercent!: number | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '进度截至 — asOf of the latest progress entry.' })
  progressAsOf!: string | null;

  @Field(() => Int, { description: '版本 — starts at 1, +1 on every edit; send it back to edit.' })
  version!: number;

  /** `DEMO` for seeded rows. */
  source!: string;

  @Field({ description: '创建时间 — when the project was created.' })
  createdAt!: Date;

  @Field({
    description: '录入时间 — when the project was recorded in civgraph (server clock; the same instant as `createdAt`; `startDate` is when it began).',
  })
  get recordedAt(): Date {
    return this.createdAt;
  }

  @Field({ description: '更新时间 — when the project last changed.' })
  updatedAt!: Date;
}

export interface ProjectRow {
  id: string;
  name: string;
  category: ProjectCategory;
  area_code: string;
  owner_section: string;
  planned_investment: string;
  secured_funding: string;
  lead_official: LeadOfficialValue | null;
  task_force: TaskForceMemberValue[];
  milestones: MilestoneValue[];
  status: ProjectStatus;
  start_date: string | null;
  target_date: string | null;
  facility_id: string | null;
  progress_percent: number | null;
  progress_as_of: string | null;
  version: number;
  source: string;
  created_at: Date;
  updated_at: Date;
}

export const PROJECT_COLUMNS =
  'id::text as id, name, category, area_code, owner_section, planned_investment::text as planned_investment, secured_funding::text as secured_funding, lead_official, task_force, milestones, status, start_date, target_date, facility_id::text as facility_id, progress_percent, progress_as_of, version, source, created_at, updated_at';

export function projectFromRow(row: ProjectRow): Project {
  const p = new Project();
  p.key = row.id;
  p.name = row.name;
  p.category = row.category;
  p.areaCode = row.area_code;
  p.ownerSection = row.owner_section;
  p.plannedInvestment = row.planned_investment;
  p.securedFunding = row.secured_funding;
  p.leadOfficial = row.lead_official ? Object.assign(new LeadOfficial(), row.lead_official) : null;
  p.taskForce = row.task_force.map((m) => Object.assign(new TaskForceMember(), m));
  p.milestones = row.milestones.map((m, i) =>
    Object.assign(new ProjectMilestone(), { position: i + 1, name: m.name, dueDate: m.dueDate, doneDate: m.doneDate ?? null }),
  );
  p.status = row.status;
  p.startDate = row.start_date;
  p.targetDate = row.target_date;
  p.facilityKey = row.facility_id;
  p.progressPercent = row.progress_percent;
  p.progressAsOf = row.progress_as_of;
  p.version = row.version;
  p.source = row.source;
  p.createdAt = row.created_at;
  p.updatedAt = row.updated_at;
  return p;
}

export interface ProjectProgressRow {
  id: string;
  project_id: string;
  percent: number;
  note: string | null;
  blockers: string | null;
  as_of: string;
  recorded_by_sub: string;
  recorded_by_name: string;
  recorded_by_role: string | null;
  recorded_at: Date;
}

export const PROGRESS_ENTRY_COLUMNS =
  'id::text as id, project_id::text as project_id, percent, note, blockers, as_of, recorded_by_sub, recorded_by_name, recorded_by_role, recorded_at';

export function progressEntryFromRow(row: ProjectProgressRow): ProjectProgress {
  const p = new ProjectProgress();
  p.key = row.id;
  p.percent = row.percent;
  p.note = row.note;
  p.blockers = row.blockers;
  p.asOf = row.as_of;
  p.recordedAt = row.recorded_at;
  p.recordedBy = Object.assign(new ProgressActor(), { sub: row.recorded_by_sub, name: row.recorded_by_name, role: row.recorded_by_role });
  return p;
}
