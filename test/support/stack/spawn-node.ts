import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from '../paths';

export interface NodeProcess {
  label: string;
  child: ChildProcess;
  pid: number;
  /** What it wrote, stdout and stderr, the last `keepChars` of it. */
  output(): string;
  /** How many lines it wrote that match one of `countLines`, since it started. */
  count(pattern: RegExp): number;
  /** Resolves with its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** `signal` (SIGTERM: a deploy; SIGKILL: a crash, an OOM kill), SIGKILL after `graceMs` (default 60 s, past the worker's 30 s drain); resolves once it has exited. */
  stop(signal?: 'SIGTERM' | 'SIGKILL', graceMs?: number): Promise<number | null>;
}

export interface SpawnNodeOptions {
  /** Names it in errors. */
  label: string;
  /** node's arguments: flags, then the entry (`['--import', 'tsx', 'src/worker.ts']`, `['dist/src/worker.js']`). */
  args: string[];
  /** Its whole environment (nothing is inherited: spread `process.env` for that). */
  env: NodeJS.ProcessEnv;
  /** Ready once a line matches this, or once the probe (given the process's pid) resolves true. */
  ready: RegExp | ((pid: number) => Promise<boolean>);
  readyTimeoutMs?: number;
  cwd?: string;
  /** Patterns whose lines `count` counts. */
  countLines?: RegExp[];
  /** How much output `output()` keeps (default 4 MB). */
  keepChars?: number;
  /** Run under nice(1) at this niceness (it execs node under the same pid). */
  nice?: number;
}

/**
 * The one spawn-and-wait helper: runs node with `args` as a process of its own, collects what
 * it writes, and resolves once it is ready; when it exits or times out first, it is killed and
 * the error carries the end of its output.
 */
export async function spawnNode(options: SpawnNodeOptions): Promise<NodeProcess> {
  const [command, argv] =
    options.nice === undefined
      ? [process.execPath, options.args]
      : ['nice', ['-n', String(options.nice), process.execPath, ...options.args]];
  const child = spawn(command, argv, { cwd: options.cwd ?? ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = options.keepChars ?? 4_000_000;
  const counts = new Map<RegExp, number>((options.countLines ?? []).map((p) => [p, 0]));
  const { ready } = options;
  let text = '';
  let partial = '';
  let sawReady = false;
  const read = (chunk: Buffer) => {
    const s = chunk.toString();
    text = text.length + s.length > keep ? (text + s).slice(-keep) : text + s;
    const lines = (partial + s).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (ready instanceof RegExp && ready.test(line)) sawReady = true;
      for (const [p, n] of counts) if (p.test(line)) counts.set(p, n + 1);
    }
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const alive = () => child.exitCode === null && child.signalCode === null;

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (alive() && !sawReady && Date.now() < deadline) {
    if (typeof ready === 'function' && (await ready(child.pid!).catch(() => false))) sawReady = true;
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (!sawReady) {
    const why = alive() ? `not ready in ${options.readyTimeoutMs ?? 120_000} ms` : `exited (${child.exitCode ?? child.signalCode})`;
    if (alive()) child.kill('SIGKILL');
    throw new Error(`${options.label} ${why} before it was ready:\n${text.slice(-4000)}`);
  }
  return {
    label: options.label,
    child,
    pid: child.pid!,
    output: () => text,
    count: (pattern) => counts.get(pattern) ?? 0,
    exited,
    stop(signal = 'SIGTERM', graceMs = 60_000) {
      if (alive()) {
        child.kill(signal);
        const timer = setTimeout(() => alive() && child.kill('SIGKILL'), graceMs);
        void exited.then(() => clearTimeout(timer));
      }
      return exited;
    },
  };
}
