/**
 * At most `max` calls of `fn` at once; the rest wait their turn in memory, not for a database
 * connection (the landing page's reads must leave the pool to the webhook).
 */
export function limitConcurrency<A extends unknown[], R>(max: number, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let running = 0;
  const queue: Array<() => void> = [];
  return async (...args: A) => {
    if (running >= max) await new Promise<void>((resolve) => queue.push(resolve));
    running++;
    try {
      return await fn(...args);
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}
