import { spawn, type ChildProcess } from 'node:child_process';

/** The compiled CLI and server (`npm test` builds first), as a bureau runs them. */
export const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;

/** A `civgraph start` process that has printed the URL it serves. */
export interface StartedServer {
  child: ChildProcess;
  url: string;
  /** Everything it has printed so far (stdout and stderr). */
  output: () => string;
}

/**
 * Runs `civgraph start` in a process of its own (this process's environment with
 * `env` over it) and resolves once it prints the URL it serves; rejects when it
 * exits first or prints none within `timeoutMs`. `spawned` sees the process at
 * once (to stop it whatever happens, or to await its exit).
 */
export function startCivgraph(
  env: Record<string, string>,
  options: { timeoutMs?: number; spawned?: (child: ChildProcess) => void } = {},
): Promise<StartedServer> {
  const child = spawn(process.execPath, [MAIN, 'start'], { env: { ...process.env, ...env } });
  options.spawned?.(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving GraphQL .* at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}
