import { clearQueue } from './queue';

/** The service worker's cache of GraphQL reads (web/public/sw.js). */
const READS = 'civgraph-reads-v1';

/**
 * Registers the service worker (web/public/sw.js, scope /): the app shell and
 * the entry forms' last reads stay on the device, so the form opens without a
 * network. Where service workers are unavailable the page works as before.
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
}

/**
 * 退出登录: the kept reads and the unsent entries of this account leave the
 * device, so the next person to sign in on it sees nothing of them.
 */
export async function clearOfflineData(): Promise<void> {
  await Promise.all([typeof caches === 'undefined' ? undefined : caches.delete(READS).catch(() => undefined), clearQueue().catch(() => undefined)]);
}
