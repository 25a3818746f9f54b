import { LocalDateResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IsNotEmpty, MaxLength } from 'class-validator';
import { toGlobalId } from '../../common/global-id.js';
import { Node } from '../../common/node.js';
import { allowedTransitions, BodyType, EnrolmentStatus, ProgrammeLevel, PublicationForm, type Member } from './governance.rules.js';

registerEnumType(BodyType, {
  name: 'GovernanceBodyType',
  description: '基层自治组织类别 — kind of village self-governance body.',
  valuesConfig: {
    WEDDINGS_FUNERALS_COUNCIL: { description: '红白理事会 — weddings-and-funerals council (curbs 大操大办)' },
    DELIBERATION_COUNCIL: { description: "议(说)事会 — villagers' deliberation council" },
  },
});

registerEnumType(ProgrammeLevel, {
  name: 'ProgrammeLevel',
  description: '示范创建级别 — who runs a demonstration programme.',
  valuesConfig: {
    COUNTY: { description: '县级 — county' },
    CITY: { description: '市级 — prefecture city' },
    PROVINCE: { description: '省级 — province' },
  },
});

registerEnumType(EnrolmentStatus, {
  name: 'EnrolmentStatus',
  description: '创建状态 — APPLIED → CREATING → ASSESSED → AWARDED, or DROPPED from any state before AWARDED.',
  valuesConfig: {
    APPLIED: { description: '申报 — applied' },
    CREATING: { description: '创建中 — creation work under way' },
    ASSESSED: { description: '已评估 — assessed (验收)' },
    AWARDED: { description: '命名授牌 — awarded the title (final)' },
    DROPPED: { description: '退出 — dropped out (final)' },
  },
});

registerEnumType(PublicationForm, {
  name: 'PublicationForm',
  description: '公开形式 — how an openness item was published.',
  valuesConfig: {
    NOTICE_BOARD: { description: '公开栏 — village notice board' },
    ONLINE: { description: '网上公开 — online (app, WeChat group, portal)' },
    BOTH: { description: '公开栏和网上 — both' },
  },
});

/** 成员 — a member of a self-governance body. */
@ObjectType('GovernanceMember', { description: '成员 — a member of a self-governance body.' })
@InputType('GovernanceMemberInput', { description: '成员 — a member of a self-governance body.' })
export class GovernanceMember implements Member {
  @Field({ description: '姓名 — name.' })
  @IsNotEmpty()
  @MaxLength(50)
  name!: string;

  @Field({ description: '职务 — role in the body, e.g. 会长, 副会长, 成员.' })
  @IsNotEmpty()
  @MaxLength(50)
  role!: string;
}

/**
 * 基层自治组织 — a village's 红白理事会 or 议(说)事会. At most one of each type per
 * village (or community); a village without one simply has no row. Editable with
 * optimistic concurrency (`version`); its meetings are an append-only log.
 */
@ObjectType('GovernanceBody', {
  implements: Node,
  description: "基层自治组织 — a village's 红白理事会 or 议(说)事会: when it was set up, its members, chair and charter, and its meetings.",
})
export class GovernanceBody {
  dbId!: string;
  areaCode!: string;

  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('GovernanceBody', this.dbId);
  }

  @Field(() => BodyType, { description: '类别 — which body.' })
  bodyType!: BodyType;

  @Field(() => LocalDateResolver, { description: '成立日期 — date established.' })
  establishedOn!: string;

  @Field(() => String, { nullable: true, description: '会长/主任 — the chair, one of the members; null when not named.' })
  chair!: string | null;

  @Field({ description: '章程 — whether the body has adopted its charter.' })
  charterAdopted!: boolean;

  @Field(() => [GovernanceMember], { description: '成员 — members with their roles.' })
  members!: GovernanceMember[];

  @Field(() => Int, { description: 'Optimistic-concurrency version: send it back when editing; +1 on each change.' })
  version!: number;

  @Field({ description: '演示数据 — true for demo rows seeded on start-up.' })
  isDemo!: boolean;

  @Field({ description: 'When the record was created.' })
  createdAt!: Date;

  @Field({ description: 'When the record last changed.' })
  updatedAt!: Date;
}

export interface GovernanceBodyRow {
  id: string;
  area_code: string;
  body_type: BodyType;
  established_on: string;
  chair: string | null;
  charter_adopted: boolean;
  members: Member[];
  source: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export const BODY_COLUMNS = 'id::text as id, area_code, body_type, established_on, chair, charter_adopted, members, source, version, created_at, updated_at';

export function bodyFromRow(row: GovernanceBodyRow): GovernanceBody {
  return Object.assign(new GovernanceBody(), {
    dbId: row.id,
    areaCode: row.area_code,
    bodyType: row.body_type,
    establishedOn: row.established_on,
    chair: row.chair,
    charterAdopted: row.charter_adopted,
    members: row.members.map((m) => Object.assign(new GovernanceMember(), m)),
    version: row.version,
    isDemo: row.source === 'DEMO',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

/** 会议记录 — one meeting of a self-governance body (append-only). */
@ObjectType('GovernanceMeeting', { description: '会议记录 — one meeting of a self-governance body; append-only.' })
export class GovernanceMeeting {
  dbId!: string;

  @Field(() => ID, { description: 'Global ID.' })
  get id(): string {
    return toGlobalId('GovernanceMeeting', this.dbId);
  }

  @Field(() => LocalDateResolver, { description: '会议日期 — date held.' })
  heldOn!: string;

  @Field({ description: '议题 — topic.' })
  topic!: string;

  @Field(() => Int, { description: '参会人数 — attendance.' })
  attendance!: number;

  @Field({ description: '记录人 — who recorded it.' })
  recordedBy!: string;

  @Field({ description: 'When it was recorded.' })
  createdAt!: Date;

  @Field({ description: '录入时间 — when the meeting was recorded (server clock; the same instant as `createdAt`; `heldOn` is when it was held).' })
  get recordedAt(): Date {
    return this.createdAt;
  }
}

export interface MeetingRow {
  id: string;
  body_id: string;
  held_on: string;
  topic: string;
  attendance: number;
  recorded_by: string;
  created_at: Date;
}

export function meetingFromRow(row: MeetingRow): GovernanceMeeting {
  return Object.assign(new GovernanceMeeting(), {
    dbId: row.id,
    heldOn: row.held_on,
    topic: row.topic,
    attendance: row.attendance,
    recordedBy: row.recorded_by,
    createdAt: row.created_at,
  });
}

/** 覆盖率 — how many villages below an area have a given body. */
@ObjectType('GovernanceCoverage', { description: '覆盖率 — how many current villages (村/社区) below an area have a given self-governance body.' })
export class GovernanceCoverage {
  /** The area rolled up, with its readable range. */
  areaCode!: string;
  lo!: string;
  hi!: string;

  @Field(() => BodyType, { description: 'The body counted.' })
  bodyType!: BodyType;

  @Field(() => Int, { description: '村(社区)总数 — current villages and communities in the subtree.' })
  villageCount!: number;

  @Field(() => Int, { description: '已建数 — villages that have the body.' })
  villagesWithBody!: number;

  @Field(() => Float, { description: '覆盖率 — villagesWithBody / villageCount, 0–1 (4 decimals); 0 when there are no villages.' })
  share!: number;
}

/** 示范创建项目 — a demonstration programme (道德银行, 省级城乡社区治理示范, 婚俗改革实验区 …). */
@ObjectType('DemonstrationProgramme', {
  implements: Node,
  description: '示范创建 — a demonstration programme (道德银行 moral bank, 省级城乡社区治理示范, 婚俗改革实验区 …) with its level, year and enrolled areas.',
})
export class DemonstrationProgramme {
  dbId!: string;
  /** The bureau's area that runs the programme here (a county); enrolled areas lie in its subtree. */
  areaCode!: string;

  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('DemonstrationProgramme', this.dbId);
  }

  @Field({ description: '名称 — name, e.g. 第三批省级城乡社区治理示范创建.' })
  name!: string;

  @Field(() => ProgrammeLevel, { description: '级别 — county, city or province.' })
  level!: ProgrammeLevel;

  @Field(() => Int, { description: '年度 — year.' })
  year!: number;

  @Field(() => String, { nullable: true, description: '说明 — description.' })
  description!: string | null;

  @Field(() => Int, { description: 'Optimistic-concurrency version.' })
  version!: number;

  @Field({ description: '演示数据 — true for demo rows.' })
  isDemo!: boolean;

  @Field({ description: 'When it was created.' })
  createdAt!: Date;
}

export interface ProgrammeRow {
  id: string;
  area_code: string;
  scope_lo: string;
  scope_hi: string;
  name: string;
  level: ProgrammeLevel;
  year: number;
  description: string | null;
  version: number;
  source: string;
  created_at: Date;
}

export const PROGRAMME_COLUMNS = 'id::text as id, area_code, scope_lo, scope_hi, name, level, year, description, version, source, created_at';

export function programmeFromRow(row: ProgrammeRow): DemonstrationProgramme {
  return Object.assign(new DemonstrationProgramme(), {
    dbId: row.id,
    areaCode: row.area_code,
    name: row.name,
    level: row.level,
    year: row.year,
    description: row.description,
    version: row.version,
    isDemo: row.source === 'DEMO',
    createdAt: row.created_at,
  });
}

/** 创建单位 — one area enrolled in a programme, with its status. */
@ObjectType('DemonstrationEnrolment', {
  implements: Node,
  description: '创建单位 — an area (街道/乡镇 or 村/社区) enrolled in a demonstration programme, with its status and evidence notes.',
})
export class DemonstrationEnrolment {
  dbId!: string;
  programmeId!: string;
  areaCode!: string;

  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('DemonstrationEnrolment', this.dbId);
  }

  @Field(() => EnrolmentStatus, { description: '状态 — where the area stands.' })
  status!: EnrolmentStatus;

  @Field(() => [EnrolmentStatus], { description: 'Statuses it may move to next (empty when final).' })
  nextStatuses!: EnrolmentStatus[];

  @Field(() => Int, { description: 'Optimistic-concurrency version: send it back when changing the status.' })
  version!: number;

  @Field({ description: '演示数据 — true for demo rows.' })
  isDemo!: boolean;

  @Field({ description: 'When the area was enrolled.' })
  createdAt!: Date;

  @Field({ description: 'When the status last changed.' })
  updatedAt!: Date;
}

export interface EnrolmentRow {
  id: string;
  programme_id: string;
  area_code: string;
  status: EnrolmentStatus;
  version: number;
  source: string;
  created_at: Date;
  updated_at: Date;
}

export const ENROLMENT_COLUMNS = 'id::text as id, programme_id::text as programme_id, area_code, status, version, source, created_at, updated_at';

export function enrolmentFromRow(row: EnrolmentRow): DemonstrationEnrolment {
  return Object.assign(new DemonstrationEnrolment(), {
    dbId: row.id,
    programmeId: row.programme_id,
    areaCode: row.area_code,
    status: row.status,
    nextStatuses: allowedTransitions(row.status),
    version: row.version,
    isDemo: row.source === 'DEMO',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

/** 佐证材料 — an evidence note (append-only). */
@ObjectType('DemonstrationEvidence', { description: '佐证材料 — an evidence note on an enrolment; append-only.' })
export class DemonstrationEvidence {
  dbId!: string;

  @Field(() => ID, { description: 'Global ID.' })
  get id(): string {
    return toGlobalId('DemonstrationEvidence', this.dbId);
  }

  @Field({ description: '内容 — the note.' })
  note!: string;

  @Field({ description: '记录人 — who recorded it.' })
  recordedBy!: string;

  @Field({ description: 'When it was recorded.' })
  createdAt!: Date;
}

export interface EvidenceRow {
  id: string;
  enrolment_id: string;
  note: string;
  recorded_by: string;
  created_at: Date;
}

export function evidenceFromRow(row: EvidenceRow): DemonstrationEvidence {
  return Object.assign(new DemonstrationEvidence(), { dbId: row.id, note: row.note, recordedBy: row.recorded_by, createdAt: row.created_at });
}

/** 公开事项 — one required content of village-affairs openness (configurable). */
@ObjectType('OpennessItem', { description: '公开事项 — one required content of village-affairs openness (村务公开), e.g. 财务收支, 救助对象名单, 项目建设.' })
export class OpennessItem {
  @Field({ description: '代码 — stable code, e.g. FINANCES.' })
  code!: string;

  /** County that added the item (its villages only); null for the default checklist. */
  owner_area_code?: string | null;

  @Field({ description: '名称 — name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: '说明 — description.' })
  description!: string | null;

  @Field({ description: '启用 — whether villages must publish it; only active items count for compliance.' })
  active!: boolean;

  @Field(() => Int, { description: '排序 — display order.' })
  position!: number;

  @Field(() => Int, { description: 'Optimistic-concurrency version.' })
  version!: number;
}

export interface OpennessItemRow {
  code: string;
  name: string;
  description: string | null;
  active: boolean;
  position: number;
  version: number;
  /** County that added the item; null for the default checklist. */
  owner_area_code: string | null;
}

export const ITEM_COLUMNS = 'code, name, description, active, position, version, owner_area_code';

/** Whether a checklist item applies to an area: a default item, or one its county added. */
export function itemAppliesTo(item: { owner_area_code?: string | null }, areaCode: string): boolean {
  return !item.owner_area_code || item.owner_area_code.slice(0, 6) === areaCode.slice(0, 6);
}

export function itemFromRow(row: OpennessItemRow): OpennessItem {
  return Object.assign(new OpennessItem(), row);
}

/** 公开记录 — one checklist item's record for a village and quarter. */
@ObjectType('OpennessEntry', { description: '公开记录 — whether a village published one checklist item in a quarter, how, when, and who checked.' })
export class OpennessEntry {
  itemCode!: string;

  @Field({ description: '已公开 — published.' })
  published!: boolean;

  @Field(() => PublicationForm, { nullable: true, description: '公开形式 — form; null when not published.' })
  form!: PublicationForm | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '公开日期 — date published, inside the quarter; null when not published.' })
  publishedOn!: string | null;

  @Field(() => String, { nullable: true, description: '检查人 — who checked it.' })
  checkedBy!: string | null;

  @Field(() => Int, { description: 'Optimistic-concurrency version of this entry: send it back when changing it.' })
  version!: number;

  @Field({ description: 'When it last changed.' })
  updatedAt!: Date;

  @Field({
    description:
      '录入时间 — when this state of the entry was recorded (server clock; the same instant as `updatedAt`; `publishedOn` is when it was published).',
  })
  get recordedAt(): Date {
    return this.updatedAt;
  }
}

export interface OpennessEntryRow {
  area_code: string;
  quarter: string;
  item_code: string;
  published: boolean;
  form: PublicationForm | null;
  published_on: string | null;
  checked_by: string | null;
  version: number;
  updated_at: Date;
}

export const ENTRY_COLUMNS = 'area_code, quarter, item_code, published, form, published_on, checked_by, version, updated_at';

export function entryFromRow(row: OpennessEntryRow): OpennessEntry {
  return Object.assign(new OpennessEntry(), {
    itemCode: row.item_code,
    published: row.published,
    form: row.form,
    publishedOn: row.published_on,
    checkedBy: row.checked_by,
    version: row.version,
    updatedAt: row.updated_at,
  });
}

/** 村务公开台账 — a village's openness for one quarter. */
@ObjectType('OpennessRecord', { description: "村务公开台账 — a village's openness records for one quarter, against the active checklist." })
export class OpennessRecord {
  areaCode!: string;

  @Field({ description: '季度 — quarter, e.g. 2026Q3.' })
  quarter!: string;

  @Field(() => [OpennessEntry], { description: 'Recorded entries, in checklist order.' })
  entries!: OpennessEntry[];

  @Field(() => [OpennessItem], { description: '未公开事项 — active checklist items not (yet) published this quarter.' })
  missingItems!: OpennessItem[];

  @Field({ description: '合规 — every active checklist item is published.' })
  get compliant(): boolean {
    return this.missingItems.length === 0;
  }
}

/** 村务公开合规率 — the quarter's compliance below an area. */
@ObjectType('OpennessCompliance', {
  description: '村务公开合规率 — of the current villages below an area, how many published every active checklist item in a quarter.',
})
export class OpennessCompliance {
  areaCode!: string;
  lo!: string;
  hi!: string;

  @Field({ description: '季度 — quarter.' })
  quarter!: string;

  @Field(() => Int, { description: '村(社区)总数 — current villages in the subtree.' })
  villageCount!: number;

  @Field(() => Int, { description: '合规数 — villages that published every active item.' })
  compliantCount!: number;

  @Field(() => Float, { description: '合规率 — compliantCount / villageCount, 0–1 (4 decimals).' })
  rate!: number;
}
