import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations } from '../../src/db/migrate';
import { recreateDatabase } from './recreate-database';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { startStripeMock } from '../../src/dev/stripe-mock';
import { bundleWorkflowsFromSource } from './workflow-bundle';

const DEFAULT_TEST_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/fulfillment_test';

/** Starts the real services every test file shares: a Temporal dev server, stripe-mock,
 *  a freshly migrated PostgreSQL database, and one workflow bundle. */
export default async function globalSetup(): Promise<void> {
  const databaseUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  const stops: Array<() => Promise<void>> = [];
  const stoppable = <T extends { stop: () => Promise<void> }>(service: T) => (stops.push(service.stop), service);
  let services;
  try {
    services = await Promise.all([
      startTemporalDevServer({ uiPort: null }).then(stoppable),
      startStripeMock().then(stoppable),
      bundleWorkflowsFromSource(),
      recreateDatabase(databaseUrl, '_test').then(() => applyMigrations(databaseUrl)),
    ]);
  } catch (err) {
    await Promise.allSettled(stops.map((stop) => stop())); // leave no server behind a failed start
    throw err;
  }
  const [temporal, stripeMock, bundle] = services;

  const bundlePath = join(tmpdir(), `fulfillment-workflows-${process.pid}.js`);
  await writeFile(bundlePath, bundle.code);

  process.env.TEST_DATABASE_URL = databaseUrl;
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_STRIPE_API_BASE = stripeMock.url;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  (globalThis as Record<string, unknown>).__services = { temporal, stripeMock };
}
