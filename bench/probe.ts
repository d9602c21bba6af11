import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { NodeProcess } from '../test/support/stack/spawn-node';

/** What bench/process-probe.cjs reports: the process's PostgreSQL round trips so far and its memory now. */
export interface ProbeReading {
  seq: number;
  pg: { roundTrips: number; statements: number; connects: number };
  memory: NodeJS.MemoryUsage;
}

const PROBE = resolve(__dirname, 'process-probe.cjs');
const dir = mkdtempSync(join(tmpdir(), 'bench-probe-'));
const files = new Map<number, string>();
let next = 0;

/** Node flags and environment that load the probe into a process of a stack; pass `file` to probe() once it runs. */
export function probed(label: string): { nodeArgs: string[]; env: Record<string, string>; file: string } {
  const file = join(dir, `${label.replace(/\W+/g, '-')}-${++next}.json`);
  return { nodeArgs: ['--require', PROBE], env: { BENCH_PROBE_FILE: file }, file };
}

/** Remembers which probe file a started process writes. */
export const register = (process: NodeProcess, file: string) => files.set(process.pid, file);

const read = (file: string): ProbeReading | null => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProbeReading;
  } catch {
    return null;
  }
};

/** Asks the process for a new reading (SIGWINCH, which nothing else here uses) and waits for it. */
export async function probe(process: NodeProcess): Promise<ProbeReading> {
  const file = files.get(process.pid);
  if (!file) throw new Error(`${process.label} was not started with the bench's probe`);
  const last = read(file)?.seq ?? 0;
  process.child.kill('SIGWINCH');
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    const reading = read(file);
    if (reading && reading.seq > last) return reading;
  }
  throw new Error(`${process.label} (pid ${process.pid}) did not answer the bench's probe within 30 s`);
}
