import { describe, expect, it } from 'vitest';
import { inputHash, isIdempotencyKey } from './idempotency.rules.js';

describe('idempotency rules', () => {
  it('takes a UUID and refuses keys too short, too long or with other characters', () => {
    expect(isIdempotencyKey('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe(true);
    expect(isIdempotencyKey('short')).toBe(false);
    expect(isIdempotencyKey('x'.repeat(101))).toBe(false);
    expect(isIdempotencyKey('has space in it')).toBe(false);
  });

  it('hashes the input without the key, member order and absent-vs-null alike', () => {
    const a = inputHash('recordTaskProgress', { assignment: 'A', done: 5, note: null, idempotencyKey: 'key-00000001' });
    const b = inputHash('recordTaskProgress', { done: 5, assignment: 'A', idempotencyKey: 'key-00000002' });
    expect(a).toBe(b);
    expect(inputHash('recordTaskProgress', { assignment: 'A', done: 6 })).not.toBe(a);
    expect(inputHash('recordProjectProgress', { assignment: 'A', done: 5 })).not.toBe(a);
    // Arrays keep their order: the values of a report are answered in input order.
    expect(inputHash('reportObservations', { values: [{ indicator: 'X' }, { indicator: 'Y' }] })).not.toBe(
      inputHash('reportObservations', { values: [{ indicator: 'Y' }, { indicator: 'X' }] }),
    );
  });
});
