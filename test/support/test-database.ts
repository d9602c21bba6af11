import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../devstack/embedded-postgres';

export interface TestDatabase {
  url: string;
  stop: () => Promise<void>;
}

/**
 * The PostgreSQL the tests use: TEST_DATABASE_URL when set; else the one on 127.0.0.1:5432 when
 * something listens there; else an embedded one started here (as `npm run dev` does), so a fresh
 * machine needs no PostgreSQL install. Only the embedded one is stopped (and its data removed) by
 * `stop`. `probe` moves the "is something listening" check, for trying this out on a machine
 * where 5432 is taken.
 */
export async function provideTestDatabase(log?: (m: string) => void, probe = { host: '127.0.0.1', port: 5432 }): Promise<TestDatabase> {
  const stopNothing = async () => {};
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL, stop: stopNothing };
  // The database name must end in _test: recreateDatabase refuses to drop any other.
  if (await acceptsConnections(probe))
    return { url: `postgresql://postgres@${probe.host}:${probe.port}/fulfillment_test`, stop: stopNothing };

  log?.(`nothing listens on ${probe.host}:${probe.port} and TEST_DATABASE_URL is not set: starting an embedded PostgreSQL`);
  return startOwnTestDatabase(log);
}

/**
 * An embedded PostgreSQL of the caller's own (its data removed by `stop`), whatever else runs: for a
 * suite that holds many connections (the Temporal cluster's services and five service processes
 * hold about 80), so it never takes the connections of the tests sharing 127.0.0.1:5432.
 */
export async function startOwnTestDatabase(log?: (m: string) => void): Promise<TestDatabase> {
  // The fresh temp folder is the data folder itself, so no folder only we can enter sits
  // between it and user postgres, which runs the server when we are root.
  const dataDir = await mkdtemp(join(tmpdir(), 'fulfillment-test-postgres-'));
  try {
    const server = await startEmbeddedPostgres({ dataDir, persistent: false, log });
    const url = new URL(server.url);
    url.pathname = '/fulfillment_test';
    return {
      url: url.toString(),
      async stop() {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true }); // left empty if the data went elsewhere
      },
    };
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Whether a TCP connection to host:port succeeds within `timeoutMs`. */
function acceptsConnections(target: { host: string; port: number }, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(target);
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
