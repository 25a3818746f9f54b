import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { connectionType, type Page } from '../../common/connection.js';
import type { Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { AuditActor, AuditEntry } from './audit.entity.js';
import { AuditLogArgs } from './audit.inputs.js';
import { auditService } from './audit.service.js';

export const AuditEntryConnection = connectionType('AuditEntry', AuditEntry, 'audit entry');

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Query(() => AuditEntryConnection, {
    description:
      '审计日志 — every mutation call by signed-in callers whose area lies inside your subtree, newest first. COUNTY_ADMIN and LEADER only (others get FORBIDDEN). Anonymous calls are recorded but listed to no one here.',
  })
  auditLog(@Args() args: AuditLogArgs, @Ctx() ctx: Context): Promise<Page<AuditEntry>> {
    return auditService.list(ctx, args);
  }
}

@Resolver(() => AuditActor)
export class AuditActorResolver {
  @FieldResolver(() => Area, { nullable: true, description: '所属区划 — the area the caller worked for at the time.' })
  area(@Root() actor: AuditActor, @Ctx() ctx: Context) {
    return actor.areaCode ? ctx.loaders.area.byCode.load(actor.areaCode) : null;
  }
}
