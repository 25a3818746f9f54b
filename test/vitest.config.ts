import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  // esbuild emits no decorator metadata, which type-graphql and MikroORM need.
  plugins: [
    swc.vite({
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      },
    }),
  ],
  // One copy of graphql: Node resolves dependencies' `graphql` to index.js, so the
  // test sources must too (Vite would pick index.mjs: "another module or realm").
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['reflect-metadata'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // INBOX_BACKGROUND=off: no test server sweeps at start-up (the sweep appends ALERTED events to the progress
    // stream, which would race with what tests count); the tests that need it call InboxGenerator directly.
    env: { LOG_LEVEL: 'silent', INBOX_BACKGROUND: 'off' },
  },
});
