/**
 * A token bucket: `take()` resolves at most `perSecond` times a second on average, with bursts
 * of up to `burst`. Bulk operations pace their calls to Temporal with it, so acting on hundreds
 * of runs does not trip the namespace's rate limit ("namespace rate limit exceeded").
 */
export function createTokenBucket(perSecond: number, burst = Math.max(1, Math.floor(perSecond)), now = () => Date.now()) {
  if (!(perSecond > 0)) throw new Error(`a rate must be a positive number of operations per second, got ${perSecond}`);
  let tokens = burst;
  let last = now();
  let queue: Promise<void> = Promise.resolve();
  const refill = () => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * perSecond);
    last = t;
  };
  const takeOne = async () => {
    refill();
    if (tokens < 1) {
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - tokens) / perSecond) * 1000)));
      refill();
    }
    tokens -= 1;
  };
  return {
    /** Waits for a token; callers are served in the order they asked. */
    take(): Promise<void> {
      const mine = queue.then(takeOne);
      queue = mine;
      return mine;
    },
  };
}
export type TokenBucket = ReturnType<typeof createTokenBucket>;
