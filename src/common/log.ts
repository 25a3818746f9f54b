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

/**
 * Sends the log to `stream` at `level` or above until the returned function is
 * called (then the destination and level are as before). For tests that check
 * what the server logged, such as the fuzz suite's "no masked error goes unlogged".
 * Request loggers created before the call keep the level they were made with.
 */
export function captureLog(stream: DestinationStream, level: string): () => void {
  const previous = { destination, level: log.level };
  destination = stream;
  log.level = level;
  return () => {
    destination = previous.destination;
    log.level = previous.level;
  };
}

export type { Logger };
