import { execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN, startCivgraph } from '../support/cli.js';

// The CLI as a bureau runs it, on the embedded PostgreSQL of DATA_DIR (compiled output: `npm test` builds first).
const run = promisify(execFile);
const folders: string[] = [];

function cli(args: string[], env: Record<string, string>) {
  return run(process.execPath, [MAIN, ...args], { env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'error', ...env } }).then(
    (out) => ({ code: 0, ...out }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

async function folder(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** `civgraph start` on DATA_DIR; resolves with the URL it prints. */
const start = (dataDir: string) => startCivgraph({ DATABASE_URL: '', PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: dataDir }, { timeoutMs: 90_000 });

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const COUNT = '{ area(code: "511921") { name children(first: 1) { totalCount } } }';
const ask = async (url: string) =>
  await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: COUNT }) })).json();

afterAll(async () => {
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

describe('civgraph backup / restore on the embedded database', () => {
  it('backs up beside a running server, restores into an empty DATA_DIR, refuses it then unless --force', async () => {
    const source = await folder('civgraph-cli-backup-src-');
    const out = await folder('civgraph-cli-backup-out-');
    const server = await start(source);
    let backupFile: string;
    try {
      const backup = await cli(['backup', '--out', out], { DATA_DIR: source });
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      const [, file, bytes, sha] =
        /^(\S+\.backup)\n\s+([\d,]+) bytes, .* rows in \d+ tables, schema Migration\w+ \(.* s\)\n\s+sha256 ([0-9a-f]{64})\n$/.exec(backup.stdout) ?? [];
      expect(file, backup.stdout).toBeDefined();
      backupFile = file!;
      expect((await stat(backupFile)).size).toBe(Number(bytes.replaceAll(',', '')));
      expect(
        createHash('sha256')
          .update(await readFile(backupFile))
          .digest('hex'),
      ).toBe(sha);
      expect(await ask(server.url)).toEqual({ data: { area: { name: '通江县', children: { totalCount: 33 } } } });
    } finally {
      await stop(server.child);
    }

    const target = await folder('civgraph-cli-backup-dst-');
    const restored = await cli(['restore', backupFile], { DATA_DIR: target });
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^restored .* rows in \d+ tables/);
    const again = await cli(['restore', backupFile], { DATA_DIR: target });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/civgraph: the target database is not empty \(table \w+ has rows\).*--force/);
    const forced = await cli(['restore', backupFile, '--force'], { DATA_DIR: target });
    expect(forced.code, forced.stderr).toBe(0);
    const missing = await cli(['restore', join(target, 'no-such.backup')], { DATA_DIR: target });
    expect(missing.stderr).toMatch(/civgraph: cannot read .*no-such\.backup/);

    const server2 = await start(target);
    try {
      expect(await ask(server2.url)).toEqual({ data: { area: { name: '通江县', children: { totalCount: 33 } } } });
    } finally {
      await stop(server2.child);
    }
  }, 240_000);
});
