import { IsInt, IsLatitude, IsLongitude, IsOptional, Length, Max, Min, ValidateNested } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { UserError } from '../../common/payload.js';
import { Facility } from './facility.entity.js';
import { FacilityStatus, FacilityType, OperatingModel } from './facility.rules.js';

const MAX_BEDS = 100_000;

@InputType('GeoPointInput', { description: '位置 — a WGS-84 point.' })
export class GeoPointInput {
  @Field(() => Float, { description: '纬度 — latitude, −90 to 90.' })
  @IsLatitude()
  latitude!: number;

  @Field(() => Float, { description: '经度 — longitude, −180 to 180.' })
  @IsLongitude()
  longitude!: number;
}

@InputType('CreateFacilityInput', { description: '登记站点 — a new facility, or an existing one being registered (then give its current status).' })
export class CreateFacilityInput {
  @Field({ description: '名称 — name, 1–100 characters.' })
  @Length(1, 100)
  name!: string;

  @Field(() => FacilityType, { description: '类别 — kind of facility.' })
  type!: FacilityType;

  @Field({ description: '区划 — code of the area it belongs to (6, 9 or 12 digits).' })
  area!: string;

  @Field(() => OperatingModel, { description: '运营模式 — operating model.' })
  operatingModel!: OperatingModel;

  @Field(() => FacilityStatus, {
    defaultValue: FacilityStatus.PLANNED,
    description: '状态 — current status (default PLANNED); later changes follow the lifecycle.',
  })
  status!: FacilityStatus;

  @Field(() => Int, { defaultValue: 0, description: '床位 — beds.' })
  @IsInt()
  @Min(0)
  @Max(MAX_BEDS)
  beds!: number;

  @Field(() => Int, { defaultValue: 0, description: '在住 — occupied beds, at most `beds`.' })
  @IsInt()
  @Min(0)
  @Max(MAX_BEDS)
  occupiedBeds!: number;

  @Field(() => String, { nullable: true, description: '运营方 — operator; required for 公建民营.' })
  @IsOptional()
  @Length(1, 100)
  operator?: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '投运日期 — first day of operation.' })
  openedOn?: string | null;

  @Field(() => GeoPointInput, { nullable: true, description: '位置 — location.' })
  @IsOptional()
  @ValidateNested()
  location?: GeoPointInput | null;
}

@InputType('UpdateFacilityInput', {
  description:
    "修改站点 — change a facility's fields (not its status: use changeFacilityStatus). Omitted fields stay as they are; null clears an optional one.",
})
export class UpdateFacilityInput {
  @Field(() => ID, { description: "The facility's global ID." })
  id!: string;

  @Field(() => Int, { description: 'The `version` you read; a stale one gives CONFLICT and changes nothing.' })
  version!: number;

  @Field(() => String, { nullable: true, description: '名称 — new name.' })
  @IsOptional()
  @Length(1, 100)
  name?: string | null;

  @Field(() => FacilityType, { nullable: true, description: '类别 — new kind.' })
  type?: FacilityType | null;

  @Field(() => String, { nullable: true, description: '区划 — new area code.' })
  area?: string | null;

  @Field(() => OperatingModel, { nullable: true, description: '运营模式 — new operating model.' })
  operatingModel?: OperatingModel | null;

  @Field(() => Int, { nullable: true, description: '床位 — beds.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_BEDS)
  beds?: number | null;

  @Field(() => Int, { nullable: true, description: '在住 — occupied beds, at most `beds`.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_BEDS)
  occupiedBeds?: number | null;

  @Field(() => String, { nullable: true, description: '运营方 — operator; null clears it (not allowed for 公建民营).' })
  @IsOptional()
  @Length(1, 100)
  operator?: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '投运日期 — first day of operation; null clears it.' })
  openedOn?: string | null;

  @Field(() => GeoPointInput, { nullable: true, description: '位置 — location; null clears it.' })
  @IsOptional()
  @ValidateNested()
  location?: GeoPointInput | null;
}

@InputType('ChangeFacilityStatusInput', { description: '变更状态 — move a facility one step along its lifecycle.' })
export class ChangeFacilityStatusInput {
  @Field(() => ID, { description: "The facility's global ID." })
  id!: string;

  @Field(() => Int, { description: 'The `version` you read.' })
  version!: number;

  @Field(() => FacilityStatus, { description: '新状态 — the next status; an illegal jump gives INVALID_TRANSITION.' })
  status!: FacilityStatus;

  @Field(() => LocalDateResolver, { nullable: true, description: '投运日期 — when moving to OPERATING for the first time: the opening day (default today).' })
  openedOn?: string | null;
}

@ObjectType('CreateFacilityPayload', { description: 'Result of createFacility.' })
export class CreateFacilityPayload {
  @Field(() => Facility, { nullable: true, description: 'The new facility; null when there are userErrors.' })
  facility?: Facility | null;

  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType('UpdateFacilityPayload', { description: 'Result of updateFacility.' })
export class UpdateFacilityPayload {
  @Field(() => Facility, { nullable: true, description: 'The facility as changed; null when there are userErrors.' })
  facility?: Facility | null;

  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType('ChangeFacilityStatusPayload', { description: 'Result of changeFacilityStatus.' })
export class ChangeFacilityStatusPayload {
  @Field(() => Facility, { nullable: true, description: 'The facility in its new status; null when there are userErrors.' })
  facility?: Facility | null;

  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
  userErrors!: UserError[];
}

@ArgsType()
export class FacilitiesArgs extends PageArgs {
  @Field(() => [FacilityType], { nullable: true, description: 'Only these kinds.' })
  types?: FacilityType[] | null;

  @Field(() => [FacilityStatus], { nullable: true, description: 'Only these statuses.' })
  statuses?: FacilityStatus[] | null;

  @Field(() => [OperatingModel], { nullable: true, description: 'Only these operating models.' })
  operatingModels?: OperatingModel[] | null;

  @Field({ defaultValue: true, description: "Include facilities of every area below (default); false: this area's own only." })
  includeDescendants!: boolean;
}

@ArgsType()
export class FacilitySummaryArgs {
  @Field({ defaultValue: true, description: "Count facilities of every area below (default); false: this area's own only." })
  includeDescendants!: boolean;
}
