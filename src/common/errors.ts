/**
 * Stable error codes: part of the API contract. Clients switch on them, so a code
 * is never renamed; new ones are added.
 */
export const ErrorCode = {
  /**
   * Bad input, the one code for it: an argument or input field is malformed (wrong shape,
   * out of range) or breaks a business rule (a date in the future, a duplicate, the wrong
   * area level). Carries the field at fault; nothing was written.
   */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /**
   * @deprecated No longer sent (issue 32): every bad input answers {@link ErrorCode.BAD_USER_INPUT}.
   * Kept (deprecated) in the schema's ErrorCode enum so clients that switch on it still validate.
   */
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

  // Codes of the transport edge (src/server/): sent by HTTP, graphql-ws and SSE, never by a service.
  /** The request itself is malformed: not JSON, a CSRF-shaped simple POST, a malformed document hash. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The body is larger than the server accepts (HTTP 413). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The caller's rate-limit bucket is empty (HTTP 429 with Retry-After; `retryAfter` in seconds). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A graphql-ws connection already runs as many operations as it may (`limit`). */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  /** The document does not parse (also: more tokens than GRAPHQL_MAX_TOKENS). */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  /** The document does not validate against the schema, or breaks an abuse limit (`limit`). */
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** The request names an operation (`operationName`) that the document does not hold, or several without a name. */
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  /** No document is registered under the hash sent (trusted documents). */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** Documents by hash are turned off (GRAPHQL_TRUSTED_DOCUMENTS=off). */
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  /** Only registered documents run here (GRAPHQL_TRUSTED_DOCUMENTS=require) and this one is not. */
  TRUSTED_DOCUMENT_REQUIRED: 'TRUSTED_DOCUMENT_REQUIRED',
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
    /** 中文提示 for operators and leaders (src/common/messages-zh.ts), when the service words one; else one is made from the code and field. */
    readonly messageZh?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A malformed argument, named so the client can point at it. */
export function badInput(field: string, message: string, messageZh?: string): DomainError {
  return new DomainError(ErrorCode.BAD_USER_INPUT, message, field, messageZh);
}
