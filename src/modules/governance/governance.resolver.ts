import { Arg, Args, Ctx, Field, FieldResolver, Int, Mutation, ObjectType, Query, Resolver, Root, type ClassType } from 'type-graphql';
import { connectionType, PageArgs, type Page } from '../../common/connection.js';
import { asPayload, UserError } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { Area } from '../area/area.entity.js';
import { AreaConnection } from '../area/area.resolver.js';
import { councilService } from './council.service.js';
import { demonstrationService } from './demonstration.service.js';
import {
  DemonstrationEnrolment,
  DemonstrationEvidence,
  DemonstrationProgramme,
  GovernanceBody,
  GovernanceCoverage,
  GovernanceMeeting,
  OpennessCompliance,
  OpennessEntry,
  OpennessItem,
  OpennessRecord,
} from './governance.entity.js';
import {
  AddDemonstrationEvidenceInput,
  ChangeEnrolmentStatusInput,
  CreateDemonstrationProgrammeInput,
  CreateGovernanceBodyInput,
  CreateOpennessItemInput,
  EnrolInDemonstrationInput,
  EnrolmentsArgs,
  GovernanceBodiesArgs,
  ProgrammeEnrolmentsArgs,
  ProgrammesArgs,
  QuarterArgs,
  RecordGovernanceMeetingInput,
  RecordOpennessInput,
  UpdateDemonstrationProgrammeInput,
  UpdateGovernanceBodyInput,
  UpdateOpennessItemInput,
} from './governance.inputs.js';
import { BodyType } from './governance.rules.js';
import { opennessService } from './openness.service.js';

export const GovernanceBodyConnection = connectionType('GovernanceBody', GovernanceBody, 'self-governance body');
export const GovernanceMeetingConnection = connectionType('GovernanceMeeting', GovernanceMeeting, 'meeting');
export const DemonstrationProgrammeConnection = connectionType('DemonstrationProgramme', DemonstrationProgramme, 'demonstration programme');
export const DemonstrationEnrolmentConnection = connectionType('DemonstrationEnrolment', DemonstrationEnrolment, 'enrolment');
export const DemonstrationEvidenceConnection = connectionType('DemonstrationEvidence', DemonstrationEvidence, 'evidence note');

/** A mutation payload: the changed object (null when nothing was written) and `userErrors`. */
function payloadType<T extends object>(name: string, field: string, type: ClassType<T>, what: string) {
  @ObjectType(name, { description: `Result of ${name.replace(/Payload$/, '')}: ${what} (null when nothing was written) and what was wrong with the input.` })
  class Payload {
    @Field(() => type, { nullable: true, name: field, description: `The ${what} as it is now; null when nothing was written.` })
    value!: T | null;

    @Field(() => [UserError], { description: 'Problems with the input; empty on success. When not empty, nothing was written.' })
    userErrors!: UserError[];
  }
  return Payload;
}

const CreateGovernanceBodyPayload = payloadType('CreateGovernanceBodyPayload', 'body', GovernanceBody, 'self-governance body');
const UpdateGovernanceBodyPayload = payloadType('UpdateGovernanceBodyPayload', 'body', GovernanceBody, 'self-governance body');
const RecordGovernanceMeetingPayload = payloadType('RecordGovernanceMeetingPayload', 'meeting', GovernanceMeeting, 'recorded meeting');
const CreateDemonstrationProgrammePayload = payloadType('CreateDemonstrationProgrammePayload', 'programme', DemonstrationProgramme, 'programme');
const UpdateDemonstrationProgrammePayload = payloadType('UpdateDemonstrationProgrammePayload', 'programme', DemonstrationProgramme, 'programme');
const EnrolInDemonstrationPayload = payloadType('EnrolInDemonstrationPayload', 'enrolment', DemonstrationEnrolment, 'enrolment');
const ChangeEnrolmentStatusPayload = payloadType('ChangeEnrolmentStatusPayload', 'enrolment', DemonstrationEnrolment, 'enrolment');
const AddDemonstrationEvidencePayload = payloadType('AddDemonstrationEvidencePayload', 'enrolment', DemonstrationEnrolment, 'enrolment');
const CreateOpennessItemPayload = payloadType('CreateOpennessItemPayload', 'item', OpennessItem, 'checklist item');
const UpdateOpennessItemPayload = payloadType('UpdateOpennessItemPayload', 'item', OpennessItem, 'checklist item');
const RecordOpennessPayload = payloadType('RecordOpennessPayload', 'record', OpennessRecord, "village's record for the quarter");

/** Runs a service call and shapes its one result as the payload's `value`. */
const payload = <T>(work: () => Promise<T>) =>
  asPayload(async () => ({ value: await work() })).then((result) => ('value' in result ? result : { value: null, ...result }));

/** Grassroots-governance fields on `Area`: each needs a signed-in caller inside its subtree. */
@Resolver(() => Area)
export class GovernanceAreaResolver {
  @FieldResolver(() => GovernanceBody, {
    nullable: true,
    description: "自治组织 — this village's body of the given type; null when the village has none (or above village level).",
  })
  governanceBody(@Root() area: Area, @Arg('bodyType', () => BodyType, { description: 'Which body.' }) bodyType: BodyType, @Ctx() ctx: Context) {
    return councilService.bodyOf(ctx, area, bodyType);
  }

  @FieldResolver(() => GovernanceBodyConnection, { nullable: true, description: '自治组织名录 — self-governance bodies anywhere in this subtree, by village.' })
  governanceBodies(@Root() area: Area, @Args() args: GovernanceBodiesArgs, @Ctx() ctx: Context): Promise<Page<GovernanceBody>> {
    return councilService.bodies(ctx, area, args);
  }

  @FieldResolver(() => GovernanceCoverage, {
    nullable: true,
    description: '覆盖率 — how many current villages in this subtree have the body, and which do not.',
  })
  governanceCoverage(@Root() area: Area, @Arg('bodyType', () => BodyType, { description: 'Which body.' }) bodyType: BodyType, @Ctx() ctx: Context) {
    return councilService.coverage(ctx, area, bodyType);
  }

  @FieldResolver(() => DemonstrationEnrolmentConnection, {
    nullable: true,
    description: '示范创建 — enrolments of areas in this subtree in demonstration programmes.',
  })
  demonstrationEnrolments(@Root() area: Area, @Args() args: EnrolmentsArgs, @Ctx() ctx: Context): Promise<Page<DemonstrationEnrolment>> {
    return demonstrationService.enrolments(ctx, area, args);
  }

  @FieldResolver(() => OpennessRecord, {
    nullable: true,
    description: "村务公开台账 — this village's openness records for a quarter; null above village level.",
  })
  opennessRecord(@Root() area: Area, @Args() { quarter }: QuarterArgs, @Ctx() ctx: Context) {
    return opennessService.record(ctx, area, quarter);
  }

  @FieldResolver(() => OpennessCompliance, {
    nullable: true,
    description: '村务公开合规率 — compliance of the villages in this subtree for a quarter, with the non-compliant ones.',
  })
  opennessCompliance(@Root() area: Area, @Args() { quarter }: QuarterArgs, @Ctx() ctx: Context) {
    return opennessService.compliance(ctx, area, quarter);
  }
}

@Resolver(() => GovernanceBody)
export class GovernanceBodyResolver {
  @FieldResolver(() => Area, { description: '所属村(社区) — the village.' })
  area(@Root() body: GovernanceBody, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(body.areaCode);
  }

  @FieldResolver(() => GovernanceMeetingConnection, { description: '会议记录 — meetings, latest first.' })
  meetings(@Root() body: GovernanceBody, @Args() args: PageArgs, @Ctx() ctx: Context): Promise<Page<GovernanceMeeting>> {
    return councilService.meetings(ctx, body, args);
  }

  @FieldResolver(() => Int, { description: '年内会议次数 — meetings held in a year (this year by default, China time).' })
  meetingCount(
    @Root() body: GovernanceBody,
    @Arg('year', () => Int, { nullable: true, description: 'Calendar year; this year when omitted.' }) year: number | null,
    @Ctx() ctx: Context,
  ) {
    return councilService.meetingCount(ctx, body, year ?? null);
  }

  @Mutation(() => CreateGovernanceBodyPayload, {
    description: "成立 — registers a village's 红白理事会 or 议事会 (village operator for their village, township operator in their township, county admin).",
  })
  createGovernanceBody(@Arg('input', { description: 'The body.' }) input: CreateGovernanceBodyInput, @Ctx() ctx: Context) {
    return payload(async () => (await councilService.create(ctx, input)).body);
  }

  @Mutation(() => UpdateGovernanceBodyPayload, { description: 'Changes a self-governance body (members, chair, charter, date), guarded by `version`.' })
  updateGovernanceBody(@Arg('input', { description: 'The changes.' }) input: UpdateGovernanceBodyInput, @Ctx() ctx: Context) {
    return payload(async () => (await councilService.update(ctx, input)).body);
  }

  @Mutation(() => RecordGovernanceMeetingPayload, { description: '会议记录 — records a meeting of a self-governance body.' })
  recordGovernanceMeeting(@Arg('input', { description: 'The meeting.' }) input: RecordGovernanceMeetingInput, @Ctx() ctx: Context) {
    return payload(async () => (await councilService.recordMeeting(ctx, input)).meeting);
  }
}

@Resolver(() => GovernanceCoverage)
export class GovernanceCoverageResolver {
  @FieldResolver(() => Area, { description: 'The area rolled up.' })
  area(@Root() coverage: GovernanceCoverage, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(coverage.areaCode);
  }

  @FieldResolver(() => AreaConnection, { description: '未建村 — current villages in the subtree without the body, in code order.' })
  villagesWithout(@Root() coverage: GovernanceCoverage, @Args() args: PageArgs, @Ctx() ctx: Context): Promise<Page<Area>> {
    return councilService.villagesWithout(ctx, coverage, args);
  }
}

@Resolver(() => DemonstrationProgramme)
export class DemonstrationProgrammeResolver {
  @Query(() => DemonstrationProgrammeConnection, { description: '示范创建项目 — demonstration programmes, newest year first (signed-in callers).' })
  demonstrationProgrammes(@Args() args: ProgrammesArgs, @Ctx() ctx: Context): Promise<Page<DemonstrationProgramme>> {
    return demonstrationService.programmes(ctx, args);
  }

  @FieldResolver(() => Area, { description: "主办 — the bureau's area that runs the programme here (a county); enrolled areas lie below it." })
  area(@Root() programme: DemonstrationProgramme, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(programme.areaCode);
  }

  @FieldResolver(() => DemonstrationEnrolmentConnection, { description: '创建单位 — enrolled areas the caller may see, in code order.' })
  enrolments(@Root() programme: DemonstrationProgramme, @Args() args: ProgrammeEnrolmentsArgs, @Ctx() ctx: Context): Promise<Page<DemonstrationEnrolment>> {
    return demonstrationService.programmeEnrolments(ctx, programme, args);
  }

  @Mutation(() => CreateDemonstrationProgrammePayload, { description: 'Defines a demonstration programme (county admin).' })
  createDemonstrationProgramme(@Arg('input', { description: 'The programme.' }) input: CreateDemonstrationProgrammeInput, @Ctx() ctx: Context) {
    return payload(async () => (await demonstrationService.createProgramme(ctx, input)).programme);
  }

  @Mutation(() => UpdateDemonstrationProgrammePayload, { description: "Changes a programme's definition, guarded by `version` (county admin)." })
  updateDemonstrationProgramme(@Arg('input', { description: 'The changes.' }) input: UpdateDemonstrationProgrammeInput, @Ctx() ctx: Context) {
    return payload(async () => (await demonstrationService.updateProgramme(ctx, input)).programme);
  }
}

@Resolver(() => DemonstrationEnrolment)
export class DemonstrationEnrolmentResolver {
  @FieldResolver(() => Area, { description: '创建单位 — the enrolled area.' })
  area(@Root() enrolment: DemonstrationEnrolment, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(enrolment.areaCode);
  }

  @FieldResolver(() => DemonstrationProgramme, { description: 'The programme.' })
  async programme(@Root() enrolment: DemonstrationEnrolment, @Ctx() ctx: Context) {
    return (await ctx.loaders.governance.programmeById.load(enrolment.programmeId))!;
  }

  @FieldResolver(() => DemonstrationEvidenceConnection, { description: '佐证材料 — evidence notes, oldest first.' })
  evidence(@Root() enrolment: DemonstrationEnrolment, @Args() args: PageArgs, @Ctx() ctx: Context): Promise<Page<DemonstrationEvidence>> {
    return demonstrationService.evidence(ctx, enrolment, args);
  }

  @Mutation(() => EnrolInDemonstrationPayload, { description: '申报 — enrols a township or village in a programme as APPLIED (county admin).' })
  enrolInDemonstration(@Arg('input', { description: 'Programme and area.' }) input: EnrolInDemonstrationInput, @Ctx() ctx: Context) {
    return payload(async () => (await demonstrationService.enrol(ctx, input)).enrolment);
  }

  @Mutation(() => ChangeEnrolmentStatusPayload, {
    description: 'Moves an enrolment along APPLIED → CREATING → ASSESSED → AWARDED, or to DROPPED; other moves are INVALID_TRANSITION (county admin).',
  })
  changeEnrolmentStatus(@Arg('input', { description: 'The new status.' }) input: ChangeEnrolmentStatusInput, @Ctx() ctx: Context) {
    return payload(async () => (await demonstrationService.changeStatus(ctx, input)).enrolment);
  }

  @Mutation(() => AddDemonstrationEvidencePayload, { description: '佐证 — adds an evidence note to an enrolment (the area, its township or the county).' })
  addDemonstrationEvidence(@Arg('input', { description: 'The note.' }) input: AddDemonstrationEvidenceInput, @Ctx() ctx: Context) {
    return payload(async () => (await demonstrationService.addEvidence(ctx, input)).enrolment);
  }
}

@Resolver(() => OpennessRecord)
export class OpennessRecordResolver {
  @FieldResolver(() => Area, { description: 'The village.' })
  area(@Root() record: OpennessRecord, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(record.areaCode);
  }

  @Query(() => [OpennessItem], { description: '村务公开清单 — the checklist of required contents, in display order (signed-in callers).' })
  opennessChecklist(@Arg('includeInactive', { defaultValue: false, description: 'Include retired items.' }) includeInactive: boolean, @Ctx() ctx: Context) {
    return opennessService.checklist(ctx, includeInactive);
  }

  @Mutation(() => CreateOpennessItemPayload, { description: 'Adds a checklist item (county admin).' })
  createOpennessItem(@Arg('input', { description: 'The item.' }) input: CreateOpennessItemInput, @Ctx() ctx: Context) {
    return payload(async () => (await opennessService.createItem(ctx, input)).item);
  }

  @Mutation(() => UpdateOpennessItemPayload, {
    description: 'Changes a checklist item, e.g. retires it (`active: false`), guarded by `version` (county admin).',
  })
  updateOpennessItem(@Arg('input', { description: 'The changes.' }) input: UpdateOpennessItemInput, @Ctx() ctx: Context) {
    return payload(async () => (await opennessService.updateItem(ctx, input)).item);
  }

  @Mutation(() => RecordOpennessPayload, {
    description: "村务公开 — records a village's openness for a quarter (village operator, township operator, county admin).",
  })
  recordOpenness(@Arg('input', { description: 'The village, quarter and entries.' }) input: RecordOpennessInput, @Ctx() ctx: Context) {
    return payload(async () => (await opennessService.recordOpenness(ctx, input)).record);
  }
}

@Resolver(() => OpennessEntry)
export class OpennessEntryResolver {
  @FieldResolver(() => OpennessItem, { description: 'The checklist item.' })
  async item(@Root() entry: OpennessEntry, @Ctx() ctx: Context) {
    return (await opennessService.item(ctx, entry.itemCode))!;
  }
}

@Resolver(() => OpennessCompliance)
export class OpennessComplianceResolver {
  @FieldResolver(() => Area, { description: 'The area rolled up.' })
  area(@Root() compliance: OpennessCompliance, @Ctx() ctx: Context) {
    return ctx.loaders.area.byCode.load(compliance.areaCode);
  }

  @FieldResolver(() => AreaConnection, { description: '未合规村 — villages that did not publish every active item this quarter, in code order.' })
  nonCompliantVillages(@Root() compliance: OpennessCompliance, @Args() args: PageArgs, @Ctx() ctx: Context): Promise<Page<Area>> {
    return opennessService.nonCompliantVillages(ctx, compliance, args);
  }
}

export const governanceResolvers = [
  GovernanceAreaResolver,
  GovernanceBodyResolver,
  GovernanceCoverageResolver,
  DemonstrationProgrammeResolver,
  DemonstrationEnrolmentResolver,
  OpennessRecordResolver,
  OpennessEntryResolver,
  OpennessComplianceResolver,
] as const;
