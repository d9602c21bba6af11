/** More calls wait than the limit allows: the caller answers 503 at once instead of queueing without bound. */
export class OverloadedError extends Error {
  readonly retryAfterSeconds = 1;
}

/**
 * At most `max` calls of `fn` at once; at most `maxWaiting` more wait their turn in memory (not for
 * a database connection: the landing page's reads must leave the pool to the webhook). A call
 * beyond those is refused with OverloadedError.
 */
export function limitConcurrency<A extends unknown[], R>(
  max: number,
  maxWaiting: number,
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  let running = 0;
  const queue: Array<() => void> = [];
  return async (...args: A) => {
    if (running >= max) {
      if (queue.length >= maxWaiting) throw new OverloadedError(`${queue.length} status reads already waiting`);
      await new Promise<void>((resolve) => queue.push(resolve));
    }
    running++;
    try {
      return await fn(...args);
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}
