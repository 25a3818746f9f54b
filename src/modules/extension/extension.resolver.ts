import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { connectionType, PageArgs, type Page } from '../../common/connection.js';
import { pageOfHistory } from '../../common/list-page.js';
import { asPayload } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { Rectification } from '../rectification/rectification.entity.js';
import { Task } from '../task/task.entity.js';
import { DeadlineExtension } from './extension.entity.js';
import { DeadlineExtensionListArgs, DecideDeadlineExtensionInput, DeadlineExtensionPayload, RequestDeadlineExtensionInput } from './extension.inputs.js';
import { extensionService } from './extension.service.js';

export const DeadlineExtensionConnection = connectionType('DeadlineExtension', DeadlineExtension, '延期申请 deadline-extension request');

@Resolver()
export class ExtensionResolver {
  @Query(() => DeadlineExtensionConnection, {
    description:
      '延期申请 — deadline-extension requests in the caller’s subtree whose item the caller may read (a task: every role whose subtree it touches; a rectification: COUNTY_ADMIN, LEADER, SECTION_STAFF, TOWNSHIP_OPERATOR), newest first; `state: PENDING` gives 延期审批’s list. Paged: `first` ≤ 100, `after`.',
  })
  deadlineExtensions(@Args() args: DeadlineExtensionListArgs, @Ctx() ctx: Context): Promise<Page<DeadlineExtension>> {
    return extensionService.list(ctx, args);
  }

  @Mutation(() => DeadlineExtensionPayload, {
    description:
      '延期申请 — requests a later deadline for a key task or a rectification (审计整改), with a reason; PENDING until a county admin or leader decides it. By the roles that write the item: for a task COUNTY_ADMIN, SECTION_STAFF for their section’s tasks; for a rectification COUNTY_ADMIN, TOWNSHIP_OPERATOR in whose subtree it lies. One pending request per item; nothing to extend once the task is done or the rectification RECTIFIED or CLOSED.',
  })
  requestDeadlineExtension(
    @Arg('input', { description: 'The task or rectification, the new deadline and the reason.' }) input: RequestDeadlineExtensionInput,
    @Ctx() ctx: Context,
  ) {
    return asPayload(() => extensionService.request(ctx, input));
  }

  @Mutation(() => DeadlineExtensionPayload, {
    description:
      '延期审批 — approves or refuses a pending deadline-extension request (once; not one’s own). By COUNTY_ADMIN or LEADER (县/局领导) in whose subtree the task or rectification lies: the one write a LEADER makes. An approved deadline is in force from the day of the decision (`decidedOn`, default today).',
  })
  decideDeadlineExtension(@Arg('input', { description: 'The request and the decision.' }) input: DecideDeadlineExtensionInput, @Ctx() ctx: Context) {
    return asPayload(() => extensionService.decide(ctx, input));
  }
}

@Resolver(() => Task)
export class TaskExtensionResolver {
  @FieldResolver(() => DeadlineExtensionConnection, {
    description: '延期申请 — the task’s deadline-extension requests and their decisions, newest first. Paged: `first` ≤ 100, `after`.',
  })
  async extensions(@Root() task: Task, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<DeadlineExtension>> {
    return pageOfHistory((await extensionService.ofTask(ctx, task.key)).reverse(), page, 'newestFirst');
  }
}

@Resolver(() => Rectification)
export class RectificationExtensionResolver {
  @FieldResolver(() => DeadlineExtensionConnection, {
    description: '延期申请 — the rectification’s deadline-extension requests and their decisions, newest first. Paged: `first` ≤ 100, `after`.',
  })
  async extensions(@Root() item: Rectification, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<DeadlineExtension>> {
    return pageOfHistory((await extensionService.ofRectification(ctx, item.key)).reverse(), page, 'newestFirst');
  }
}

@Resolver(() => DeadlineExtension)
export class DeadlineExtensionItemResolver {
  @FieldResolver(() => String, { description: '事项名称 — the title of the item whose deadline it extends (a task’s title, a rectification’s finding).' })
  itemTitle(@Root() extension: DeadlineExtension, @Ctx() ctx: Context): Promise<string> {
    return extensionService.itemTitle(ctx, extension);
  }
}
