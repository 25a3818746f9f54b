import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Router } from 'express';
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

/** The dashboard at `/` and the hashed assets under `/assets/`, from dist/web. */
export function webDashboard(dir: string | null): Router {
  const router = express.Router();
  if (!dir) {
    router.get('/', (_req, res) => void res.status(503).type('text/plain').send('The dashboard is not built: run `npm run build:web`.'));
    return router;
  }
  router.use('/assets', express.static(`${dir}assets`, { immutable: true, maxAge: '365d', index: false, fallthrough: true }));
  router.get(['/', '/index.html'], (_req, res) => {
    res.set('content-security-policy', CONTENT_SECURITY_POLICY).set('cache-control', 'no-cache');
    res.sendFile('index.html', { root: dir });
  });
  return router;
}
