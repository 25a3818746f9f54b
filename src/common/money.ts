import { Decimal } from 'decimal.js';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * Parses an exact decimal amount (yuan) with at most `places` decimal places;
 * returns its canonical string ("1234.50"), or null when it is not one.
 * Amounts travel as strings end to end (PostgreSQL `numeric`), never as floats.
 */
export function parseDecimal(input: unknown, places = 2): string | null {
  if (typeof input !== 'string' && typeof input !== 'number') return null;
  const text = String(input).trim();
  if (!/^-?\d{1,15}(\.\d+)?$/.test(text)) return null;
  const value = new Decimal(text);
  if (value.decimalPlaces() > places) return null;
  return value.toFixed(places);
}

const CANONICAL = /^-?(0|[1-9]\d{0,14})\.\d{2}$/;

/**
 * `Decimal`: an exact decimal number as a string, e.g. "1250000.00" (yuan, 2
 * places). Accepts a string or a JSON number with at most 2 decimal places.
 */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: '精确小数 — an exact decimal as a string, e.g. "1250000.00" (money in yuan, 2 places). Never a float.',
  serialize(value) {
    // Sums of numeric(14,2) come from PostgreSQL already canonical.
    if (typeof value === 'string' && CANONICAL.test(value)) return value;
    const parsed = parseDecimal(value instanceof Decimal ? value.toString() : value, 20);
    if (parsed === null) throw new GraphQLError(`Decimal cannot represent ${String(value)}`);
    return new Decimal(parsed).toFixed(Math.max(2, new Decimal(parsed).decimalPlaces()));
  },
  parseValue(value) {
    const parsed = parseDecimal(value);
    if (parsed === null) throw new GraphQLError(`"${String(value)}" is not a decimal with at most 2 decimal places`);
    return parsed;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING && ast.kind !== Kind.INT && ast.kind !== Kind.FLOAT) {
      throw new GraphQLError('Decimal must be a string such as "1250000.00"');
    }
    const parsed = parseDecimal(ast.value);
    if (parsed === null) throw new GraphQLError(`"${ast.value}" is not a decimal with at most 2 decimal places`);
    return parsed;
  },
});
