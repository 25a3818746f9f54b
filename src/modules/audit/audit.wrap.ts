import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { log } from '../../common/log.js';
import type { Context } from '../../graphql/context.js';
import { outcomeOfError, outcomeOfResult } from './audit.rules.js';
import { auditService } from './audit.service.js';

const AUDITED = Symbol('audited');

/**
 * Wraps every root Mutation field of the executable schema so each call is
 * audited, whatever the transport (Apollo over HTTP and graphql-ws run the same
 * schema object) and whatever feature defines the mutation. The row is written
 * after the resolver settled, in its own statement, so a refused or rolled-back
 * mutation is recorded with its outcome. Queries are untouched (no cost on reads).
 */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  for (const field of Object.values(mutation?.getFields() ?? {})) {
    const resolve = (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, Context> & { [AUDITED]?: true };
    if (resolve[AUDITED]) continue;
    const audited: typeof resolve = async (root, args, ctx, info) => {
      const startedAt = new Date();
      const started = performance.now();
      const record = async (outcome: ReturnType<typeof outcomeOfResult>) => {
        try {
          await auditService.record(ctx.em, {
            startedAt,
            durationMs: performance.now() - started,
            viewer: ctx.viewer,
            operationName: info.operation.name?.value ?? null,
            mutation: info.fieldName,
            args,
            ...outcome,
            requestId: ctx.requestId,
          });
        } catch (error) {
          // The caller's answer stands; a lost audit row must at least reach the log.
          ctx.log.error({ err: error, mutation: info.fieldName }, 'audit row not written');
        }
      };
      let result: unknown;
      try {
        result = await resolve(root, args, ctx, info);
      } catch (error) {
        await record(outcomeOfError(error));
        throw error;
      }
      await record(outcomeOfResult(result));
      return result;
    };
    audited[AUDITED] = true;
    field.resolve = audited;
  }
  log.debug({ mutations: Object.keys(mutation?.getFields() ?? {}).length }, 'mutations audited');
  return schema;
}
