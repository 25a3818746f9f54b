/**
 * A whole-number setting from the environment: `fallback` when unset or empty, else an
 * integer from `min` to `max`; anything else is an error naming the variable, so that a
 * server refuses to start on a typo rather than run with a surprise.
 */
export function envInteger(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}
