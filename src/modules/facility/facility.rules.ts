import { DomainError, ErrorCode } from '../../common/errors.js';

/** 服务站点类别 — kinds of service facility, as the glossary names them. */
export enum FacilityType {
  NURSING_HOME = 'NURSING_HOME',
  REGIONAL_ELDERLY_CARE_CENTER = 'REGIONAL_ELDERLY_CARE_CENTER',
  COMMUNITY_ELDERLY_CARE_COMPLEX = 'COMMUNITY_ELDERLY_CARE_COMPLEX',
  DISABLED_ELDERLY_CARE_HOME = 'DISABLED_ELDERLY_CARE_HOME',
  EXTREME_POVERTY_SUPPORT_FACILITY = 'EXTREME_POVERTY_SUPPORT_FACILITY',
  MINOR_PROTECTION_CENTER = 'MINOR_PROTECTION_CENTER',
  MINOR_PROTECTION_STATION = 'MINOR_PROTECTION_STATION',
  MINOR_PROTECTION_POINT = 'MINOR_PROTECTION_POINT',
}

/** 运营模式 — who builds and who runs a facility. */
export enum OperatingModel {
  PUBLIC = 'PUBLIC',
  PUBLIC_BUILT_PRIVATE_RUN = 'PUBLIC_BUILT_PRIVATE_RUN',
  PRIVATE = 'PRIVATE',
}

/** 状态 — lifecycle: 规划 → 在建 → 建成 → 投运, and 停运 from (and back to) 投运. */
export enum FacilityStatus {
  PLANNED = 'PLANNED',
  UNDER_CONSTRUCTION = 'UNDER_CONSTRUCTION',
  BUILT = 'BUILT',
  OPERATING = 'OPERATING',
  SUSPENDED = 'SUSPENDED',
}

export const FACILITY_TYPE_LABEL: Record<FacilityType, string> = {
  NURSING_HOME: '敬老院',
  REGIONAL_ELDERLY_CARE_CENTER: '区域性养老服务中心',
  COMMUNITY_ELDERLY_CARE_COMPLEX: '社区养老服务综合体',
  DISABLED_ELDERLY_CARE_HOME: '失能半失能养护院',
  EXTREME_POVERTY_SUPPORT_FACILITY: '特困人员供养服务设施',
  MINOR_PROTECTION_CENTER: '未成年人救助保护中心',
  MINOR_PROTECTION_STATION: '未成年人保护工作站',
  MINOR_PROTECTION_POINT: '未成年人保护点',
};

export const OPERATING_MODEL_LABEL: Record<OperatingModel, string> = {
  PUBLIC: '公办公营',
  PUBLIC_BUILT_PRIVATE_RUN: '公建民营',
  PRIVATE: '民办',
};

export const FACILITY_STATUS_LABEL: Record<FacilityStatus, string> = {
  PLANNED: '规划',
  UNDER_CONSTRUCTION: '在建',
  BUILT: '建成',
  OPERATING: '投运',
  SUSPENDED: '停运',
};

/** The only moves the lifecycle allows; anything else (skipping a stage, going back) is rejected. */
export const FACILITY_TRANSITIONS: Readonly<Record<FacilityStatus, readonly FacilityStatus[]>> = {
  PLANNED: [FacilityStatus.UNDER_CONSTRUCTION],
  UNDER_CONSTRUCTION: [FacilityStatus.BUILT],
  BUILT: [FacilityStatus.OPERATING],
  OPERATING: [FacilityStatus.SUSPENDED],
  SUSPENDED: [FacilityStatus.OPERATING],
};

export function canTransitionFacility(from: FacilityStatus, to: FacilityStatus): boolean {
  return FACILITY_TRANSITIONS[from].includes(to);
}

/** Throws INVALID_TRANSITION (field `status`) unless `from → to` is a lifecycle step. */
export function assertFacilityTransition(from: FacilityStatus, to: FacilityStatus): void {
  if (!canTransitionFacility(from, to)) {
    const allowed = FACILITY_TRANSITIONS[from].map((s) => `${s} (${FACILITY_STATUS_LABEL[s]})`).join(', ');
    throw new DomainError(
      ErrorCode.INVALID_TRANSITION,
      `A facility cannot go from ${from} (${FACILITY_STATUS_LABEL[from]}) to ${to} (${FACILITY_STATUS_LABEL[to]}); from ${from} it may go to ${allowed}`,
      'status',
    );
  }
}

/** A rule broken by a facility's fields: which input field, and why. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Checks the invariants a facility's fields must hold together: occupied beds
 * never above beds, and an operator for every 公建民营 facility.
 */
export function facilityFieldProblems(f: { beds: number; occupiedBeds: number; operatingModel: OperatingModel; operator: string | null }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (f.occupiedBeds > f.beds) {
    problems.push({ field: 'occupiedBeds', message: `occupiedBeds (${f.occupiedBeds}) cannot exceed beds (${f.beds})` });
  }
  if (f.operatingModel === OperatingModel.PUBLIC_BUILT_PRIVATE_RUN && !f.operator?.trim()) {
    problems.push({ field: 'operator', message: '公建民营 (PUBLIC_BUILT_PRIVATE_RUN) needs the operator (运营方) that runs it' });
  }
  return problems;
}
