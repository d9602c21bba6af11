import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations } from '../../src/db/migrate';
import { recreateDatabase } from './recreate-database';
import { startTemporalDevServer } from '../../devstack/temporal-dev-server';
import { startStripeMock } from '../../devstack/stripe-mock';
import { provideTestDatabase } from './test-database';
import { bundleWorkflowsFromSource } from './workflow-bundle';

/** Starts the real services every test file shares: a Temporal dev server, stripe-mock,
 *  a freshly migrated PostgreSQL database (an embedded server when none is there), and one
 *  workflow bundle. */
export default async function globalSetup(): Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  const stoppable = <T extends { stop: () => Promise<void> }>(service: T) => (stops.push(service.stop), service);
  const say = (msg: string) => console.log(`[test setup] ${msg}`);
  let services;
  try {
    services = await Promise.all([
      startTemporalDevServer({ uiPort: null, log: say }).then(stoppable),
      startStripeMock().then(stoppable),
      bundleWorkflowsFromSource(),
      provideTestDatabase(say)
        .then(stoppable)
        .then(async (database) => {
          await recreateDatabase(database.url, '_test');
          await applyMigrations(database.url);
          return database;
        }),
    ]);
  } catch (err) {
    await Promise.allSettled(stops.map((stop) => stop())); // leave no server behind a failed start
    throw err;
  }
  const [temporal, stripeMock, bundle, database] = services;

  const bundlePath = join(tmpdir(), `fulfillment-workflows-${process.pid}.js`);
  await writeFile(bundlePath, bundle.code);

  process.env.TEST_DATABASE_URL = database.url;
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_STRIPE_API_BASE = stripeMock.url;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  (globalThis as Record<string, unknown>).__services = { temporal, stripeMock, database };
}
