import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The kernel's range for `listen(0)` and outgoing connections (Linux's default when unreadable). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return [low, high];
  } catch {
    // not Linux: fall through
  }
  return [32768, 60999];
}

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

const handedOut = new Set<number>();

/**
 * A free loopback port **below the kernel's ephemeral range**, for a port a child process must
 * open later: `freePort()` hands out a port the kernel may give the very next `listen(0)` — the
 * child's own embedded PostgreSQL, say — so the child would find it taken. The kernel never picks
 * a port outside its range by itself, and this process never hands one out twice.
 */
export async function reservedPort(): Promise<number> {
  const [low] = ephemeralRange();
  const floor = Math.max(10_000, low - 12_000);
  for (let tries = 0; tries < 200; tries++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port between ${floor} and ${low}`);
}
