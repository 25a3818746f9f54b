import { ArrayMaxSize, ArrayNotEmpty, IsInt, IsOptional, IsNotEmpty, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { PageArgs } from '../../common/connection.js';
import { GovernanceMember } from './governance.entity.js';
import { BodyType, EnrolmentStatus, ProgrammeLevel, PublicationForm } from './governance.rules.js';

const VERSION = 'The `version` you last read; a stale one is a CONFLICT and nothing is written.';
/** `areaCode` was these inputs' name for what every other input calls `area` (issue 32): kept, deprecated. */
const DEPRECATED_AREA_CODE = 'Use `area` (the same code), as every other input names an area. Send one of the two, not both.';

@InputType({ description: "Registers a village's 红白理事会 or 议事会 (成立)." })
export class CreateGovernanceBodyInput {
  @Field(() => String, {
    nullable: true,
    description: '区划 — the village or community (12-digit code; 村/社区 level). Required (or the deprecated `areaCode`).',
  })
  area?: string | null;

  @Field(() => String, { nullable: true, deprecationReason: DEPRECATED_AREA_CODE, description: '区划代码 — the same as `area` (its old name).' })
  areaCode?: string | null;

  @Field(() => BodyType, { description: 'Which body.' })
  bodyType!: BodyType;

  @Field(() => LocalDateResolver, { description: '成立日期 — date established (not in the future).' })
  establishedOn!: string;

  @Field(() => String, { nullable: true, description: '会长/主任 — the chair; must be one of the members.' })
  @IsOptional()
  @MaxLength(50)
  chair?: string | null;

  @Field({ defaultValue: false, description: '章程 — whether the charter is adopted.' })
  charterAdopted!: boolean;

  @Field(() => [GovernanceMember], { defaultValue: [], description: '成员 — members (at most 100).' })
  @ArrayMaxSize(100)
  @ValidateNested()
  members!: GovernanceMember[];
}

@InputType({ description: 'Changes a self-governance body; omitted fields stay as they are.' })
export class UpdateGovernanceBodyInput {
  @Field(() => ID, { description: "The body's global ID." })
  id!: string;

  @Field(() => Int, { description: VERSION })
  version!: number;

  @Field(() => LocalDateResolver, { nullable: true, description: '成立日期 — date established.' })
  establishedOn?: string | null;

  @Field(() => String, { nullable: true, description: '会长/主任 — the chair; must be one of the members.' })
  @IsOptional()
  @MaxLength(50)
  chair?: string | null;

  @Field(() => Boolean, { nullable: true, description: '章程 — whether the charter is adopted.' })
  charterAdopted?: boolean | null;

  @Field(() => [GovernanceMember], { nullable: true, description: '成员 — the full new member list (replaces the old one).' })
  @IsOptional()
  @ArrayMaxSize(100)
  @ValidateNested()
  members?: GovernanceMember[] | null;
}

@InputType({ description: 'Records one meeting of a self-governance body (append-only).' })
export class RecordGovernanceMeetingInput {
  @Field(() => ID, { description: "The body's global ID." })
  bodyId!: string;

  @Field(() => LocalDateResolver, { description: '会议日期 — date held: not in the future, not before the body was established.' })
  heldOn!: string;

  @Field({ description: '议题 — topic.' })
  @IsNotEmpty()
  @MaxLength(200)
  topic!: string;

  @Field(() => Int, { description: '参会人数 — attendance.' })
  @IsInt()
  @Min(0)
  @Max(10_000)
  attendance!: number;
}

@ArgsType()
export class GovernanceBodiesArgs extends PageArgs {
  @Field(() => BodyType, { nullable: true, description: 'Only bodies of this type.' })
  bodyType?: BodyType | null;
}

@InputType({ description: 'Defines a demonstration programme (示范创建); county administrators only.' })
export class CreateDemonstrationProgrammeInput {
  @Field({ description: '名称 — name.' })
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @Field(() => ProgrammeLevel, { description: '级别 — county, city or province.' })
  level!: ProgrammeLevel;

  @Field(() => Int, { description: '年度 — year.' })
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;

  @Field(() => String, { nullable: true, description: '说明 — description.' })
  @IsOptional()
  @MaxLength(1000)
  description?: string | null;
}

@InputType({ description: "Changes a programme's definition; omitted fields stay as they are." })
export class UpdateDemonstrationProgrammeInput {
  @Field(() => ID, { description: "The programme's global ID." })
  id!: string;

  @Field(() => Int, { description: VERSION })
  version!: number;

  @Field(() => String, { nullable: true, description: '名称 — name.' })
  @IsOptional()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string | null;

  @Field(() => ProgrammeLevel, { nullable: true, description: '级别 — level.' })
  level?: ProgrammeLevel | null;

  @Field(() => Int, { nullable: true, description: '年度 — year.' })
  @IsOptional()
  @Min(2000)
  @Max(2100)
  year?: number | null;

  @Field(() => String, { nullable: true, description: '说明 — description.' })
  @IsOptional()
  @MaxLength(1000)
  description?: string | null;
}

@InputType({ description: 'Enrols a township or village in a programme, as APPLIED; county administrators only.' })
export class EnrolInDemonstrationInput {
  @Field(() => ID, { description: "The programme's global ID." })
  programmeId!: string;

  @Field(() => String, {
    nullable: true,
    description: '区划 — the township (街道/乡镇) or village (村/社区) enrolled (6-, 9- or 12-digit code). Required (or the deprecated `areaCode`).',
  })
  area?: string | null;

  @Field(() => String, { nullable: true, deprecationReason: DEPRECATED_AREA_CODE, description: '区划代码 — the same as `area` (its old name).' })
  areaCode?: string | null;
}

@InputType({ description: 'Moves an enrolment along its lifecycle (APPLIED → CREATING → ASSESSED → AWARDED, or DROPPED); county administrators only.' })
export class ChangeEnrolmentStatusInput {
  @Field(() => ID, { description: "The enrolment's global ID." })
  id!: string;

  @Field(() => Int, { description: VERSION })
  version!: number;

  @Field(() => EnrolmentStatus, { description: 'The new status.' })
  status!: EnrolmentStatus;

  @Field(() => String, { nullable: true, description: 'An evidence note recorded with the change.' })
  @IsOptional()
  @MaxLength(2000)
  note?: string | null;
}

@InputType({ description: 'Adds an evidence note to an enrolment (append-only).' })
export class AddDemonstrationEvidenceInput {
  @Field(() => ID, { description: "The enrolment's global ID." })
  enrolmentId!: string;

  @Field({ description: '内容 — the note.' })
  @IsNotEmpty()
  @MaxLength(2000)
  note!: string;
}

@ArgsType()
export class EnrolmentsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only enrolments in this programme.' })
  programmeId?: string | null;

  @Field(() => EnrolmentStatus, { nullable: true, description: 'Only enrolments with this status.' })
  status?: EnrolmentStatus | null;
}

@ArgsType()
export class ProgrammeEnrolmentsArgs extends PageArgs {
  @Field(() => EnrolmentStatus, { nullable: true, description: 'Only enrolments with this status.' })
  status?: EnrolmentStatus | null;
}

@ArgsType()
export class ProgrammesArgs extends PageArgs {
  @Field(() => Int, { nullable: true, description: 'Only programmes of this year.' })
  year?: number | null;

  @Field(() => ProgrammeLevel, { nullable: true, description: 'Only programmes at this level.' })
  level?: ProgrammeLevel | null;
}

@InputType({ description: 'Adds an item to the village-affairs openness checklist; county administrators only.' })
export class CreateOpennessItemInput {
  @Field({ description: '代码 — stable code: capital letters, digits and _, e.g. FINANCES.' })
  @Matches(/^[A-Z][A-Z0-9_]{1,39}$/, { message: 'code must be 2–40 capital letters, digits or _, starting with a letter' })
  code!: string;

  @Field({ description: '名称 — name.' })
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @Field(() => String, { nullable: true, description: '说明 — description.' })
  @IsOptional()
  @MaxLength(1000)
  description?: string | null;

  @Field(() => Int, { defaultValue: 100, description: '排序 — display order.' })
  position!: number;
}

@InputType({ description: 'Changes a checklist item (rename, reorder, activate or retire it); omitted fields stay.' })
export class UpdateOpennessItemInput {
  @Field({ description: "代码 — the item's code." })
  code!: string;

  @Field(() => Int, { description: VERSION })
  version!: number;

  @Field(() => String, { nullable: true, description: '名称 — name.' })
  @IsOptional()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string | null;

  @Field(() => String, { nullable: true, description: '说明 — description.' })
  @IsOptional()
  @MaxLength(1000)
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: '启用 — whether villages must publish it.' })
  active?: boolean | null;

  @Field(() => Int, { nullable: true, description: '排序 — display order.' })
  position?: number | null;
}

@InputType({ description: "One checklist item's record for the village and quarter." })
export class OpennessEntryInput {
  @Field({ description: '事项代码 — checklist item code, e.g. FINANCES.' })
  itemCode!: string;

  @Field({ description: '已公开 — published.' })
  published!: boolean;

  @Field(() => PublicationForm, { nullable: true, description: '公开形式 — required when published, absent otherwise.' })
  form?: PublicationForm | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '公开日期 — date inside the quarter and not after today; required when published.' })
  publishedOn?: string | null;

  @Field(() => String, { nullable: true, description: '检查人 — who checked it.' })
  @IsOptional()
  @MaxLength(50)
  checkedBy?: string | null;

  @Field(() => Int, { nullable: true, description: "The entry's `version` when it was recorded before (omit for a new entry). " + VERSION })
  version?: number | null;
}

@InputType({ description: "Records a village's openness for a quarter: one entry per checklist item given (others stay as they are)." })
export class RecordOpennessInput {
  @Field(() => String, { nullable: true, description: '区划 — the village or community (12-digit code). Required (or the deprecated `areaCode`).' })
  area?: string | null;

  @Field(() => String, { nullable: true, deprecationReason: DEPRECATED_AREA_CODE, description: '区划代码 — the same as `area` (its old name).' })
  areaCode?: string | null;

  @Field({ description: '季度 — quarter such as 2026Q3; not in the future.' })
  quarter!: string;

  @Field(() => [OpennessEntryInput], { description: 'Entries, at least one and at most one per checklist item.' })
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @ValidateNested()
  entries!: OpennessEntryInput[];
}

@ArgsType()
export class QuarterArgs {
  @Field({ description: '季度 — quarter such as 2026Q3.' })
  quarter!: string;
}
