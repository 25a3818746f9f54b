import { Writable } from 'node:stream';
import { captureLog } from '../../src/common/log.js';

/** One line of the server's JSON log, as pino writes it. */
export interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  err?: { message?: string; stack?: string };
  [key: string]: unknown;
}

/**
 * The server's log lines at `level` or above, parsed, gathered into `lines`
 * until `release()`: for tests that check what was logged (a masked error with
 * its request id, nothing at error level while a fuzz runs).
 */
export function captureLogLines(level = 'error'): { lines: LogLine[]; release: () => void } {
  const lines: LogLine[] = [];
  const release = captureLog(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
        done();
      },
    }),
    level,
  );
  return { lines, release };
}
