import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { buildSchema, type GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';

// An even API for third parties (issue 32 item 5): one code for bad input.

const ROOT = new URL('../..', import.meta.url).pathname;
const sdl = () => readFile(join(ROOT, 'schema/schema.graphql'), 'utf8');

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

describe('one code for bad input', () => {
  it('no service sends ErrorCode.VALIDATION: bad input answers BAD_USER_INPUT', async () => {
    // errors.ts declares it (deprecated), payload.ts describes it for the schema enum, edge-errors.ts maps it for old callers.
    const declaring = new Set(['src/common/errors.ts', 'src/common/payload.ts', 'src/server/edge-errors.ts']);
    const senders: string[] = [];
    for (const file of await sourceFiles(join(ROOT, 'src'))) {
      const name = relative(ROOT, file);
      if (declaring.has(name)) continue;
      const text = await readFile(file, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (/ErrorCode\.VALIDATION\b/.test(line)) senders.push(`${name}:${i + 1}`);
      });
    }
    expect(senders).toEqual([]);
  });

  it('keeps VALIDATION in the ErrorCode enum, deprecated (removing it would break clients that name it)', async () => {
    const codes = buildSchema(await sdl()).getType('ErrorCode') as GraphQLEnumType;
    expect(codes.getValue('VALIDATION')?.deprecationReason).toMatch(/BAD_USER_INPUT/);
    expect(codes.getValue('BAD_USER_INPUT')?.deprecationReason ?? null).toBeNull();
  });
});
