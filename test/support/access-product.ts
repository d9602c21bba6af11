import type { AddressInfo } from 'node:net';
import { createAccessReceiver, type AccessEvent } from '../../docs/examples/access-receiver';
import { eventually } from './eventually';

/** The signing secret the tests' product and worker share (never a real one). */
export const PRODUCT_SECRET = 'access_test_secret_only_0123456789abcdef';

/**
 * The product's side in a test: the example receiver (docs/examples/access-receiver.ts) on a port
 * of its own, recording every delivery it accepted in arrival order. `down()` stops it listening
 * (connections refused, as a product that is down), `up()` listens again on the same port.
 */
export async function startProduct() {
  const received: AccessEvent[] = [];
  /** The secrets it verifies with; a test may change them (a product configured with the wrong one). */
  const secrets = [PRODUCT_SECRET];
  const receiver = createAccessReceiver({ secrets, onEvent: (event) => received.push(event) });
  const listen = (port: number) => new Promise<void>((resolve) => receiver.server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const port = (receiver.server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      receiver.server.closeAllConnections();
      receiver.server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}/access-events`,
    received,
    secrets,
    users: receiver.users,
    /** Deliveries accepted for this user, in arrival order (a redelivery appears again). */
    eventsOf: (userId: string) => received.filter((e) => e.user.id === userId),
    /** Waits until the user's deliveries satisfy `done`, and returns them. */
    async until(userId: string, done: (events: AccessEvent[]) => boolean, timeoutMs = 30_000): Promise<AccessEvent[]> {
      return eventually(async () => received.filter((e) => e.user.id === userId), done, { timeoutMs, intervalMs: 50 });
    },
    down: stop,
    up: () => listen(port),
    close: () => (receiver.server.listening ? stop() : Promise.resolve()),
  };
}

export type Product = Awaited<ReturnType<typeof startProduct>>;

/** Distinct event ids in first-arrival order: what a receiver that dedups on `id` applied. */
export const distinctIds = (events: AccessEvent[]): string[] => [...new Set(events.map((e) => e.id))];
