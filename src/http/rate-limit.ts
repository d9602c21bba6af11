/**
 * A fixed-window request limit per client key (the caller's address): `take(key)` is false once
 * the key has used `perMinute` requests in the current minute. Memory stays bounded: the windows
 * of a past minute are dropped as a whole.
 */
export function createRateLimit(perMinute: number, now: () => number = Date.now) {
  let windowStart = now();
  let counts = new Map<string, number>();
  return {
    /** Counts one request; false when it is over the limit. `retryAfterSeconds` says when the window resets. */
    take(key: string): { allowed: boolean; retryAfterSeconds: number } {
      const at = now();
      if (at - windowStart >= 60_000) {
        windowStart = at;
        counts = new Map();
      }
      const used = (counts.get(key) ?? 0) + 1;
      counts.set(key, used);
      return { allowed: used <= perMinute, retryAfterSeconds: Math.max(1, Math.ceil((windowStart + 60_000 - at) / 1000)) };
    },
  };
}
