import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time and memory of processes and their threads, read from /proc (Linux): utime +
 * stime of /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat, thread names from `comm`,
 * peak RSS from VmHWM. Clock ticks are 10 ms (CLK_TCK 100), so read totals, not single tasks.
 */
const TICK_MS = 10;

export interface ThreadSample {
  tid: number;
  name: string;
  cpuMs: number;
}

export interface ProcessSample {
  pid: number;
  cpuMs: number;
  threads: ThreadSample[];
}

/** utime + stime in ms of a /proc stat line (fields 14 and 15; the name in parentheses may hold spaces). */
function statCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process or thread is gone
  }
}

export function sampleProcess(pid: number): ProcessSample {
  const stat = read(`/proc/${pid}/stat`);
  const threads: ThreadSample[] = [];
  for (const tid of tasksOf(pid)) {
    const taskStat = read(`/proc/${pid}/task/${tid}/stat`);
    const name = read(`/proc/${pid}/task/${tid}/comm`)?.trim();
    if (taskStat && name !== undefined) threads.push({ tid, name, cpuMs: statCpuMs(taskStat) });
  }
  return { pid, cpuMs: stat ? statCpuMs(stat) : 0, threads };
}

function tasksOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** Peak resident set of a process in MiB (VmHWM), 0 once it is gone. */
export function peakRssMiB(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '')?.[1];
  return kb ? Number(kb) / 1024 : 0;
}

/** Resident memory now, MiB, split as the kernel counts it: anonymous (heaps, native allocations), file-backed (code, shared libraries), shared. */
export function rssMiB(pid: number): { rss: number; anon: number; file: number; shmem: number } {
  const status = read(`/proc/${pid}/status`) ?? '';
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
}

/** PostgreSQL backends serving `database` (their title is "postgres: user database host(port) state"). */
export function postgresBackends(database: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = read(`/proc/${entry}/cmdline`);
    // With a cluster name the title starts "postgres: 15/main: user database …".
    if (cmdline?.startsWith('postgres: ') && cmdline.replace(/\0/g, '').split(' ').includes(database)) pids.push(Number(entry));
  }
  return pids;
}

/** Processes whose command line contains every one of `parts` (e.g. the Temporal dev server by its port). */
export function findProcesses(parts: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const args = read(`/proc/${entry}/cmdline`)?.split('\0') ?? [];
    if (parts.every((p) => args.includes(p))) pids.push(Number(entry));
  }
  return pids;
}

/**
 * Thread kinds of a Node 20 process. Node names none of its own threads (all are "node"),
 * so they are told apart by creation order, which Node fixes: the main thread (tid = pid);
 * the platform's delayed-task scheduler and its --v8-pool-size (4) workers, which run GC and
 * the optimising compiler; the inspector's signal thread; later the libuv pool
 * (UV_THREADPOOL_SIZE, 4; created on the first file read, before Temporal's workflow
 * threads) and then the worker_threads (Temporal's workflow threads). Temporal core's Rust
 * threads carry names (tokio-runtime-w, workflow-proces, …).
 */
export function threadKinds(sample: ProcessSample): Map<number, string> {
  const kinds = new Map<number, string>();
  const unnamed = sample.threads.filter((t) => t.name === 'node' && t.tid !== sample.pid).sort((a, b) => a.tid - b.tid);
  const uvPool = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  unnamed.forEach((t, i) => {
    kinds.set(
      t.tid,
      i < 5 ? 'v8 platform (gc, compiler)' : i === 5 ? 'node (inspector)' : i < 6 + uvPool ? 'libuv pool' : 'js worker threads (workflows)',
    );
  });
  for (const t of sample.threads) {
    if (t.tid === sample.pid) kinds.set(t.tid, 'main (activities, sdk)');
    else if (t.name.startsWith('v8:')) kinds.set(t.tid, 'v8 profiler (--cpu-prof)');
    else if (!kinds.has(t.tid)) kinds.set(t.tid, t.name.startsWith('tokio') ? 'temporal core (tokio)' : `temporal core (${t.name})`);
  }
  return kinds;
}

/** A snapshot of CPU per process, and per thread kind of each, to subtract from a later one. */
export type CpuSnapshot = Map<number, ProcessSample>;

export function snapshot(pids: number[]): CpuSnapshot {
  return new Map(pids.map((pid) => [pid, sampleProcess(pid)]));
}

/** CPU ms spent between two snapshots by the processes of `later` (a process new since `earlier` counts whole). */
export function cpuBetween(earlier: CpuSnapshot, later: CpuSnapshot): number {
  let total = 0;
  for (const [pid, sample] of later) total += sample.cpuMs - (earlier.get(pid)?.cpuMs ?? 0);
  return total;
}

/** CPU ms per thread kind of one process between two snapshots. */
export function threadCpuBetween(earlier: ProcessSample | undefined, later: ProcessSample): Map<string, number> {
  const before = new Map(earlier?.threads.map((t) => [t.tid, t.cpuMs]) ?? []);
  const kinds = new Map<string, number>();
  const kindOf = threadKinds(later);
  for (const thread of later.threads) {
    const kind = kindOf.get(thread.tid)!;
    kinds.set(kind, (kinds.get(kind) ?? 0) + thread.cpuMs - (before.get(thread.tid) ?? 0));
  }
  return kinds;
}

/** The machine's CPU time so far (/proc/stat): busy and total jiffies over all cores. */
export function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3] + fields[4]; // idle + iowait
  return { busy: total - idle, total };
}

/** The share of the machine's CPU (all cores) that was busy between two readings, 0–1. */
export const busyBetween = (a: { busy: number; total: number }, b: { busy: number; total: number }) =>
  (b.busy - a.busy) / Math.max(1, b.total - a.total);
