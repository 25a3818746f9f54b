import { ArrayMaxSize, ArrayMinSize, IsOptional, MaxLength, ValidateNested } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/idempotency.rules.js';
import { ReviewDecision } from './stats.rules.js';

@InputType({ description: "一项数据 — one indicator's value in a report." })
export class ObservationValueInput {
  @Field({ description: '指标代码 — e.g. `DIBAO_RURAL`.' })
  @MaxLength(64)
  indicator!: string;

  @Field({
    description:
      '数值 — a non-negative number as a string: whole persons ("12") or yuan with at most 2 decimals ("1250.50"). A string so that malformed numbers come back as userErrors.',
  })
  @MaxLength(32)
  value!: string;

  @Field(() => Int, {
    nullable: true,
    description:
      "版本 — optional optimistic concurrency: the figure's current `version` (0 when it does not exist yet); if someone changed it since, the report is a CONFLICT and nothing is written.",
  })
  @IsOptional()
  version?: number | null;
}

@InputType({ description: "上报统计数据 — one village's figures for one month." })
export class ReportObservationsInput {
  @Field({ description: '区划代码 — the reporting area (a current village), 12 digits.' })
  area!: string;

  @Field({ description: '月份 — the month reported, `2026-05`. A string (not `Period`) so that a malformed period comes back as a userError.' })
  period!: string;

  @Field(() => [ObservationValueInput], { description: '数据 — one entry per indicator (1–50); each indicator at most once.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  values!: ObservationValueInput[];

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  @IsOptional()
  @MaxLength(100)
  idempotencyKey?: string | null;
}

@InputType({ description: '缺报说明 — why one village of the township has not reported for the period.' })
export class MissingReasonInput {
  @Field({ description: '村代码 — a village of the township that has not reported for the period (12 digits).' })
  @MaxLength(32)
  area!: string;

  @Field({ description: '缺报原因 — 1–200 characters after trimming, e.g. "村委换届，数据延后".' })
  @MaxLength(1000)
  reason!: string;
}

@InputType({ description: '报送 — a township submits its figures for a period to the county.' })
export class SubmitReportingPeriodInput {
  @Field({ description: '乡镇代码 — the township (9 or 12 digits).' })
  area!: string;

  @Field({ description: '统计期 — `2026-05`, `2026Q2` or `2026`.' })
  period!: string;

  @Field(() => Int, { nullable: true, description: "版本 — the approval's current `version` (0 when never submitted); a stale one is a CONFLICT. Optional." })
  @IsOptional()
  version?: number | null;

  @Field(() => [MissingReasonInput], {
    nullable: true,
    description:
      "缺报说明 — one reason per village of the township that has not reported for the period (未报村). Required for every missing village unless the county's 上报完整率 threshold is met; a reason for a village that reported, or is not of the township, is refused. At most 1000.",
  })
  @IsOptional()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  missingReasons?: MissingReasonInput[] | null;
}

@InputType({
  description: '上报完整率设置 — the county admin sets the share of villages that must have reported before a township may submit a period without 缺报说明.',
})
export class SetReportingCompletenessThresholdInput {
  @Field({ description: '县代码 — the county (6 or 12 digits).' })
  county!: string;

  @Field(() => Int, { description: '上报完整率 — minimum reported share in percent, 0–100 (100: every missing village needs a 缺报说明; 0: none ever does).' })
  minReportedPercent!: number;

  @Field(() => Int, { nullable: true, description: "版本 — the setting's current `version` (0 while never set); a stale one is a CONFLICT. Optional." })
  @IsOptional()
  version?: number | null;
}

@InputType({ description: '审核 — the county approves, returns or reopens a township period.' })
export class ReviewReportingPeriodInput {
  @Field({ description: '乡镇代码 — the township (9 or 12 digits).' })
  area!: string;

  @Field({ description: '统计期 — `2026-05`, `2026Q2` or `2026`.' })
  period!: string;

  @Field(() => ReviewDecision, { description: '决定 — APPROVE, RETURN or REOPEN.' })
  decision!: ReviewDecision;

  @Field(() => String, { nullable: true, description: '理由 — required to RETURN or REOPEN.' })
  @IsOptional()
  @MaxLength(500)
  reason?: string | null;

  @Field(() => Int, { nullable: true, description: "版本 — the approval's current `version`; a stale one is a CONFLICT. Optional." })
  @IsOptional()
  version?: number | null;
}
