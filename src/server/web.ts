import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { CONTENT_SECURITY_POLICY } from './http-policy.js';

/**
 * The dashboard and console assets built by `npm run build:web` into dist/web.
 * Compiled (dist/src/server/web.js) and from sources (src/server/web.ts, as the
 * tests run it) both find the same folder; null when it has not been built.
 */
export function webAssetsDir(): string | null {
  const candidates = import.meta.url.includes('/dist/src/server/') ? [new URL('../../web/', import.meta.url)] : [new URL('../../dist/web/', import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return null;
}

/** A browser asking for a page (Accept prefers HTML), not a GraphQL client asking for JSON. */
function wantsHtml(req: Request): boolean {
  return req.method === 'GET' && req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

/**
 * `GET /graphql` from a browser: the GraphiQL console. Every other request to
 * /graphql (POST, GET with JSON Accept, WebSocket upgrades) passes on to Apollo.
 */
export function webConsole(dir: string | null): Router {
  const router = express.Router();
  router.get('/graphql', (req, res, next) => {
    if (!wantsHtml(req)) return next();
    if (!dir) return void res.status(503).type('text/plain').send('The console is not built: run `npm run build:web`.');
    res.set('content-security-policy', CONTENT_SECURITY_POLICY).set('cache-control', 'no-cache');
    res.sendFile('console.html', { root: dir });
  });
  return router;
}

/** The files of web/public the build copies to dist/web's root: favicon, web-app manifest and icons. */
export const WEB_PUBLIC_FILES = ['favicon.ico', 'icon.svg', 'icon-192.png', 'icon-512.png', 'apple-touch-icon.png', 'manifest.webmanifest'];

/** A file name the build writes (hashed assets, the public files): no folders, no dot files. */
const FILE_NAME = /^\/[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Whether Accept-Encoding allows an encoding: named (or `*`) with q above 0.
 * The server's order decides among those allowed (brotli is smaller), not the
 * order the browser lists them in.
 */
export function acceptedEncodings(header: string | undefined): (encoding: string) => boolean {
  const q = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const weight = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    q.set(name.trim(), weight === undefined ? 1 : Number(weight));
  }
  return (encoding) => (q.get(encoding) ?? q.get('*') ?? 0) > 0;
}

/**
 * The precompressed copy (`.br`, `.gz`, written by the build: web/vite.config.ts)
 * of a file under `root`, when the browser accepts it: brotli before gzip,
 * honouring q=0. Every answer varies by Accept-Encoding, the plain one too (a
 * cache must not hand a brotli body to a client that cannot read it). Which copies
 * exist is looked up once per name: the build's files do not change under a
 * running server.
 */
function precompressed(root: string, options: { maxAge: string; immutable: boolean }): RequestHandler {
  const copies = new Map<string, { br: boolean; gzip: boolean }>();
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !FILE_NAME.test(req.path)) return next();
    res.vary('Accept-Encoding');
    let copy = copies.get(req.path);
    if (!copy) {
      if (!existsSync(`${root}${req.path}`)) return next();
      copy = { br: existsSync(`${root}${req.path}.br`), gzip: existsSync(`${root}${req.path}.gz`) };
      copies.set(req.path, copy);
    }
    const accepted = acceptedEncodings(req.get('accept-encoding'));
    const encoding = copy.br && accepted('br') ? 'br' : copy.gzip && accepted('gzip') ? 'gzip' : null;
    if (!encoding) return next();
    res.type(extname(req.path)).set('content-encoding', encoding);
    res.sendFile(`${req.path.slice(1)}.${encoding === 'br' ? 'br' : 'gz'}`, { root, maxAge: options.maxAge, immutable: options.immutable }, (error) => {
      if (error && !res.headersSent) next(error);
    });
  };
}

/** The dashboard at `/`, the hashed assets under `/assets/` and the favicon, manifest and icons, from dist/web. */
export function webDashboard(dir: string | null): Router {
  const router = express.Router();
  if (!dir) {
    router.get('/', (_req, res) => void res.status(503).type('text/plain').send('The dashboard is not built: run `npm run build:web`.'));
    return router;
  }
  const assets = { immutable: true, maxAge: '365d' };
  router.use('/assets', precompressed(`${dir}assets`, assets), express.static(`${dir}assets`, { ...assets, index: false, fallthrough: true }));
  // Not hashed: a day in caches, then revalidated.
  const publicFiles = { immutable: false, maxAge: '1d' };
  const publicStatic = express.static(dir, { ...publicFiles, index: false, fallthrough: true });
  router.get(
    WEB_PUBLIC_FILES.map((name) => `/${name}`),
    precompressed(dir, publicFiles),
    publicStatic,
  );
  // The service worker (web/public/sw.js): scope /, revalidated on every load so a new build reaches phones at once.
  router.get('/sw.js', (_req, res) => {
    res.set('cache-control', 'no-cache').set('service-worker-allowed', '/').type('text/javascript');
    res.sendFile('sw.js', { root: dir });
  });
  router.get(['/', '/index.html'], (_req, res) => {
    res.set('content-security-policy', CONTENT_SECURITY_POLICY).set('cache-control', 'no-cache');
    res.sendFile('index.html', { root: dir });
  });
  return router;
}
