import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { OperationLabels, OTHER_OPERATIONS } from './metrics.js';

describe('OperationLabels', () => {
  it('gives the first names their own label, then folds new ones into (other)', () => {
    const labels = new OperationLabels(2);
    expect(labels.label('A')).toBe('A');
    expect(labels.label('B')).toBe('B');
    expect(labels.label('C')).toBe(OTHER_OPERATIONS);
    // Names already seen keep theirs.
    expect(labels.label('A')).toBe('A');
    expect(labels.label(undefined)).toBe('(anonymous)');
  });

  it('always labels registered documents by name', () => {
    const labels = new OperationLabels(0, (name) => name === 'CountyDashboard');
    expect(labels.label('CountyDashboard')).toBe('CountyDashboard');
    expect(labels.label('Probe1')).toBe(OTHER_OPERATIONS);
  });
});

describe('loadConfig: metrics and graphql-ws connections', () => {
  it('serves metrics on 127.0.0.1:9464 by default, a free port when PORT=0, none with off', () => {
    expect(loadConfig({}).metrics).toEqual({ port: 9464, host: '127.0.0.1', token: undefined });
    expect(loadConfig({ PORT: '0' }).metrics.port).toBe(0);
    expect(loadConfig({ METRICS_PORT: 'off' }).metrics.port).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: '9100', METRICS_HOST: '0.0.0.0', METRICS_TOKEN: 'a-long-enough-token' }).metrics).toEqual({
      port: 9100,
      host: '0.0.0.0',
      token: 'a-long-enough-token',
    });
  });

  it('bounds graphql-ws connections per identity at 20 unless WS_MAX_CONNECTIONS says otherwise', () => {
    expect(loadConfig({}).webSocketMaxConnections).toBe(20);
    expect(loadConfig({ WS_MAX_CONNECTIONS: '0' }).webSocketMaxConnections).toBe(0);
  });

  it('refuses a short METRICS_TOKEN and a bad METRICS_PORT', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short', METRICS_PORT: 'x' })).toThrow(/METRICS_PORT must be[\s\S]*METRICS_TOKEN must be at least 16/);
  });
});
