import { describe, expect, it } from 'vitest';
import { DecimalScalar, parseDecimal } from './money.js';

describe('parseDecimal', () => {
  it.each([
    ['1250000', '1250000.00'],
    ['0.1', '0.10'],
    [12.5, '12.50'],
    ['-3.25', '-3.25'],
  ])('%s → %s', (input, expected) => expect(parseDecimal(input)).toBe(expected));

  it.each(['1.234', 'abc', '', '1e5', null, '1,000', '0x10', 1.005])('rejects %s', (input) => expect(parseDecimal(input)).toBeNull());

  it('keeps exactness where floats would not', () => {
    expect(parseDecimal('0.10')).toBe('0.10');
    expect(parseDecimal('99999999999999.99')).toBe('99999999999999.99');
  });
});

describe('DecimalScalar.serialize', () => {
  it.each([
    ['1250000.00', '1250000.00'],
    ['0.10', '0.10'],
    ['-3.25', '-3.25'],
    ['12.5', '12.50'],
    ['007.00', '7.00'],
    ['1.2345', '1.2345'],
    [12, '12.00'],
  ])('%s → %s', (input, expected) => expect(DecimalScalar.serialize(input)).toBe(expected));

  it.each(['abc', '1e5', ''])('refuses %s', (input) => expect(() => DecimalScalar.serialize(input)).toThrow(/cannot represent/));
});
