import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from '../../support/eventually';
import { ROOT } from '../../support/paths';

/** Lines of a worker's log that say a Prisma interactive transaction ran out of time. */
export const TRANSACTION_TIMEOUT = /P2028|Transaction API error|expired transaction|Unable to start a transaction/;

export interface ServiceProcess {
  child: ChildProcess;
  /** The last 20,000 characters the process wrote (stdout and stderr). */
  tail(): string;
  /** How many lines it wrote that match `pattern`, counted since start (see `watch`). */
  count(pattern: RegExp): number;
  exited: Promise<number | null>;
  /** SIGKILL (a crash, an OOM kill) or SIGTERM (a deploy); resolves when it has exited. */
  stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<number | null>;
}

/**
 * One of the service's two production entry points (`src/server.ts`, `src/worker.ts`) run as
 * its own process from sources (`node --import tsx`), as graceful-shutdown.test.ts does;
 * resolves once it logged `ready`. `watch` are the patterns whose lines it counts.
 */
export async function startService(
  entry: 'src/server.ts' | 'src/worker.ts',
  env: Record<string, string>,
  ready: RegExp,
  watch: RegExp[] = [TRANSACTION_TIMEOUT],
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let partial = '';
  const counts = new Map<RegExp, number>(watch.map((p) => [p, 0]));
  const read = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-20_000);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) for (const p of watch) if (p.test(line)) counts.set(p, (counts.get(p) ?? 0) + 1);
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = await eventually(
    async () => tail,
    (t) => ready.test(t) || child.exitCode !== null,
    { timeoutMs: 120_000, intervalMs: 100 },
  );
  if (!ready.test(started)) {
    child.kill('SIGKILL');
    throw new Error(`${entry} did not start:\n${tail}`);
  }
  return {
    child,
    tail: () => tail,
    count: (pattern) => counts.get(pattern) ?? 0,
    exited,
    stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
