import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverMigrations, migrationsList } from '../migrations/index.js';

describe('migrations/index.ts', () => {
  let folder: string | undefined;
  afterEach(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
    folder = undefined;
  });

  const folderWith = async (files: Record<string, string>) => {
    folder = await mkdtemp(join(tmpdir(), 'civgraph-migrations-'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), text);
    return pathToFileURL(`${folder}/`);
  };

  it('finds every migration file of the extension, in timestamp order, each its class', async () => {
    const url = await folderWith({
      'Migration20270102000000_second.js': 'export class Migration20270102000000_second {}',
      'Migration20270101000000_first.js': 'export class Migration20270101000000_first {}',
      'Migration20270103000000_other_extension.ts': 'export class Migration20270103000000_other_extension {}',
      'Migration20270101000000_first.d.ts': '',
      'notes.js': 'export const x = 1;',
    });
    const found = await discoverMigrations(url, 'js');
    expect(found.map((m) => m.name)).toEqual(['Migration20270101000000_first', 'Migration20270102000000_second']);
    expect(found.map((m) => (m.class as { name: string }).name)).toEqual(found.map((m) => m.name));
  });

  it('refuses a migration file whose class has another name', async () => {
    const url = await folderWith({ 'Migration20270101000000_first.js': 'export class Migration20270101000000_frist {}' });
    await expect(discoverMigrations(url, 'js')).rejects.toThrow('Migration20270101000000_first.js exports no class named Migration20270101000000_first');
  });

  it('lists every migration file of the project once, in timestamp order, from the first (areas)', async () => {
    const files = (await readdir(new URL('../migrations/', import.meta.url)))
      .filter((f) => /^Migration\d{14}_\w+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(files.length).toBeGreaterThan(10);
    expect(migrationsList.map((m) => m.name)).toEqual(files);
    expect(migrationsList[0].name).toBe('Migration20261127000000_areas');
  });
});
