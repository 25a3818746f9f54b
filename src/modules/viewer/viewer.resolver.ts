import { Ctx, Field, FieldResolver, ObjectType, Query, Resolver, Root, registerEnumType } from 'type-graphql';
import type { Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { areaService } from '../area/area.service.js';
import { Role } from '../../auth/auth.rules.js';

registerEnumType(Role, {
  name: 'Role',
  description: '角色 — what a caller may do.',
  valuesConfig: {
    COUNTY_ADMIN: { description: '县/局管理员 — everything in the county' },
    SECTION_STAFF: { description: "股室 — their section's work items; reads across the county" },
    TOWNSHIP_OPERATOR: { description: '乡镇民政办 — reports and edits inside their township' },
    VILLAGE_OPERATOR: { description: '村/社区 — their own village only' },
    VIEWER: { description: "只读 — reads their area's subtree (dashboards, third-party frontends), without audit rectification or supervision" },
    LEADER: {
      description: '县/局领导 — reads everything in their subtree (审计整改, 督办 and the monthly report included) and writes nothing',
    },
  },
});

@ObjectType('Viewer', { description: '当前用户 — the caller, as their bearer token names them.' })
export class ViewerType {
  @Field({ description: 'Subject (user id) at the identity provider.' })
  sub!: string;

  @Field({ description: '姓名 — name.' })
  name!: string;

  @Field(() => Role, { description: '角色 — role.' })
  role!: Role;

  @Field(() => String, { nullable: true, description: '股室 — section, for SECTION_STAFF.' })
  section!: string | null;

  /** 12-digit code of the caller's area. */
  areaCode!: string;
}

@Resolver(() => ViewerType)
export class ViewerResolver {
  @Query(() => ViewerType, { nullable: true, description: 'The caller; null when the request carries no token.' })
  viewer(@Ctx() ctx: Context): ViewerType | null {
    if (!ctx.viewer) return null;
    return Object.assign(new ViewerType(), { ...ctx.viewer, section: ctx.viewer.section ?? null });
  }

  @FieldResolver(() => Area, { nullable: true, description: '所属区划 — the area the caller works for; their scope is its subtree.' })
  area(@Root() viewer: ViewerType, @Ctx() ctx: Context) {
    return areaService.byCode(ctx, viewer.areaCode);
  }
}
