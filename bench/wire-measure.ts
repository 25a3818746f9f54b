import type { BrowserContext, CDPSession, Page } from 'playwright-core';

/**
 * The dashboard's first screen as a phone on a village's connection sees it
 * (issue 30 item 5), shared by `npm run bench:wire` (timed, throttled) and
 * test/e2e/dashboard-wire.e2e.test.ts (counts only, not timed).
 *
 * A probe installed before the page's scripts counts what the page asks for:
 * every POST to /graphql (with its operation's name), every WebSocket opened,
 * and the moment the first screen is usable — a leader's key figures
 * (`[data-panel="stats"] .figure`) or an operator's entry form with its inputs
 * (`[data-testid="entry-stats-form"] input[data-indicator]`) — with the counts
 * as they stood at that moment (a MutationObserver: the count is read as the
 * element is inserted, before any request the page starts afterwards).
 */

/** A village's phone: about 400 kbit/s each way and 400 ms round trip; 390×844; a slow CPU. */
export const VILLAGE_PROFILE = {
  viewport: { width: 390, height: 844 },
  latencyMs: 400,
  downloadBytesPerSecond: 400_000 / 8,
  uploadBytesPerSecond: 400_000 / 8,
  cpuSlowdown: 4,
};

/** What marks a role's first screen as usable. */
export const FIRST_SCREEN = {
  figures: '[data-panel="stats"] .figure',
  form: '[data-testid="entry-stats-form"] input[data-indicator]',
} as const;

export type FirstScreen = keyof typeof FIRST_SCREEN;

/** The counts as they stood when the first screen became usable. */
export interface Mark {
  /** Milliseconds since navigation started (the page's performance.now()). */
  at: number;
  graphql: number;
  sockets: number;
  operations: string[];
}

/** What the probe holds (window.__wire). */
export interface Probe {
  graphql: number;
  sockets: number;
  inflight: number;
  /** performance.now() of the last request started or finished. */
  lastActivity: number;
  operations: string[];
  marks: Partial<Record<FirstScreen, Mark>>;
}

/** The probe, as a plain script run before the page's own (the test's TypeScript has no DOM types). */
export const WIRE_PROBE = String.raw`(() => {
  if (window.__wire) return;
  const probe = { graphql: 0, sockets: 0, inflight: 0, lastActivity: 0, operations: [], marks: {} };
  window.__wire = probe;
  const fetch0 = window.fetch;
  window.fetch = function (input, init) {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, location.href);
    const method = (init && init.method) || (input && input.method) || 'GET';
    if (url.pathname !== '/graphql' || method.toUpperCase() !== 'POST') return fetch0.apply(this, arguments);
    let name = '?';
    try {
      const match = /^\s*(?:query|mutation)\s+(\w+)/.exec(JSON.parse(init.body).query);
      if (match) name = match[1];
    } catch {}
    probe.graphql++;
    probe.operations.push(name);
    probe.inflight++;
    probe.lastActivity = performance.now();
    const done = () => { probe.inflight--; probe.lastActivity = performance.now(); };
    const sent = fetch0.apply(this, arguments);
    sent.then((response) => response.clone().arrayBuffer().then(done, done), done);
    return sent;
  };
  const WebSocket0 = window.WebSocket;
  window.WebSocket = class extends WebSocket0 {
    constructor(...args) {
      super(...args);
      probe.sockets++;
      probe.lastActivity = performance.now();
    }
  };
  const selectors = ${JSON.stringify(FIRST_SCREEN)};
  const check = () => {
    for (const [key, selector] of Object.entries(selectors)) {
      if (probe.marks[key] || !document.querySelector(selector)) continue;
      probe.marks[key] = { at: performance.now(), graphql: probe.graphql, sockets: probe.sockets, operations: [...probe.operations] };
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
})()`;

/** Installs the probe in every page of `target` (before the page's scripts). */
export async function installProbe(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript(WIRE_PROBE);
}

/** Throttles a page to {@link VILLAGE_PROFILE} (network, and the CPU when Chromium allows); returns whether the CPU throttle took. */
export async function throttle(cdp: CDPSession, profile = VILLAGE_PROFILE): Promise<boolean> {
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: profile.latencyMs,
    downloadThroughput: profile.downloadBytesPerSecond,
    uploadThroughput: profile.uploadBytesPerSecond,
  });
  try {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpuSlowdown });
    return true;
  } catch {
    return false;
  }
}

/** Bytes on the wire (encoded lengths of HTTP responses, plus WebSocket frame payloads) while the page loads. */
export function countBytes(cdp: CDPSession): { readonly bytes: number; readonly requests: number } {
  const counts = { bytes: 0, requests: 0 };
  cdp.on('Network.requestWillBeSent', () => void counts.requests++);
  cdp.on('Network.loadingFinished', (event: { encodedDataLength: number }) => void (counts.bytes += event.encodedDataLength));
  const frame = (event: { response: { payloadData: string } }) => void (counts.bytes += Buffer.byteLength(event.response.payloadData));
  cdp.on('Network.webSocketFrameReceived', frame);
  cdp.on('Network.webSocketFrameSent', frame);
  return counts;
}

/** The probe's state now. */
export function readProbe(page: Page): Promise<Probe> {
  return page.evaluate<Probe>('window.__wire');
}

/** Polls `expression` (a plain script: the page's CSP allows no eval) every 100 ms until it is truthy; its value, or throws after `timeoutMs`. */
async function poll<T>(page: Page, expression: string, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = (await page.evaluate(expression)) as T | null;
    if (value) return value;
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits for the first screen's mark (`kind`), or throws after `timeoutMs`. */
export function waitForMark(page: Page, kind: FirstScreen, timeoutMs: number): Promise<Mark> {
  return poll<Mark>(page, `window.__wire && window.__wire.marks[${JSON.stringify(kind)}]`, timeoutMs, `first screen (${kind})`);
}

/**
 * Waits until the page settles: every panel ready (data-ready), no GraphQL request
 * in flight and none started or finished for `quietMs`. Returns the probe then.
 */
export function waitForSettled(page: Page, quietMs: number, timeoutMs: number): Promise<Probe> {
  return poll<Probe>(
    page,
    `(() => {
      const probe = window.__wire;
      const pending = document.querySelectorAll('section.panel[data-panel]:not([data-panel="children"]):not([data-ready])').length;
      const settled = probe && pending === 0 && document.querySelector('section.panel[data-panel]') && probe.inflight === 0 && performance.now() - probe.lastActivity > ${quietMs};
      return settled ? probe : null;
    })()`,
    timeoutMs,
    'page settled',
  );
}
