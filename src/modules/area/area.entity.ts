import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../common/global-id.js';
import { Node } from '../../common/node.js';
import { AreaKind, shortNameOf } from './area.rules.js';
import { AreaLevel } from '../../common/codes.js';

registerEnumType(AreaLevel, {
  name: 'AreaLevel',
  description: 'Level in the administrative hierarchy (行政区划级别).',
  valuesConfig: {
    PROVINCE: { description: '省级 — province, autonomous region or municipality' },
    CITY: { description: '地级 — prefecture-level city' },
    COUNTY: { description: '县级 — county (县), district (区) or county-level city' },
    TOWNSHIP: { description: '乡级 — township (乡), town (镇) or subdistrict (街道)' },
    VILLAGE: { description: '村级 — village (村) or community (社区)' },
  },
});

registerEnumType(AreaKind, {
  name: 'AreaKind',
  description: 'Kind of a township- or village-level area (乡镇街道 / 村社区 类别).',
  valuesConfig: {
    SUBDISTRICT: { description: '街道 — urban subdistrict (code triplet 001–099)' },
    TOWN: { description: '镇 — town (100–199)' },
    TOWNSHIP: { description: '乡 — rural township (200–399)' },
    COMMUNITY: { description: '社区(居委会) — urban community' },
    VILLAGE: { description: '村(村委会) — administrative village' },
    OTHER: { description: '其他 — special units such as development zones and state farms' },
  },
});

/**
 * An administrative area (行政区划), from province down to village, keyed by its
 * 12-digit statistical division code (统计用区划代码).
 *
 * Areas are read with raw SQL and written by the importer, never through the
 * unit of work, so change tracking is off: MikroORM's per-property tracking
 * accessors cost more than the rest of a tree query put together.
 *
 * Invariants: the code encodes the position in the tree, so a subtree is a code
 * range; `parentCode` is the nearest existing ancestor; a retired area (两项改革
 * mergers) keeps its row with `validTo` set and, when merged, a `successorCode`.
 */
@ObjectType('Area', {
  implements: Node,
  // Plain property reads: no middleware chain per field (measured on the tree query).
  simpleResolvers: true,
  description: '行政区划 — an administrative area: county (县), township (乡/镇/街道) or village (村/社区), and above them province and city.',
})
@Entity({ tableName: 'area' })
@Index({ properties: ['parentCode', 'code'] })
export class Area {
  @Field({ description: '统计用区划代码 — 12-digit statistical division code; the county itself is `511921000000`.' })
  @PrimaryKey({ type: 'string', columnType: 'text' })
  code!: string;

  @Field({ description: '名称 — official name, as the statistical bureau lists it (e.g. 城南社区居民委员会).' })
  @Property({ type: 'string', columnType: 'text', trackChanges: false })
  name!: string;

  @Field(() => AreaLevel, { description: '级别 — level in the hierarchy.' })
  @Enum({ items: () => AreaLevel, type: 'string', columnType: 'text', trackChanges: false })
  level!: AreaLevel;

  @Field(() => AreaKind, { nullable: true, description: '类别 — 街道/镇/乡 or 社区/村; null above township level.' })
  @Enum({ items: () => AreaKind, type: 'string', columnType: 'text', nullable: true, trackChanges: false })
  kind!: AreaKind | null;

  /** Code of the parent area; null for a root (a province, or the top of a partial import). */
  @Property({ type: 'string', columnType: 'text', nullable: true, trackChanges: false })
  parentCode!: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '启用日期 — first day this area existed as recorded; null when it predates the records.' })
  @Property({ type: 'string', columnType: 'date', nullable: true, trackChanges: false })
  validFrom!: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '撤销日期 — last day of a retired area (两项改革 merger or split); null while current.' })
  @Property({ type: 'string', columnType: 'date', nullable: true, trackChanges: false })
  validTo!: string | null;

  /** Code of the area that took this one over when it was retired. */
  @Property({ type: 'string', columnType: 'text', nullable: true, trackChanges: false })
  successorCode!: string | null;

  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('Area', this.code);
  }

  @Field({ description: '简称 — everyday name without the committee suffix (城南社区 for 城南社区居民委员会).' })
  get shortName(): string {
    return shortNameOf(this.name);
  }

  @Field({ description: 'Whether the area is current (not retired).' })
  get isCurrent(): boolean {
    return this.validTo === null;
  }
}

/** Row shape of the `area` table as raw SQL returns it. */
export interface AreaRow {
  code: string;
  name: string;
  level: AreaLevel;
  kind: AreaKind | null;
  parent_code: string | null;
  valid_from: string | null;
  valid_to: string | null;
  successor_code: string | null;
}

/** Columns selected wherever areas are read with raw SQL. */
export const AREA_COLUMNS = 'code, name, level, kind, parent_code, valid_from, valid_to, successor_code';

/** Builds an unmanaged {@link Area} from a raw row: reads never need the unit of work. */
export function areaFromRow(row: AreaRow): Area {
  const area = new Area();
  area.code = row.code;
  area.name = row.name;
  area.level = row.level;
  area.kind = row.kind;
  area.parentCode = row.parent_code;
  area.validFrom = row.valid_from;
  area.validTo = row.valid_to;
  area.successorCode = row.successor_code;
  return area;
}
