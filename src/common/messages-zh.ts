import { ErrorCode } from './errors.js';

/**
 * 中文提示: the Chinese text of an error that operators and leaders read on the
 * dashboard (`UserError.messageZh`, `extensions.messageZh`). The rule
 * (docs/api.md, Errors): `message` stays as the service wrote it (English for
 * developers where it was English), `code` is for programs, and `messageZh` is
 * always Chinese, names the field or indicator by its Chinese name, and never
 * holds an indicator code or English text. A service that knows better gives
 * its own text; otherwise it is made here from the code and the field path.
 */

/** What each code means, said to a person. */
export const CODE_ZH: Partial<Record<ErrorCode, string>> = {
  BAD_USER_INPUT: '填写有误',
  VALIDATION: '不符合规则',
  NOT_FOUND: '找不到所指的对象',
  FORBIDDEN: '您无权进行此操作',
  UNAUTHENTICATED: '请先登录',
  CONFLICT: '已被他人修改，请刷新后重试',
  INVALID_TRANSITION: '当前状态不允许此操作',
  LOCKED: '已审核锁定，需县里重新开放后才能修改',
  INTERNAL_SERVER_ERROR: '服务器出错，请稍后重试',
  RATE_LIMITED: '操作过于频繁，请稍后重试',
};

/** Chinese names of the input fields the mutations take (the last named segment of a field path). */
const FIELD_ZH: Record<string, string> = {
  area: '区划',
  county: '县',
  period: '月份',
  month: '月份',
  values: '填报值',
  value: '填报值',
  indicator: '指标',
  version: '版本',
  asOf: '截至日期',
  done: '累计完成',
  percent: '完成比例',
  note: '说明',
  blockers: '困难问题',
  position: '节点',
  doneDate: '完成日期',
  title: '名称',
  name: '名称',
  target: '目标',
  unit: '单位',
  deadline: '时限',
  startDate: '开始日期',
  assignments: '任务分解',
  reason: '原因',
  decision: '审核意见',
  missingReasons: '缺报说明',
  minReportedPercent: '上报完整率',
  beds: '床位',
  occupiedBeds: '在住人数',
  operator: '运营方',
  openedOn: '投运日期',
  type: '类别',
  category: '类别',
  status: '状态',
  operatingModel: '运营模式',
  finding: '问题',
  responsiblePerson: '责任人',
  verifier: '核查人',
  ownerSection: '责任股室',
  section: '股室',
  project: '项目',
  assignment: '任务分解',
  id: '对象',
};

/** Latin letters: a text holding any is not for the people who read Chinese (codes, English). */
const LATIN = /[A-Za-z]/;

/** Whether `text` can be shown as it is to a Chinese reader: it has Chinese in it and no Latin letters. */
export function isChineseText(text: string): boolean {
  return /[\u4e00-\u9fff]/.test(text) && !LATIN.test(text);
}

/** The Chinese name of the field a path names (`["input", "values", "2", "value"]` → 填报值), or null. */
export function fieldZh(field: readonly string[] | null | undefined): string | null {
  if (!field) return null;
  for (let i = field.length - 1; i >= 0; i--) {
    const name = FIELD_ZH[field[i]];
    if (name) return name;
  }
  return null;
}

/**
 * The Chinese message of an error: `zh` when the service gave one, `message`
 * when it is already Chinese without Latin letters, else the code's meaning
 * after the field's Chinese name (「月份」填写有误).
 */
export function messageZhOf(code: ErrorCode, message: string, field?: readonly string[] | null, zh?: string | null): string {
  if (zh) return zh;
  if (isChineseText(message)) return message;
  const what = CODE_ZH[code] ?? '操作未成功，请检查后重试';
  const name = fieldZh(field);
  return name ? `「${name}」${what}` : what;
}
