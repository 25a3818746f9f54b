import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, servingProblems } from './config.js';

describe('loadConfig', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 4000,
      databaseUrl: undefined,
      embeddedPgPort: undefined,
      dataDir: '.data',
      seedCounty: '511921',
      introspection: true,
    });
  });

  it('reads the environment', () => {
    expect(loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u:p@db/civgraph', EMBEDDED_PG_PORT: '5433', SEED_COUNTY: '511922' })).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://u:p@db/civgraph',
      embeddedPgPort: 5433,
      seedCounty: '511922',
    });
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SEED_COUNTY: '51', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(4);
      expect((error as ConfigError).message).toMatch(/PORT[\s\S]*DATABASE_URL[\s\S]*SEED_COUNTY[\s\S]*LOG_LEVEL/);
    }
  });
});

describe('loadConfig: guard settings', () => {
  it('turns introspection off in production unless enabled', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadConfig({ GRAPHQL_INTROSPECTION: 'false' }).introspection).toBe(false);
  });

  it('reads abuse and rate limits, with defaults', () => {
    const config = loadConfig({ GRAPHQL_MAX_DEPTH: '8', RATE_LIMIT_PER_MINUTE: '120' });
    expect(config.limits).toMatchObject({ maxDepth: 8, maxAliases: 30 });
    expect(config.rateLimit).toEqual({ perMinute: 120, burst: 20 });
    expect(() => loadConfig({ GRAPHQL_MAX_COST: 'lots' })).toThrow(/GRAPHQL_MAX_COST/);
  });

  it('reads GRAPHQL_MAX_FIELDS (1,000 fields, fragments expanded, by default)', () => {
    expect(loadConfig({}).limits.maxFields).toBe(1000);
    expect(loadConfig({ GRAPHQL_MAX_FIELDS: '400' }).limits.maxFields).toBe(400);
    expect(() => loadConfig({ GRAPHQL_MAX_FIELDS: 'many' })).toThrow(/GRAPHQL_MAX_FIELDS/);
  });
});

describe('loadConfig: GRAPHQL_EXECUTOR', () => {
  it('compiles with graphql-jit unless told to interpret with graphql-js', () => {
    expect(loadConfig({}).graphqlExecutor).toBe('jit');
    expect(loadConfig({ GRAPHQL_EXECUTOR: '' }).graphqlExecutor).toBe('jit');
    expect(loadConfig({ GRAPHQL_EXECUTOR: 'jit' }).graphqlExecutor).toBe('jit');
    expect(loadConfig({ GRAPHQL_EXECUTOR: 'graphql-js' }).graphqlExecutor).toBe('graphql-js');
  });

  it('refuses any other value, naming the allowed ones', () => {
    expect(() => loadConfig({ GRAPHQL_EXECUTOR: 'JIT' })).toThrow(ConfigError);
    expect(() => loadConfig({ GRAPHQL_EXECUTOR: 'fast' })).toThrow('GRAPHQL_EXECUTOR must be one of jit, graphql-js, got "fast"');
  });
});

describe('loadConfig: HTTP caching and trusted documents', () => {
  it('reads GRAPHQL_CACHE_MAX_AGE (default 60) and GRAPHQL_TRUSTED_DOCUMENTS (default allow)', () => {
    expect(loadConfig({})).toMatchObject({ cacheMaxAge: 60, trustedDocuments: 'allow' });
    expect(loadConfig({ GRAPHQL_CACHE_MAX_AGE: '0', GRAPHQL_TRUSTED_DOCUMENTS: 'require' })).toMatchObject({ cacheMaxAge: 0, trustedDocuments: 'require' });
    expect(loadConfig({ GRAPHQL_TRUSTED_DOCUMENTS: 'off' }).trustedDocuments).toBe('off');
  });

  it('refuses other values, listing every problem at once', () => {
    expect(() => loadConfig({ GRAPHQL_CACHE_MAX_AGE: '-1', GRAPHQL_TRUSTED_DOCUMENTS: 'strict' })).toThrow(
      /GRAPHQL_CACHE_MAX_AGE must be a whole number[\s\S]*GRAPHQL_TRUSTED_DOCUMENTS must be one of off, allow, require, got "strict"/,
    );
  });
});

describe('loadConfig: scheduled backups', () => {
  it('takes none without BACKUP_DIR; with it, every 24 h keeping 7 unless told', () => {
    expect(loadConfig({}).backup).toBeUndefined();
    expect(loadConfig({ BACKUP_DIR: '/srv/backups' }).backup).toEqual({ dir: '/srv/backups', everyMs: 86_400_000, keep: 7 });
    expect(loadConfig({ BACKUP_DIR: 'b', BACKUP_EVERY_HOURS: '0.5', BACKUP_KEEP: '0' }).backup).toEqual({ dir: 'b', everyMs: 1_800_000, keep: 0 });
  });

  it('refuses a bad interval or count, and either without BACKUP_DIR', () => {
    expect(() => loadConfig({ BACKUP_DIR: 'b', BACKUP_EVERY_HOURS: '0', BACKUP_KEEP: '-2' })).toThrow(
      /BACKUP_EVERY_HOURS must be a number of hours above 0[\s\S]*BACKUP_KEEP must be a whole number/,
    );
    expect(() => loadConfig({ BACKUP_EVERY_HOURS: '6' })).toThrow('BACKUP_EVERY_HOURS and BACKUP_KEEP need BACKUP_DIR');
  });
});

describe('loadConfig: a safe production start (issue 29 item 5)', () => {
  it('refuses to serve in production without JWT_SECRET or JWT_JWKS_URL', () => {
    expect(servingProblems(loadConfig({ NODE_ENV: 'production' }))).toEqual([expect.stringMatching(/NODE_ENV=production needs JWT_SECRET .* or JWT_JWKS_URL/)]);
    expect(servingProblems(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }))).toEqual([]);
    expect(servingProblems(loadConfig({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://idp.example.gov.cn/jwks' }))).toEqual([]);
    // Development keeps its one-command start (a generated secret).
    expect(servingProblems(loadConfig({}))).toEqual([]);
  });

  it('seeds demo data in development, and in production only when asked (CIVGRAPH_DEMO=1)', () => {
    expect(loadConfig({}).demo).toBe(true);
    expect(loadConfig({ CIVGRAPH_DEMO: '0' }).demo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).demo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', CIVGRAPH_DEMO: '1' }).demo).toBe(true);
    expect(() => loadConfig({ CIVGRAPH_DEMO: 'yes please' })).toThrow(/CIVGRAPH_DEMO must be 1 or 0/);
  });

  it("reads accounts' token lifetimes: 15 minutes and 30 days by default", () => {
    expect(loadConfig({}).sessions).toEqual({ accessTokenSeconds: 900, refreshTokenSeconds: 30 * 86400 });
    expect(loadConfig({ ACCESS_TOKEN_MINUTES: '5', REFRESH_TOKEN_DAYS: '7' }).sessions).toEqual({ accessTokenSeconds: 300, refreshTokenSeconds: 7 * 86400 });
    expect(() => loadConfig({ ACCESS_TOKEN_MINUTES: '0' })).toThrow(/ACCESS_TOKEN_MINUTES must be 1 to 60/);
    expect(() => loadConfig({ REFRESH_TOKEN_DAYS: '1000' })).toThrow(/REFRESH_TOKEN_DAYS must be 1 to 365/);
  });
});
