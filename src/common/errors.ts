/**
 * Stable error codes: part of the API contract. Clients switch on them, so a code
 * is never renamed; new ones are added.
 */
export const ErrorCode = {
  /** An argument or input field is malformed (wrong shape, out of range). */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** Input is well formed but breaks a business rule. */
  VALIDATION: 'VALIDATION',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Someone else changed the record first (optimistic concurrency). */
  CONFLICT: 'CONFLICT',
  /** A status change the lifecycle does not allow. */
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  /** The record is locked (an approved reporting period) until it is reopened. */
  LOCKED: 'LOCKED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * An expected failure with a stable {@link ErrorCode}. Thrown from services and
 * mapped to a GraphQL error (or a payload's `userErrors`) at one edge; anything
 * that is not a DomainError is masked as INTERNAL_SERVER_ERROR.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The argument or input field at fault, as the client spelled it. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A malformed argument, named so the client can point at it. */
export function badInput(field: string, message: string): DomainError {
  return new DomainError(ErrorCode.BAD_USER_INPUT, message, field);
}
