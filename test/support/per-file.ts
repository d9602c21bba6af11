/**
 * A resource a test file shares: started before the file's first test, closed after its last,
 * and used in tests as if it were the resource itself (`const h = useHarness(); … h.deliver(…)`).
 * Jest's `beforeAll` cannot hand a value to the tests, so this returns a stand-in that forwards to
 * the resource once it has started, and says so plainly when a test reaches it before.
 */
export function perFile<T extends object>(
  what: string,
  start: () => Promise<T>,
  close: (resource: T) => Promise<unknown>,
  timeoutMs = 120_000,
): T {
  let resource: T | undefined;
  beforeAll(async () => {
    resource = await start();
  }, timeoutMs);
  afterAll(async () => {
    if (resource) await close(resource);
  }, timeoutMs);
  return new Proxy({} as T, {
    get(_, key) {
      if (!resource) throw new Error(`${what} is used before it started (or it failed to start: see the beforeAll error)`);
      const value: unknown = Reflect.get(resource, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(resource) : value;
    },
  });
}
