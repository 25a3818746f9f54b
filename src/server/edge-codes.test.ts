import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../common/errors.js';

// Every `extensions.code` a client can receive is part of the contract, so it is listed in ErrorCode.

const SRC = new URL('..', import.meta.url).pathname;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : [],
    ),
  );
  return files.flat();
}

describe('ErrorCode', () => {
  const codes = new Set<string>(Object.values(ErrorCode));

  it('lists every code Apollo Server sends', () => {
    expect(Object.values(ApolloServerErrorCode).filter((code) => !codes.has(code))).toEqual([]);
  });

  it('lists every code written as a literal in extensions anywhere in src/', async () => {
    const missing: string[] = [];
    for (const file of await sources(SRC)) {
      for (const match of (await readFile(file, 'utf8')).matchAll(/extensions: \{\s*code: '([A-Z_]+)'/g)) {
        if (!codes.has(match[1]!)) missing.push(`${file.slice(SRC.length)}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
