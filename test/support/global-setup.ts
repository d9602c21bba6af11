import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { bundleWorkflowCode } from '@temporalio/worker';
import { applyMigrations } from '../../src/db/migrate';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { startStripeMock } from '../../src/dev/stripe-mock';

const DEFAULT_TEST_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/fulfillment_test';

/** Starts the real services every test file shares: a Temporal dev server, stripe-mock,
 *  a freshly migrated PostgreSQL database, and one workflow bundle. */
export default async function globalSetup(): Promise<void> {
  const databaseUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  const [temporal, stripeMock, bundle] = await Promise.all([
    startTemporalDevServer({ uiPort: null }),
    startStripeMock(),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger }),
    recreateDatabase(databaseUrl),
  ]);
  await applyMigrations(databaseUrl);

  const bundlePath = join(tmpdir(), `fulfillment-workflows-${process.pid}.js`);
  await writeFile(bundlePath, bundle.code);

  process.env.TEST_DATABASE_URL = databaseUrl;
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_STRIPE_API_BASE = stripeMock.url;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  (globalThis as Record<string, unknown>).__services = { temporal, stripeMock };
}

async function recreateDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z0-9_]+_test$/.test(name)) throw new Error(`refusing to recreate ${name}: test databases must end in _test`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const pg = new PgClient({ connectionString: admin.toString() });
  await pg.connect();
  try {
    await pg.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await pg.query(`CREATE DATABASE "${name}"`);
  } finally {
    await pg.end();
  }
}

const noop = () => {};
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };
