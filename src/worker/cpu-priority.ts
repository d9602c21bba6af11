import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers this process's CPU priority to `niceness` (WORKER_NICE), so that on a host the worker
 * shares with the API, the webhook's answer gets a core first and the worker takes what is left
 * (docs/PERFORMANCE.md: the API's p99 under a backlog is time spent waiting for the CPU the
 * worker holds). Linux keeps a nice value per thread and a new thread inherits its creator's, so
 * every thread that exists now is lowered (Node's GC and compiler threads, the libuv pool) and
 * the ones created later (Temporal core's, the workflow thread) inherit it: call it early, and
 * again once the worker is built. Raising it back needs privileges, so this only ever lowers.
 * Returns how many threads it lowered.
 */
export function lowerCpuPriority(niceness: number): number {
  if (niceness === 0) return 0;
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    setPriority(niceness); // not Linux: the process as a whole
    return 1;
  }
  let lowered = 0;
  for (const tid of tids) {
    try {
      setPriority(Number(tid), niceness);
      lowered++;
    } catch {
      // The thread ended meanwhile.
    }
  }
  return lowered;
}
