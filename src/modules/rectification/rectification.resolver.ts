import { LocalDateResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { connectionType, PageArgs, type Page } from '../../common/connection.js';
import { pageOfHistory } from '../../common/list-page.js';
import { KNOWN_AT_DESCRIPTION } from '../../common/known-at.js';
import { asPayload } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { FollowUpReview, Rectification, RectificationTransition } from './rectification.entity.js';
import {
  CreateRectificationInput,
  RecordFollowUpReviewInput,
  RectificationListArgs,
  RectificationPayload,
  TransitionRectificationInput,
} from './rectification.inputs.js';
import type { DatedRectification } from './rectification.loaders.js';
import { RectificationStatus } from './rectification.rules.js';
import { rectificationService } from './rectification.service.js';

export const RectificationConnection = connectionType('Rectification', Rectification, 'audit rectification');
export const RectificationTransitionConnection = connectionType('RectificationTransition', RectificationTransition, '状态变更 status change');
export const FollowUpReviewConnection = connectionType('FollowUpReview', FollowUpReview, '回头看 follow-up review');

@Resolver(() => Rectification)
export class RectificationResolver {
  @Query(() => Rectification, { nullable: true, description: '审计整改 — one rectification by global ID (sensitive roles only); null when it does not exist.' })
  rectification(@Arg('id', () => ID, { description: 'Rectification global ID.' }) id: string, @Ctx() ctx: Context) {
    return rectificationService.byId(ctx, id);
  }

  @Query(() => RectificationConnection, {
    description: "审计整改 — rectifications in the caller's subtree, with statuses as of a date (sensitive roles only).",
  })
  rectifications(@Args() args: RectificationListArgs, @Ctx() ctx: Context): Promise<Page<DatedRectification>> {
    return rectificationService.list(ctx, args);
  }

  @Mutation(() => RectificationPayload, { description: '交办 — registers an audit finding for rectification (COUNTY_ADMIN).' })
  createRectification(@Arg('input', { description: 'The finding.' }) input: CreateRectificationInput, @Ctx() ctx: Context) {
    return asPayload(() => rectificationService.create(ctx, input));
  }

  @Mutation(() => RectificationPayload, {
    description:
      "状态变更 — moves a rectification along its lifecycle; CLOSED (销号) needs a distinct verifier and a note (COUNTY_ADMIN; the township's operator for the other steps).",
  })
  transitionRectification(@Arg('input', { description: 'The change.' }) input: TransitionRectificationInput, @Ctx() ctx: Context) {
    return asPayload(() => rectificationService.transition(ctx, input));
  }

  @Mutation(() => RectificationPayload, { description: '回头看 — records a follow-up review; a recurrence reopens the item to RECTIFYING (COUNTY_ADMIN).' })
  recordFollowUpReview(@Arg('input', { description: 'The review.' }) input: RecordFollowUpReviewInput, @Ctx() ctx: Context) {
    return asPayload(() => rectificationService.review(ctx, input));
  }

  @FieldResolver(() => Area, { description: '所在区划 — the area of the finding.' })
  area(@Root() item: Rectification, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(item.areaCode);
  }

  @FieldResolver(() => RectificationStatus, {
    nullable: true,
    description: "Status as of a date, from the transition history (default: the list's `asOf`, or current); null before registration.",
  })
  statusAsOf(
    @Root() item: DatedRectification,
    @Arg('asOf', () => LocalDateResolver, { nullable: true, description: 'The date.' }) asOf: string | null,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
    @Ctx() ctx: Context,
  ) {
    return rectificationService.statusAsOf(ctx, item, asOf, knownAt);
  }

  @FieldResolver(() => LocalDateResolver, {
    description:
      "在用整改时限 — the deadline in force on a date (default: the list's `asOf`, or today): the last extension (延期) approved on or before it, else `originalDeadline`.",
  })
  deadlineInForce(
    @Root() item: DatedRectification,
    @Arg('asOf', () => LocalDateResolver, { nullable: true, description: 'The date.' }) asOf: string | null,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
  ): string {
    return rectificationService.deadlineInForce(item, asOf, knownAt);
  }

  @FieldResolver(() => Boolean, {
    description: "逾期 — past the deadline in force (延期 included) and not yet rectified, as of a date (default: the list's `asOf`, or today).",
  })
  overdue(
    @Root() item: DatedRectification,
    @Arg('asOf', () => LocalDateResolver, { nullable: true, description: 'The date.' }) asOf: string | null,
    @Arg('knownAt', () => Date, { nullable: true, description: KNOWN_AT_DESCRIPTION }) knownAt: Date | null,
    @Ctx() ctx: Context,
  ) {
    return rectificationService.overdue(ctx, item, asOf, knownAt);
  }

  @FieldResolver(() => [RectificationTransition], {
    description: '状态变更记录 — every status change with who and when, oldest first (registration included).',
    deprecationReason: 'Use `transitionsConnection` (paged): this list has no bound.',
  })
  transitions(@Root() item: Rectification, @Ctx() ctx: Context) {
    return ctx.loaders.rectification.transitionsOf.load(item.key);
  }

  @FieldResolver(() => RectificationTransitionConnection, {
    description: '状态变更记录 — every status change with who and when, oldest first (registration included). Paged: `first` ≤ 100, `after`.',
  })
  async transitionsConnection(@Root() item: Rectification, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<RectificationTransition>> {
    return pageOfHistory(await ctx.loaders.rectification.transitionsOf.load(item.key), page, 'oldestFirst');
  }

  @FieldResolver(() => [FollowUpReview], {
    description: '回头看 — follow-up reviews, oldest first.',
    deprecationReason: 'Use `followUpReviewsConnection` (paged): this list has no bound.',
  })
  followUpReviews(@Root() item: Rectification, @Ctx() ctx: Context) {
    return ctx.loaders.rectification.reviewsOf.load(item.key);
  }

  @FieldResolver(() => FollowUpReviewConnection, { description: '回头看 — follow-up reviews, oldest first. Paged: `first` ≤ 100, `after`.' })
  async followUpReviewsConnection(@Root() item: Rectification, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<FollowUpReview>> {
    return pageOfHistory(await ctx.loaders.rectification.reviewsOf.load(item.key), page, 'oldestFirst');
  }
}

@Resolver(() => Area)
export class AreaRectificationResolver {
  @FieldResolver(() => RectificationConnection, { description: "审计整改 — rectifications in this area's subtree (sensitive roles only)." })
  rectifications(@Root() area: Area, @Args() args: RectificationListArgs, @Ctx() ctx: Context): Promise<Page<DatedRectification>> {
    return rectificationService.list(ctx, args, area.code);
  }
}
