import { Arg, Args, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';
import { connectionType, type Page } from '../../common/connection.js';
import { asPayload } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { Facility, FacilitySummary } from './facility.entity.js';
import {
  ChangeFacilityStatusInput,
  ChangeFacilityStatusPayload,
  CreateFacilityInput,
  CreateFacilityPayload,
  FacilitiesArgs,
  FacilitySummaryArgs,
  UpdateFacilityInput,
  UpdateFacilityPayload,
} from './facility.inputs.js';
import { FacilityStatus, FacilityType, OperatingModel } from './facility.rules.js';
import { facilityService } from './facility.service.js';

export const FacilityConnection = connectionType('Facility', Facility, 'facility');

@Resolver(() => Facility)
export class FacilityResolver {
  @FieldResolver(() => Area, { description: '区划 — the area the facility belongs to.' })
  area(@Root() facility: Facility, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(facility.areaCode);
  }

  @Mutation(() => CreateFacilityPayload, {
    description:
      '登记站点 — registers a facility. Who may: COUNTY_ADMIN in their county, TOWNSHIP_OPERATOR in their township, VILLAGE_OPERATOR in their village (the areas keep the facility ledgers, 设施台账); SECTION_STAFF, VIEWER and LEADER read only. Writes one progress event.',
  })
  createFacility(@Arg('input', { description: 'The new facility.' }) input: CreateFacilityInput, @Ctx() ctx: Context) {
    return asPayload(() => facilityService.create(ctx, input));
  }

  @Mutation(() => UpdateFacilityPayload, {
    description:
      "修改站点 — changes a facility's fields (with its `version`). Who may: COUNTY_ADMIN, TOWNSHIP_OPERATOR and VILLAGE_OPERATOR inside their area (also the area it moves to); SECTION_STAFF, VIEWER and LEADER read only. Writes one progress event.",
  })
  updateFacility(@Arg('input', { description: 'What to change.' }) input: UpdateFacilityInput, @Ctx() ctx: Context) {
    return asPayload(() => facilityService.update(ctx, input));
  }

  @Mutation(() => ChangeFacilityStatusPayload, {
    description:
      '变更状态 — moves a facility one lifecycle step (INVALID_TRANSITION otherwise). Who may: COUNTY_ADMIN, TOWNSHIP_OPERATOR and VILLAGE_OPERATOR inside their area; SECTION_STAFF, VIEWER and LEADER read only. Writes one progress event.',
  })
  changeFacilityStatus(@Arg('input', { description: 'The facility and its next status.' }) input: ChangeFacilityStatusInput, @Ctx() ctx: Context) {
    return asPayload(() => facilityService.changeStatus(ctx, input));
  }
}

@Resolver(() => FacilitySummary)
export class FacilitySummaryResolver {
  @FieldResolver(() => Int, {
    description: '计数 — facilities matching all the given filters (omitted filter: any), summed from `groups` without another query.',
  })
  count(
    @Root() summary: FacilitySummary,
    @Arg('types', () => [FacilityType], { nullable: true, description: 'Only these kinds.' }) types: FacilityType[] | null,
    @Arg('statuses', () => [FacilityStatus], { nullable: true, description: 'Only these statuses.' }) statuses: FacilityStatus[] | null,
    @Arg('operatingModels', () => [OperatingModel], { nullable: true, description: 'Only these operating models.' }) operatingModels: OperatingModel[] | null,
  ): number {
    return summary.groups
      .filter(
        (g) =>
          (!types?.length || types.includes(g.type)) &&
          (!statuses?.length || statuses.includes(g.status)) &&
          (!operatingModels?.length || operatingModels.includes(g.operatingModel)),
      )
      .reduce((sum, g) => sum + g.count, 0);
  }
}

@Resolver(() => Area)
export class AreaFacilitiesResolver {
  @FieldResolver(() => FacilityConnection, {
    description: '服务站点 — facilities of this area and (by default) every area below, that the caller may read, in registration order.',
  })
  facilities(@Root() area: Area, @Args() args: FacilitiesArgs, @Ctx() ctx: Context): Promise<Page<Facility>> {
    return facilityService.list(ctx, area, args);
  }

  @FieldResolver(() => FacilitySummary, { description: '站点汇总 — facilities in the subtree counted by type × status × operating model, in one query.' })
  facilitySummary(@Root() area: Area, @Args() args: FacilitySummaryArgs, @Ctx() ctx: Context) {
    return facilityService.summary(ctx, area, args);
  }
}
