import { pino, type DestinationStream, type Logger } from 'pino';

let destination: DestinationStream = pino.destination(1);

/**
 * The process logger: structured JSON lines on stdout (stderr after
 * {@link logToStderr}). Request-scoped loggers are children carrying
 * `requestId`. Authorization headers are never logged.
 */
export const log: Logger = pino(
  {
    level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
    base: { service: 'civgraph' },
    redact: ['req.headers.authorization', '*.token', '*.password'],
  },
  { write: (line: string) => destination.write(line) },
);

/** Moves the log to stderr, for a command whose stdout is data (`civgraph export … > file.csv`). */
export function logToStderr(): void {
  destination = pino.destination(2);
}

export type { Logger };
