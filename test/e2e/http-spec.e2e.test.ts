import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

// The GraphQL-over-HTTP spec's server audit (graphql-http), against the real
// server: every item, MUST, SHOULD and MAY alike, has to come back ok.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ county: null });
});
afterAll(() => app?.close());

describe('GraphQL over HTTP audit (graphql-http)', () => {
  for (const audit of serverAudits({ url: () => app.url })) {
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      const reason =
        result.status === 'ok'
          ? ''
          : `${result.reason} (HTTP ${result.response.status}: ${await result.response
              .clone()
              .text()
              .catch(() => '')})`;
      expect(result.status, reason).toBe('ok');
    });
  }
});
