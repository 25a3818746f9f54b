import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Signs a dashboard page (or every page of a context) in with a development token
 * (`app.token(…)`) as a developer does through the sign-in page's 开发者入口: the
 * token saved under `civgraph.token` (where the dashboard and the GraphQL console
 * read it) before the page's scripts run. Never in the address bar: the dashboard
 * drops `?token=` from a link and does not use it.
 */
export async function withDeveloperToken(target: Page | BrowserContext, token: string): Promise<void> {
  await target.addInitScript(
    (saved) => (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem('civgraph.token', saved),
    token,
  );
}

/** The switches the dashboard tests start Chromium with: headless, no sandbox or GPU, no traffic of its own (updates, sync, first-run pages). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Starts the Chromium at `executablePath` for a dashboard test, with `args` (CHROMIUM_ARGS unless a test names its own). */
export function launchChromium(executablePath: string, args: string[] = CHROMIUM_ARGS): Promise<Browser> {
  return chromium.launch({ executablePath, args });
}
