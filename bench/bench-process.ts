import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { stopProcess } from '../src/dev/temporal-dev-server';

/** A process of the stack under test, with what the bench counts from its output. */
export interface BenchProcess {
  label: string;
  child: ChildProcess;
  pid: number;
  /** Lines of `--trace-gc` output seen so far (when traced). */
  gcLines: () => number;
  /** The process's PostgreSQL round trips so far and its memory now (bench/process-probe.cjs). */
  probe: () => Promise<ProbeReading>;
  stop: () => Promise<void>;
}

export interface ProbeReading {
  seq: number;
  pg: { roundTrips: number; statements: number; connects: number };
  memory: NodeJS.MemoryUsage;
}

const PROBE = resolve(__dirname, 'process-probe.cjs');
const probeDir = mkdtempSync(join(tmpdir(), 'bench-probe-'));

const readProbe = (file: string): ProbeReading | null => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProbeReading;
  } catch {
    return null;
  }
};

/** Asks the process for a new reading (SIGWINCH) and waits for it. */
async function probeOf(child: ChildProcess, file: string): Promise<ProbeReading> {
  const last = readProbe(file)?.seq ?? 0;
  child.kill('SIGWINCH');
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    const reading = readProbe(file);
    if (reading && reading.seq > last) return reading;
  }
  throw new Error(`pid ${child.pid} did not answer the bench's probe within 30 s`);
}

/** Starts `node <args>` and resolves once a line of its stdout contains `ready`, or once `ready()` resolves true. */
export async function startNode(
  label: string,
  args: string[],
  env: Record<string, string>,
  ready: string | (() => Promise<boolean>),
  cwd = process.cwd(),
): Promise<BenchProcess> {
  // BENCH_NICE (the worker's niceness, via nice(1), which execs node under the same pid).
  const nice = label === 'worker' ? env.BENCH_NICE : undefined;
  const probed = ['--require', PROBE, ...args];
  const [command, argv] = nice ? ['nice', ['-n', nice, process.execPath, ...probed]] : [process.execPath, probed];
  const probeFile = join(probeDir, `${label.replace(/\W+/g, '-')}-${Date.now()}.json`);
  const child = spawn(command, argv, {
    cwd,
    env: { ...process.env, ...env, BENCH_PROBE_FILE: probeFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let gc = 0;
  let tail = '';
  const seen = new Promise<void>((res, rej) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (typeof ready === 'string' && line.includes(ready)) res();
        if (/\b(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Sweep)\b/.test(line)) gc++;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000)));
    child.once('exit', (code) => rej(new Error(`${label} exited with ${code} before it was ready:\n${tail}`)));
    if (typeof ready === 'function') void probe(ready, child).then(res, rej);
  });
  await seen;
  return {
    label,
    child,
    pid: child.pid!,
    gcLines: () => gc,
    probe: () => probeOf(child, probeFile),
    stop: () => stopProcess(child, 20_000),
  };
}

async function probe(ready: () => Promise<boolean>, child: ChildProcess): Promise<void> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline && child.exitCode === null;) {
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('not ready within 2 minutes');
}

/** The worker polls the task queue (whatever its log level says). */
export const polling = (connection: Connection, taskQueue: string) => async () => {
  const { pollers } = await connection.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return (pollers?.length ?? 0) > 0;
};

/** The API answers GET /healthz. */
export const healthy = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
