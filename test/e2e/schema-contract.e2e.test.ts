import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = new URL('../../scripts/schema-contract.mjs', import.meta.url).pathname;
const FIXTURES = new URL('../fixtures/schema-contract/', import.meta.url).pathname;
const exec = promisify(execFile);

function contract(args: string[], cwd?: string, env: Record<string, string> = {}) {
  return exec(process.execPath, [SCRIPT, ...args], { cwd, env: { ...process.env, ...env } }).then(
    (out) => ({ code: 0, ...out }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'civgraph-contract-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function changelog(text: string): Promise<string> {
  const file = join(dir, `CHANGELOG-${Math.random().toString(36).slice(2)}.md`);
  await writeFile(file, text);
  return file;
}

const compare = (next: string, log: string) => contract(['--old', `${FIXTURES}base.graphql`, '--new', `${FIXTURES}${next}.graphql`, '--changelog', log]);

describe('scripts/schema-contract.mjs on fixture schemas', () => {
  it('fails on a breaking removal the change log does not name, listing the lines to add', async () => {
    const result = await compare('removed', await changelog('# Changelog\n\n## Unreleased\n\n### Added\n\n- Area.shortName\n'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('2 breaking change(s)');
    expect(result.stderr).toContain("- Query.areaByCode: Field 'areaByCode' (deprecated) was removed from object type 'Query'");
    expect(result.stderr).toContain("- Area.name: Field 'name' was removed from object type 'Area'");
    expect(result.stdout).toContain("Field 'name' was removed from object type 'Area' (it was not @deprecated first)");
    expect(result.stdout).not.toMatch(/'Query' \(it was not/);
  });

  it('passes when every break is named under Unreleased → Breaking (backticks allowed)', async () => {
    const log = await changelog(
      '# Changelog\n\n## Unreleased\n\n### Breaking\n\n- `Query.areaByCode` was removed. Use `area(code:)`.\n- `Area.name` was removed.\n\n### Added\n\n- x\n',
    );
    const result = await compare('removed', log);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('2 breaking change(s), all named');
  });

  it('still fails when only some are named, or they are named under a released version', async () => {
    const partly = await compare('removed', await changelog('## Unreleased\n\n### Breaking\n\n- Query.areaByCode was removed.\n'));
    expect(partly.code).toBe(1);
    expect(partly.stderr).toContain('1 breaking change(s)');
    const released = await compare(
      'removed',
      await changelog('## Unreleased\n\n### Added\n\n- y\n\n## 0.1.0\n\n### Breaking\n\n- Query.areaByCode was removed.\n- Area.name was removed.\n'),
    );
    expect(released.code).toBe(1);
  });

  it('passes an additive change (new field, argument-bearing query, enum value) with no change log entry', async () => {
    const result = await compare('additive', await changelog(''));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('0 breaking change(s)');
    expect(result.stdout).toContain("dangerous (allowed): Level.TOWNSHIP: Enum value 'TOWNSHIP' was added to enum 'Level'");
  });
});

describe('scripts/schema-contract.mjs against git history', () => {
  let repo: string;
  const git = (...args: string[]) => exec('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo });

  beforeAll(async () => {
    repo = join(dir, 'repo');
    await mkdir(join(repo, 'schema'), { recursive: true });
    await git('init', '-q');
  });

  it('skips without a base, then compares with the previous commit, then with the newest v* tag', async () => {
    await copyFile(`${FIXTURES}base.graphql`, join(repo, 'schema/schema.graphql'));
    await git('add', '-A');
    await git('commit', '-qm', 'base');
    const first = await contract([], repo);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('skipped');

    await git('tag', 'v0.1.0');
    await copyFile(`${FIXTURES}additive.graphql`, join(repo, 'schema/schema.graphql'));
    await git('commit', '-qam', 'additive');
    expect((await contract([], repo)).stdout).toContain('OK against v0.1.0 (newest v* tag)');

    await copyFile(`${FIXTURES}removed.graphql`, join(repo, 'schema/schema.graphql'));
    await git('commit', '-qam', 'removal');
    const broken = await contract([], repo);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('against v0.1.0 (newest v* tag)');
    await git('tag', '-d', 'v0.1.0');
    const previous = await contract([], repo);
    expect(previous.code).toBe(1);
    expect(previous.stderr).toContain('against HEAD~1 (previous commit)');
    expect(previous.stderr).toContain("Area.shortName: Field 'shortName' was removed from object type 'Area'");
    const overridden = await contract([], repo, { SCHEMA_BASE: 'HEAD' });
    expect(overridden.code).toBe(0);
  });
});
