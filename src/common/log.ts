import { pino, type Logger } from 'pino';

/**
 * The process logger: structured JSON lines on stdout. Request-scoped loggers are
 * children carrying `requestId`. Authorization headers are never logged.
 */
export const log: Logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: { service: 'civgraph' },
  redact: ['req.headers.authorization', '*.token', '*.password'],
});

export type { Logger };
