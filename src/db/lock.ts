import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LockOptions {
  /** How long to wait for a live holder before failing; 120 s by default. */
  timeoutMs?: number;
  /** How often to look again while a live holder keeps the lock; 50 ms by default. */
  pollMs?: number;
  /** Called once, when the lock is found held by a live process (its pid; 0 if not known yet). */
  onWait?: (holder: number) => void;
}

/**
 * Takes the lock `file` between processes (several civgraph processes sharing
 * one DATA_DIR), waiting while its holder lives; a lock whose holder died is
 * broken at once. Resolves to the function that releases it. Node builtins only,
 * so that a test can run it in many child processes.
 *
 * The file holds a token, `<pid>-<random>`, new for every taking: the pid says
 * whether the holder lives, the random part makes the token never recur, so
 * "the file still holds token T" means "it is still that very taking".
 *
 * The protocol, race by race:
 * - Taking: the token is written to a file of our own (`<file>.<token>.tmp`),
 *   which is then hard-linked to `file`. `link()` is atomic and fails with EEXIST
 *   when `file` exists, so exactly one taker wins, and `file` is never seen
 *   empty or half written (an empty file, from an older civgraph that created
 *   then wrote it, still reads as "a holder being created": wait).
 * - Reading the holder after losing: the holder may release (unlink) between our
 *   failed `link()` and our read. ENOENT then means "free now": try again at once
 *   (this was the `ENOENT … pg.lock` failure of the old create-then-read lock).
 * - Breaking a dead holder's lock: several waiters may see the same dead token T
 *   at once, and removing `file` by name could remove a lock another waiter has
 *   just taken (A removes T's file and takes the lock; B, which also saw T, then
 *   removes A's file). So a breaker first takes the marker `<file>.break-T`, by
 *   the same `link()`: one breaker per dead token. The winner reads `file` again
 *   and removes it only if it still holds T, then removes its marker. Between
 *   that read and the removal nobody else can remove T's file: its holder is
 *   dead, and only the marker's owner breaks it. A breaker that saw T late (after
 *   an earlier breaker already removed T's file and its marker) takes the marker
 *   anew, reads a file without T (absent, or a newer taking's token, T never
 *   recurs), and leaves it alone.
 * - A breaker dying while it owns a marker: the marker is itself a lock with a
 *   token, so it is broken by the same protocol (`<file>.break-T.break-M`),
 *   after which T can be broken again; a live breaker is waited for.
 * - Releasing: the holder removes `file` only if it still holds its own token
 *   (it always does while the holder lives: only dead holders' locks are broken).
 * - A holder whose pid was reused by a new process looks alive: it is waited for
 *   up to `timeoutMs`, then an error names the file to remove.
 */
export async function takeLock(file: string, options: LockOptions = {}): Promise<() => void> {
  const { timeoutMs = 120_000, pollMs = 50, onWait } = options;
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (let waited = false; ;) {
    const token = create(file);
    if (token) return () => release(file, token);
    const holder = read(file);
    // Released between our link() and our read: free now.
    if (holder === undefined) continue;
    const pid = holderPid(holder);
    if (!alive(pid) && breakStale(file, holder)) continue;
    if (Date.now() > deadline) throw new Error(`${file} is held by pid ${pid} for more than ${timeoutMs / 1000} s`);
    if (!waited) onWait?.(pid);
    waited = true;
    await sleep(pollMs);
  }
}

/** Creates `file` holding a new token, atomically (see takeLock); the token, or undefined if `file` exists. */
function create(file: string): string | undefined {
  const token = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const temporary = `${file}.${token}.tmp`;
  writeFileSync(temporary, token, { mode: 0o600 });
  try {
    linkSync(temporary, file);
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** The token in `file`, or undefined if there is no such file. */
function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The pid in a token (`<pid>-<random>`, or a bare pid from older civgraph); 0
 * for anything else (waited for, never broken: a token also names a marker file).
 */
const holderPid = (token: string) => Number(/^(\d+)(?:-[0-9a-f]+)?$/.exec(token)?.[1] ?? 0);

function alive(pid: number): boolean {
  // 0: an empty file, a holder being created (older civgraph). Not signalled:
  // kill(0) would address our own process group.
  if (!pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes `file` if it still holds `stale`, a dead holder's token, as the one
 * breaker of that token (see takeLock). False when another breaker, alive, is
 * at it (wait); true when the caller should try to take the lock again.
 */
function breakStale(file: string, stale: string): boolean {
  const marker = `${file}.break-${stale}`;
  if (!create(marker)) {
    const breaker = read(marker);
    if (breaker === undefined) return true;
    return alive(holderPid(breaker)) ? false : breakStale(marker, breaker);
  }
  try {
    if (read(file) === stale) rmSync(file, { force: true });
  } finally {
    rmSync(marker, { force: true });
  }
  return true;
}

function release(file: string, token: string): void {
  if (read(file) === token) rmSync(file, { force: true });
}
