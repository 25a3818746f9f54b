import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { migrationsList } from '../migrations/index.js';

describe('migrations/index.ts', () => {
  it('lists every migration file once, in timestamp order', async () => {
    const files = (await readdir(new URL('../migrations/', import.meta.url)))
      .filter((f) => /^Migration\d{14}_\w+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(migrationsList.map((m) => m.name)).toEqual(files);
  });
});
