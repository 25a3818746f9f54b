import { describe, expect, it } from 'vitest';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { AuditOutcome, outcomeOfError, outcomeOfResult, redact, REDACTED } from './audit.rules.js';

describe('redact', () => {
  it('hides values under password, secret and token keys at any depth, keeps the rest verbatim', () => {
    const args = {
      input: { name: "'; drop table area; --", password: 'p', apiToken: 't', nested: [{ clientSecret: 's', note: '<script>' }] },
      accessTOKEN: 'x',
    };
    expect(redact(args)).toEqual({
      input: { name: "'; drop table area; --", password: REDACTED, apiToken: REDACTED, nested: [{ clientSecret: REDACTED, note: '<script>' }] },
      accessTOKEN: REDACTED,
    });
  });

  it('turns dates into ISO strings', () => {
    expect(redact({ at: new Date('2026-01-02T03:04:05Z') })).toEqual({ at: '2026-01-02T03:04:05.000Z' });
  });
});

describe('outcome', () => {
  it('is OK for a payload without user errors', () => {
    expect(outcomeOfResult({ thing: 1, userErrors: [] })).toEqual({ outcome: AuditOutcome.OK, errorCodes: [] });
    expect(outcomeOfResult(null)).toEqual({ outcome: AuditOutcome.OK, errorCodes: [] });
  });

  it('lists the distinct user error codes', () => {
    const result = { userErrors: [{ code: 'VALIDATION' }, { code: 'BAD_USER_INPUT' }, { code: 'VALIDATION' }] };
    expect(outcomeOfResult(result)).toEqual({ outcome: AuditOutcome.USER_ERRORS, errorCodes: ['VALIDATION', 'BAD_USER_INPUT'] });
  });

  it('names the code of a thrown error, masking unknown failures', () => {
    expect(outcomeOfError(new DomainError(ErrorCode.FORBIDDEN, 'no'))).toEqual({ outcome: AuditOutcome.ERROR, errorCodes: ['FORBIDDEN'] });
    expect(outcomeOfError(new Error('boom')).errorCodes).toEqual(['INTERNAL_SERVER_ERROR']);
  });
});
