import { ArgsType, Field, InputType } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { AuditOutcome } from './audit.rules.js';

@InputType('AuditLogFilter', { description: 'Which audit entries to list; every given condition must hold.' })
export class AuditLogFilter {
  @Field(() => String, { nullable: true, description: 'Only calls by this subject (user id).' })
  sub?: string | null;

  @Field(() => String, { nullable: true, description: 'Only calls of this mutation field, e.g. `updateFacility`.' })
  mutation?: string | null;

  @Field(() => AuditOutcome, { nullable: true, description: 'Only calls that ended this way.' })
  outcome?: AuditOutcome | null;

  @Field(() => Date, { nullable: true, description: 'Only calls at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only calls before this time.' })
  to?: Date | null;
}

@ArgsType()
export class AuditLogArgs extends PageArgs {
  @Field(() => AuditLogFilter, { nullable: true, description: 'Conditions on the entries; all entries in scope when absent.' })
  filter?: AuditLogFilter | null;
}
