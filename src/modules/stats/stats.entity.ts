import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DomainError } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import { DecimalScalar } from '../../common/money.js';
import { Node } from '../../common/node.js';
import { ProgressActor } from '../progress/progress.entity.js';
import { ApprovalStatus, IndicatorUnit, PeriodKind, ReviewDecision, TimeAggregation, parsePeriod, type IndicatorDef, type Period } from './stats.rules.js';
import { AreaLevel } from '../../common/codes.js';

function toPeriod(value: unknown): Period {
  try {
    return parsePeriod(String(value));
  } catch (error) {
    throw new GraphQLError(error instanceof DomainError ? error.message : String(error), { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

/** `Period`: `2026`, `2026Q2` or `2026-05`, validated and normalised (`2026-5` → `2026-05`). */
export const PeriodScalar = new GraphQLScalarType<Period, string>({
  name: 'Period',
  description: '统计期 — a year `2026`, a quarter `2026Q2` or a month `2026-05`; normalised on input (`2026-5` → `2026-05`, `2026q2` → `2026Q2`).',
  serialize: (value) => (typeof value === 'object' && value !== null && 'key' in value ? (value as Period).key : toPeriod(value).key),
  parseValue: (value) => toPeriod(value),
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING && ast.kind !== Kind.INT)
      throw new GraphQLError('Period must be a string such as "2026-05"', { extensions: { code: 'BAD_USER_INPUT' } });
    return toPeriod(ast.value);
  },
});

registerEnumType(PeriodKind, {
  name: 'PeriodKind',
  description: '统计期类型 — granularity of a period.',
  valuesConfig: { YEAR: { description: '年度 — a calendar year' }, QUARTER: { description: '季度 — a quarter' }, MONTH: { description: '月度 — a month' } },
});
registerEnumType(IndicatorUnit, {
  name: 'IndicatorUnit',
  description: '计量单位 — unit of an indicator.',
  valuesConfig: {
    PERSONS: { description: '人 — whole persons (served in `persons`)' },
    YUAN: { description: '元 — yuan with 2 decimals (served in `amount`)' },
  },
});
registerEnumType(TimeAggregation, {
  name: 'TimeAggregation',
  description: '时间汇总方式 — how months combine into a quarter or year. Across areas values always add up.',
  valuesConfig: {
    STOCK: { description: '时点数 — per area the latest reported month in the period, then summed over areas' },
    FLOW: { description: '累计数 — months of the period summed, then summed over areas' },
  },
});
registerEnumType(ApprovalStatus, {
  name: 'ApprovalStatus',
  description: "报送审核状态 — where a township's figures for a period stand.",
  valuesConfig: {
    OPEN: { description: '填报中 — open for reporting (nothing submitted, or reopened by the county)' },
    SUBMITTED: { description: '已报送 — submitted by the township, awaiting the county' },
    APPROVED: { description: '已审核 — approved by the county: locked, reports are rejected until reopened' },
    RETURNED: { description: '已退回 — returned by the county with a reason; open for corrections' },
  },
});
registerEnumType(ReviewDecision, {
  name: 'ReviewDecision',
  description: "审核决定 — the county's decision on a township period.",
  valuesConfig: {
    APPROVE: { description: '审核通过 — approve a SUBMITTED period (locks it)' },
    RETURN: { description: '退回 — return a SUBMITTED period with a reason' },
    REOPEN: { description: '重新开放 — reopen an APPROVED period with a reason (unlocks it)' },
  },
});

/** Where an observation came from. */
export enum ObservationSource {
  REPORT = 'REPORT',
  DEMO = 'DEMO',
}
registerEnumType(ObservationSource, {
  name: 'ObservationSource',
  description: '数据来源 — where a figure came from.',
  valuesConfig: {
    REPORT: { description: '上报 — reported through `reportObservations`' },
    DEMO: { description: '演示数据 — generated demo figure; replaced by the first real report' },
  },
});

const RULE_TEXT: Record<TimeAggregation, string> = {
  STOCK: '时点数: a quarter or year takes, per area, the latest reported month in the period; areas are summed.',
  FLOW: '累计数: a quarter or year sums the months of the period; areas are summed.',
};

// Filled by Indicator.of; a roll-up of a tree hands out thousands of values.
const INDICATOR_OBJECTS = new Map<string, Indicator>();

/** 统计指标 — one entry of the indicator catalogue, with its unit and aggregation rules. */
@ObjectType('Indicator', {
  implements: Node,
  simpleResolvers: true,
  description: '统计指标 — an indicator of the catalogue (glossary codes), with its unit and how it aggregates over time and areas.',
})
export class Indicator {
  @Field({ description: '指标代码 — stable code, e.g. `DIBAO_RURAL`.' })
  code!: string;

  @Field({ description: '中文名称 — e.g. 农村低保对象.' })
  nameZh!: string;

  @Field({ description: 'English name.' })
  nameEn!: string;

  @Field(() => IndicatorUnit, { description: '计量单位 — unit.' })
  unit!: IndicatorUnit;

  @Field(() => TimeAggregation, { description: '时间汇总方式 — how months combine into quarters and years.' })
  timeAggregation!: TimeAggregation;

  @Field(() => AreaLevel, { description: '填报层级 — level of the areas that report it (villages).' })
  reportingLevel!: AreaLevel;

  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('Indicator', this.code);
  }

  @Field({ description: '汇总规则 — the aggregation rule in words.' })
  get description(): string {
    const unit = this.unit === IndicatorUnit.PERSONS ? '人 (whole persons)' : '元 (yuan, 2 decimals)';
    return `${this.nameZh} — ${this.nameEn}. Unit ${unit}. ${RULE_TEXT[this.timeAggregation]} Reported monthly by each ${this.reportingLevel.toLowerCase()}.`;
  }

  /** The catalogue entry as a GraphQL object: one shared, frozen instance per indicator. */
  static of(def: IndicatorDef): Indicator {
    let indicator = INDICATOR_OBJECTS.get(def.code);
    if (!indicator) {
      indicator = Object.freeze(
        Object.assign(new Indicator(), {
          code: def.code,
          nameZh: def.nameZh,
          nameEn: def.nameEn,
          unit: def.unit,
          timeAggregation: def.timeAggregation,
          reportingLevel: def.reportingLevel as AreaLevel,
        }),
      );
      INDICATOR_OBJECTS.set(def.code, indicator);
    }
    return indicator;
  }
}

/** A value of an indicator, typed by unit: persons as Int, money as Decimal. */
abstract class Valued {
  /** Canonical decimal string, null when nothing was reported. */
  value!: string | null;
  unit!: IndicatorUnit;

  get persons(): number | null {
    return this.unit === IndicatorUnit.PERSONS && this.value !== null ? Math.round(Number(this.value)) : null;
  }

  get amount(): string | null {
    return this.unit === IndicatorUnit.YUAN ? this.value : null;
  }
}

/** One rolled-up figure: an indicator over an area's subtree for a period. */
@ObjectType('StatValue', {
  simpleResolvers: true,
  description: "汇总值 — an indicator rolled up over an area's subtree for a period, with how many areas it rests on.",
})
export class StatValue extends Valued {
  areaCode!: string;

  @Field(() => Indicator, { description: '指标 — the indicator.' })
  indicator!: Indicator;

  @Field(() => PeriodScalar, { description: '统计期 — the period.' })
  period!: Period;

  @Field(() => Int, { nullable: true, description: '人数 — the value of a PERSONS indicator; null for money indicators or when nothing was reported.' })
  override get persons(): number | null {
    return super.persons;
  }

  @Field(() => DecimalScalar, {
    nullable: true,
    description: '金额(元) — the value of a YUAN indicator, exact; null for person counts or when nothing was reported.',
  })
  override get amount(): string | null {
    return super.amount;
  }

  @Field(() => Int, { description: '已报单位数 — reporting areas in the subtree with a figure for this indicator in the period.' })
  reportedAreas!: number;

  @Field(() => Int, {
    description:
      '应报单位数 — reporting areas (villages) of the subtree expected to report: for a flow those that existed during the period, for a stock those that exist at its end.',
  })
  expectedAreas!: number;

  @Field(() => Int, { description: '演示数据单位数 — of the reported areas, how many rest on demo figures (`source: DEMO`).' })
  demoAreas!: number;
}

/** One row of the drill-down table. */
@ObjectType('StatsRow', { description: '汇总表行 — one child area with its rolled-up figures.' })
export class StatsRow {
  areaCode!: string;

  @Field(() => [StatValue], { description: 'One value per requested indicator, in the requested order.' })
  values!: StatValue[];
}

/** The drill-down table (分级汇总表) below one area. */
@ObjectType('StatsTable', { description: "分级汇总表 — one row per child area of `parent`, plus the parent's own total." })
export class StatsTable {
  parentCode!: string;

  @Field(() => PeriodScalar, { description: '统计期 — the period.' })
  period!: Period;

  @Field(() => [Indicator], { description: '列 — the indicators, in column order.' })
  indicators!: Indicator[];

  @Field(() => [StatsRow], { description: '行 — one row per child area (current ones, or those that existed during the period), in code order.' })
  rows!: StatsRow[];

  @Field(() => [StatValue], { description: "合计 — the parent's total (equals the sum of the rows)." })
  total!: StatValue[];
}

/** One stored monthly figure. */
@ObjectType('Observation', { description: '统计数据 — one monthly figure of a reporting area.' })
export class Observation extends Valued {
  areaCode!: string;

  @Field(() => Indicator, { description: '指标 — the indicator.' })
  indicator!: Indicator;

  @Field(() => PeriodScalar, { description: '月份 — the month.' })
  period!: Period;

  @Field(() => Int, { nullable: true, description: '人数 — the value of a PERSONS indicator; null for money indicators or when nothing was reported.' })
  override get persons(): number | null {
    return super.persons;
  }

  @Field(() => DecimalScalar, {
    nullable: true,
    description: '金额(元) — the value of a YUAN indicator, exact; null for person counts or when nothing was reported.',
  })
  override get amount(): string | null {
    return super.amount;
  }

  @Field(() => ObservationSource, { description: '来源 — reported, or demo data.' })
  source!: ObservationSource;

  @Field(() => Int, { description: '版本 — starts at 1, +1 on each change.' })
  version!: number;

  @Field({ description: '更新时间 — when the figure last changed.' })
  updatedAt!: Date;

  @Field({
    description:
      '录入时间 — when this value was recorded (server clock; the same instant as `updatedAt`; `period` is when it happened). Earlier values: `observationHistory`.',
  })
  get recordedAt(): Date {
    return this.updatedAt;
  }
}

/** One change of an observation, kept for audit. */
@ObjectType('ObservationChange', { description: '修改记录 — one change of a figure: old and new value, who and when.' })
export class ObservationChange {
  areaCode!: string;

  @Field(() => PeriodScalar, { description: '月份 — the month of the figure.' })
  period!: Period;

  @Field(() => DecimalScalar, { nullable: true, description: '原值 — value before; null when the figure was new.' })
  oldValue!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: '新值 — value after; null when it was removed.' })
  newValue!: string | null;

  @Field(() => ObservationSource, { nullable: true, description: '原来源 — source before.' })
  oldSource!: ObservationSource | null;

  @Field(() => ObservationSource, { nullable: true, description: '新来源 — source after.' })
  newSource!: ObservationSource | null;

  @Field({ description: '原因 — REPORT (reportObservations) or MERGE (moved by an area merger).' })
  reason!: string;

  @Field(() => ProgressActor, { description: '操作人 — who made the change.' })
  actor!: ProgressActor;

  @Field({ description: '时间 — when.' })
  changedAt!: Date;

  @Field({ description: '录入时间 — when the change was recorded (server clock; the same instant as `changedAt`; `period` is when the figure happened).' })
  get recordedAt(): Date {
    return this.changedAt;
  }
}

/** Submission/approval state of one area and period. */
@ObjectType('ReportingApproval', { implements: Node, description: "报送审核 — a township's submission of a period and the county's decision." })
export class ReportingApproval {
  areaCode!: string;

  @Field(() => PeriodScalar, { description: '统计期 — the period.' })
  period!: Period;

  @Field(() => ApprovalStatus, { description: '状态 — OPEN, SUBMITTED, APPROVED (locked) or RETURNED.' })
  status!: ApprovalStatus;

  @Field(() => String, { nullable: true, description: '理由 — reason of the last return or reopening.' })
  reason!: string | null;

  @Field(() => Int, { description: '版本 — for optimistic concurrency; 0 while nothing was submitted.' })
  version!: number;

  @Field(() => Date, { nullable: true, description: '更新时间 — time of the last transition; null while nothing was submitted.' })
  updatedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: '报送时间 — when the township last submitted the period; null while never submitted.' })
  submittedAt!: Date | null;

  @Field(() => ProgressActor, { nullable: true, description: '报送人 — who last submitted the period; null while never submitted.' })
  submittedBy!: ProgressActor | null;

  @Field(() => Int, {
    nullable: true,
    description: '报送时应报村数 — villages expected to report when the period was last submitted; null while never submitted.',
  })
  expectedAreasAtSubmission!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: '报送时已报村数 — of them, villages that had reported when the period was last submitted; null while never submitted.',
  })
  reportedAreasAtSubmission!: number | null;

  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('ReportingApproval', `${this.areaCode}:${this.period.key}`);
  }

  @Field({ description: '已锁定 — true when APPROVED: reports for the period are rejected.' })
  get locked(): boolean {
    return this.status === ApprovalStatus.APPROVED;
  }
}

/** One village missing when a township submitted a period, with its 缺报说明. */
@ObjectType('MissingVillageReason', { description: '缺报说明 — a village that had not reported when the township submitted the period, and why.' })
export class MissingVillageReason {
  villageCode!: string;

  @Field(() => String, {
    nullable: true,
    description: "缺报原因 — the township's reason; null when the county's 上报完整率 threshold let the township submit without one.",
  })
  reason!: string | null;
}

/** A county's 上报完整率 threshold. */
@ObjectType('ReportingCompletenessSetting', {
  description:
    '上报完整率设置 — the share of villages that must have reported before a township of the county may submit a period without a 缺报说明 for each missing village.',
})
export class ReportingCompletenessSetting {
  countyCode!: string;

  @Field(() => Int, { description: '上报完整率 — minimum reported share in percent, 0–100; 100 (the default) means every missing village needs a 缺报说明.' })
  minReportedPercent!: number;

  @Field(() => Int, { description: '版本 — for optimistic concurrency; 0 while the county has not set it (the default applies).' })
  version!: number;

  @Field(() => Date, { nullable: true, description: '更新时间 — when the county admin last changed it; null while never set.' })
  updatedAt!: Date | null;
}

/** Reporting completeness of an area's subtree for a period. */
@ObjectType('ReportingCompleteness', { description: '报送进度 — how many of the villages below an area have reported for a period, and which have not.' })
export class ReportingCompleteness {
  areaCode!: string;
  areaLevel!: AreaLevel;

  @Field(() => PeriodScalar, { description: '统计期 — the period.' })
  period!: Period;

  @Field(() => Int, { description: '应报 — villages in the subtree that existed during the period (up to the current month).' })
  expectedAreas!: number;

  @Field(() => Int, { description: '已报 — of them, villages with figures for every month of the period they had to report (months up to now).' })
  reportedAreas!: number;

  @Field(() => Int, { description: '未报 — expectedAreas − reportedAreas.' })
  get missingAreas(): number {
    return this.expectedAreas - this.reportedAreas;
  }
}
