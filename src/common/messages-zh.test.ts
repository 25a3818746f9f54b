import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import { fieldZh, isChineseText, messageZhOf } from './messages-zh.js';

describe('messageZhOf', () => {
  it("keeps the service's Chinese text", () => {
    expect(messageZhOf(ErrorCode.BAD_USER_INPUT, 'value cannot be negative', ['input', 'values', '0', 'value'], '「孤儿」不能为负数')).toBe(
      '「孤儿」不能为负数',
    );
  });

  it('keeps a message that is Chinese already, but not one holding codes or English', () => {
    expect(messageZhOf(ErrorCode.BAD_USER_INPUT, '缺报说明不能为空', ['input', 'missingReasons', '0', 'reason'])).toBe('缺报说明不能为空');
    expect(isChineseText('ELDERLY_60_PLUS 不能为负数')).toBe(false);
  });

  it("words an English message from the code and the field's Chinese name", () => {
    expect(messageZhOf(ErrorCode.BAD_USER_INPUT, 'done must not be less than 0', ['input', 'done'])).toBe('「累计完成」填写有误');
    expect(messageZhOf(ErrorCode.CONFLICT, 'Assignment was changed by someone else', ['input', 'version'])).toBe('「版本」已被他人修改，请刷新后重试');
    expect(messageZhOf(ErrorCode.NOT_FOUND, 'No task 5', null)).toBe('找不到所指的对象');
    expect(messageZhOf('SOMETHING_NEW' as ErrorCode, 'whatever', ['input', 'nonsense'])).toBe('操作未成功，请检查后重试');
  });

  it('names the innermost field it knows', () => {
    expect(fieldZh(['input', 'values', '2', 'value'])).toBe('填报值');
    expect(fieldZh(['input', 'missingReasons', '0', 'area'])).toBe('区划');
    expect(fieldZh(['input', 'x'])).toBeNull();
  });
});
