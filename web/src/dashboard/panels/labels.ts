/** Chinese labels for enum values the other branches are likely to use; unknown values show as they are. */
const LABELS: Record<string, string> = {
  // facility types
  NURSING_HOME: '敬老院',
  PUBLIC_NURSING_HOME: '敬老院',
  REGIONAL_ELDERLY_CARE_CENTER: '区域养老服务中心',
  REGIONAL_ELDERLY_CARE_CENTRE: '区域养老服务中心',
  COMMUNITY_ELDERLY_CARE_COMPLEX: '社区养老服务综合体',
  DISABLED_ELDERLY_CARE_HOME: '失能特困人员照护机构',
  EXTREMELY_POOR_SUPPORT_FACILITY: '特困供养服务设施',
  EXTREME_POVERTY_SUPPORT_FACILITY: '特困人员供养服务设施',
  MINOR_PROTECTION_STATION: '未成年人保护工作站',
  MINOR_PROTECTION_POINT: '未成年人保护工作点',
  MINOR_PROTECTION_CENTER: '未成年人救助保护中心',
  MINOR_PROTECTION_CENTRE: '未成年人救助保护中心',
  // operating models
  PUBLIC: '公办公营',
  PUBLIC_PRIVATE: '公建民营',
  PUBLIC_BUILT_PRIVATELY_RUN: '公建民营',
  PUBLIC_BUILT_PRIVATE_RUN: '公建民营',
  PRIVATE: '民办',
  // statuses
  PLANNED: '规划中',
  UNDER_CONSTRUCTION: '在建',
  BUILT: '已建成',
  OPERATING: '运营中',
  SUSPENDED: '暂停',
  NOT_STARTED: '未开工',
  IN_PROGRESS: '推进中',
  COMPLETED: '已完成',
  DONE: '已完成',
  OPEN: '待整改',
  RECTIFYING: '整改中',
  RECTIFIED: '已整改',
  CLOSED: '已销号',
  // task health
  OVERDUE: '逾期',
  LAGGING: '滞后',
  DUE_SOON: '临期',
  ON_TRACK: '正常',
  // supervision kinds (督办方式)
  LISTED_SUPERVISION: '挂牌督办',
  SUPERVISION_LETTERS: '两书一函',
  WARNING_INTERVIEW: '警示约谈',
  CIRCULATED_NOTICE: '通报',
  UNANNOUNCED_INSPECTION: '四不两直',
  // accountability kinds (问责)
  INTERVIEW: '约谈',
  CIRCULATED_CRITICISM: '通报批评',
  ORDERED_RECTIFICATION: '责令整改',
  WRITTEN_SELF_CRITICISM: '责令书面检查',
  ADMONISHMENT: '诫勉',
  DISCIPLINARY_REFERRAL: '移送纪检监察',
  OTHER: '其他',
};

/**
 * 督办 stages (交办 → 签收 → 办理 → 反馈 → 办结, or 退回): apart from LABELS, whose IN_PROGRESS
 * (推进中, a project) and CLOSED (已销号, a rectification) mean other things.
 */
const STAGE_LABELS: Record<string, string> = {
  ASSIGNED: '交办',
  ACKNOWLEDGED: '签收',
  IN_PROGRESS: '办理',
  RESPONDED: '反馈',
  CLOSED: '办结',
  RETURNED: '退回',
};

export function stageLabel(value: string | null | undefined): string {
  if (!value) return '—';
  return STAGE_LABELS[value] ?? value;
}

/** A supervision's response due state (时限状态): red overdue, yellow due within three days, green. */
const DUE_LABELS: Record<string, string> = {
  RED: '红 · 已超期',
  YELLOW: '黄 · 三天内到期',
  GREEN: '绿 · 正常',
};

export function dueLabel(value: string | null | undefined): string {
  if (!value) return '—';
  return DUE_LABELS[value] ?? value;
}

export function label(value: string | null | undefined): string {
  if (!value) return '—';
  return LABELS[value] ?? value;
}

/** 动态类型 — what a progress event records (ProgressAction); ALERTED is the date sweep's notice (提醒), not a change. */
const ACTION_LABELS: Record<string, string> = {
  CREATED: '新建',
  UPDATED: '修改',
  PROGRESS_RECORDED: '进度',
  STATUS_CHANGED: '状态变更',
  REPORTED: '上报',
  REVIEWED: '审核',
  DELETED: '删除',
  ALERTED: '提醒',
};

export function actionLabel(value: string | null | undefined): string {
  if (!value) return '—';
  return ACTION_LABELS[value] ?? value;
}
