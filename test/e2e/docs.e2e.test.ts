import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { civgraph } from '../../src/features.js';
import { seedDemo } from '../../src/feature.js';
import { ErrorCode } from '../../src/common/errors.js';

// Every ```graphql, ```sh and ```bash block of README.md and docs/**/*.md runs against a fresh
// demo server (the county 通江县 with `seedDemo`), as the county admin, and fails when it breaks.
// A block that cannot run here says why in the comment right before it:
//   <!-- docs-test: skip (needs the national dataset, 8 minutes) -->
// GraphQL: each operation of a block runs (several in one block must be named); a ```json block
// right after one whose operations take variables holds them; any error, or a payload's
// non-empty `userErrors`, fails. Shell: the block runs in bash (`set -euo pipefail`) in a temp
// folder, with `localhost:4000` replaced by the test server, `npm run [-s] civgraph --` by the
// built CLI (`dist/src/main.js`, which `npm test` builds first), `curl` failing on HTTP errors,
// `$TOKEN` a county-admin token, `JWT_SECRET` the test server's and `DATABASE_URL` its database;
// paths under `/srv/` land in the temp folder. A block marked `<!-- docs-test: file PATH -->`
// (a manifest, a spreadsheet) is written to PATH in that folder first.
// `DOCS_TEST_FILES=a.md,b.md` checks other files (e.g. an old README) instead.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/main.js');
const SKIP = /^<!--\s*docs-test:\s*skip\s*\((.+)\)\s*-->$/;
const FILE = /^<!--\s*docs-test:\s*file\s+([\w./-]+)\s*-->$/;

interface Block {
  file: string;
  line: number;
  lang: string;
  text: string;
  skip?: string;
  /** `<!-- docs-test: file PATH -->`: the block is written to PATH in the shell blocks' folder. */
  writeTo?: string;
  /** A marker that is not `skip (reason)`. */
  badMarker?: string;
  next?: Block;
}

function markdownFiles(): string[] {
  if (process.env.DOCS_TEST_FILES) return process.env.DOCS_TEST_FILES.split(',');
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : name.endsWith('.md') ? [path] : [];
    });
  return [join(ROOT, 'README.md'), ...walk(join(ROOT, 'docs')).sort()];
}

/** The fenced blocks of a Markdown file, with the skip marker before each (blank lines between are allowed). */
function fencedBlocks(file: string, markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    const text = lines
      .slice(i + 1, end)
      .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
      .join('\n');
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const marker = before >= 0 && /^<!--\s*docs-test/.test(lines[before].trim()) ? lines[before].trim() : undefined;
    const block: Block = { file, line: i + 1, lang: open[2], text };
    if (marker) {
      const skip = SKIP.exec(marker);
      const writeTo = FILE.exec(marker);
      if (skip && skip[1].trim()) block.skip = skip[1].trim();
      else if (writeTo && !writeTo[1].split('/').includes('..')) block.writeTo = writeTo[1]!;
      else block.badMarker = marker;
    }
    if (blocks.length) blocks[blocks.length - 1].next = block;
    blocks.push(block);
    i = end;
  }
  return blocks;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

/** The lines of a Markdown file outside fenced blocks. */
const prose = (markdown: string) => {
  let fenced = false;
  return markdown.split('\n').filter((line) => (/^\s*```/.test(line) ? ((fenced = !fenced), false) : !fenced));
};

function brokenLinks(path: string): string[] {
  const lines = prose(readFileSync(path, 'utf8'));
  const broken: string[] = [];
  for (const line of lines) {
    for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue;
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const resolved = file ? join(dirname(path), decodeURIComponent(file)) : path;
      if (!existsSync(resolved)) broken.push(`${relative(ROOT, path)}: ${target} (no such file)`);
      else if (anchor && resolved.endsWith('.md')) {
        const anchors = new Set(
          prose(readFileSync(resolved, 'utf8'))
            .flatMap((l) => /^#{1,6}\s+(.*)$/.exec(l)?.[1] ?? [])
            .map(slug),
        );
        if (!anchors.has(decodeURIComponent(anchor))) broken.push(`${relative(ROOT, path)}: ${target} (no such heading)`);
      }
    }
  }
  return broken;
}

const files = markdownFiles().map((path) => ({
  path,
  name: relative(ROOT, path) || path,
  blocks: fencedBlocks(relative(ROOT, path) || path, readFileSync(path, 'utf8')),
}));

let app: TestApp;
let admin: string;
let work: string;
beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.orm, '511921000000', civgraph);
  admin = await app.token('COUNTY_ADMIN', '511921', { name: '县民政局' });
  work = mkdtempSync(join(tmpdir(), 'civgraph-docs-'));
  for (const block of files.flatMap((f) => f.blocks).filter((b) => b.writeTo)) {
    mkdirSync(dirname(join(work, block.writeTo!)), { recursive: true });
    writeFileSync(join(work, block.writeTo!), `${block.text}\n`);
  }
});
afterAll(async () => {
  await app?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Payloads' `userErrors` anywhere in an answer, with their path. */
function userErrorsIn(value: unknown, path = 'data'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => userErrorsIn(item, `${path}.${i}`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'userErrors' && Array.isArray(inner) && inner.length ? [`${path}.userErrors: ${JSON.stringify(inner)}`] : userErrorsIn(inner, `${path}.${key}`),
  );
}

async function runSubscription(query: string, operationName: string | undefined, variables: Record<string, unknown> | undefined): Promise<string[]> {
  const client = app.wsClient({ authorization: `Bearer ${admin}` });
  return new Promise((resolve) => {
    let dispose = () => {};
    // Accepted and silent for 3 s (no stored event to replay) counts as running.
    const timer = setTimeout(() => (dispose(), resolve([])), 3_000);
    const done = (problems: string[]) => {
      clearTimeout(timer);
      dispose();
      resolve(problems);
    };
    dispose = client.subscribe(
      { query, operationName, variables },
      {
        next: (result) => done(result.errors?.length ? [JSON.stringify(result.errors)] : userErrorsIn(result.data)),
        error: (error) => done([JSON.stringify(error instanceof Error ? error.message : error)]),
        complete: () => done([]),
      },
    );
  });
}

async function runGraphql(block: Block): Promise<string[]> {
  const document = parse(block.text);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length > 1 && operations.some((op) => !op.name)) return ['a block with several operations must name each of them'];
  const takesVariables = operations.some((op) => op.variableDefinitions?.length);
  const variables = takesVariables && block.next?.lang === 'json' ? (JSON.parse(block.next.text) as Record<string, unknown>) : undefined;
  const problems: string[] = [];
  for (const operation of operations) {
    const name = operation.name?.value;
    if (operation.operation === 'subscription') {
      problems.push(...(await runSubscription(block.text, name, variables)).map((p) => `${name ?? 'subscription'}: ${p}`));
      continue;
    }
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: block.text, operationName: name, variables }),
    });
    const result = (await response.json()) as { data?: unknown; errors?: unknown[] };
    if (result.errors?.length) problems.push(`${name ?? operation.operation}: ${JSON.stringify(result.errors)}`);
    problems.push(...userErrorsIn(result.data).map((p) => `${name ?? operation.operation}: ${p}`));
  }
  return problems;
}

function runShell(block: Block): Promise<string[]> {
  const url = new URL(app.url);
  const script = [
    'set -euo pipefail',
    'curl() { command curl --fail-with-body -sS "$@"; }',
    'npm() { echo "docs test: npm is not run here; run the CLI through npm run civgraph, or mark the block skip with a reason" >&2; return 97; }',
    block.text
      .replace(/npm run (-s )?civgraph --/g, `node ${CLI}`)
      .replace(/localhost:4000/g, url.host)
      .replace(/\/srv\//g, `${work}/srv/`),
  ].join('\n');
  const env = {
    ...process.env,
    TOKEN: admin,
    JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: app.databaseUrl,
    DATA_DIR: join(work, 'data'),
    CIVGRAPH_URL: app.url,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
  };
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd: work, env, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve(error ? [`exit ${error.code ?? error.signal}: ${stderr.trim() || error.message}\n--- stdout ---\n${stdout.slice(0, 2000)}`] : []),
    );
  });
}

const RUNS = new Set(['graphql', 'sh', 'bash']);

describe('documentation examples run against a fresh demo server', () => {
  it('every docs-test marker is `skip (a reason)` or `file PATH`', () => {
    const bad = files
      .flatMap((f) => f.blocks)
      .filter((b) => b.badMarker)
      .map((b) => `${b.file}:${b.line}: ${b.badMarker}`);
    expect(bad).toEqual([]);
  });

  it('every relative link of the README and docs reaches a file, and a heading when it names one', () => {
    const broken = files.flatMap((file) => brokenLinks(file.path));
    expect(broken).toEqual([]);
  });

  it('docs/api.md lists every error code a client may get', () => {
    if (process.env.DOCS_TEST_FILES) return;
    const api = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
    expect(Object.values(ErrorCode).filter((code) => !api.includes(`| \`${code}\` |`))).toEqual([]);
  });

  it('finds the README and the docs, and their blocks', () => {
    if (process.env.DOCS_TEST_FILES) return;
    const names = files.map((f) => f.name);
    expect(names).toContain('README.md');
    expect(names).toContain('docs/api.md');
    expect(files.find((f) => f.name === 'docs/api.md')!.blocks.filter((b) => b.lang === 'graphql').length).toBeGreaterThan(3);
  });

  for (const file of files.filter((f) => f.blocks.some((b) => RUNS.has(b.lang)))) {
    describe(file.name, () => {
      for (const block of file.blocks.filter((b) => RUNS.has(b.lang))) {
        const title = `${file.name}:${block.line} (${block.lang})`;
        if (block.badMarker) {
          it(`${title} has a docs-test marker that says why`, () => {
            expect.fail(`${title}: "${block.badMarker}" — write <!-- docs-test: skip (the reason) -->`);
          });
        } else if (block.skip) {
          it.skip(`${title} — not runnable: ${block.skip}`, () => {});
        } else {
          it(`${title} runs`, async () => {
            const problems = block.lang === 'graphql' ? await runGraphql(block) : await runShell(block);
            expect(problems, `${title}\n${block.text}`).toEqual([]);
          });
        }
      }
    });
  }
});
