import { ArgsType, Field, Int } from 'type-graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../common/connection.js';
import { SubjectKind } from './progress.entity.js';

/** Which events: an area's subtree (or the area alone) and optionally some kinds. */
@ArgsType()
export class ProgressScopeArgs {
  @Field({ description: '区划代码 — the area (6, 9 or 12 digits) whose events to deliver; must lie in your own area.' })
  area!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: true, description: 'Include events of every area below (default), or only of the area itself.' })
  includeDescendants?: boolean | null;

  @Field(() => [SubjectKind], { nullable: true, description: 'Only events about these kinds of subject; all kinds when omitted or empty.' })
  kinds?: SubjectKind[] | null;
}

@ArgsType()
export class ProgressUpdatedArgs extends ProgressScopeArgs {
  @Field(() => String, {
    nullable: true,
    description:
      'Resume after this event: a `cursor` (or `sequence`) received earlier. Stored events after it are replayed first, then live ones follow, none missed and none twice. Omitted: only events committed from now on.',
  })
  after?: string | null;
}

@ArgsType()
export class ProgressUpdatesArgs extends ProgressScopeArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 0 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Events after this cursor (an edge `cursor`, an event `cursor`, or a `sequence`), oldest first.' })
  after?: string | null;
}
