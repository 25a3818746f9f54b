import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The dashboard (`/`) and the GraphQL console (`/graphql` from a browser), bundled
 * into dist/web and served by civgraph itself: nothing loads from the internet.
 * `npx vite --config web/vite.config.ts` serves them in development against a
 * civgraph on port 4000.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    // GraphiQL is one large chunk by nature; it is only loaded by the console page.
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
    rolldownOptions: {
      input: { index: here('index.html'), console: here('console.html') },
      // GraphiQL's dependencies carry React "use client" directives, meaningless in a bundle.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
  server: {
    proxy: {
      '/graphql': { target: 'http://localhost:4000', ws: true },
      '/reports': { target: 'http://localhost:4000' },
    },
  },
});
