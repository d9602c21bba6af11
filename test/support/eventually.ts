/**
 * Reads until `done(value)` holds or the time is up, and returns the last value read, so the
 * caller's assertion shows what was seen when it was not what was expected. For state that
 * settles asynchronously: workflow results in the database, visibility, metrics.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
