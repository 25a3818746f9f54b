import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../common/global-id.js';
import { Node } from '../../common/node.js';
import { AuditOutcome } from './audit.rules.js';
import { Role } from '../../auth/auth.rules.js';

registerEnumType(AuditOutcome, {
  name: 'AuditOutcome',
  description: '结果 — how an audited mutation ended.',
  valuesConfig: {
    OK: { description: '成功 — it did what was asked' },
    USER_ERRORS: { description: '输入有误 — it answered with userErrors and changed nothing' },
    ERROR: { description: '失败 — it failed with a GraphQL error (FORBIDDEN, UNAUTHENTICATED, internal…) and changed nothing' },
  },
});

@ObjectType('AuditActor', { description: '调用人 — who called the mutation, as their token named them.' })
export class AuditActor {
  @Field({ description: 'Subject (user id) from the token.' })
  sub!: string;

  @Field({ description: '姓名 — name.' })
  name!: string;

  @Field(() => Role, { nullable: true, description: '角色 — role at the time.' })
  role!: Role | null;

  /** 12-digit code of the caller's area at the time. */
  areaCode!: string;
}

/**
 * 审计日志 — one mutation call: who, what (arguments with secrets redacted), how
 * it ended and when. Append-only; written in the transaction of the change it
 * records (no change commits without its row), and for refused and rolled-back
 * calls afterwards, on its own.
 */
@ObjectType('AuditEntry', {
  implements: Node,
  description: '审计日志 — one mutation call: caller, arguments (secrets redacted), outcome and time. Append-only.',
})
export class AuditEntry {
  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('AuditEntry', this.key);
  }

  /** Database id (decimal digits). */
  key!: string;

  @Field({ description: '时间 — when the mutation started.' })
  occurredAt!: Date;

  @Field(() => Int, { description: '耗时 — how long it ran, in milliseconds.' })
  durationMs!: number;

  @Field(() => AuditActor, { nullable: true, description: '调用人 — the caller; null for anonymous calls (which are refused).' })
  actor!: AuditActor | null;

  @Field(() => String, { nullable: true, description: 'Operation name the client sent, if any.' })
  operationName!: string | null;

  @Field({ description: 'Mutation field called, e.g. `updateFacility`.' })
  mutation!: string;

  @Field(() => GraphQLJSONObject, {
    description: '参数 — the arguments, verbatim except values under keys matching password/secret/token, shown as "[REDACTED]".',
  })
  arguments!: Record<string, unknown>;

  @Field(() => AuditOutcome, { description: '结果 — how it ended.' })
  outcome!: AuditOutcome;

  @Field(() => [String], { description: 'Error codes: of the userErrors (USER_ERRORS) or of the GraphQL error (ERROR); empty when OK.' })
  errorCodes!: string[];

  @Field(() => String, { nullable: true, description: 'Request id (x-request-id), to find the server log lines.' })
  requestId!: string | null;
}

/** Row shape of `audit_log`. */
export interface AuditRow {
  id: string;
  /** The driver may hand timestamptz back as text. */
  occurred_at: Date | string;
  duration_ms: number;
  actor_sub: string | null;
  actor_name: string | null;
  actor_role: Role | null;
  actor_area_code: string | null;
  operation_name: string | null;
  mutation: string;
  args: Record<string, unknown>;
  outcome: AuditOutcome;
  error_codes: string[];
  request_id: string | null;
}

export const AUDIT_COLUMNS =
  'id::text as id, occurred_at, duration_ms, actor_sub, actor_name, actor_role, actor_area_code, operation_name, mutation, args, outcome, error_codes, request_id';

export function auditEntryFromRow(row: AuditRow): AuditEntry {
  const entry = new AuditEntry();
  entry.key = row.id;
  entry.occurredAt = new Date(row.occurred_at);
  entry.durationMs = row.duration_ms;
  entry.actor = row.actor_sub
    ? Object.assign(new AuditActor(), { sub: row.actor_sub, name: row.actor_name ?? '', role: row.actor_role, areaCode: row.actor_area_code ?? '' })
    : null;
  entry.operationName = row.operation_name;
  entry.mutation = row.mutation;
  entry.arguments = row.args;
  entry.outcome = row.outcome;
  entry.errorCodes = row.error_codes;
  entry.requestId = row.request_id;
  return entry;
}
