import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeLock } from './lock.js';

// Children run this very lock.ts, transpiled here (it imports only Node
// builtins), so the test needs no build and never runs a stale dist/.
const CHILD = `
import { appendFileSync } from 'node:fs';
import { takeLock } from './lock.mjs';

const [file, logFile, times, dieAt, how] = process.argv.slice(2);
process.stdout.write('ready\\n');
await new Promise((go) => process.stdin.once('data', go));
process.stdin.destroy();
for (let i = 0; i < Number(times); i++) {
  const release = await takeLock(file, { timeoutMs: 15_000, pollMs: 2 });
  appendFileSync(logFile, 'enter ' + process.pid + '\\n');
  if (i === Number(dieAt)) {
    // Dies holding the lock: killed, or leaving without releasing it.
    appendFileSync(logFile, 'die ' + process.pid + '\\n');
    if (how === 'kill') process.kill(process.pid, 'SIGKILL');
    else process.exit(7);
  }
  await new Promise((held) => setTimeout(held, Math.random() * 3));
  appendFileSync(logFile, 'exit ' + process.pid + '\\n');
  release();
}
`;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'civgraph-lock-'));
  const source = readFileSync(new URL('./lock.ts', import.meta.url), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  writeFileSync(join(dir, 'lock.mjs'), outputText);
  writeFileSync(join(dir, 'child.mjs'), CHILD);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Outcome {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts the children, lets them go at once when all are ready, and waits for all (killing them after `limitMs`). */
async function contend(args: string[][], limitMs: number): Promise<Outcome[]> {
  const children: ChildProcess[] = args.map((childArgs) =>
    spawn(process.execPath, [join(dir, 'child.mjs'), ...childArgs], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  const outcomes = children.map(
    (child) =>
      new Promise<Outcome>((resolve) => {
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('exit', (code, signal) => resolve({ pid: child.pid!, code, signal, stderr }));
      }),
  );
  await Promise.all(children.map((child) => new Promise((ready) => child.stdout!.once('data', ready))));
  for (const child of children) child.stdin!.write('go\n');
  const watchdog = setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), limitMs);
  try {
    return await Promise.all(outcomes);
  } finally {
    clearTimeout(watchdog);
  }
}

/** Overlaps in the holders' log: each `enter` must follow an `exit` or `die` of the previous holder. */
function overlaps(log: string): string[] {
  const found: string[] = [];
  let holder: string | undefined;
  for (const [index, line] of log.trim().split('\n').entries()) {
    const [event, pid] = line.split(' ');
    if (event === 'enter') {
      if (holder) found.push(`line ${index + 1}: ${pid} entered while ${holder} held the lock`);
      holder = pid;
    } else {
      if (holder !== pid) found.push(`line ${index + 1}: ${pid} left (${event}) while ${holder ?? 'nobody'} held the lock`);
      holder = undefined;
    }
  }
  return found;
}

describe('takeLock between processes', () => {
  it('lets one holder in at a time among 10 processes, through holders killed or leaving without releasing', { timeout: 90_000 }, async () => {
    const file = join(dir, 'pg.lock');
    const logFile = join(dir, 'holders.log');
    const times = 8;
    for (let round = 0; round < 3; round++) {
      writeFileSync(logFile, '');
      // Two of ten die holding the lock in each round, at different turns.
      const args = Array.from({ length: 10 }, (_, n) => [
        file,
        logFile,
        String(times),
        n === 0 ? String(round) : n === 1 ? String(times - 1 - round) : '-1',
        n === 0 ? 'kill' : 'exit',
      ]);
      const outcomes = await contend(args, 45_000);

      expect(outcomes.map((outcome) => outcome.stderr).filter(Boolean), `round ${round}`).toEqual([]);
      expect(outcomes.map(({ code, signal }) => signal ?? code)).toEqual(['SIGKILL', 7, ...Array(8).fill(0)]);
      const log = readFileSync(logFile, 'utf8');
      expect(overlaps(log), `round ${round}:\n${log}`).toEqual([]);
      expect(log.match(/^enter /gm)?.length).toBe(8 * times + (round + 1) + (times - round));
    }
    // Taking, breaking and releasing leave nothing behind (a lock file only if its holder died last).
    expect(readdirSync(dir).filter((name) => name.includes('.tmp') || name.includes('.break-'))).toEqual([]);
  });
});

describe('takeLock', () => {
  const file = () => join(dir, 'one.lock');
  /** The pid of a process that has exited (and been reaped). */
  const deadPid = () =>
    new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '']);
      child.on('exit', () => resolve(child.pid!));
    });

  it('breaks at once a lock whose holder died, and releases only its own lock', async () => {
    writeFileSync(file(), `${await deadPid()}-0123456789ab`);
    const release = await takeLock(file(), { timeoutMs: 1000 });
    expect(readFileSync(file(), 'utf8')).toMatch(new RegExp(`^${process.pid}-[0-9a-f]{12}$`));
    release();
    expect(readdirSync(dir).filter((name) => name.startsWith('one.lock'))).toEqual([]);

    // A lock that is no longer ours (broken as if we had died) is left alone.
    const releaseAgain = await takeLock(file(), { timeoutMs: 1000 });
    writeFileSync(file(), '1-aaaaaaaaaaaa');
    releaseAgain();
    expect(readFileSync(file(), 'utf8')).toBe('1-aaaaaaaaaaaa');
    rmSync(file());
  });

  it('breaks a dead breaker’s marker, then the dead holder’s lock, leaving no marker', async () => {
    const stale = `${await deadPid()}-0123456789ab`;
    writeFileSync(file(), stale);
    writeFileSync(`${file()}.break-${stale}`, `${await deadPid()}-ba9876543210`);
    const release = await takeLock(file(), { timeoutMs: 1000 });
    release();
    expect(readdirSync(dir).filter((name) => name.startsWith('one.lock'))).toEqual([]);
  });

  it('waits for a live holder, a live breaker, and a holder being created (empty file), up to the timeout', async () => {
    const waitedFor: number[] = [];
    const onWait = (holder: number) => waitedFor.push(holder);
    writeFileSync(file(), `${process.pid}-0123456789ab`);
    await expect(takeLock(file(), { timeoutMs: 100, pollMs: 10, onWait })).rejects.toThrow(`${file()} is held by pid ${process.pid} for more than 0.1 s`);

    const stale = `${await deadPid()}-0123456789ab`;
    writeFileSync(file(), stale);
    writeFileSync(`${file()}.break-${stale}`, `${process.pid}-ba9876543210`);
    await expect(takeLock(file(), { timeoutMs: 100, pollMs: 10, onWait })).rejects.toThrow('is held by pid');
    expect(readFileSync(file(), 'utf8')).toBe(stale);
    rmSync(`${file()}.break-${stale}`);

    writeFileSync(file(), '');
    await expect(takeLock(file(), { timeoutMs: 100, pollMs: 10, onWait })).rejects.toThrow('is held by pid 0');
    expect(waitedFor).toEqual([process.pid, Number(stale.split('-')[0]), 0]);
    rmSync(file());
  });
});
