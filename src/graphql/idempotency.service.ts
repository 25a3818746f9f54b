import { ErrorCode } from '../common/errors.js';
import { PayloadErrors, userError } from '../common/payload.js';
import { requireViewer } from '../auth/auth.rules.js';
import type { Context } from './context.js';
import { KEEP_DAYS, inputHash, isIdempotencyKey } from './idempotency.rules.js';

/** Set on the result of a replayed write: the audit wrapper writes no second row for it. */
export const REPLAYED = Symbol('replayed');

/** Whether a mutation's result is a replay (an earlier call's answer, nothing applied now). */
export function isReplayed(result: unknown): boolean {
  return Boolean(result && typeof result === 'object' && (result as { [REPLAYED]?: true })[REPLAYED]);
}

/** How one operation keeps what it wrote (`ref`, JSON) and reads its answer again from it (`replay`). */
export interface Replayable<R extends object, Ref> {
  ref: (result: R) => Ref;
  replay: (ctx: Context, ref: Ref) => Promise<R>;
}

/**
 * Runs an entry write at most once per caller and `input.idempotencyKey` (幂等键).
 * Without a key: just `run`. With one, in the mutation's transaction (the audit
 * wrapper's): the key is claimed (a concurrent call with the same key waits on
 * the row until this one commits); a key already used for the same operation
 * and input answers with the first call's result read again (`replay`), marked
 * {@link REPLAYED}, and applies nothing; used with another operation or input it
 * is a CONFLICT userError on `idempotencyKey`. A write that fails (userErrors,
 * errors) gives its key back, so a corrected retry may use it. Keys older than
 * {@link KEEP_DAYS} days are pruned here.
 */
export async function idempotent<R extends object, Ref>(
  ctx: Context,
  operation: string,
  input: { idempotencyKey?: string | null },
  how: Replayable<R, Ref>,
  run: () => Promise<R>,
): Promise<R> {
  const key = input.idempotencyKey;
  if (key === undefined || key === null) return run();
  if (!isIdempotencyKey(key)) {
    throw new PayloadErrors([
      userError(
        ErrorCode.BAD_USER_INPUT,
        'idempotencyKey must be 8–100 letters, digits, "-" or "_" (a UUID)',
        'idempotencyKey',
        '幂等键格式有误：应为 8–100 位字母、数字、“-”或“_”（如 UUID）',
      ),
    ]);
  }
  const caller = requireViewer(ctx.viewer).sub;
  const hash = inputHash(operation, input);
  await ctx.sql(`delete from idempotency_key where created_at < now() - make_interval(days => ?)`, [KEEP_DAYS]);
  const claimed = await ctx.sql<{ key: string }>(
    `insert into idempotency_key (caller, key, operation, input_hash) values (?, ?, ?, ?)
     on conflict (caller, key) do nothing returning key`,
    [caller, key, operation, hash],
  );
  if (!claimed.length) {
    const [stored] = await ctx.sql<{ operation: string; input_hash: string; result: Ref }>(
      `select operation, input_hash, result from idempotency_key where caller = ? and key = ?`,
      [caller, key],
    );
    if (stored.operation !== operation || stored.input_hash !== hash) {
      throw new PayloadErrors([
        userError(
          ErrorCode.CONFLICT,
          `idempotencyKey ${key} was already used for another ${stored.operation === operation ? 'input' : `operation (${stored.operation})`}; make a new key for a new entry`,
          'idempotencyKey',
          '该幂等键已用于另一次填报，内容不同：请为新的填报生成新的幂等键',
        ),
      ]);
    }
    const replayed = await how.replay(ctx, stored.result);
    return Object.assign(replayed, { [REPLAYED]: true as const });
  }
  try {
    const result = await run();
    await ctx.sql(`update idempotency_key set result = ?::jsonb where caller = ? and key = ?`, [JSON.stringify(how.ref(result)), caller, key]);
    return result;
  } catch (error) {
    // Nothing was applied: the key is free again. (Should the delete fail, the transaction is broken and commits nothing.)
    await ctx.sql(`delete from idempotency_key where caller = ? and key = ?`, [caller, key]).catch(() => undefined);
    throw error;
  }
}
