import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { asPayload } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { AreaSuccessionPayload, MergeAreasInput, RetireAreaInput, mergerService } from './merger.service.js';

@Resolver()
export class MergerResolver {
  @Mutation(() => AreaSuccessionPayload, {
    description:
      '区划合并 — merge areas into a successor (两项改革). Sources get `validTo` and `successor`; their past figures stay with them, later ones move to the target. COUNTY_ADMIN.',
  })
  mergeAreas(@Arg('input', { description: 'Sources, target and effective date.' }) input: MergeAreasInput, @Ctx() ctx: Context) {
    return asPayload(() => mergerService.merge(ctx, input));
  }

  @Mutation(() => AreaSuccessionPayload, { description: '区划撤销 — retire one area, optionally naming a successor. COUNTY_ADMIN.' })
  retireArea(@Arg('input', { description: 'The area, optional successor and effective date.' }) input: RetireAreaInput, @Ctx() ctx: Context) {
    return asPayload(() => mergerService.retire(ctx, input));
  }
}
