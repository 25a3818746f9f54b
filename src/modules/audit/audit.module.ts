import type { Feature } from '../../feature.js';
import { AuditActorResolver, AuditResolver } from './audit.resolver.js';
import { auditService } from './audit.service.js';
import { auditMutations } from './audit.wrap.js';

/** 操作日志 — the audit log: every mutation is recorded (the schema transform wraps them all). */
export const auditFeature: Feature = {
  name: 'audit',
  resolvers: [AuditResolver, AuditActorResolver],
  nodes: { AuditEntry: (ctx, key) => auditService.byKey(ctx, key) },
  transformSchema: auditMutations,
};
