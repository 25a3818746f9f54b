import { badInput } from './errors.js';

/**
 * Relay global IDs: base64url of `Type:key`. Opaque to clients, stable across
 * databases because the key is the natural key (an area's 12-digit code).
 */
export function toGlobalId(type: string, key: string): string {
  return Buffer.from(`${type}:${key}`, 'utf8').toString('base64url');
}

export function fromGlobalId(id: string, field = 'id'): { type: string; key: string } {
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1 || toGlobalId(decoded.slice(0, colon), decoded.slice(colon + 1)) !== id) {
    throw badInput(field, `"${id}" is not a civgraph ID`);
  }
  return { type: decoded.slice(0, colon), key: decoded.slice(colon + 1) };
}
