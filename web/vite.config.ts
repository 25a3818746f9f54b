import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The dashboard (`/`) and the GraphQL console (`/graphql` from a browser), bundled
 * into dist/web and served by civgraph itself: nothing loads from the internet.
 * `npx vite --config web/vite.config.ts` serves them in development against a
 * civgraph on port 4000.
 */
const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/**
 * Writes `<file>.br` (brotli) and `<file>.gz` (gzip -9) beside every text file of
 * the build over 1 KiB, so civgraph sends them to browsers that ask
 * (src/server/web.ts) without compressing on each request. PNG and ICO are
 * compressed already; a copy not smaller than its file is not written. Brotli at
 * its best (11) except for the console's megabyte chunks (9: seconds less, ~9 % larger).
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'civgraph-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async closeBundle() {
      for (const entry of await readdir(outDir, { recursive: true })) {
        const path = join(outDir, entry);
        if (!/\.(js|css|html|svg|json|webmanifest)$/.test(entry) || !(await stat(path)).isFile()) continue;
        const data = await readFile(path);
        if (data.length < 1024) continue;
        const quality = data.length > 256 * 1024 ? 9 : 11;
        const [br, gzipped] = await Promise.all([
          brotli(data, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
          gz(data, { level: 9 }),
        ]);
        if (br.length < data.length) await writeFile(`${path}.br`, br);
        if (gzipped.length < data.length) await writeFile(`${path}.gz`, gzipped);
      }
    },
  };
}

export default defineConfig({
  root: here('.'),
  base: '/',
  // favicon.ico, the web-app manifest and its icons, copied as they are to dist/web.
  publicDir: here('public'),
  plugins: [precompress()],
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    // GraphiQL is one large chunk by nature; it is only loaded by the console page.
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
    rolldownOptions: {
      input: { index: here('index.html'), console: here('console.html') },
      // The typed documents (web/graphql/generated) are pure: one no module imports stays out of the bundle
      // (a lazily loaded panel sends its operation's text from its own chunk, `…graphql?raw`).
      treeshake: { manualPureFunctions: ['TypedDocumentString'] },
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
