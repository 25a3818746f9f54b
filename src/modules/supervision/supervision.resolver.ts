import { LocalDateResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { connectionType, PageArgs, type Page } from '../../common/connection.js';
import { pageOfHistory, pageOfList } from '../../common/list-page.js';
import { Node } from '../../common/node.js';
import { KNOWN_AT_DESCRIPTION } from '../../common/known-at.js';
import { asPayload } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { fetchNode } from '../../graphql/node.resolver.js';
import { Area } from '../area/area.entity.js';
import { Rectification } from '../rectification/rectification.entity.js';
import { SupervisionAction, SupervisionCandidate } from './supervision.entity.js';
import {
  AdvanceSupervisionInput,
  IssueSupervisionInput,
  RecordSupervisionOutcomeInput,
  RecordSupervisionResponseInput,
  SupervisionListArgs,
  SupervisionOutcomePayload,
  SupervisionPayload,
} from './supervision.inputs.js';
import { dueState, DueState, SupervisionOutcome, SupervisionTransition } from './supervision.lifecycle.js';
import { asOfOrToday } from '../../common/dates.js';
import { knownAtBound } from '../../common/known-at.js';
import { supervisionService } from './supervision.service.js';
import { Accountability, accountability } from './supervision.accountability.js';

export const SupervisionConnection = connectionType('SupervisionAction', SupervisionAction, 'supervision action');
export const SupervisionTransitionConnection = connectionType('SupervisionTransition', SupervisionTransition, '流转记录 (supervision step)');
export const SupervisionCandidateConnection = connectionType('SupervisionCandidate', SupervisionCandidate, '待督办 candidate');

@Resolver(() => SupervisionAction)
export class SupervisionResolver {
  @Query(() => SupervisionAction, { nullable: true, description: '督办 — one supervision action by global ID (sensitive roles only).' })
  supervisionAction(@Arg('id', () => ID, { description: 'SupervisionAction global ID.' }) id: string, @Ctx() ctx: Context) {
    return supervisionService.byId(ctx, id);
  }

  @Query(() => SupervisionConnection, { description: "督办 — supervision actions in the caller's subtree (sensitive roles only)." })
  supervisionActions(@Args() args: SupervisionListArgs, @Ctx() ctx: Context): Promise<Page<SupervisionAction>> {
    return supervisionService.list(ctx, args);
  }

  @Query(() => [SupervisionCandidate], {
    description:
      '待督办 — lagging or overdue tasks and overdue rectifications as of a date that no supervision action (issued on or before it) covers yet (sensitive roles only).',
    deprecationReason: 'Use `needsSupervisionConnection` (paged): this list has no bound.',
  })
  needsSupervision(
    @Arg('asOf', () => LocalDateResolver, { nullable: true, description: 'The date (default today).' }) asOf: string | null,
    @Arg('area', () => String, { nullable: true, description: "Only this area's subtree (default: the caller's)." }) area: string | null,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
    @Ctx() ctx: Context,
  ) {
    return supervisionService.needsSupervision(ctx, asOf, area, knownAt);
  }

  @Query(() => SupervisionCandidateConnection, {
    description:
      '待督办 — lagging or overdue tasks and overdue rectifications as of a date that no supervision action (issued on or before it) covers yet (sensitive roles only). Paged: `first` ≤ 100, `after`.',
  })
  async needsSupervisionConnection(
    @Args() page: PageArgs,
    @Arg('asOf', () => LocalDateResolver, { nullable: true, description: 'The date (default today).' }) asOf: string | null,
    @Arg('area', () => String, { nullable: true, description: "Only this area's subtree (default: the caller's)." }) area: string | null,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
    @Ctx() ctx: Context,
  ): Promise<Page<SupervisionCandidate>> {
    return pageOfList(await supervisionService.needsSupervision(ctx, asOf, area, knownAt), page, (candidate) => candidate.targetId);
  }

  @Mutation(() => SupervisionPayload, { description: '督办 — issues a supervision action against a task, project or rectification (COUNTY_ADMIN).' })
  issueSupervision(@Arg('input', { description: 'The action.' }) input: IssueSupervisionInput, @Ctx() ctx: Context) {
    return asPayload(() => supervisionService.issue(ctx, input));
  }

  @Mutation(() => SupervisionPayload, { description: "督办回复 — records the supervised unit's response (COUNTY_ADMIN or the township's operator)." })
  recordSupervisionResponse(@Arg('input', { description: 'The response.' }) input: RecordSupervisionResponseInput, @Ctx() ctx: Context) {
    return asPayload(() => supervisionService.respond(ctx, input));
  }

  @Mutation(() => SupervisionPayload, {
    description:
      '督办流转 — takes one step of a supervision action: 签收, 办理 and 反馈 by the supervised side (the township operator, or COUNTY_ADMIN on its behalf); 退回 and 办结 by the supervising side (COUNTY_ADMIN, or SECTION_STAFF for work their section owns).',
  })
  advanceSupervision(@Arg('input', { description: 'The step.' }) input: AdvanceSupervisionInput, @Ctx() ctx: Context) {
    return asPayload(() => supervisionService.advance(ctx, input));
  }

  @Mutation(() => SupervisionOutcomePayload, {
    description: '问责 — records what a supervision action led to, against whom (COUNTY_ADMIN, or SECTION_STAFF for work their section owns).',
  })
  recordSupervisionOutcome(@Arg('input', { description: 'The outcome.' }) input: RecordSupervisionOutcomeInput, @Ctx() ctx: Context) {
    return asPayload(() => supervisionService.recordOutcome(ctx, input));
  }

  @FieldResolver(() => SupervisionTransitionConnection, {
    description: '流转记录 — the steps of this action (交办、签收、办理、反馈、退回、办结), oldest first. Paged: `first` ≤ 100, `after`.',
  })
  async transitions(@Root() action: SupervisionAction, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<SupervisionTransition>> {
    return pageOfHistory(await ctx.loaders.supervision.transitions.load(action.key), page, 'oldestFirst');
  }

  @FieldResolver(() => [SupervisionOutcome], { description: '问责 — what this action led to, oldest first (a handful per action).' })
  outcomes(@Root() action: SupervisionAction, @Ctx() ctx: Context) {
    return ctx.loaders.supervision.outcomes.load(action.key);
  }

  @FieldResolver(() => DueState, {
    description:
      '时限状态 — the response due date on `asOf`: RED when unanswered after it or answered late, YELLOW when unanswered within three days of it, else GREEN. With `knownAt`, a response recorded later does not count.',
  })
  dueState(
    @Root() action: SupervisionAction,
    @Arg('asOf', () => LocalDateResolver, { nullable: true, description: 'The date (default today).' }) asOf: string | null,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
  ): DueState {
    knownAtBound(knownAt);
    const respondedOn = action.responseRecordedAt !== null && (knownAt == null || action.responseRecordedAt <= knownAt) ? action.respondedOn : null;
    return dueState(action.responseDue, respondedOn, asOfOrToday(asOf));
  }

  @Query(() => Accountability, {
    description:
      '责任落实 — the accountability chain of an area and month in one read (COUNTY_ADMIN and LEADER): overdue and lagging tasks and overdue rectifications with their responsible persons, supervision not closed with its stage and due state, and the 问责 outcomes decided in the month. A bounded number of SQL statements whatever the size.',
  })
  accountability(
    @Arg('month', { description: '月份 — "2026-11"; the as-of date is its last day, or today for the current month.' }) month: string,
    @Arg('area', () => String, { nullable: true, description: "区划 — an area in the caller's subtree (default: the caller's)." }) area: string | null,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
    @Ctx() ctx: Context,
  ): Promise<Accountability> {
    return accountability(ctx, month, area, knownAt);
  }

  @FieldResolver(() => Node, { nullable: true, description: '督办对象 — the supervised task, project or rectification; null if it no longer exists.' })
  target(@Root() action: SupervisionAction, @Ctx() ctx: Context) {
    return fetchNode(ctx, action.targetId, 'target');
  }

  @FieldResolver(() => Area, { description: "所在区划 — the target's area." })
  area(@Root() action: SupervisionAction, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(action.areaCode);
  }
}

@Resolver(() => SupervisionCandidate)
export class SupervisionCandidateResolver {
  @FieldResolver(() => Node, { nullable: true, description: 'The task or rectification itself.' })
  target(@Root() candidate: SupervisionCandidate, @Ctx() ctx: Context) {
    return fetchNode(ctx, candidate.targetId, 'target');
  }

  @FieldResolver(() => Area, { description: "所在区划 — the target's area." })
  area(@Root() candidate: SupervisionCandidate, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(candidate.areaCode);
  }
}

/** 督办 on the items it supervises: the supervision feature adds the field to Rectification. */
@Resolver(() => Rectification)
export class RectificationSupervisionResolver {
  @FieldResolver(() => [SupervisionAction], {
    description: '督办 — supervision actions against this item, oldest first.',
    deprecationReason: 'Use `supervisionActionsConnection` (paged): this list has no bound.',
  })
  supervisionActions(@Root() item: Rectification, @Ctx() ctx: Context) {
    return ctx.loaders.supervision.byTarget.load(item.id);
  }

  @FieldResolver(() => SupervisionConnection, { description: '督办 — supervision actions against this item, oldest first. Paged: `first` ≤ 100, `after`.' })
  async supervisionActionsConnection(@Root() item: Rectification, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<SupervisionAction>> {
    return pageOfHistory(await ctx.loaders.supervision.byTarget.load(item.id), page, 'oldestFirst');
  }
}
