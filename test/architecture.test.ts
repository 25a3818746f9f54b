import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { features } from '../src/features.js';
import { circles, importGraph, unitOf } from './support/imports.js';

// The rules of docs/architecture.md, checked on the sources' imports (type imports included).
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const graph = importGraph(SRC);
const importsOf = (unit: string) =>
  [...graph.edges].filter(([file]) => unitOf(file) === unit).flatMap(([file, targets]) => targets.map((target) => `${file} -> ${target}`));

describe('architecture', () => {
  it('finds circles (the check itself)', () => {
    const graph: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a'], d: ['a'] };
    expect(circles(Object.keys(graph), (n) => graph[n])).toEqual([['a', 'b', 'c']]);
    expect(circles(['a', 'b'], (n) => (n === 'a' ? ['b'] : []))).toEqual([]);
  });

  it('has no import circle between files', () => {
    expect(circles(graph.files, (file) => graph.edges.get(file) ?? [])).toEqual([]);
  });

  it('has no import circle between features and layers (modules/<f>, graphql, db, server, …)', () => {
    const units = [...new Set(graph.files.map(unitOf))];
    const next = (unit: string) =>
      new Set(
        importsOf(unit)
          .map((edge) => unitOf(edge.split(' -> ')[1]))
          .filter((u) => u !== unit),
      );
    expect(circles(units, next)).toEqual([]);
  });

  it('infrastructure imports no feature: server/, graphql/, db/, common/ and auth/ take what they need as parameters', () => {
    for (const unit of ['server', 'graphql', 'db', 'common', 'auth']) {
      expect(
        importsOf(unit).filter((edge) => edge.split(' -> ')[1].startsWith('modules/')),
        unit,
      ).toEqual([]);
    }
  });

  it('common/ imports nothing outside common/', () => {
    expect(importsOf('common').filter((edge) => !edge.split(' -> ')[1].startsWith('common/'))).toEqual([]);
  });

  it('has no side-effect import: a file imports by name what it uses, and a hook is listed in its manifest', () => {
    const sideEffects = graph.files.filter((file) => /^\s*import\s+['"]\.{1,2}\//m.test(readFileSync(join(SRC, file), 'utf8')));
    expect(sideEffects).toEqual([]);
  });

  it('passes nothing through module-level state: no exported WeakMap or WeakSet (carry it on the typed context or as a parameter)', () => {
    const sideChannels = graph.files.filter((file) => /^export (?:const|let) \w+ = new Weak(?:Map|Set)\b/m.test(readFileSync(join(SRC, file), 'utf8')));
    expect(sideChannels).toEqual([]);
  });

  it('every feature folder has a manifest, listed once in src/features.ts', () => {
    const folders = readdirSync(new URL('modules/', `file://${SRC}`)).sort();
    expect([...features.map((f) => f.name)].sort()).toEqual(folders);
    for (const folder of folders) expect(graph.files, folder).toContain(`modules/${folder}/${folder}.module.ts`);
    // Only the composition root (and the entry points it serves) imports the manifests.
    const importers = [...graph.edges].filter(([, targets]) => targets.some((t) => t.endsWith('.module.ts'))).map(([file]) => file);
    expect(importers).toEqual(['features.ts']);
  });
});
