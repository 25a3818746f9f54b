import { ArgsType, Field } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { AreaLevel } from '../../common/codes.js';

@ArgsType()
export class AreaListArgs extends PageArgs {
  @Field({ defaultValue: false, description: 'Include retired areas (两项改革 mergers); current areas only by default.' })
  includeRetired!: boolean;
}

@ArgsType()
export class DescendantsArgs extends AreaListArgs {
  @Field(() => AreaLevel, { nullable: true, description: 'Only descendants at this level (e.g. VILLAGE for every village below a county).' })
  level?: AreaLevel | null;
}

@ArgsType()
export class AreasArgs extends AreaListArgs {
  @Field(() => AreaLevel, { nullable: true, description: 'Only areas at this level.' })
  level?: AreaLevel | null;

  @Field(() => String, { nullable: true, description: 'Only children of this area (6-, 9- or 12-digit code).' })
  parentCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Only areas whose name contains this text (e.g. 壁州).' })
  nameContains?: string | null;
}
