/*
 * civgraph dashboard service worker (scope /): the app shell and the entry forms'
 * last reads, so an operator can open the form and type without a network. What
 * it keeps, and when it is cleared (sign-out), is in docs/security.md. Figures and
 * progress typed offline are not here: the page keeps them in IndexedDB
 * (web/src/dashboard/offline/queue.ts) and sends them when the network returns.
 */
const SHELL = 'civgraph-shell-v1';
/** Also named in web/src/dashboard/offline/offline.ts, which deletes it on sign-out. */
const READS = 'civgraph-reads-v1';
const PUBLIC_FILES = ['/manifest.webmanifest', '/favicon.ico', '/icon.svg', '/icon-192.png', '/icon-512.png', '/apple-touch-icon.png'];
/** The GraphQL reads the page needs to open an entry form: network first, the last answer when offline. */
const KEPT_READS = new Set([
  'DashboardStart',
  'DashboardViewer',
  'DashboardSchemaFields',
  'DashboardFirstCounty',
  'AreaOverview',
  'EntryVillages',
  'EntryObservations',
  'EntryTasks',
  'EntryProjects',
]);

/** The page and the hashed scripts and styles it names, fetched now so the shell works offline at once. */
async function keepShell() {
  const cache = await caches.open(SHELL);
  const response = await fetch('/', { cache: 'no-cache' });
  if (!response.ok) return;
  const html = await response.clone().text();
  await cache.put('/', response);
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  await cache.addAll([...new Set([...assets, ...PUBLIC_FILES])]).catch(() => undefined);
}

self.addEventListener('install', (event) => {
  event.waitUntil(keepShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith('civgraph-') && name !== SHELL && name !== READS).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

/** A kept answer, marked as such (x-civgraph-kept): the page does not take it for a sign of a network. */
function marked(kept) {
  const headers = new Headers(kept.headers);
  headers.set('x-civgraph-kept', '1');
  return new Response(kept.body, { status: kept.status, statusText: kept.statusText, headers });
}

/** The network's answer (kept under `key` when it is good), else the kept one. */
async function networkFirst(request, cacheName, key) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(key);
    if (kept) return marked(kept);
    throw error;
  }
}

/** Hashed assets never change: the kept copy, else the network's (then kept). */
async function cacheFirst(request) {
  const cache = await caches.open(SHELL);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function sha256(text) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * POST /graphql: a kept read (KEPT_READS) is answered network first and its last
 * good answer kept under a key made of the caller (account id, else bearer token) and the request body, so
 * one caller's answers are never handed to another; everything else (mutations
 * above all) goes to the network untouched.
 */
async function graphql(request) {
  const body = await request.clone().text();
  let name = null;
  try {
    name = /^\s*query\s+(\w+)/.exec(JSON.parse(body).query)?.[1] ?? null;
  } catch {
    name = null;
  }
  if (!name || !KEPT_READS.has(name)) return fetch(request);
  // A signed-in account's reads are kept under its id (x-civgraph-reader), not its access token, which
  // changes every 15 minutes and is absent after a reload without a network; a developer token's under the token.
  const reader = request.headers.get('x-civgraph-reader') ?? request.headers.get('authorization') ?? '';
  const key = `/__civgraph-read/${name}/${await sha256(`${reader}\n${body}`)}`;
  return networkFirst(request, READS, key);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && url.pathname === '/graphql') return event.respondWith(graphql(request));
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate' && (url.pathname === '/' || url.pathname === '/index.html')) return event.respondWith(networkFirst(request, SHELL, '/'));
  if (url.pathname.startsWith('/assets/')) return event.respondWith(cacheFirst(request));
  if (PUBLIC_FILES.includes(url.pathname)) return event.respondWith(networkFirst(request, SHELL, url.pathname));
});
