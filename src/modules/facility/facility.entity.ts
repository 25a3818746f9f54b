import { LocalDateResolver } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../common/global-id.js';
import { Node } from '../../common/node.js';
import { FacilityStatus, FacilityType, OperatingModel } from './facility.rules.js';

registerEnumType(FacilityType, {
  name: 'FacilityType',
  description: '服务站点类别 — kind of service facility.',
  valuesConfig: {
    NURSING_HOME: { description: '敬老院 — township public nursing home' },
    REGIONAL_ELDERLY_CARE_CENTER: { description: '区域性养老服务中心 — regional elderly-care service centre' },
    COMMUNITY_ELDERLY_CARE_COMPLEX: { description: '社区养老服务综合体 — community elderly-care complex' },
    DISABLED_ELDERLY_CARE_HOME: { description: '失能半失能养护院 — care home for disabled and semi-disabled elderly' },
    EXTREME_POVERTY_SUPPORT_FACILITY: { description: '特困人员供养服务设施 — support facility for extremely poor persons' },
    MINOR_PROTECTION_CENTER: { description: '未成年人救助保护中心 — county minor-protection centre' },
    MINOR_PROTECTION_STATION: { description: '未成年人保护工作站 — township minor-protection station' },
    MINOR_PROTECTION_POINT: { description: '未成年人保护点 — village minor-protection point' },
  },
});

registerEnumType(OperatingModel, {
  name: 'OperatingModel',
  description: '运营模式 — who builds and who runs a facility.',
  valuesConfig: {
    PUBLIC: { description: '公办公营 — publicly built and run' },
    PUBLIC_BUILT_PRIVATE_RUN: { description: '公建民营 — publicly built, run by a private operator' },
    PRIVATE: { description: '民办 — privately built and run' },
  },
});

registerEnumType(FacilityStatus, {
  name: 'FacilityStatus',
  description: '状态 — lifecycle: PLANNED → UNDER_CONSTRUCTION → BUILT → OPERATING, and SUSPENDED from (and back to) OPERATING.',
  valuesConfig: {
    PLANNED: { description: '规划 — planned' },
    UNDER_CONSTRUCTION: { description: '在建 — under construction' },
    BUILT: { description: '建成 — built, not yet operating' },
    OPERATING: { description: '投运 — operating' },
    SUSPENDED: { description: '停运 — operation suspended' },
  },
});

@ObjectType('GeoPoint', { description: '位置 — a WGS-84 point.' })
export class GeoPoint {
  @Field(() => Float, { description: '纬度 — latitude, degrees.' })
  latitude!: number;

  @Field(() => Float, { description: '经度 — longitude, degrees.' })
  longitude!: number;
}

/**
 * 服务站点 — a service facility: a nursing home, care complex, minor-protection
 * station… Invariants: occupied beds never above beds; a 公建民营 facility names
 * its operator; status moves only along the lifecycle in `facility.rules.ts`;
 * `version` grows by one on every change (optimistic concurrency).
 */
@ObjectType('Facility', {
  implements: Node,
  description: '服务站点 — a service facility (敬老院, 社区养老服务综合体, 未成年人保护站 …) with its lifecycle status and beds.',
})
export class Facility {
  /** Database key (bigint, as decimal digits). */
  key!: string;

  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('Facility', this.key);
  }

  @Field({ description: '名称 — name, e.g. 铁佛镇敬老院.' })
  name!: string;

  @Field(() => FacilityType, { description: '类别 — kind of facility.' })
  type!: FacilityType;

  /** 12-digit code of the area the facility serves (and belongs to). */
  areaCode!: string;

  @Field(() => OperatingModel, { description: '运营模式 — public, 公建民营, or private.' })
  operatingModel!: OperatingModel;

  @Field(() => FacilityStatus, { description: '状态 — lifecycle status.' })
  status!: FacilityStatus;

  @Field(() => Int, { description: '床位 — number of beds.' })
  beds!: number;

  @Field(() => Int, { description: '在住 — beds occupied; never more than `beds`.' })
  occupiedBeds!: number;

  @Field(() => String, { nullable: true, description: '运营方 — operator; required for 公建民营.' })
  operator!: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '投运日期 — first day of operation.' })
  openedOn!: string | null;

  /** 纬度 — latitude, degrees; null when the location is unknown. */
  latitude!: number | null;

  /** 经度 — longitude, degrees. */
  longitude!: number | null;

  @Field(() => GeoPoint, { nullable: true, description: '位置 — location, when known.' })
  get location(): GeoPoint | null {
    return this.latitude == null || this.longitude == null ? null : Object.assign(new GeoPoint(), { latitude: this.latitude, longitude: this.longitude });
  }

  @Field(() => Int, { description: '版本 — starts at 1, +1 on every change; send it back to edit (optimistic concurrency).' })
  version!: number;

  /** `DEMO` for seeded demonstration rows, `USER` otherwise. */
  source!: string;

  @Field({ description: '创建时间 — when the facility was registered.' })
  createdAt!: Date;

  @Field({ description: '更新时间 — when the facility last changed.' })
  updatedAt!: Date;
}

/** Row shape of `facility` as raw SQL returns it. */
export interface FacilityRow {
  id: string;
  name: string;
  type: FacilityType;
  area_code: string;
  operating_model: OperatingModel;
  status: FacilityStatus;
  beds: number;
  occupied_beds: number;
  operator: string | null;
  opened_on: string | null;
  latitude: string | null;
  longitude: string | null;
  version: number;
  source: string;
  created_at: Date;
  updated_at: Date;
}

/**
 * A facility's writable fields, one entry per field in API spelling, in the
 * order events record them. This table drives the service's insert, update,
 * event snapshot and changed-field check, and the column list and `fromRow`
 * below: a new writable field is one entry here (beside its `@Field`, its
 * `FacilityRow` column and its inputs), and nothing in facility.service.ts.
 */
export interface FacilityField {
  /** The field's name on `Facility`, in the inputs and in events. */
  key: string;
  column: keyof FacilityRow & string;
  /** Text: trimmed on write (and, when nullable, blank is null). */
  text?: true;
  /** The column may hold null; an update's explicit null then clears it (otherwise null keeps it). */
  nullable?: true;
  /** A `numeric` column, which PostgreSQL returns as a decimal string. */
  numeric?: true;
  /** The value in a create or update input, when it is not `input[key]`; undefined means not given. */
  fromInput?: (input: Record<string, unknown>) => unknown;
  /** Checked and resolved by the service rather than copied from the input (`area` → `areaCode`). */
  resolved?: true;
  /** Set at creation only: an update leaves it (status moves along the lifecycle, in `changeFacilityStatus`). */
  createOnly?: true;
}

const coordinate = (axis: 'latitude' | 'longitude') => (input: Record<string, unknown>) => {
  const location = input.location as GeoPoint | null | undefined;
  return location === undefined ? undefined : (location?.[axis] ?? null);
};

export const FACILITY_FIELDS: readonly FacilityField[] = [
  { key: 'name', column: 'name', text: true },
  { key: 'type', column: 'type' },
  { key: 'areaCode', column: 'area_code', resolved: true },
  { key: 'operatingModel', column: 'operating_model' },
  { key: 'status', column: 'status', createOnly: true },
  { key: 'beds', column: 'beds' },
  { key: 'occupiedBeds', column: 'occupied_beds' },
  { key: 'operator', column: 'operator', text: true, nullable: true },
  { key: 'openedOn', column: 'opened_on', nullable: true },
  { key: 'latitude', column: 'latitude', nullable: true, numeric: true, fromInput: coordinate('latitude') },
  { key: 'longitude', column: 'longitude', nullable: true, numeric: true, fromInput: coordinate('longitude') },
];

/** A field's value as the API spells it, from a row. */
export function facilityValueOf(field: FacilityField, row: FacilityRow): unknown {
  const value = row[field.column];
  return field.numeric && value != null ? Number(value) : value;
}

export const FACILITY_COLUMNS = `id::text as id, ${FACILITY_FIELDS.map((field) => field.column).join(', ')}, version, source, created_at, updated_at`;

export function facilityFromRow(row: FacilityRow): Facility {
  const f = new Facility();
  f.key = row.id;
  for (const field of FACILITY_FIELDS) (f as unknown as Record<string, unknown>)[field.key] = facilityValueOf(field, row);
  f.version = row.version;
  f.source = row.source;
  f.createdAt = row.created_at;
  f.updatedAt = row.updated_at;
  return f;
}

@ObjectType('FacilityCount', { description: '站点统计 — number of facilities of one type, status and operating model, with their beds.' })
export class FacilityCount {
  @Field(() => FacilityType, { description: '类别 — kind of facility.' })
  type!: FacilityType;

  @Field(() => FacilityStatus, { description: '状态 — lifecycle status.' })
  status!: FacilityStatus;

  @Field(() => OperatingModel, { description: '运营模式 — operating model.' })
  operatingModel!: OperatingModel;

  @Field(() => Int, { description: '数量 — number of facilities.' })
  count!: number;

  @Field(() => Int, { description: '床位 — their beds.' })
  beds!: number;

  @Field(() => Int, { description: '在住 — their occupied beds.' })
  occupiedBeds!: number;
}

/**
 * 站点汇总 — facilities over an area's subtree counted by type × status ×
 * operating model, read in one statement; `count(...)` sums groups in memory.
 */
@ObjectType('FacilitySummary', {
  description: "站点汇总 — facilities in an area's subtree, counted by type × status × operating model (e.g. 15 public nursing homes, 9 of them 公建民营).",
})
export class FacilitySummary {
  @Field(() => Int, { description: '总数 — all facilities in the subtree that the caller may read.' })
  total!: number;

  @Field(() => Int, { description: '床位 — beds, all facilities.' })
  beds!: number;

  @Field(() => Int, { description: '在住 — occupied beds, all facilities.' })
  occupiedBeds!: number;

  @Field(() => [FacilityCount], { description: 'One entry per (type, status, operating model) that has facilities, ordered by type, status, model.' })
  groups!: FacilityCount[];
}
