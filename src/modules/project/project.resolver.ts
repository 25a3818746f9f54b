import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { connectionType, PageArgs, type Page } from '../../common/connection.js';
import { asPayload } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { Facility } from '../facility/facility.entity.js';
import { Project, ProjectProgress } from './project.entity.js';
import {
  ChangeProjectStatusInput,
  ChangeProjectStatusPayload,
  CompleteMilestoneInput,
  CompleteMilestonePayload,
  CreateProjectInput,
  CreateProjectPayload,
  ProjectsArgs,
  RecordProjectProgressInput,
  RecordProjectProgressPayload,
  SetProjectPlanInput,
  SetProjectPlanPayload,
  SetProjectTeamInput,
  SetProjectTeamPayload,
  UpdateProjectInput,
  UpdateProjectPayload,
} from './project.inputs.js';
import { projectService } from './project.service.js';
import { idempotent } from '../../graphql/idempotency.service.js';

/** Who may call the project mutations, as their descriptions state it (PROJECT_WRITERS and the section rule). */
const WHO_MAY = "Who may: COUNTY_ADMIN in their county, TOWNSHIP_OPERATOR in their township, SECTION_STAFF for their own section's projects (责任股室).";

export const ProjectConnection = connectionType('Project', Project, 'project');
export const ProjectProgressConnection = connectionType('ProjectProgress', ProjectProgress, 'progress entry');

@Resolver(() => Project)
export class ProjectResolver {
  @FieldResolver(() => Area, { description: "区划 — the project's area." })
  area(@Root() project: Project, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(project.areaCode);
  }

  @FieldResolver(() => Facility, { nullable: true, description: "站点 — the facility this project builds; null when none (or outside the caller's area)." })
  facility(@Root() project: Project, @Ctx() ctx: Context) {
    return projectService.facility(ctx, project);
  }

  @FieldResolver(() => ProjectProgressConnection, { description: '进度历史 — every recorded progress entry, newest first.' })
  progress(@Root() project: Project, @Args() args: PageArgs, @Ctx() ctx: Context): Promise<Page<ProjectProgress>> {
    return projectService.progress(ctx, project, args);
  }

  @Mutation(() => CreateProjectPayload, {
    description:
      '新建项目 — creates a project (PLANNED) owned by a section (责任股室). Who may: COUNTY_ADMIN in their county, TOWNSHIP_OPERATOR in their township, SECTION_STAFF for their own section only. Writes one progress event.',
  })
  createProject(@Arg('input', { description: 'The new project.' }) input: CreateProjectInput, @Ctx() ctx: Context) {
    return asPayload(() => projectService.create(ctx, input));
  }

  @Mutation(() => UpdateProjectPayload, {
    description: `修改项目 — changes a project's own fields (with its \`version\`), including its section (责任股室: not by section staff). ${WHO_MAY} Writes one progress event.`,
  })
  updateProject(@Arg('input', { description: 'What to change.' }) input: UpdateProjectInput, @Ctx() ctx: Context) {
    return asPayload(() => projectService.update(ctx, input));
  }

  @Mutation(() => SetProjectTeamPayload, {
    description: `设置专班 — sets the lead official (牵头领导) and task force (工作专班). ${WHO_MAY} Writes one progress event.`,
  })
  setProjectTeam(@Arg('input', { description: 'The team.' }) input: SetProjectTeamInput, @Ctx() ctx: Context) {
    return asPayload(() => projectService.setTeam(ctx, input));
  }

  @Mutation(() => SetProjectPlanPayload, { description: `设置推进方案 — sets the plan's milestones. ${WHO_MAY} Writes one progress event.` })
  setProjectPlan(@Arg('input', { description: 'The plan.' }) input: SetProjectPlanInput, @Ctx() ctx: Context) {
    return asPayload(() => projectService.setPlan(ctx, input));
  }

  @Mutation(() => CompleteMilestonePayload, {
    description: `完成节点 — marks one milestone done. ${WHO_MAY} Writes one progress event; a retry with the same \`idempotencyKey\` applies once.`,
  })
  completeMilestone(@Arg('input', { description: 'The milestone.' }) input: CompleteMilestoneInput, @Ctx() ctx: Context) {
    return asPayload(() => idempotent(ctx, 'completeMilestone', input, projectService.projectReplay, () => projectService.completeMilestone(ctx, input)));
  }

  @Mutation(() => ChangeProjectStatusPayload, {
    description: `变更项目状态 — starts (needs 牵头领导, 工作专班 and 推进方案), suspends, resumes or completes a project. One event; a linked facility that moves (started → 在建, completed → 建成) writes its own second event. ${WHO_MAY}`,
  })
  changeProjectStatus(@Arg('input', { description: 'The project and its next status.' }) input: ChangeProjectStatusInput, @Ctx() ctx: Context) {
    return asPayload(() => projectService.changeStatus(ctx, input));
  }

  @Mutation(() => RecordProjectProgressPayload, {
    description: `填报进度 — appends a progress entry (never overwrites). ${WHO_MAY} Writes one progress event.`,
  })
  recordProjectProgress(@Arg('input', { description: 'The entry.' }) input: RecordProjectProgressInput, @Ctx() ctx: Context) {
    return asPayload(() => idempotent(ctx, 'recordProjectProgress', input, projectService.progressReplay, () => projectService.recordProgress(ctx, input)));
  }
}

@Resolver(() => Area)
export class AreaProjectsResolver {
  @FieldResolver(() => ProjectConnection, {
    description: '民政项目 — projects of this area and (by default) every area below, that the caller may read, in creation order.',
  })
  projects(@Root() area: Area, @Args() args: ProjectsArgs, @Ctx() ctx: Context): Promise<Page<Project>> {
    return projectService.list(ctx, area, args);
  }
}
