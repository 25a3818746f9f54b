// Draws the dashboard's PNG icons and favicon.ico from web/public/icon.svg in
// headless Chromium (playwright-core, as the browser tests use it). Run after
// changing the SVG: `node scripts/make-icons.mjs`; the outputs are committed.
import { readFile, writeFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const dir = new URL('../web/public/', import.meta.url);
const svg = await readFile(new URL('icon.svg', dir), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const page = await browser.newPage({ deviceScaleFactor: 1 });

async function png(size) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
  return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
}

for (const [name, size] of [
  ['icon-192.png', 192],
  ['icon-512.png', 512],
  ['apple-touch-icon.png', 180],
]) {
  await writeFile(new URL(name, dir), await png(size));
}

// favicon.ico: PNG images of 16, 32 and 48 px in an ICO directory (every current browser reads PNG entries).
const images = [];
for (const size of [16, 32, 48]) images.push({ size, data: await png(size) });
const header = Buffer.alloc(6 + 16 * images.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2); // 1 = icon
header.writeUInt16LE(images.length, 4);
let offset = header.length;
images.forEach(({ size, data }, i) => {
  const entry = 6 + 16 * i;
  header.writeUInt8(size, entry);
  header.writeUInt8(size, entry + 1);
  header.writeUInt16LE(1, entry + 4); // colour planes
  header.writeUInt16LE(32, entry + 6); // bits per pixel
  header.writeUInt32LE(data.length, entry + 8);
  header.writeUInt32LE(offset, entry + 12);
  offset += data.length;
});
await writeFile(new URL('favicon.ico', dir), Buffer.concat([header, ...images.map((image) => image.data)]));
await browser.close();
