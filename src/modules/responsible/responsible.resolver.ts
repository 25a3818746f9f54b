import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { connectionType, PageArgs, type Page } from '../../common/connection.js';
import { pageOfHistory } from '../../common/list-page.js';
import { asPayload } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { Account } from '../account/account.entity.js';
import { Area } from '../area/area.entity.js';
import { Project } from '../project/project.entity.js';
import { Rectification } from '../rectification/rectification.entity.js';
import { Task, TaskAssignment } from '../task/task.entity.js';
import { Responsibility, ResponsibleChange, ResponsibleItemKind, ResponsiblePerson } from '../../people/responsible.entity.js';
import { AssignResponsibleInput, AssignResponsiblePayload, ResponsibilitiesArgs } from '../../people/responsible.inputs.js';
import { responsibleService } from './responsible.service.js';
import { accountService } from '../account/account.service.js';
import { DomainError, ErrorCode } from '../../common/errors.js';

export const ResponsibleChangeConnection = connectionType('ResponsibleChange', ResponsibleChange, '责任人变更 responsible-person change');
export const ResponsibilityConnection = connectionType('Responsibility', Responsibility, '责任事项 responsibility');

const RESPONSIBLE = {
  nullable: true,
  description: '责任人 — the person responsible now (责任到人); null when none was set. Changed with `assignResponsible`.',
} as const;
const HISTORY = {
  description: '责任人变更记录 — every change of the responsible person: who changed it, when, from whom to whom, newest first. Paged: `first` ≤ 100, `after`.',
} as const;

@Resolver()
export class ResponsibleResolver {
  @Mutation(() => AssignResponsiblePayload, {
    description:
      '指定责任人 — sets or changes the person responsible for a key task, an assignment, a project or a rectification, recording who changed it, when and why. By the roles that write the item: COUNTY_ADMIN; SECTION_STAFF for their section’s tasks, assignments and projects; TOWNSHIP_OPERATOR for assignments, projects and rectifications in their subtree.',
  })
  assignResponsible(@Arg('input', { description: 'The item and its new responsible person.' }) input: AssignResponsibleInput, @Ctx() ctx: Context) {
    return asPayload(() => responsibleService.assign(ctx, input));
  }

  @Query(() => ResponsibilityConnection, {
    description:
      '责任清单 — what a person (an account, or a named person) is responsible for now, with each item’s deadline and how it is going today; only the items the caller may read.',
  })
  responsibilities(@Args() args: ResponsibilitiesArgs, @Ctx() ctx: Context): Promise<Page<Responsibility>> {
    return responsibleService.responsibilities(ctx, args, args);
  }
}

@Resolver(() => ResponsiblePerson)
export class ResponsiblePersonResolver {
  @FieldResolver(() => Account, {
    nullable: true,
    description: '账号 — the account, for a caller who may read it (the account itself, or a county admin); null otherwise and for a named person.',
  })
  async account(@Root() person: ResponsiblePerson, @Ctx() ctx: Context): Promise<Account | null> {
    if (person.accountKey === null || !ctx.viewer) return null;
    try {
      return await accountService.byKey(ctx, person.accountKey);
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.FORBIDDEN) return null;
      throw error;
    }
  }
}

@Resolver(() => Responsibility)
export class ResponsibilityResolver {
  @FieldResolver(() => Area, { description: '区划 — the item’s area.' })
  area(@Root() item: Responsibility, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(item.areaCode);
  }
}

@Resolver(() => Account)
export class AccountResponsibleResolver {
  @FieldResolver(() => ResponsibilityConnection, { description: '责任清单 — what this account is responsible for now (as `responsibilities(account:)`).' })
  responsibilities(@Root() account: Account, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<Responsibility>> {
    return responsibleService.responsibilities(ctx, { account: account.id }, page);
  }
}

@Resolver(() => Task)
export class TaskResponsibleResolver {
  @FieldResolver(() => ResponsiblePerson, RESPONSIBLE)
  responsible(@Root() task: Task, @Ctx() ctx: Context) {
    return responsibleService.current(ctx, ResponsibleItemKind.TASK, task.key);
  }

  @FieldResolver(() => ResponsibleChangeConnection, HISTORY)
  async responsibleHistory(@Root() task: Task, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<ResponsibleChange>> {
    return pageOfHistory((await responsibleService.history(ctx, ResponsibleItemKind.TASK, task.key)).reverse(), page, 'newestFirst');
  }
}

@Resolver(() => TaskAssignment)
export class TaskAssignmentResponsibleResolver {
  @FieldResolver(() => ResponsiblePerson, RESPONSIBLE)
  responsible(@Root() assignment: TaskAssignment, @Ctx() ctx: Context) {
    return responsibleService.current(ctx, ResponsibleItemKind.TASK_ASSIGNMENT, assignment.key);
  }

  @FieldResolver(() => ResponsibleChangeConnection, HISTORY)
  async responsibleHistory(@Root() assignment: TaskAssignment, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<ResponsibleChange>> {
    return pageOfHistory((await responsibleService.history(ctx, ResponsibleItemKind.TASK_ASSIGNMENT, assignment.key)).reverse(), page, 'newestFirst');
  }
}

@Resolver(() => Project)
export class ProjectResponsibleResolver {
  @FieldResolver(() => ResponsiblePerson, RESPONSIBLE)
  responsible(@Root() project: Project, @Ctx() ctx: Context) {
    return responsibleService.current(ctx, ResponsibleItemKind.PROJECT, project.key);
  }

  @FieldResolver(() => ResponsibleChangeConnection, HISTORY)
  async responsibleHistory(@Root() project: Project, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<ResponsibleChange>> {
    return pageOfHistory((await responsibleService.history(ctx, ResponsibleItemKind.PROJECT, project.key)).reverse(), page, 'newestFirst');
  }
}

@Resolver(() => Rectification)
export class RectificationResponsibleResolver {
  @FieldResolver(() => ResponsiblePerson, {
    nullable: true,
    description:
      '责任人 — the person responsible now: the registered `responsiblePerson` until `assignResponsible` changes it (then with title and unit, or an account).',
  })
  responsible(@Root() item: Rectification, @Ctx() ctx: Context) {
    return responsibleService.current(ctx, ResponsibleItemKind.RECTIFICATION, item.key, item.responsiblePerson);
  }

  @FieldResolver(() => ResponsibleChangeConnection, HISTORY)
  async responsibleHistory(@Root() item: Rectification, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<ResponsibleChange>> {
    return pageOfHistory((await responsibleService.history(ctx, ResponsibleItemKind.RECTIFICATION, item.key)).reverse(), page, 'newestFirst');
  }
}
