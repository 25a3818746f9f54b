import { badInput } from './errors.js';
import { fromGlobalId } from './global-id.js';

/** The numeric key of a global ID of `type`; BAD_USER_INPUT naming `field` for any other ID. */
export function keyOf(id: string, type: string, field: string): string {
  const { type: actual, key } = fromGlobalId(id, field);
  if (actual !== type || !/^[1-9]\d{0,17}$/.test(key)) throw badInput(field, `"${id}" is not a ${type} ID`);
  return key;
}
