import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Every relative import of a source file (`import … from`, `export … from`, `import()`, type imports included). */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|declare module\s+['"](\.[^'"]+)['"]/g;

export interface ImportGraph {
  /** Source files, relative to the root (`modules/area/area.service.ts`). */
  files: string[];
  /** file → the files it imports (relative to the root, in the tree only). */
  edges: Map<string, string[]>;
}

/** The import graph of the TypeScript sources under `root` (tests excluded). */
export function importGraph(root: string): ImportGraph {
  const files: string[] = [];
  (function walk(dir: string) {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts')) files.push(relative(root, path));
    }
  })(root);
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const targets: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2] ?? match[3];
      const target = relative(root, resolve(dirname(join(root, file)), spec)).replace(/\.js$/, '.ts');
      // `declare module` augments an interface: the feature depends on the file it extends, as with an import.
      if (known.has(target)) targets.push(target);
      else if (target.startsWith('..')) targets.push(target);
    }
    edges.set(file, targets);
  }
  return { files, edges };
}

/** The top-level unit of a file: `modules/<feature>`, a folder (`graphql`), or a root file (`main.ts`). */
export function unitOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'modules') return `modules/${parts[1]}`;
  return parts[0];
}

/** Strongly connected groups of more than one node (import circles), by Tarjan's algorithm. */
export function circles(nodes: string[], next: (node: string) => Iterable<string>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const node of nodes) if (!order.has(node)) visit(node);
  return found;
}
