import { DomainError, ErrorCode } from './errors.js';

/**
 * The area an input names: `area`, as every input calls it, or `areaCode`, the deprecated old
 * name three governance inputs had (issue 32). One of the two must be given, never both (bad
 * input on `area`, nothing written). Returns the code and the field the client spelled, so a
 * later refusal (an unknown area, the wrong level) names the field the client sent.
 */
export function inputArea(input: { area?: string | null; areaCode?: string | null }): { code: string; field: 'area' | 'areaCode' } {
  const area = input.area ?? null;
  const old = input.areaCode ?? null;
  if (area !== null && old !== null) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, '区划只填 area 一项：areaCode 是它的旧名（已弃用），两项不能同时填写', 'area');
  }
  if (area !== null) return { code: area, field: 'area' };
  if (old !== null) return { code: old, field: 'areaCode' };
  throw new DomainError(ErrorCode.BAD_USER_INPUT, '请填写区划代码 area', 'area');
}
