import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toMatchObject({ port: 4000, databaseUrl: undefined, embeddedPgPort: undefined, dataDir: '.data', seedCounty: '511921', introspection: true });
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
