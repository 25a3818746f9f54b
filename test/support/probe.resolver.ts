import type { MikroORM } from '@mikro-orm/postgresql';
import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { DomainError, ErrorCode } from '../../src/common/errors.js';
import { asPayload, UserError } from '../../src/common/payload.js';
import { sqlFor } from '../../src/db/sql.js';
import type { Context } from '../../src/graphql/context.js';
import { buildCivgraphSchema } from '../../src/graphql/schema.js';
import { civgraph } from '../../src/features.js';
import { normalizeCode } from '../../src/common/codes.js';
import { assertCanWrite } from '../../src/auth/auth.rules.js';

/**
 * A test-only mutation shaped like a real feature's (input object, payload with
 * userErrors, write checked in the "service", one transaction), so the guards
 * (audit, GET refusal) are exercised on writes the tests control.
 * It never reaches the published schema.
 */
@InputType('ProbeInput', { description: 'Test-only.' })
class ProbeInput {
  @Field({ description: 'Area the note is about.' })
  areaCode!: string;

  @Field({ description: 'Text stored verbatim; empty gives a BAD_USER_INPUT user error.' })
  note!: string;

  @Field(() => String, { nullable: true, description: 'A secret that must not reach the audit log.' })
  password?: string | null;

  @Field({ defaultValue: false, description: 'Fail unexpectedly after writing, so the transaction rolls back.' })
  crash!: boolean;
}

@ObjectType('ProbePayload', { description: 'Test-only.' })
class ProbePayload {
  @Field(() => String, { nullable: true, description: 'The stored note.' })
  note?: string | null;

  @Field(() => [UserError], { description: 'Problems with the input.' })
  userErrors!: UserError[];
}

@Resolver()
export class ProbeResolver {
  @Mutation(() => ProbePayload, { description: 'Test-only: stores a note for an area.' })
  recordProbe(@Arg('input', () => ProbeInput) input: ProbeInput, @Ctx() ctx: Context) {
    return asPayload(async () => {
      const areaCode = normalizeCode(input.areaCode, 'areaCode');
      assertCanWrite(ctx.viewer, areaCode);
      if (!input.note) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'note must not be empty', 'note');
      await ctx.em.transactional(async (em) => {
        await sqlFor(em)('insert into probe_note (area_code, note) values (?, ?)', [areaCode, input.note]);
        if (input.crash) throw new Error('probe crashed after writing');
      });
      return { note: input.note };
    });
  }
}

export const RECORD_PROBE = `mutation RecordProbe($input: ProbeInput!) { recordProbe(input: $input) { note userErrors { field code message } } }`;

/** civgraph's schema plus the probe mutation. */
export function probeSchema() {
  return buildCivgraphSchema(civgraph, [ProbeResolver]);
}

/** The table the probe writes (in the test app's own database). */
export async function createProbeTable(orm: MikroORM) {
  await orm.em.getConnection().execute('create table if not exists probe_note (id serial primary key, area_code text not null, note text not null)');
}
