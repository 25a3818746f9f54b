/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** 问责方式 — what a supervision action led to. */
export type AccountabilityKind =
  /** 诫勉 — admonishment */
  | 'ADMONISHMENT'
  /** 通报批评 — criticism circulated in a notice */
  | 'CIRCULATED_CRITICISM'
  /** 移送纪检监察 — referred to the discipline inspection and supervision organs */
  | 'DISCIPLINARY_REFERRAL'
  /** 约谈 — interview of the person responsible */
  | 'INTERVIEW'
  /** 责令整改 — ordered to rectify within a time limit */
  | 'ORDERED_RECTIFICATION'
  /** 其他 — another measure, described in the note */
  | 'OTHER'
  /** 责令书面检查 — ordered to submit a written self-criticism */
  | 'WRITTEN_SELF_CRITICISM';

/** 报送审核状态 — where a township's figures for a period stand. */
export type ApprovalStatus =
  /** 已审核 — approved by the county: locked, reports are rejected until reopened */
  | 'APPROVED'
  /** 填报中 — open for reporting (nothing submitted, or reopened by the county) */
  | 'OPEN'
  /** 已退回 — returned by the county with a reason; open for corrections */
  | 'RETURNED'
  /** 已报送 — submitted by the township, awaiting the county */
  | 'SUBMITTED';

/** Kind of a township- or village-level area (乡镇街道 / 村社区 类别). */
export type AreaKind =
  /** 社区(居委会) — urban community */
  | 'COMMUNITY'
  /** 其他 — special units such as development zones and state farms */
  | 'OTHER'
  /** 街道 — urban subdistrict (code triplet 001–099) */
  | 'SUBDISTRICT'
  /** 镇 — town (100–199) */
  | 'TOWN'
  /** 乡 — rural township (200–399) */
  | 'TOWNSHIP'
  /** 村(村委会) — administrative village */
  | 'VILLAGE';

/** Level in the administrative hierarchy (行政区划级别). */
export type AreaLevel =
  /** 地级 — prefecture-level city */
  | 'CITY'
  /** 县级 — county (县), district (区) or county-level city */
  | 'COUNTY'
  /** 省级 — province, autonomous region or municipality */
  | 'PROVINCE'
  /** 乡级 — township (乡), town (镇) or subdistrict (街道) */
  | 'TOWNSHIP'
  /** 村级 — village (村) or community (社区) */
  | 'VILLAGE';

/** 完成节点 — mark one milestone of the plan done. */
export type CompleteMilestoneInput = {
  /** 实际完成 — done date (default today). */
  doneDate?: string | null | undefined;
  /** 幂等键 — optional, a client-made UUID (8–100 letters, digits, `-`, `_`). A retry with the same key and the same input returns the first answer and applies nothing again (no second audit row or progress event); the same key with another input is a CONFLICT userError on `idempotencyKey`. A write that failed frees its key. Kept 7 days per caller. */
  idempotencyKey?: string | null | undefined;
  /** 序号 — the milestone's `position`. */
  position: number;
  /** The project's global ID. */
  project: string | number;
  /** The `version` you read. */
  version: number;
};

/** 延期申请状态 — where a deadline-extension request stands. */
export type DeadlineExtensionState =
  /** 已批准 — the requested deadline is in force from the day of the decision */
  | 'APPROVED'
  /** 待审批 — waiting for a county admin or leader */
  | 'PENDING'
  /** 不予批准 — refused; the deadline is unchanged */
  | 'REFUSED';

/** 延期审批 — approve or refuse a pending deadline-extension request. */
export type DecideDeadlineExtensionInput = {
  /** 批准 — true approves (the new deadline is in force from `decidedOn`), false refuses. */
  approve: boolean;
  /** 审批日期 — the day the decision was made (default: today); earlier for a decision made on paper and entered later (补录), not before the day of the request nor in the future. */
  decidedOn?: string | null | undefined;
  /** 审批意见 — note (up to 500 characters). */
  note?: string | null | undefined;
  /** 延期申请 — the DeadlineExtension’s global ID. */
  request: string | number;
};

/** 时限状态 — a response due date on a date: green, yellow (three days or fewer left) or red (past it). */
export type DueState =
  /** 绿 — more than three days left, or responded on time */
  | 'GREEN'
  /** 红 — not responded by the due date, or responded after it */
  | 'RED'
  /** 黄 — not responded, three days or fewer left (the due date itself included) */
  | 'YELLOW';

/** Stable error codes, in `userErrors` and in `extensions.code` of GraphQL errors. Never renamed. */
export type ErrorCode =
  /** The HTTP request itself is malformed: not JSON, a form or text/plain POST, a malformed document hash (HTTP 400). Never in `userErrors`. */
  | 'BAD_REQUEST'
  /** Bad input (输入有误): an argument or input field is malformed (wrong shape, out of range) or breaks a business rule; the field is named. */
  | 'BAD_USER_INPUT'
  /** Someone else changed the record first: reload it and retry with its current `version`. */
  | 'CONFLICT'
  /** The caller may not do this (role, or an area outside their subtree). */
  | 'FORBIDDEN'
  /** The document does not parse, or has more tokens than allowed. Never in `userErrors`. */
  | 'GRAPHQL_PARSE_FAILED'
  /** The document does not validate against the schema, or breaks an abuse limit (`extensions.limit`). Never in `userErrors`. */
  | 'GRAPHQL_VALIDATION_FAILED'
  /** Unexpected failure; the response carries a `requestId` for the logs. */
  | 'INTERNAL_SERVER_ERROR'
  /** The lifecycle does not allow this status change. */
  | 'INVALID_TRANSITION'
  /** The record is locked (e.g. an approved reporting period, 已审核锁定) until it is reopened. */
  | 'LOCKED'
  /** The referenced object does not exist. */
  | 'NOT_FOUND'
  /** The operation named by `operationName` is not in the document (or it holds several and none is named). Never in `userErrors`. */
  | 'OPERATION_RESOLUTION_FAILURE'
  /** The request body is over 1 MB (HTTP 413). Never in `userErrors`. */
  | 'PAYLOAD_TOO_LARGE'
  /** No trusted document (持久化查询) is registered under the hash sent: register it, or send the text. Never in `userErrors`. */
  | 'PERSISTED_QUERY_NOT_FOUND'
  /** This server takes no documents by hash (GRAPHQL_TRUSTED_DOCUMENTS=off). Never in `userErrors`. */
  | 'PERSISTED_QUERY_NOT_SUPPORTED'
  /** Too many requests from this identity: retry after `extensions.retryAfter` seconds (HTTP 429 with Retry-After). Never in `userErrors`. */
  | 'RATE_LIMITED'
  /** This graphql-ws connection already runs `extensions.limit` operations: complete one first. Never in `userErrors`. */
  | 'TOO_MANY_SUBSCRIPTIONS'
  /** This server runs registered (trusted) documents only, and this one is not registered. Never in `userErrors`. */
  | 'TRUSTED_DOCUMENT_REQUIRED'
  /** No valid bearer token. */
  | 'UNAUTHENTICATED'
  /** Formerly: input well formed but breaking a business rule. No longer sent: every bad input answers BAD_USER_INPUT. */
  | 'VALIDATION';

/** 状态 — lifecycle: PLANNED → UNDER_CONSTRUCTION → BUILT → OPERATING, and SUSPENDED from (and back to) OPERATING. */
export type FacilityStatus =
  /** 建成 — built, not yet operating */
  | 'BUILT'
  /** 投运 — operating */
  | 'OPERATING'
  /** 规划 — planned */
  | 'PLANNED'
  /** 停运 — operation suspended */
  | 'SUSPENDED'
  /** 在建 — under construction */
  | 'UNDER_CONSTRUCTION';

/** 服务站点类别 — kind of service facility. */
export type FacilityType =
  /** 社区养老服务综合体 — community elderly-care complex */
  | 'COMMUNITY_ELDERLY_CARE_COMPLEX'
  /** 失能半失能养护院 — care home for disabled and semi-disabled elderly */
  | 'DISABLED_ELDERLY_CARE_HOME'
  /** 特困人员供养服务设施 — support facility for extremely poor persons */
  | 'EXTREME_POVERTY_SUPPORT_FACILITY'
  /** 未成年人救助保护中心 — county minor-protection centre */
  | 'MINOR_PROTECTION_CENTER'
  /** 未成年人保护点 — village minor-protection point */
  | 'MINOR_PROTECTION_POINT'
  /** 未成年人保护工作站 — township minor-protection station */
  | 'MINOR_PROTECTION_STATION'
  /** 敬老院 — township public nursing home */
  | 'NURSING_HOME'
  /** 区域性养老服务中心 — regional elderly-care service centre */
  | 'REGIONAL_ELDERLY_CARE_CENTER';

/** 计量单位 — unit of an indicator. */
export type IndicatorUnit =
  /** 人 — whole persons (served in `persons`) */
  | 'PERSONS'
  /** 元 — yuan with 2 decimals (served in `amount`) */
  | 'YUAN';

/** 数据来源 — where a figure came from. */
export type ObservationSource =
  /** 演示数据 — generated demo figure; replaced by the first real report */
  | 'DEMO'
  /** 上报 — reported through `reportObservations` */
  | 'REPORT';

/** 一项数据 — one indicator's value in a report. */
export type ObservationValueInput = {
  /** 指标代码 — e.g. `DIBAO_RURAL`. */
  indicator: string;
  /** 数值 — a non-negative number as a string: whole persons ("12") or yuan with at most 2 decimals ("1250.50"). A string so that malformed numbers come back as userErrors. */
  value: string;
  /** 版本 — optional optimistic concurrency: the figure's current `version` (0 when it does not exist yet); if someone changed it since, the report is a CONFLICT and nothing is written. */
  version?: number | null | undefined;
};

/** 运营模式 — who builds and who runs a facility. */
export type OperatingModel =
  /** 民办 — privately built and run */
  | 'PRIVATE'
  /** 公办公营 — publicly built and run */
  | 'PUBLIC'
  /** 公建民营 — publicly built, run by a private operator */
  | 'PUBLIC_BUILT_PRIVATE_RUN';

/** What kind of change a progress update records. */
export type ProgressAction =
  /** 提醒 — a date-driven notice, not a change: the subject turned lagging, is overdue, or falls due within 3 days (or its supervision response does); made once per state and deadline in force by the system (actor `system:alerts`, 系统提醒) */
  | 'ALERTED'
  /** 新建 — the subject was created */
  | 'CREATED'
  /** 删除 — the subject was removed */
  | 'DELETED'
  /** 进度 — progress was recorded */
  | 'PROGRESS_RECORDED'
  /** 上报 — figures were reported */
  | 'REPORTED'
  /** 审核/回头看 — a review or approval decision */
  | 'REVIEWED'
  /** 状态变更 — the lifecycle status changed */
  | 'STATUS_CHANGED'
  /** 修改 — fields of the subject changed */
  | 'UPDATED';

/** 项目状态 — PLANNED → IN_PROGRESS → COMPLETED, and SUSPENDED from (and back to) IN_PROGRESS. */
export type ProjectStatus =
  /** 完成 — completed (建成); final */
  | 'COMPLETED'
  /** 推进中 — under way (needs a lead official, a task force and a plan) */
  | 'IN_PROGRESS'
  /** 谋划 — planned, not started */
  | 'PLANNED'
  /** 暂停 — suspended */
  | 'SUSPENDED';

/** 填报进度 — append a progress entry (the history is never rewritten). */
export type RecordProjectProgressInput = {
  /** 截至 — date the figure describes (default today; not before the latest entry, not in the future). */
  asOf?: string | null | undefined;
  /** 存在问题 — blockers. */
  blockers?: string | null | undefined;
  /** 幂等键 — optional, a client-made UUID (8–100 letters, digits, `-`, `_`). A retry with the same key and the same input returns the first answer and applies nothing again (no second audit row or progress event); the same key with another input is a CONFLICT userError on `idempotencyKey`. A write that failed frees its key. Kept 7 days per caller. */
  idempotencyKey?: string | null | undefined;
  /** 说明 — what was done; required when percent falls. */
  note?: string | null | undefined;
  /** 完成比例 — percent complete, 0–100; below the latest only with a note. */
  percent: number;
  /** The project's global ID. */
  project: string | number;
};

/** A progress entry for one assignment: the cumulative done quantity as of a date. */
export type RecordTaskProgressInput = {
  /** 截至日期 — not in the future, not before the assignment's last entry. */
  asOf: string;
  /** The assignment (TaskAssignment global ID). */
  assignment: string | number;
  /** 累计完成 — done quantity as of `asOf` (cumulative). */
  done: number;
  /** 幂等键 — optional, a client-made UUID (8–100 letters, digits, `-`, `_`). A retry with the same key and the same input returns the first answer and applies nothing again (no second audit row or progress event); the same key with another input is a CONFLICT userError on `idempotencyKey`. A write that failed frees its key. Kept 7 days per caller. */
  idempotencyKey?: string | null | undefined;
  /** 说明 — note. */
  note?: string | null | undefined;
  /** The assignment's version you read; a stale one gives CONFLICT. */
  version: number;
};

/** 整改状态 — OPEN → RECTIFYING → RECTIFIED → CLOSED (销号); a recurring 回头看 sends it back to RECTIFYING. */
export type RectificationStatus =
  /** 已销号 — verified by someone other than the responsible person and closed */
  | 'CLOSED'
  /** 已交办 — registered, rectification not started */
  | 'OPEN'
  /** 已整改 — reported rectified, awaiting verification */
  | 'RECTIFIED'
  /** 整改中 — being rectified */
  | 'RECTIFYING';

/** 上报统计数据 — one village's figures for one month. */
export type ReportObservationsInput = {
  /** 区划代码 — the reporting area (a current village), 12 digits. */
  area: string;
  /** 幂等键 — optional, a client-made UUID (8–100 letters, digits, `-`, `_`). A retry with the same key and the same input returns the first answer and applies nothing again (no second audit row or progress event); the same key with another input is a CONFLICT userError on `idempotencyKey`. A write that failed frees its key. Kept 7 days per caller. */
  idempotencyKey?: string | null | undefined;
  /** 月份 — the month reported, `2026-05`. A string (not `Period`) so that a malformed period comes back as a userError. */
  period: string;
  /** 数据 — one entry per indicator (1–50); each indicator at most once. */
  values: Array<ObservationValueInput>;
};

/** 延期申请 — a request to extend a key task’s or a rectification’s (审计整改) deadline. */
export type RequestDeadlineExtensionInput = {
  /** 事项 — the global ID of the Task or the Rectification. */
  item: string | number;
  /** 申请延期至 — the new deadline; later than the one in force. */
  newDeadline: string;
  /** 延期理由 — why (1–500 characters). */
  reason: string;
};

/** 角色 — what a caller may do. */
export type Role =
  /** 县/局管理员 — everything in the county */
  | 'COUNTY_ADMIN'
  /** 县/局领导 — reads everything in their subtree (审计整改, 督办 and the monthly report included) and writes nothing */
  | 'LEADER'
  /** 股室 — their section's work items; reads across the county */
  | 'SECTION_STAFF'
  /** 乡镇民政办 — reports and edits inside their township */
  | 'TOWNSHIP_OPERATOR'
  /** 只读 — reads their area's subtree (dashboards, third-party frontends), without audit rectification or supervision */
  | 'VIEWER'
  /** 村/社区 — their own village only */
  | 'VILLAGE_OPERATOR';

/** What a progress update is about. */
export type SubjectKind =
  /** 区划调整 — an area merged or retired (两项改革) */
  | 'AREA'
  /** 示范创建 — a demonstration programme enrolment */
  | 'DEMONSTRATION'
  /** 服务站点 — a service facility */
  | 'FACILITY'
  /** 红白理事会/议事会 — a village self-governance body */
  | 'GOVERNANCE_BODY'
  /** 报送 — a monthly report issued (issueMonthlyReport); sensitive, as the report is */
  | 'MONTHLY_REPORT'
  /** 统计数据 — reported statistics */
  | 'OBSERVATION'
  /** 村务公开 — a village-affairs openness record */
  | 'OPENNESS'
  /** 民政项目 — a capital project */
  | 'PROJECT'
  /** 审计整改 — an audit finding under rectification */
  | 'RECTIFICATION'
  /** 报送审核 — submission and approval of a reporting period */
  | 'REPORTING_PERIOD'
  /** 督办 — a supervision action */
  | 'SUPERVISION'
  /** 重点工作 — a key task */
  | 'TASK'
  /** 任务分解 — a key task's share for one area */
  | 'TASK_ASSIGNMENT'
  /** 外部推送 — a webhook registration (its address host only; never its secret) */
  | 'WEBHOOK';

/** 督办方式 — how work is supervised. */
export type SupervisionKind =
  /** 通报 — circulated notice */
  | 'CIRCULATED_NOTICE'
  /** 挂牌督办 — listed supervision */
  | 'LISTED_SUPERVISION'
  /** 两书一函 — supervision letters */
  | 'SUPERVISION_LETTERS'
  /** 四不两直 — unannounced inspection */
  | 'UNANNOUNCED_INSPECTION'
  /** 警示约谈 — warning interview */
  | 'WARNING_INTERVIEW';

/** 办理阶段 — the stage of a supervision action (督办闭环). */
export type SupervisionStage =
  /** 签收 — signed for by the supervised unit */
  | 'ACKNOWLEDGED'
  /** 交办 — issued to the supervised unit, not yet signed for */
  | 'ASSIGNED'
  /** 办结 — closed by the supervising side */
  | 'CLOSED'
  /** 办理 — being worked on (also after a response was returned) */
  | 'IN_PROGRESS'
  /** 反馈 — the unit has responded; the supervising side closes or returns it */
  | 'RESPONDED';

/** 进度状态 — a key task's health as of a date, derived from its dated progress history (never stored). */
export type TaskHealth =
  /** 已完成 — the target is reached */
  | 'DONE'
  /** 临期 — the deadline is within 3 days (the yellow light) */
  | 'DUE_SOON'
  /** 进度滞后 — the done share trails the share of time passed by more than 10 percentage points */
  | 'LAGGING'
  /** 正常 — on schedule */
  | 'ON_TRACK'
  /** 逾期 — past the deadline and not done */
  | 'OVERDUE';

export type PanelChainQueryVariables = Exact<{
  month: string;
  area?: string | null | undefined;
}>;


export type PanelChainQuery = { accountability: { month: string, areaName: string, asOf: string, items: Array<{ subjectId: string, subjectKind: string, title: string, areaName: string, deadline: string, health: TaskHealth | null, reason: string, owner: string, responsible: { name: string, title: string | null, unit: string | null } | null }>, openSupervision: Array<{ supervisionActionId: string, title: string, targetUnit: string, areaName: string, kind: SupervisionKind, stage: SupervisionStage, responseDue: string, dueState: DueState }>, outcomes: Array<{ supervisionActionId: string, kind: AccountabilityKind, name: string, title: string | null, unit: string | null, note: string | null, decidedOn: string }> } };

export type DashboardViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardViewerQuery = { viewer: { name: string, role: Role, section: string | null, area: { code: string, name: string, level: AreaLevel } | null } | null };

export type DashboardStartQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardStartQuery = { viewer: { name: string, role: Role, section: string | null, area: { code: string, name: string, shortName: string, level: AreaLevel, kind: AreaKind | null, townships: number, villages: number, ancestors: Array<{ code: string, name: string, shortName: string, level: AreaLevel }>, children: { totalCount: number, nodes: Array<{ code: string, name: string, shortName: string, level: AreaLevel, kind: AreaKind | null, childCount: number }> } } | null } | null, areaType: { fields: Array<{ name: string }> | null } | null, queryType: { fields: Array<{ name: string }> | null } | null, subscriptionType: { fields: Array<{ name: string }> | null } | null, mutationType: { fields: Array<{ name: string }> | null } | null };

export type DashboardSchemaFieldsQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardSchemaFieldsQuery = { areaType: { fields: Array<{ name: string }> | null } | null, queryType: { fields: Array<{ name: string }> | null } | null, subscriptionType: { fields: Array<{ name: string }> | null } | null, mutationType: { fields: Array<{ name: string }> | null } | null };

export type SchemaFieldNamesFragment = { areaType: { fields: Array<{ name: string }> | null } | null, queryType: { fields: Array<{ name: string }> | null } | null, subscriptionType: { fields: Array<{ name: string }> | null } | null, mutationType: { fields: Array<{ name: string }> | null } | null };

export type DashboardFirstCountyQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardFirstCountyQuery = { areas: { nodes: Array<{ code: string }> } };

export type AreaOverviewQueryVariables = Exact<{
  code: string;
}>;


export type AreaOverviewQuery = { area: { code: string, name: string, shortName: string, level: AreaLevel, kind: AreaKind | null, townships: number, villages: number, ancestors: Array<{ code: string, name: string, shortName: string, level: AreaLevel }>, children: { totalCount: number, nodes: Array<{ code: string, name: string, shortName: string, level: AreaLevel, kind: AreaKind | null, childCount: number }> } } | null };

export type AreaOverviewFieldsFragment = { code: string, name: string, shortName: string, level: AreaLevel, kind: AreaKind | null, townships: number, villages: number, ancestors: Array<{ code: string, name: string, shortName: string, level: AreaLevel }>, children: { totalCount: number, nodes: Array<{ code: string, name: string, shortName: string, level: AreaLevel, kind: AreaKind | null, childCount: number }> } };

export type EntryVillagesQueryVariables = Exact<{
  code: string;
  after?: string | null | undefined;
}>;


export type EntryVillagesQuery = { area: { code: string, level: AreaLevel, shortName: string, descendants: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ code: string, name: string, shortName: string }> } } | null };

export type EntryObservationsQueryVariables = Exact<{
  code: string;
  period: string;
}>;


export type EntryObservationsQuery = { indicators: Array<{ code: string, nameZh: string, unit: IndicatorUnit, reportingLevel: AreaLevel }>, area: { code: string, name: string, shortName: string, observations: Array<{ persons: number | null, amount: string | null, source: ObservationSource, version: number, indicator: { code: string } }>, approval: { status: ApprovalStatus, locked: boolean } | null } | null };

export type EntryReportObservationsMutationVariables = Exact<{
  input: ReportObservationsInput;
}>;


export type EntryReportObservationsMutation = { reportObservations: { observations: Array<{ persons: number | null, amount: string | null, source: ObservationSource, version: number, indicator: { code: string } }> | null, userErrors: Array<{ field: Array<string> | null, message: string, messageZh: string, code: ErrorCode }> } };

export type EntryTasksQueryVariables = Exact<{
  code: string;
  ownerSection?: string | null | undefined;
}>;


export type EntryTasksQuery = { area: { tasks: { nodes: Array<{ id: string, title: string, unit: string, ownerSection: string, deadline: string, assignments: Array<{ id: string, version: number, target: number, done: number, area: { code: string, shortName: string }, progress: Array<{ asOf: string }> }> }> } } | null };

export type EntryRecordTaskProgressMutationVariables = Exact<{
  input: RecordTaskProgressInput;
}>;


export type EntryRecordTaskProgressMutation = { recordTaskProgress: { assignment: { id: string, version: number, done: number } | null, userErrors: Array<{ field: Array<string> | null, message: string, messageZh: string, code: ErrorCode }> } };

export type EntryProjectsQueryVariables = Exact<{
  code: string;
  ownerSection?: string | null | undefined;
}>;


export type EntryProjectsQuery = { area: { projects: { nodes: Array<{ id: string, name: string, version: number, status: ProjectStatus, ownerSection: string, progressPercent: number | null, progressAsOf: string | null, area: { code: string, shortName: string }, milestones: Array<{ position: number, name: string, dueDate: string, doneDate: string | null }> }> } } | null };

export type EntryRecordProjectProgressMutationVariables = Exact<{
  input: RecordProjectProgressInput;
}>;


export type EntryRecordProjectProgressMutation = { recordProjectProgress: { project: { id: string, version: number, progressPercent: number | null, progressAsOf: string | null } | null, userErrors: Array<{ field: Array<string> | null, message: string, messageZh: string, code: ErrorCode }> } };

export type EntryCompleteMilestoneMutationVariables = Exact<{
  input: CompleteMilestoneInput;
}>;


export type EntryCompleteMilestoneMutation = { completeMilestone: { project: { id: string, version: number } | null, userErrors: Array<{ field: Array<string> | null, message: string, messageZh: string, code: ErrorCode }> } };

export type PanelDecideExtensionMutationVariables = Exact<{
  input: DecideDeadlineExtensionInput;
}>;


export type PanelDecideExtensionMutation = { decideDeadlineExtension: { extension: { id: string, state: DeadlineExtensionState, approvedDeadline: string | null } | null, userErrors: Array<{ field: Array<string> | null, message: string, messageZh: string, code: ErrorCode }> } };

export type PanelRequestExtensionMutationVariables = Exact<{
  input: RequestDeadlineExtensionInput;
}>;


export type PanelRequestExtensionMutation = { requestDeadlineExtension: { extension: { id: string, state: DeadlineExtensionState, requestedDeadline: string } | null, userErrors: Array<{ field: Array<string> | null, message: string, messageZh: string, code: ErrorCode }> } };

export type PanelExtensionsQueryVariables = Exact<{
  area?: string | null | undefined;
}>;


export type PanelExtensionsQuery = { deadlineExtensions: { totalCount: number, nodes: Array<{ id: string, item: string, itemTitle: string, previousDeadline: string, requestedDeadline: string, reason: string, requestedBy: string, requestedAt: string }> } };

export type PanelFacilitiesQueryVariables = Exact<{
  code: string;
}>;


export type PanelFacilitiesQuery = { area: { facilitySummary: { total: number, beds: number, occupiedBeds: number, groups: Array<{ type: FacilityType, status: FacilityStatus, operatingModel: OperatingModel, count: number }> }, children: { nodes: Array<{ code: string, shortName: string, facilitySummary: { total: number } }> } } | null };

export type ProgressFeedSubscriptionVariables = Exact<{
  area: string;
  includeDescendants?: boolean | null | undefined;
  kinds?: Array<SubjectKind> | SubjectKind | null | undefined;
  after?: string | null | undefined;
}>;


export type ProgressFeedSubscription = { progressUpdated: { sequence: string, cursor: string, summary: string, occurredAt: string, subjectKind: SubjectKind, action: ProgressAction, area: { code: string, shortName: string } } };

export type ProgressHistoryQueryVariables = Exact<{
  area: string;
  after?: string | null | undefined;
}>;


export type ProgressHistoryQuery = { progressUpdates: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ sequence: string, cursor: string, summary: string, occurredAt: string, subjectKind: SubjectKind, action: ProgressAction, area: { code: string, shortName: string } }> } };

export type PanelProjectsQueryVariables = Exact<{
  code: string;
}>;


export type PanelProjectsQuery = { area: { projects: { totalCount: number, nodes: Array<{ id: string, name: string, status: ProjectStatus, progressPercent: number | null, progressAsOf: string | null, targetDate: string | null, leadOfficial: { name: string, title: string } | null, area: { shortName: string } }> } } | null };

export type PanelRectificationsQueryVariables = Exact<{
  code: string;
  asOf?: string | null | undefined;
}>;


export type PanelRectificationsQuery = { area: { open: { totalCount: number, nodes: Array<{ id: string, finding: string, status: RectificationStatus, deadline: string, overdue: boolean, responsiblePerson: string, area: { shortName: string } }> }, overdue: { totalCount: number } } | null };

export type PanelReportQueryVariables = Exact<{
  month: string;
  area?: string | null | undefined;
}>;


export type PanelReportQuery = { monthlyReport: { month: string, areaName: string, itemCount: number, markdown: string } };

export type PanelStatsMonthsQueryVariables = Exact<{
  code: string;
  from: string;
  to: string;
}>;


export type PanelStatsMonthsQuery = { area: { statsSeries: Array<{ period: string, reportedAreas: number }> } | null };

export type PanelStatsQueryVariables = Exact<{
  code: string;
  period: string;
  indicators?: Array<string> | string | null | undefined;
}>;


export type PanelStatsQuery = { area: { stats: Array<{ period: string, persons: number | null, amount: string | null, reportedAreas: number, expectedAreas: number, indicator: { code: string, nameZh: string, unit: IndicatorUnit } }>, reporting: { reportedAreas: number, expectedAreas: number, missingAreas: number } } | null };

export type PanelTasksQueryVariables = Exact<{
  code: string;
  asOf?: string | null | undefined;
}>;


export type PanelTasksQuery = { area: { tasks: { totalCount: number, nodes: Array<{ id: string, title: string, health: TaskHealth, deadline: string, originalDeadline: string, done: number, target: number, unit: string, ownerSection: string, pending: { nodes: Array<{ state: DeadlineExtensionState, requestedDeadline: string }> } }> } } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const SchemaFieldNamesFragmentDoc = new TypedDocumentString(`
    fragment SchemaFieldNames on Query {
  areaType: __type(name: "Area") {
    fields {
      name
    }
  }
  queryType: __type(name: "Query") {
    fields {
      name
    }
  }
  subscriptionType: __type(name: "Subscription") {
    fields {
      name
    }
  }
  mutationType: __type(name: "Mutation") {
    fields {
      name
    }
  }
}
    `, {"fragmentName":"SchemaFieldNames"}) as unknown as TypedDocumentString<SchemaFieldNamesFragment, unknown>;
export const AreaOverviewFieldsFragmentDoc = new TypedDocumentString(`
    fragment AreaOverviewFields on Area {
  code
  name
  shortName
  level
  kind
  ancestors {
    code
    name
    shortName
    level
  }
  townships: descendantCount(level: TOWNSHIP)
  villages: descendantCount(level: VILLAGE)
  children(first: 100) {
    totalCount
    nodes {
      code
      name
      shortName
      level
      kind
      childCount
    }
  }
}
    `, {"fragmentName":"AreaOverviewFields"}) as unknown as TypedDocumentString<AreaOverviewFieldsFragment, unknown>;
export const PanelChainDocument = new TypedDocumentString(`
    query PanelChain($month: String!, $area: String) {
  accountability(month: $month, area: $area) {
    month
    areaName
    asOf
    items {
      subjectId
      subjectKind
      title
      areaName
      deadline
      health
      reason
      owner
      responsible {
        name
        title
        unit
      }
    }
    openSupervision {
      supervisionActionId
      title
      targetUnit
      areaName
      kind
      stage
      responseDue
      dueState
    }
    outcomes {
      supervisionActionId
      kind
      name
      title
      unit
      note
      decidedOn
    }
  }
}
    `) as unknown as TypedDocumentString<PanelChainQuery, PanelChainQueryVariables>;
export const DashboardViewerDocument = new TypedDocumentString(`
    query DashboardViewer {
  viewer {
    name
    role
    section
    area {
      code
      name
      level
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardViewerQuery, DashboardViewerQueryVariables>;
export const DashboardStartDocument = new TypedDocumentString(`
    query DashboardStart {
  viewer {
    name
    role
    section
    area {
      ...AreaOverviewFields
    }
  }
  ...SchemaFieldNames
}
    fragment SchemaFieldNames on Query {
  areaType: __type(name: "Area") {
    fields {
      name
    }
  }
  queryType: __type(name: "Query") {
    fields {
      name
    }
  }
  subscriptionType: __type(name: "Subscription") {
    fields {
      name
    }
  }
  mutationType: __type(name: "Mutation") {
    fields {
      name
    }
  }
}
fragment AreaOverviewFields on Area {
  code
  name
  shortName
  level
  kind
  ancestors {
    code
    name
    shortName
    level
  }
  townships: descendantCount(level: TOWNSHIP)
  villages: descendantCount(level: VILLAGE)
  children(first: 100) {
    totalCount
    nodes {
      code
      name
      shortName
      level
      kind
      childCount
    }
  }
}`) as unknown as TypedDocumentString<DashboardStartQuery, DashboardStartQueryVariables>;
export const DashboardSchemaFieldsDocument = new TypedDocumentString(`
    query DashboardSchemaFields {
  ...SchemaFieldNames
}
    fragment SchemaFieldNames on Query {
  areaType: __type(name: "Area") {
    fields {
      name
    }
  }
  queryType: __type(name: "Query") {
    fields {
      name
    }
  }
  subscriptionType: __type(name: "Subscription") {
    fields {
      name
    }
  }
  mutationType: __type(name: "Mutation") {
    fields {
      name
    }
  }
}`) as unknown as TypedDocumentString<DashboardSchemaFieldsQuery, DashboardSchemaFieldsQueryVariables>;
export const DashboardFirstCountyDocument = new TypedDocumentString(`
    query DashboardFirstCounty {
  areas(level: COUNTY, first: 1) {
    nodes {
      code
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardFirstCountyQuery, DashboardFirstCountyQueryVariables>;
export const AreaOverviewDocument = new TypedDocumentString(`
    query AreaOverview($code: String!) {
  area(code: $code) {
    ...AreaOverviewFields
  }
}
    fragment AreaOverviewFields on Area {
  code
  name
  shortName
  level
  kind
  ancestors {
    code
    name
    shortName
    level
  }
  townships: descendantCount(level: TOWNSHIP)
  villages: descendantCount(level: VILLAGE)
  children(first: 100) {
    totalCount
    nodes {
      code
      name
      shortName
      level
      kind
      childCount
    }
  }
}`) as unknown as TypedDocumentString<AreaOverviewQuery, AreaOverviewQueryVariables>;
export const EntryVillagesDocument = new TypedDocumentString(`
    query EntryVillages($code: String!, $after: String) {
  area(code: $code) {
    code
    level
    shortName
    descendants(level: VILLAGE, first: 100, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        code
        name
        shortName
      }
    }
  }
}
    `) as unknown as TypedDocumentString<EntryVillagesQuery, EntryVillagesQueryVariables>;
export const EntryObservationsDocument = new TypedDocumentString(`
    query EntryObservations($code: String!, $period: Period!) {
  indicators {
    code
    nameZh
    unit
    reportingLevel
  }
  area(code: $code) {
    code
    name
    shortName
    observations(period: $period) {
      indicator {
        code
      }
      persons
      amount
      source
      version
    }
    approval(period: $period) {
      status
      locked
    }
  }
}
    `) as unknown as TypedDocumentString<EntryObservationsQuery, EntryObservationsQueryVariables>;
export const EntryReportObservationsDocument = new TypedDocumentString(`
    mutation EntryReportObservations($input: ReportObservationsInput!) {
  reportObservations(input: $input) {
    observations {
      indicator {
        code
      }
      persons
      amount
      source
      version
    }
    userErrors {
      field
      message
      messageZh
      code
    }
  }
}
    `) as unknown as TypedDocumentString<EntryReportObservationsMutation, EntryReportObservationsMutationVariables>;
export const EntryTasksDocument = new TypedDocumentString(`
    query EntryTasks($code: String!, $ownerSection: String) {
  area(code: $code) {
    tasks(first: 100, filter: {ownerSection: $ownerSection}) {
      nodes {
        id
        title
        unit
        ownerSection
        deadline
        assignments {
          id
          version
          target
          done
          area {
            code
            shortName
          }
          progress {
            asOf
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<EntryTasksQuery, EntryTasksQueryVariables>;
export const EntryRecordTaskProgressDocument = new TypedDocumentString(`
    mutation EntryRecordTaskProgress($input: RecordTaskProgressInput!) {
  recordTaskProgress(input: $input) {
    assignment {
      id
      version
      done
    }
    userErrors {
      field
      message
      messageZh
      code
    }
  }
}
    `) as unknown as TypedDocumentString<EntryRecordTaskProgressMutation, EntryRecordTaskProgressMutationVariables>;
export const EntryProjectsDocument = new TypedDocumentString(`
    query EntryProjects($code: String!, $ownerSection: String) {
  area(code: $code) {
    projects(first: 100, ownerSection: $ownerSection) {
      nodes {
        id
        name
        version
        status
        ownerSection
        progressPercent
        progressAsOf
        area {
          code
          shortName
        }
        milestones {
          position
          name
          dueDate
          doneDate
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<EntryProjectsQuery, EntryProjectsQueryVariables>;
export const EntryRecordProjectProgressDocument = new TypedDocumentString(`
    mutation EntryRecordProjectProgress($input: RecordProjectProgressInput!) {
  recordProjectProgress(input: $input) {
    project {
      id
      version
      progressPercent
      progressAsOf
    }
    userErrors {
      field
      message
      messageZh
      code
    }
  }
}
    `) as unknown as TypedDocumentString<EntryRecordProjectProgressMutation, EntryRecordProjectProgressMutationVariables>;
export const EntryCompleteMilestoneDocument = new TypedDocumentString(`
    mutation EntryCompleteMilestone($input: CompleteMilestoneInput!) {
  completeMilestone(input: $input) {
    project {
      id
      version
    }
    userErrors {
      field
      message
      messageZh
      code
    }
  }
}
    `) as unknown as TypedDocumentString<EntryCompleteMilestoneMutation, EntryCompleteMilestoneMutationVariables>;
export const PanelDecideExtensionDocument = new TypedDocumentString(`
    mutation PanelDecideExtension($input: DecideDeadlineExtensionInput!) {
  decideDeadlineExtension(input: $input) {
    extension {
      id
      state
      approvedDeadline
    }
    userErrors {
      field
      message
      messageZh
      code
    }
  }
}
    `) as unknown as TypedDocumentString<PanelDecideExtensionMutation, PanelDecideExtensionMutationVariables>;
export const PanelRequestExtensionDocument = new TypedDocumentString(`
    mutation PanelRequestExtension($input: RequestDeadlineExtensionInput!) {
  requestDeadlineExtension(input: $input) {
    extension {
      id
      state
      requestedDeadline
    }
    userErrors {
      field
      message
      messageZh
      code
    }
  }
}
    `) as unknown as TypedDocumentString<PanelRequestExtensionMutation, PanelRequestExtensionMutationVariables>;
export const PanelExtensionsDocument = new TypedDocumentString(`
    query PanelExtensions($area: String) {
  deadlineExtensions(state: PENDING, first: 50, area: $area) {
    totalCount
    nodes {
      id
      item
      itemTitle
      previousDeadline
      requestedDeadline
      reason
      requestedBy
      requestedAt
    }
  }
}
    `) as unknown as TypedDocumentString<PanelExtensionsQuery, PanelExtensionsQueryVariables>;
export const PanelFacilitiesDocument = new TypedDocumentString(`
    query PanelFacilities($code: String!) {
  area(code: $code) {
    facilitySummary {
      total
      beds
      occupiedBeds
      groups {
        type
        status
        operatingModel
        count
      }
    }
    children(first: 100) {
      nodes {
        code
        shortName
        facilitySummary {
          total
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<PanelFacilitiesQuery, PanelFacilitiesQueryVariables>;
export const ProgressFeedDocument = new TypedDocumentString(`
    subscription ProgressFeed($area: String!, $includeDescendants: Boolean, $kinds: [SubjectKind!], $after: String) {
  progressUpdated(
    area: $area
    includeDescendants: $includeDescendants
    kinds: $kinds
    after: $after
  ) {
    sequence
    cursor
    summary
    occurredAt
    subjectKind
    action
    area {
      code
      shortName
    }
  }
}
    `) as unknown as TypedDocumentString<ProgressFeedSubscription, ProgressFeedSubscriptionVariables>;
export const ProgressHistoryDocument = new TypedDocumentString(`
    query ProgressHistory($area: String!, $after: String) {
  progressUpdates(
    area: $area
    includeDescendants: true
    first: 100
    after: $after
  ) {
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      sequence
      cursor
      summary
      occurredAt
      subjectKind
      action
      area {
        code
        shortName
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ProgressHistoryQuery, ProgressHistoryQueryVariables>;
export const PanelProjectsDocument = new TypedDocumentString(`
    query PanelProjects($code: String!) {
  area(code: $code) {
    projects(first: 30) {
      totalCount
      nodes {
        id
        name
        status
        progressPercent
        progressAsOf
        targetDate
        leadOfficial {
          name
          title
        }
        area {
          shortName
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<PanelProjectsQuery, PanelProjectsQueryVariables>;
export const PanelRectificationsDocument = new TypedDocumentString(`
    query PanelRectifications($code: String!, $asOf: LocalDate) {
  area(code: $code) {
    open: rectifications(
      first: 50
      asOf: $asOf
      filter: {status: [OPEN, RECTIFYING, RECTIFIED]}
    ) {
      totalCount
      nodes {
        id
        finding
        status
        deadline
        overdue
        responsiblePerson
        area {
          shortName
        }
      }
    }
    overdue: rectifications(first: 0, asOf: $asOf, filter: {overdue: true}) {
      totalCount
    }
  }
}
    `) as unknown as TypedDocumentString<PanelRectificationsQuery, PanelRectificationsQueryVariables>;
export const PanelReportDocument = new TypedDocumentString(`
    query PanelReport($month: String!, $area: String) {
  monthlyReport(month: $month, area: $area) {
    month
    areaName
    itemCount
    markdown
  }
}
    `) as unknown as TypedDocumentString<PanelReportQuery, PanelReportQueryVariables>;
export const PanelStatsMonthsDocument = new TypedDocumentString(`
    query PanelStatsMonths($code: String!, $from: Period!, $to: Period!) {
  area(code: $code) {
    statsSeries(indicator: "ELDERLY_60_PLUS", from: $from, to: $to) {
      period
      reportedAreas
    }
  }
}
    `) as unknown as TypedDocumentString<PanelStatsMonthsQuery, PanelStatsMonthsQueryVariables>;
export const PanelStatsDocument = new TypedDocumentString(`
    query PanelStats($code: String!, $period: Period!, $indicators: [String!]) {
  area(code: $code) {
    stats(period: $period, indicators: $indicators) {
      period
      indicator {
        code
        nameZh
        unit
      }
      persons
      amount
      reportedAreas
      expectedAreas
    }
    reporting(period: $period) {
      reportedAreas
      expectedAreas
      missingAreas
    }
  }
}
    `) as unknown as TypedDocumentString<PanelStatsQuery, PanelStatsQueryVariables>;
export const PanelTasksDocument = new TypedDocumentString(`
    query PanelTasks($code: String!, $asOf: LocalDate) {
  area(code: $code) {
    tasks(first: 50, asOf: $asOf) {
      totalCount
      nodes {
        id
        title
        health
        deadline
        originalDeadline
        pending: extensions(first: 1) {
          nodes {
            state
            requestedDeadline
          }
        }
        done
        target
        unit
        ownerSection
      }
    }
  }
}
    `) as unknown as TypedDocumentString<PanelTasksQuery, PanelTasksQueryVariables>;