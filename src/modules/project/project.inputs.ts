import { ArrayMaxSize, IsInt, IsOptional, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { DecimalScalar } from '../../common/money.js';
import { UserError } from '../../common/payload.js';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/idempotency.rules.js';
import { ResponsibleInput } from '../../people/responsible.inputs.js';
import { Project, ProjectProgress } from './project.entity.js';
import { ProjectCategory, ProjectStatus } from './project.rules.js';

@InputType('LeadOfficialInput', { description: '牵头领导 — the lead official.' })
export class LeadOfficialInput {
  @Field({ description: '姓名 — name.' })
  @Length(1, 50)
  name!: string;

  @Field({ description: '职务 — title.' })
  @Length(1, 100)
  title!: string;
}

@InputType('TaskForceMemberInput', { description: '工作专班成员 — a task-force member.' })
export class TaskForceMemberInput {
  @Field({ description: '姓名 — name.' })
  @Length(1, 50)
  name!: string;

  @Field({ description: '专班职责 — role in the task force.' })
  @Length(1, 50)
  role!: string;

  @Field({ description: '单位 — unit.' })
  @Length(1, 100)
  unit!: string;
}

@InputType('MilestoneInput', { description: '推进方案节点 — one step of the plan.' })
export class MilestoneInput {
  @Field({ description: '节点 — what is to be done (unique within the plan).' })
  @Length(1, 100)
  name!: string;

  @Field(() => LocalDateResolver, { description: '计划完成 — due date.' })
  dueDate!: string;

  @Field(() => LocalDateResolver, { nullable: true, description: '实际完成 — done date, when already done.' })
  doneDate?: string | null;
}

@InputType('CreateProjectInput', { description: '新建项目 — a new project; team and plan may come now or later (setProjectTeam, setProjectPlan).' })
export class CreateProjectInput {
  @Field({ description: '项目名称 — name.' })
  @Length(1, 200)
  name!: string;

  @Field(() => ProjectCategory, { description: '类别 — line of work.' })
  category!: ProjectCategory;

  @Field({ description: "区划 — code of the project's area (6, 9 or 12 digits)." })
  area!: string;

  @Field({
    description:
      '责任股室 — the owning section, e.g. 养老服务股 (trimmed; not blank, at most 50 characters). Section staff create projects of their own section only.',
  })
  @Matches(/\S/, { message: 'ownerSection must not be blank' })
  @MaxLength(50)
  ownerSection!: string;

  @Field(() => DecimalScalar, { defaultValue: '0.00', description: '计划总投资 — planned investment, yuan.' })
  plannedInvestment!: string;

  @Field(() => DecimalScalar, { defaultValue: '0.00', description: '向上争取资金 — secured upper-level funds, yuan.' })
  securedFunding!: string;

  @Field(() => LocalDateResolver, { nullable: true, description: '开工日期 — start date.' })
  startDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '目标日期 — target date.' })
  targetDate?: string | null;

  @Field(() => ID, { nullable: true, description: '站点 — the facility this project builds (its global ID).' })
  facility?: string | null;

  @Field(() => LeadOfficialInput, { nullable: true, description: '牵头领导 — lead official.' })
  @IsOptional()
  @ValidateNested()
  leadOfficial?: LeadOfficialInput | null;

  @Field(() => [TaskForceMemberInput], { nullable: true, description: '工作专班 — task force.' })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  taskForce?: TaskForceMemberInput[] | null;

  @Field(() => [MilestoneInput], { nullable: true, description: '推进方案 — milestones, in order.' })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  milestones?: MilestoneInput[] | null;

  @Field(() => ResponsibleInput, { nullable: true, description: '责任人 — the person responsible (optional; change it later with `assignResponsible`).' })
  @IsOptional()
  @ValidateNested()
  responsible?: ResponsibleInput | null;
}

@InputType('UpdateProjectInput', {
  description: "修改项目 — change a project's own fields (not status, team or plan). Omitted fields stay; null clears an optional one.",
})
export class UpdateProjectInput {
  @Field(() => ID, { description: "The project's global ID." })
  id!: string;

  @Field(() => Int, { description: 'The `version` you read; a stale one gives CONFLICT.' })
  version!: number;

  @Field(() => String, { nullable: true, description: '项目名称 — name.' })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;

  @Field(() => ProjectCategory, { nullable: true, description: '类别 — line of work.' })
  category?: ProjectCategory | null;

  @Field(() => String, { nullable: true, description: '区划 — area code.' })
  area?: string | null;

  @Field(() => String, {
    nullable: true,
    description: '责任股室 — hand the project to another section (trimmed; not blank). County admins and township operators may; section staff may not.',
  })
  @IsOptional()
  @Matches(/\S/, { message: 'ownerSection must not be blank' })
  @MaxLength(50)
  ownerSection?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: '计划总投资 — planned investment, yuan.' })
  plannedInvestment?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: '向上争取资金 — secured funds, yuan.' })
  securedFunding?: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '开工日期 — start date; null clears it.' })
  startDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '目标日期 — target date; null clears it.' })
  targetDate?: string | null;

  @Field(() => ID, { nullable: true, description: '站点 — linked facility; null unlinks it.' })
  facility?: string | null;
}

@InputType('SetProjectTeamInput', { description: '设置专班 — the lead official and task force, replaced as a whole.' })
export class SetProjectTeamInput {
  @Field(() => ID, { description: "The project's global ID." })
  project!: string;

  @Field(() => Int, { description: 'The `version` you read.' })
  version!: number;

  @Field(() => LeadOfficialInput, { nullable: true, description: '牵头领导 — lead official (null removes; then the project cannot start).' })
  @IsOptional()
  @ValidateNested()
  leadOfficial?: LeadOfficialInput | null;

  @Field(() => [TaskForceMemberInput], { description: '工作专班 — every member, replacing the current list.' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  taskForce!: TaskForceMemberInput[];
}

@InputType('SetProjectPlanInput', { description: "设置推进方案 — the plan's milestones, replaced as a whole (done dates given here are kept)." })
export class SetProjectPlanInput {
  @Field(() => ID, { description: "The project's global ID." })
  project!: string;

  @Field(() => Int, { description: 'The `version` you read.' })
  version!: number;

  @Field(() => [MilestoneInput], { description: '推进方案 — every milestone, in order.' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  milestones!: MilestoneInput[];
}

@InputType('CompleteMilestoneInput', { description: '完成节点 — mark one milestone of the plan done.' })
export class CompleteMilestoneInput {
  @Field(() => ID, { description: "The project's global ID." })
  project!: string;

  @Field(() => Int, { description: 'The `version` you read.' })
  version!: number;

  @Field(() => Int, { description: "序号 — the milestone's `position`." })
  @IsInt()
  @Min(1)
  position!: number;

  @Field(() => LocalDateResolver, { nullable: true, description: '实际完成 — done date (default today).' })
  doneDate?: string | null;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  @IsOptional()
  @MaxLength(100)
  idempotencyKey?: string | null;
}

@InputType('ChangeProjectStatusInput', { description: '变更项目状态 — start, suspend, resume or complete a project.' })
export class ChangeProjectStatusInput {
  @Field(() => ID, { description: "The project's global ID." })
  id!: string;

  @Field(() => Int, { description: 'The `version` you read.' })
  version!: number;

  @Field(() => ProjectStatus, { description: '新状态 — next status.' })
  status!: ProjectStatus;
}

@InputType('RecordProjectProgressInput', { description: '填报进度 — append a progress entry (the history is never rewritten).' })
export class RecordProjectProgressInput {
  @Field(() => ID, { description: "The project's global ID." })
  project!: string;

  @Field(() => Int, { description: '完成比例 — percent complete, 0–100; below the latest only with a note.' })
  @IsInt()
  @Min(0)
  @Max(100)
  percent!: number;

  @Field(() => String, { nullable: true, description: '说明 — what was done; required when percent falls.' })
  @IsOptional()
  @Length(0, 2000)
  note?: string | null;

  @Field(() => String, { nullable: true, description: '存在问题 — blockers.' })
  @IsOptional()
  @Length(0, 2000)
  blockers?: string | null;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: '截至 — date the figure describes (default today; not before the latest entry, not in the future).',
  })
  asOf?: string | null;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  @IsOptional()
  @MaxLength(100)
  idempotencyKey?: string | null;
}

function payload(name: string, what: string) {
  @ObjectType(name, { description: `Result of ${what}.` })
  class Payload {
    @Field(() => Project, { nullable: true, description: 'The project as it now is; null when there are userErrors.' })
    project?: Project | null;

    @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
    userErrors!: UserError[];
  }
  return Payload;
}

export const CreateProjectPayload = payload('CreateProjectPayload', 'createProject');
export const UpdateProjectPayload = payload('UpdateProjectPayload', 'updateProject');
export const SetProjectTeamPayload = payload('SetProjectTeamPayload', 'setProjectTeam');
export const SetProjectPlanPayload = payload('SetProjectPlanPayload', 'setProjectPlan');
export const CompleteMilestonePayload = payload('CompleteMilestonePayload', 'completeMilestone');
export const ChangeProjectStatusPayload = payload('ChangeProjectStatusPayload', 'changeProjectStatus');

@ObjectType('RecordProjectProgressPayload', { description: 'Result of recordProjectProgress.' })
export class RecordProjectProgressPayload {
  @Field(() => Project, { nullable: true, description: 'The project with its new latest progress; null when there are userErrors.' })
  project?: Project | null;

  @Field(() => ProjectProgress, { nullable: true, description: 'The appended entry.' })
  progress?: ProjectProgress | null;

  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
  userErrors!: UserError[];
}

@ArgsType()
export class ProjectsArgs extends PageArgs {
  @Field(() => [ProjectStatus], { nullable: true, description: 'Only these statuses.' })
  statuses?: ProjectStatus[] | null;

  @Field({ defaultValue: true, description: "Include projects of every area below (default); false: this area's own only." })
  includeDescendants!: boolean;

  @Field(() => String, { nullable: true, description: '责任股室 — only projects of this section (股室), e.g. 养老服务股.' })
  ownerSection?: string | null;
}
