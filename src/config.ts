import { DEFAULT_LIMITS, type Limits } from './graphql/limits.js';
import { GRAPHQL_EXECUTORS, type GraphqlExecutor } from './graphql/executor.js';
import { DEFAULT_MAX_CONNECTIONS, type RateLimit } from './server/rate-limit.js';
import { DEFAULT_METRICS_HOST, type MetricsOptions } from './server/health.js';
import { DEFAULT_CACHE_MAX_AGE } from './server/http-policy.js';
import { TRUSTED_DOCUMENT_MODES, type TrustedDocumentMode } from './server/trusted-documents.js';
import type { BackupScheduleOptions } from './db/backup.js';

/**
 * Configuration from the environment, validated once at start-up.
 *
 * Every problem is collected and reported together, so an operator fixes the
 * environment in one go instead of one restart per mistake.
 */
export interface Config {
  /** HTTP and graphql-ws port. */
  port: number;
  /** Host to bind. */
  host: string;
  /** External PostgreSQL; when absent an embedded server is started. */
  databaseUrl: string | undefined;
  /** Port for the embedded PostgreSQL; `undefined` picks a free one. */
  embeddedPgPort: number | undefined;
  /** Folder for the embedded PostgreSQL's data. */
  dataDir: string;
  /** County whose hierarchy `start` loads when the database holds none. */
  seedCounty: string;
  /** `production` turns off graphql-js development checks. */
  nodeEnv: string;
  /** Whether the schema may be introspected (on by default outside production; GRAPHQL_INTROSPECTION overrides). */
  introspection: boolean;
  /** What executes HTTP operations: `jit` (graphql-jit's compiled queries, the default) or `graphql-js`. */
  graphqlExecutor: GraphqlExecutor;
  /** HS256 secret for bearer tokens. */
  jwtSecret: string | undefined;
  /** JWKS URL of an identity provider (RS256/ES256); takes precedence over the secret. */
  jwtJwksUrl: string | undefined;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  /**
   * Development identity: NODE_ENV is not `production` and neither JWT_SECRET nor
   * JWT_JWKS_URL is set, so tokens are signed with a secret generated in
   * DATA_DIR/jwt-secret. Only then does `start` print a token (a token signed with
   * a configured secret or from an identity provider is never printed).
   */
  developmentSecret: boolean;
  /** Origins allowed to call from browsers (CORS); empty allows same-origin only. */
  corsOrigins: string[];
  /** Log level for the server's own messages. */
  logLevel: (typeof LOG_LEVELS)[number];
  /** Abuse limits per operation (GRAPHQL_MAX_DEPTH, _ALIASES, _TOKENS, _DIRECTIVES, _COST, _FIELDS). */
  limits: Limits;
  /** Per-identity rate limit (RATE_LIMIT_PER_MINUTE, RATE_LIMIT_BURST), per instance. */
  rateLimit: RateLimit;
  /** Open graphql-ws connections per identity (WS_MAX_CONNECTIONS); 0: no bound. */
  webSocketMaxConnections: number;
  /** `/metrics`: its own port on METRICS_HOST (METRICS_PORT, `off`: none), and METRICS_TOKEN. */
  metrics: MetricsOptions;
  /** `max-age` (s) of public answers to anonymous GET queries (GRAPHQL_CACHE_MAX_AGE); 0: none are public. */
  cacheMaxAge: number;
  /** Registered documents (GRAPHQL_TRUSTED_DOCUMENTS): `off`, `allow` (hashes resolved, any text runs) or `require`. */
  trustedDocuments: TrustedDocumentMode;
  /** Scheduled backups (BACKUP_DIR, BACKUP_EVERY_HOURS default 24, BACKUP_KEEP default 7); none without BACKUP_DIR. */
  backup: BackupScheduleOptions | undefined;
  /**
   * Whether `start` seeds the demo data (CIVGRAPH_DEMO=1/0, or `start --demo`):
   * on by default in development, off in production unless asked in so many words.
   */
  demo: boolean;
  /** Accounts' token lifetimes: ACCESS_TOKEN_MINUTES (1–60, default 15) and REFRESH_TOKEN_DAYS (1–365, default 30), in seconds. */
  sessions: { accessTokenSeconds: number; refreshTokenSeconds: number };
}

/** The metrics port when METRICS_PORT is not set (the OpenTelemetry Prometheus exporter's). */
export const DEFAULT_METRICS_PORT = 9464;

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function portOf(env: Env, name: string, problems: string[], fallback?: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`${name} must be a port number from 0 to 65535, got "${raw}"`);
    return fallback;
  }
  return port;
}

function countOf(env: Env, name: string, problems: string[], fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    problems.push(`${name} must be a whole number ≥ 0, got "${raw}"`);
    return fallback;
  }
  return value;
}

/** Reads and validates the configuration; throws a {@link ConfigError} listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const port = portOf(env, 'PORT', problems, 4000)!;
  const embeddedPgPort = portOf(env, 'EMBEDDED_PG_PORT', problems);

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  const seedCounty = env.SEED_COUNTY ?? '511921';
  if (!/^\d{6}$/.test(seedCounty)) problems.push(`SEED_COUNTY must be a 6-digit county code, got "${seedCounty}"`);

  const logLevel = (env.LOG_LEVEL ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }

  const nodeEnv = env.NODE_ENV ?? 'development';
  const introspectionRaw = env.GRAPHQL_INTROSPECTION || (nodeEnv === 'production' ? 'false' : 'true');
  if (!['true', 'false'].includes(introspectionRaw)) {
    problems.push(`GRAPHQL_INTROSPECTION must be true or false, got "${introspectionRaw}"`);
  }

  const graphqlExecutor = (env.GRAPHQL_EXECUTOR || 'jit') as GraphqlExecutor;
  if (!GRAPHQL_EXECUTORS.includes(graphqlExecutor)) {
    problems.push(`GRAPHQL_EXECUTOR must be one of ${GRAPHQL_EXECUTORS.join(', ')}, got "${env.GRAPHQL_EXECUTOR}"`);
  }

  const jwtSecret = env.JWT_SECRET || undefined;
  if (jwtSecret && jwtSecret.length < 32) problems.push('JWT_SECRET must be at least 32 characters');
  const jwtJwksUrl = env.JWT_JWKS_URL || undefined;
  if (jwtJwksUrl && !/^https?:\/\//.test(jwtJwksUrl)) problems.push('JWT_JWKS_URL must be an http(s) URL');
  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) problems.push(`CORS_ORIGINS entries must be origins like https://dashboard.example.gov.cn, got "${origin}"`);
  }

  const limits: Limits = {
    maxDepth: countOf(env, 'GRAPHQL_MAX_DEPTH', problems, DEFAULT_LIMITS.maxDepth),
    maxAliases: countOf(env, 'GRAPHQL_MAX_ALIASES', problems, DEFAULT_LIMITS.maxAliases),
    maxTokens: countOf(env, 'GRAPHQL_MAX_TOKENS', problems, DEFAULT_LIMITS.maxTokens),
    maxDirectives: countOf(env, 'GRAPHQL_MAX_DIRECTIVES', problems, DEFAULT_LIMITS.maxDirectives),
    maxCost: countOf(env, 'GRAPHQL_MAX_COST', problems, DEFAULT_LIMITS.maxCost),
    maxFields: countOf(env, 'GRAPHQL_MAX_FIELDS', problems, DEFAULT_LIMITS.maxFields),
  };
  const perMinute = countOf(env, 'RATE_LIMIT_PER_MINUTE', problems, 600);
  const rateLimit: RateLimit = { perMinute, burst: countOf(env, 'RATE_LIMIT_BURST', problems, Math.max(1, Math.ceil(perMinute / 6))) };

  const webSocketMaxConnections = countOf(env, 'WS_MAX_CONNECTIONS', problems, DEFAULT_MAX_CONNECTIONS);
  // Metrics on a port of their own, 127.0.0.1 by default; with PORT=0 (tests, several servers) a free one too.
  const metricsPort = env.METRICS_PORT === 'off' ? undefined : portOf(env, 'METRICS_PORT', problems, port === 0 ? 0 : DEFAULT_METRICS_PORT);
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken && metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters');
  const metrics: MetricsOptions = { port: metricsPort, host: env.METRICS_HOST || DEFAULT_METRICS_HOST, token: metricsToken };

  const cacheMaxAge = countOf(env, 'GRAPHQL_CACHE_MAX_AGE', problems, DEFAULT_CACHE_MAX_AGE);
  const trustedDocuments = (env.GRAPHQL_TRUSTED_DOCUMENTS || 'allow') as TrustedDocumentMode;
  if (!TRUSTED_DOCUMENT_MODES.includes(trustedDocuments)) {
    problems.push(`GRAPHQL_TRUSTED_DOCUMENTS must be one of ${TRUSTED_DOCUMENT_MODES.join(', ')}, got "${env.GRAPHQL_TRUSTED_DOCUMENTS}"`);
  }

  const backupDir = env.BACKUP_DIR || undefined;
  const everyRaw = env.BACKUP_EVERY_HOURS || undefined;
  const backupEveryHours = everyRaw === undefined ? 24 : Number(everyRaw);
  if (!(backupEveryHours > 0 && backupEveryHours <= 8784))
    problems.push(`BACKUP_EVERY_HOURS must be a number of hours above 0 (at most 8784), got "${everyRaw}"`);
  const backupKeep = countOf(env, 'BACKUP_KEEP', problems, 7);
  if (!backupDir && (everyRaw || env.BACKUP_KEEP)) problems.push('BACKUP_EVERY_HOURS and BACKUP_KEEP need BACKUP_DIR (the folder scheduled backups go to)');
  const backup = backupDir ? { dir: backupDir, everyMs: Math.round(backupEveryHours * 3_600_000), keep: backupKeep } : undefined;

  const demoRaw = env.CIVGRAPH_DEMO || undefined;
  if (demoRaw !== undefined && !['1', '0', 'true', 'false'].includes(demoRaw)) problems.push(`CIVGRAPH_DEMO must be 1 or 0, got "${demoRaw}"`);
  const demo = demoRaw === undefined ? nodeEnv !== 'production' : demoRaw === '1' || demoRaw === 'true';
  const accessMinutes = countOf(env, 'ACCESS_TOKEN_MINUTES', problems, 15);
  if (accessMinutes < 1 || accessMinutes > 60) problems.push(`ACCESS_TOKEN_MINUTES must be 1 to 60, got "${env.ACCESS_TOKEN_MINUTES}"`);
  const refreshDays = countOf(env, 'REFRESH_TOKEN_DAYS', problems, 30);
  if (refreshDays < 1 || refreshDays > 365) problems.push(`REFRESH_TOKEN_DAYS must be 1 to 365, got "${env.REFRESH_TOKEN_DAYS}"`);

  if (problems.length) throw new ConfigError(problems);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl,
    embeddedPgPort,
    dataDir: env.DATA_DIR ?? '.data',
    seedCounty,
    nodeEnv,
    introspection: introspectionRaw === 'true',
    graphqlExecutor,
    jwtSecret,
    jwtJwksUrl,
    jwtIssuer: env.JWT_ISSUER || undefined,
    jwtAudience: env.JWT_AUDIENCE || undefined,
    developmentSecret: nodeEnv !== 'production' && !jwtSecret && !jwtJwksUrl,
    corsOrigins,
    logLevel,
    limits,
    rateLimit,
    webSocketMaxConnections,
    metrics,
    cacheMaxAge,
    trustedDocuments,
    backup,
    demo,
    sessions: { accessTokenSeconds: accessMinutes * 60, refreshTokenSeconds: refreshDays * 24 * 60 * 60 },
  };
}

/**
 * What keeps `start` from serving with this configuration: in production
 * (NODE_ENV=production) a server without JWT_SECRET or JWT_JWKS_URL would serve
 * everyone anonymously, so it refuses to start.
 */
export function servingProblems(config: Config): string[] {
  if (config.nodeEnv === 'production' && !config.jwtSecret && !config.jwtJwksUrl) {
    return [
      'NODE_ENV=production needs JWT_SECRET (at least 32 characters: accounts sign in with it) or JWT_JWKS_URL (an identity provider): without either, every request would be anonymous',
    ];
  }
  return [];
}
