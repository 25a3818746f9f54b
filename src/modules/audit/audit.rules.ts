import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import { DomainError, ErrorCode } from '../../common/errors.js';

/** How a mutation ended, as the audit log records it. */
export enum AuditOutcome {
  /** It did what was asked. */
  OK = 'OK',
  /** It answered with `userErrors` and changed nothing. */
  USER_ERRORS = 'USER_ERRORS',
  /** It failed with a GraphQL error (FORBIDDEN, UNAUTHENTICATED, an unexpected failure…). */
  ERROR = 'ERROR',
}

/** Argument keys whose values never reach the audit log. */
export const SECRET_KEY = /password|secret|token/i;
export const REDACTED = '[REDACTED]';

/** A JSON copy of mutation arguments with every value under a secret-looking key replaced. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? REDACTED : redact(inner);
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Outcome of a mutation that returned: a payload with `userErrors` counts as USER_ERRORS. */
export function outcomeOfResult(result: unknown): { outcome: AuditOutcome; errorCodes: string[] } {
  const userErrors = (result as { userErrors?: { code?: string }[] } | null)?.userErrors;
  if (Array.isArray(userErrors) && userErrors.length) {
    return { outcome: AuditOutcome.USER_ERRORS, errorCodes: [...new Set(userErrors.map((e) => String(e.code ?? 'UNKNOWN')))] };
  }
  return { outcome: AuditOutcome.OK, errorCodes: [] };
}

/** Outcome of a mutation that threw: the stable code the client saw. */
export function outcomeOfError(error: unknown): { outcome: AuditOutcome; errorCodes: string[] } {
  const original = unwrapResolverError(error);
  let code: string = ErrorCode.INTERNAL_SERVER_ERROR;
  if (original instanceof DomainError) code = original.code;
  else if (original instanceof GraphQLError && typeof original.extensions.code === 'string' && !original.originalError) code = original.extensions.code;
  return { outcome: AuditOutcome.ERROR, errorCodes: [code] };
}
