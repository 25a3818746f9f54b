import { GraphQLRequestError, SessionExpiredError } from './api';
import { h } from './dom';
import type { DashboardViewer } from './panel';

/**
 * What the data-entry panels share: who may write where (the same rules the
 * services apply, so the forms offer only what will be accepted; the server still
 * decides), and field errors shown next to their field.
 */

type Role = NonNullable<DashboardViewer>['role'];

/** 上报统计数据: reportObservations (src/modules/stats, REPORTERS). */
export const REPORTER_ROLES: Role[] = ['COUNTY_ADMIN', 'TOWNSHIP_OPERATOR', 'VILLAGE_OPERATOR'];
/** 填报进度 on key tasks and projects: recordTaskProgress, recordProjectProgress, completeMilestone. */
export const PROGRESS_ROLES: Role[] = ['COUNTY_ADMIN', 'SECTION_STAFF', 'TOWNSHIP_OPERATOR'];

/** Digits of the 12-digit code that name an area at each level: its subtree is every code with that prefix. */
const PREFIX: Record<string, number> = { PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12 };

/** Whether `code` lies in the subtree of `area` (itself included). */
export function within(code: string, area: { code: string; level: string }): boolean {
  return code.startsWith(area.code.slice(0, PREFIX[area.level] ?? 12));
}

/** Whether the viewer may write in `code`'s area: inside their own area's subtree. */
export function inViewerScope(viewer: DashboardViewer, code: string): boolean {
  return Boolean(viewer?.area && within(code, viewer.area));
}

/** Section staff change only their own section's items (责任股室); the other roles are bound by area alone. */
export function sectionMayWrite(viewer: DashboardViewer, ownerSection: string): boolean {
  if (!viewer) return false;
  if (viewer.role !== 'SECTION_STAFF') return true;
  return Boolean(viewer.section) && viewer.section === ownerSection;
}

/** A mutation's user error, as the payloads carry them (`messageZh`: the server's Chinese text, docs/api.md Errors). */
export interface FieldError {
  field?: string[] | null;
  message: string;
  messageZh?: string | null;
  code: string;
}

/** What each stable code means, for an error that carries no Chinese text of its own (a GraphQL error: FORBIDDEN, a lost session). */
const CODE_TEXT: Record<string, string> = {
  BAD_USER_INPUT: '填写有误，请检查后重试',
  VALIDATION: '不符合规则，请检查后重试',
  LOCKED: '已审核锁定，需县里重新开放后才能修改',
  CONFLICT: '已被他人修改，请刷新后重试',
  NOT_FOUND: '找不到所指的对象，请刷新后重试',
  INVALID_TRANSITION: '当前状态不允许此操作',
  FORBIDDEN: '您无权进行此操作',
  UNAUTHENTICATED: '请先登录',
  RATE_LIMITED: '操作过于频繁，请稍后重试',
  INTERNAL_SERVER_ERROR: '服务器出错，请稍后重试',
};

/**
 * The text a person reads for an error: the server's Chinese text (`messageZh`) when
 * it sent one, else what the code means. Never the English `message` (docs/api.md, Errors).
 */
export function errorText(error: { code?: string | null; message: string; messageZh?: string | null }): string {
  if (error.messageZh) return error.messageZh;
  return (error.code && CODE_TEXT[error.code]) || '操作未成功，请稍后重试';
}

/**
 * A failed read or request in Chinese, for a panel or the page: a server that lacks the
 * operation, the meaning of a GraphQL error's code, or a lost connection — never the
 * English text of the error (docs/api.md, Errors).
 */
export function failureText(error: unknown): string {
  if (error instanceof SessionExpiredError) return error.messageZh;
  if (error instanceof GraphQLRequestError) {
    if (error.unsupported) return '服务端尚未提供该接口';
    const code = error.errors.find((e) => e.extensions?.code)?.extensions?.code;
    return (code && CODE_TEXT[code]) || '读取失败，请稍后重试';
  }
  return '无法连接服务器，请检查网络后重试';
}

/**
 * The error slots of one form: `slot(key)` goes next to a field; `show` puts each
 * error in the slot its `field` path names (unknown ones in the form's own slot)
 * and marks the field's input invalid.
 */
export class FieldErrors {
  private readonly slots = new Map<string, HTMLElement>();
  private readonly inputs = new Map<string, HTMLElement>();

  constructor(private readonly formKey = 'form') {}

  /** The error slot for a field (created once), and the input it belongs to. */
  slot(key: string, input?: HTMLElement): HTMLElement {
    if (input) this.inputs.set(key, input);
    let slot = this.slots.get(key);
    if (!slot) {
      slot = h('span', { class: 'field-error', 'data-error-for': key, role: 'alert' });
      this.slots.set(key, slot);
    }
    return slot;
  }

  clear(): void {
    for (const slot of this.slots.values()) slot.textContent = '';
    for (const input of this.inputs.values()) {
      input.classList.remove('invalid');
      input.removeAttribute('aria-invalid');
    }
  }

  /** Shows one message at `key` (a client-side check, or a mapped user error). */
  set(key: string, text: string): void {
    const slot = this.slots.has(key) ? this.slots.get(key)! : this.slot(this.formKey);
    slot.textContent = slot.textContent ? `${slot.textContent}；${text}` : text;
    const input = this.inputs.get(key);
    input?.classList.add('invalid');
    input?.setAttribute('aria-invalid', 'true');
  }

  /** Shows user errors, each at the slot `keyOf(field)` names (the form's slot when none). */
  show(errors: FieldError[], keyOf: (field: string[]) => string | null): void {
    for (const error of errors) {
      const key = (error.field && keyOf(error.field)) || this.formKey;
      this.set(this.slots.has(key) ? key : this.formKey, errorText(error));
    }
  }

  /** A failed request (FORBIDDEN, a dropped connection …) at the form's slot. */
  fail(error: unknown): void {
    if (error instanceof SessionExpiredError) this.set(this.formKey, error.messageZh);
    else if (error instanceof GraphQLRequestError) {
      for (const e of error.errors) this.set(this.formKey, errorText({ code: e.extensions?.code, message: e.message }));
    } else this.set(this.formKey, '无法连接服务器，请检查网络后重试');
  }
}

/** The input field a user error names: `["input", "values", "2", "value"]` → `values.2.value`. */
export function fieldPath(field: string[]): string {
  return (field[0] === 'input' ? field.slice(1) : field).join('.');
}

/** A labelled field: label text, the control, and its error slot right after it. */
export function field(label: string, control: HTMLElement, errors: FieldErrors, key: string, extra?: HTMLElement | string): HTMLElement {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-label' }, label),
    h('span', { class: 'field-control' }, control, extra ?? ''),
    errors.slot(key, control),
  );
}

/** A whole number from a text field, or null (the GraphQL Int fields cannot carry "abc" to the server). */
export function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  return /^-?\d{1,9}$/.test(trimmed) ? Number(trimmed) : null;
}
