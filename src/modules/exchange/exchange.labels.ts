import { RectificationCategory } from '../rectification/rectification.rules.js';
import { TaskCategory } from '../task/task.rules.js';

/**
 * Chinese labels of the enum values exports write (the facility labels live in
 * facility.rules.ts, where the import reads them back; 整改状态 in
 * rectification.service.ts). People read exports:
 * a cell says 进度滞后, not LAGGING. The terms follow the enums' schema
 * descriptions and /work/shared/domain/glossary.md.
 */
export const TASK_CATEGORY_LABEL: Record<TaskCategory, string> = {
  TWO_REFORMS_FOLLOW_UP: '两项改革"后半篇"文章',
  ELDERLY_CARE: '养老服务',
  MINOR_PROTECTION: '未成年人保护',
  SOCIAL_ASSISTANCE: '社会救助',
  SOCIAL_AFFAIRS: '社会事务',
  SOCIAL_GOVERNANCE: '社会治理',
};

/** 问题类别 of an audit finding. */
export const RECTIFICATION_CATEGORY_LABEL: Record<RectificationCategory, string> = {
  FAVORITISM: '关系保、人情保、优亲厚友',
  FUNDS_MISUSE: '套取、截留、挤占、挪用',
  FRAUD: '骗取、侵占救助资金',
  NEGLECT: '漠视困难群众诉求',
  MANAGEMENT: '制度不健全、管理不规范',
  OTHER: '其他',
};

/** The label of `value` in `labels`, or the value as it is (null stays null). */
export function labelOf<T extends string>(labels: Record<T, string>, value: T | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return labels[value] ?? value;
}

/** Roles as the people who hold them are called (as the dashboard's header names them). */
export const ROLE_LABEL: Record<string, string> = {
  COUNTY_ADMIN: '县/局管理员',
  SECTION_STAFF: '股室',
  TOWNSHIP_OPERATOR: '乡镇民政办',
  VILLAGE_OPERATOR: '村/社区',
  VIEWER: '只读',
  LEADER: '县/局领导',
};
