import { readdir } from 'node:fs/promises';
import type { MigrationObject } from '@mikro-orm/core';

/** `Migration<14-digit timestamp>_<name>`, each file exporting a class of that name. */
const MIGRATION_FILE = /^(Migration\d{14}_\w+)\.(ts|js)$/;

/**
 * The migrations in `folder`, in timestamp order: every `Migration<timestamp>_<name>`
 * file with the given extension, imported, its class the export of the file's name.
 * A file without that export is an error, so a misnamed migration cannot be skipped.
 */
export async function discoverMigrations(folder: URL, extension: 'ts' | 'js'): Promise<MigrationObject[]> {
  const names = (await readdir(folder))
    .flatMap((file) => {
      const match = MIGRATION_FILE.exec(file);
      return match && match[2] === extension ? [match[1]] : [];
    })
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const module = (await import(new URL(`${name}.${extension}`, folder).href)) as Record<string, unknown>;
      const found = module[name];
      if (typeof found !== 'function') throw new Error(`migrations: ${name}.${extension} exports no class named ${name}`);
      return { name, class: found as MigrationObject['class'] };
    }),
  );
}

/**
 * Every migration, in order: the files beside this one, from TypeScript sources
 * (tests) or compiled output (`npm start`) alike. A new migration is a new file;
 * nothing to list. A landed migration is never edited: add a new one.
 */
export const migrationsList: MigrationObject[] = await discoverMigrations(new URL('./', import.meta.url), import.meta.url.endsWith('.ts') ? 'ts' : 'js');
