import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Int, Query, Resolver, Root } from 'type-graphql';
import { connectionType, type Page } from '../../common/connection.js';
import type { Context } from '../../graphql/context.js';
import { Area } from './area.entity.js';
import { AreaListArgs, AreasArgs, DescendantsArgs } from './area.inputs.js';
import { areaService } from './area.service.js';
import { AreaLevel } from '../../common/codes.js';

export const AreaConnection = connectionType('Area', Area, 'area');

@Resolver(() => Area)
export class AreaResolver {
  @Query(() => Area, {
    nullable: true,
    description: 'The area with this statistical division code (6-, 9- or 12-digit form), current or retired; null when no such area exists.',
  })
  area(@Arg('code', { description: '统计用区划代码, e.g. `511921` (通江县) or `511921001` (壁州街道).' }) code: string, @Ctx() ctx: Context) {
    return areaService.byCode(ctx, code);
  }

  @Query(() => AreaConnection, { description: 'Areas in code order, filtered by level, parent and name.' })
  areas(@Args() args: AreasArgs, @Ctx() ctx: Context): Promise<Page<Area>> {
    return areaService.list(ctx, args);
  }

  @FieldResolver(() => Area, { nullable: true, description: '上级区划 — the area directly above; null at the top.' })
  parent(@Root() area: Area, @Ctx() ctx: Context) {
    return areaService.parent(ctx, area);
  }

  @FieldResolver(() => [Area], { description: '全部上级 — every area above, from the top (province) down to the parent.' })
  ancestors(@Root() area: Area, @Ctx() ctx: Context) {
    return areaService.ancestors(ctx, area);
  }

  @FieldResolver(() => AreaConnection, { description: '下级区划 — the areas directly below, in code order.' })
  children(@Root() area: Area, @Args() args: AreaListArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Page<Area>> {
    return areaService.children(ctx, area, args, info);
  }

  @FieldResolver(() => AreaConnection, { description: '所辖区划 — every area below, at any depth (or at one level), in code order.' })
  descendants(@Root() area: Area, @Args() args: DescendantsArgs, @Ctx() ctx: Context): Promise<Page<Area>> {
    return areaService.descendants(ctx, area, args);
  }

  @FieldResolver(() => Int, { description: '下级数 — number of current areas directly below.' })
  childCount(@Root() area: Area, @Ctx() ctx: Context) {
    return areaService.childCount(ctx, area);
  }

  @FieldResolver(() => Int, { description: '所辖区划数 — number of current areas below, at any depth or at one level.' })
  descendantCount(
    @Root() area: Area,
    @Arg('level', () => AreaLevel, { nullable: true, description: 'Count only this level (e.g. VILLAGE).' }) level: AreaLevel | null,
    @Ctx() ctx: Context,
  ) {
    return areaService.descendantCount(ctx, area, level ?? null);
  }

  @FieldResolver(() => Area, { nullable: true, description: '承继区划 — the area that took over a retired one (两项改革); null while current.' })
  successor(@Root() area: Area, @Ctx() ctx: Context) {
    return areaService.successor(ctx, area);
  }
}
