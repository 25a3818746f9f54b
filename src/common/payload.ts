import { validate } from 'class-validator';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DomainError, ErrorCode } from './errors.js';
import { messageZhOf } from './messages-zh.js';

registerEnumType(ErrorCode, {
  name: 'ErrorCode',
  description: 'Stable error codes, in `userErrors` and in `extensions.code` of GraphQL errors. Never renamed.',
  valuesConfig: {
    BAD_USER_INPUT: {
      description: 'Bad input (输入有误): an argument or input field is malformed (wrong shape, out of range) or breaks a business rule; the field is named.',
    },
    VALIDATION: {
      description: 'Formerly: input well formed but breaking a business rule. No longer sent: every bad input answers BAD_USER_INPUT.',
      deprecationReason: 'Every bad input (malformed or breaking a rule) now answers BAD_USER_INPUT; this code is no longer sent.',
    },
    NOT_FOUND: { description: 'The referenced object does not exist.' },
    FORBIDDEN: { description: 'The caller may not do this (role, or an area outside their subtree).' },
    UNAUTHENTICATED: { description: 'No valid bearer token.' },
    CONFLICT: { description: 'Someone else changed the record first: reload it and retry with its current `version`.' },
    INVALID_TRANSITION: { description: 'The lifecycle does not allow this status change.' },
    LOCKED: { description: 'The record is locked (e.g. an approved reporting period, 已审核锁定) until it is reopened.' },
    INTERNAL_SERVER_ERROR: { description: 'Unexpected failure; the response carries a `requestId` for the logs.' },
    BAD_REQUEST: {
      description: 'The HTTP request itself is malformed: not JSON, a form or text/plain POST, a malformed document hash (HTTP 400). Never in `userErrors`.',
    },
    PAYLOAD_TOO_LARGE: { description: 'The request body is over 1 MB (HTTP 413). Never in `userErrors`.' },
    RATE_LIMITED: {
      description: 'Too many requests from this identity: retry after `extensions.retryAfter` seconds (HTTP 429 with Retry-After). Never in `userErrors`.',
    },
    TOO_MANY_SUBSCRIPTIONS: {
      description: 'This graphql-ws connection already runs `extensions.limit` operations: complete one first. Never in `userErrors`.',
    },
    GRAPHQL_PARSE_FAILED: { description: 'The document does not parse, or has more tokens than allowed. Never in `userErrors`.' },
    GRAPHQL_VALIDATION_FAILED: {
      description: 'The document does not validate against the schema, or breaks an abuse limit (`extensions.limit`). Never in `userErrors`.',
    },
    OPERATION_RESOLUTION_FAILURE: {
      description: 'The operation named by `operationName` is not in the document (or it holds several and none is named). Never in `userErrors`.',
    },
    PERSISTED_QUERY_NOT_FOUND: {
      description: 'No trusted document (持久化查询) is registered under the hash sent: register it, or send the text. Never in `userErrors`.',
    },
    PERSISTED_QUERY_NOT_SUPPORTED: { description: 'This server takes no documents by hash (GRAPHQL_TRUSTED_DOCUMENTS=off). Never in `userErrors`.' },
    TRUSTED_DOCUMENT_REQUIRED: { description: 'This server runs registered (trusted) documents only, and this one is not registered. Never in `userErrors`.' },
  },
});

/**
 * An expected failure of a mutation, returned in its payload (not thrown): the
 * input field at fault, a message for people, and a stable code for programs.
 */
@ObjectType({ description: "A problem with a mutation's input: which field, what is wrong, and a stable code. Nothing was written." })
export class UserError {
  @Field(() => [String], {
    nullable: true,
    description: 'Path to the input field at fault, e.g. ["input", "values", "2", "value"]; null when the whole input is at fault.',
  })
  field!: string[] | null;

  @Field({ description: 'What is wrong, for people: as the service words it (English for developers in many places; see messageZh).' })
  message!: string;

  @Field({
    description:
      '中文提示 — what is wrong, in Chinese, for operators and leaders: names the field or indicator by its Chinese name (「60岁以上老年人」不能为负数), never holds a code or English. What the dashboard shows.',
  })
  messageZh!: string;

  @Field(() => ErrorCode, { description: 'What is wrong, for programs.' })
  code!: ErrorCode;
}

/** A user error; `messageZh` is the Chinese text when the caller words one, else made from the code and field ({@link messageZhOf}). */
export function userError(code: ErrorCode, message: string, field?: string | string[] | null, messageZh?: string | null): UserError {
  const error = new UserError();
  error.code = code;
  error.message = message;
  error.field = field == null ? null : Array.isArray(field) ? field : ['input', ...field.split('.')];
  error.messageZh = messageZhOf(code, message, error.field, messageZh);
  return error;
}

/**
 * Validates a type-graphql input instance with its class-validator decorators;
 * one UserError per failed constraint, nested fields as paths.
 */
export async function validateInput(input: object): Promise<UserError[]> {
  const errors = await validate(input, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  const out: UserError[] = [];
  const walk = (list: typeof errors, path: string[]) => {
    for (const error of list) {
      const here = [...path, error.property];
      for (const message of Object.values(error.constraints ?? {})) out.push(userError(ErrorCode.BAD_USER_INPUT, message, ['input', ...here]));
      if (error.children?.length) walk(error.children, here);
    }
  };
  walk(errors, []);
  return out;
}

/** Throws the input's class-validator failures as `userErrors` (BAD_USER_INPUT per field); nothing is written. */
export async function assertValidInput(input: object): Promise<void> {
  const invalid = await validateInput(input);
  if (invalid.length) throw new PayloadErrors(invalid);
}

/** A broken rule found before writing: the input field at fault, why, and its code when not `BAD_USER_INPUT`. */
export interface Problem {
  field: string;
  message: string;
  code?: ErrorCode;
  /** 中文提示, when the rule words one (else made from the code and field). */
  messageZh?: string;
}

/** Throws every problem at once as `userErrors` (the transaction rolls back); each with its own code, else `code`. */
export function throwProblems(problems: readonly Problem[], code: ErrorCode = ErrorCode.BAD_USER_INPUT): void {
  if (problems.length) throw new PayloadErrors(problems.map((p) => userError(p.code ?? code, p.message, p.field, p.messageZh)));
}

/**
 * Runs a mutation's work and turns expected failures into `userErrors`:
 * validation, conflicts, transitions and missing objects come back in the
 * payload; FORBIDDEN and UNAUTHENTICATED stay GraphQL errors (a client that is
 * not allowed gets no partial business answer), and unknown errors propagate to
 * be masked.
 */
export async function asPayload<T extends object>(work: () => Promise<T>): Promise<(T & { userErrors: UserError[] }) | { userErrors: UserError[] }> {
  try {
    return { ...(await work()), userErrors: [] };
  } catch (error) {
    if (error instanceof PayloadErrors) return { userErrors: error.errors };
    if (error instanceof DomainError && error.code !== ErrorCode.FORBIDDEN && error.code !== ErrorCode.UNAUTHENTICATED) {
      return { userErrors: [userError(error.code, error.message, error.field ?? null, error.messageZh)] };
    }
    throw error;
  }
}

/** Thrown inside {@link asPayload} work to return several user errors at once (and roll back). */
export class PayloadErrors extends Error {
  constructor(readonly errors: UserError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'PayloadErrors';
  }
}

/** Optimistic concurrency: a stale `version` is a CONFLICT and nothing is written. */
export function assertVersion(current: number, expected: number, what: string): void {
  if (current !== expected) throw versionConflict(current, expected, what);
}

/** The CONFLICT on `version` that {@link assertVersion} throws, for writers that detect the race later. */
export function versionConflict(current: number, expected: number, what: string): DomainError {
  return new DomainError(
    ErrorCode.CONFLICT,
    `${what} was changed by someone else (version ${current}, you sent ${expected}); reload and retry`,
    'version',
    `已被他人修改（当前第 ${current} 版，您读取的是第 ${expected} 版），请刷新后重试`,
  );
}
