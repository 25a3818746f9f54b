import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { log } from '../../common/log.js';
import { ErrorCode } from '../../common/errors.js';
import { contextWith, type Context } from '../../graphql/context.js';
import { isReplayed } from '../../graphql/idempotency.service.js';
import { AuditOutcome, outcomeOfError, outcomeOfResult } from './audit.rules.js';
import { auditService, type AuditRecord } from './audit.service.js';

const AUDITED = Symbol('audited');

/**
 * Wraps every root Mutation field of the executable schema so each call is
 * audited, whatever the transport (Apollo over HTTP and graphql-ws run the same
 * schema object) and whatever feature defines the mutation. Queries are
 * untouched (no cost on reads).
 *
 * The wrapper owns a transaction around the resolver: the resolver gets a
 * context bound to it (`contextWith`), so the services' own `em.transactional`
 * become savepoints inside it (MikroORM 6 nests by default) and `ctx.sql`
 * reads see their writes. When the resolver returns (OK or USER_ERRORS), the
 * audit row is written in that transaction before it commits: no change commits
 * without its row, and a row that cannot be written rolls the change back (the
 * client gets a masked error, logged). Events appended to the outbox are
 * announced by NOTIFY, which PostgreSQL delivers at the real commit, the outer
 * one. When the resolver throws, everything rolls back and the row is written
 * afterwards on its own, with the error's outcome.
 */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  for (const field of Object.values(mutation?.getFields() ?? {})) {
    const resolve = (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, Context> & { [AUDITED]?: true };
    if (resolve[AUDITED]) continue;
    const audited: typeof resolve = async (root, args, ctx, info) => {
      const startedAt = new Date();
      const started = performance.now();
      const entry = (outcome: ReturnType<typeof outcomeOfResult>): AuditRecord => ({
        startedAt,
        durationMs: performance.now() - started,
        viewer: ctx.viewer,
        operationName: info.operation.name?.value ?? null,
        mutation: info.fieldName,
        args,
        ...outcome,
        requestId: ctx.requestId,
      });
      /** Writes the row of a call that changed nothing, outside any transaction; a lost row reaches the log at least. */
      const recordAlone = (outcome: ReturnType<typeof outcomeOfResult>) =>
        auditService.record(ctx.em, entry(outcome)).catch((error: unknown) => ctx.log.error({ err: error, mutation: info.fieldName }, 'audit row not written'));
      const resolver: { failed: boolean; error?: unknown } = { failed: false };
      try {
        return await ctx.em.transactional(async (em) => {
          const inner = contextWith(ctx, em);
          let result: unknown;
          try {
            result = await resolve(root, args, inner, info);
          } catch (error) {
            resolver.failed = true;
            resolver.error = error;
            throw error;
          }
          // A replayed entry write (same 幂等键, same input) applied nothing now: its row is the first call's.
          if (!isReplayed(result)) await auditService.write(inner.sql, entry(outcomeOfResult(result)));
          return result;
        });
      } catch (error) {
        if (resolver.failed) {
          await recordAlone(outcomeOfError(resolver.error));
          throw resolver.error;
        }
        // The audit row (or the commit) failed: the change went with it. The client sees a masked error.
        ctx.log.error({ err: error, mutation: info.fieldName }, 'mutation rolled back: its audit row could not be written or the commit failed');
        await recordAlone({ outcome: AuditOutcome.ERROR, errorCodes: [ErrorCode.INTERNAL_SERVER_ERROR] });
        throw error;
      }
    };
    audited[AUDITED] = true;
    field.resolve = audited;
  }
  log.debug({ mutations: Object.keys(mutation?.getFields() ?? {}).length }, 'mutations audited');
  return schema;
}
