import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../devstack/embedded-postgres';
import { applyMigrations } from '../src/db/migrate';
import { recreateDatabase } from '../test/support/recreate-database';

/**
 * The bench's database, dropped, recreated and migrated: BENCH_DATABASE_URL (its name must end in
 * `_bench`), else `fallbackUrl`; `embedded`: a PostgreSQL of the bench's own (embedded-postgres),
 * for a machine whose shared server is full, with the fallback's database name.
 */
export async function benchDatabase(fallbackUrl: string): Promise<{ url: string; embedded: boolean; stop: () => Promise<void> }> {
  const wanted = process.env.BENCH_DATABASE_URL ?? fallbackUrl;
  let database = { url: wanted, embedded: false, stop: async () => {} };
  if (wanted === 'embedded') {
    const dataDir = await mkdtemp(join(tmpdir(), 'bench-postgres-'));
    const server = await startEmbeddedPostgres({ dataDir, persistent: false });
    const url = new URL(server.url);
    url.pathname = new URL(fallbackUrl).pathname;
    database = { url: url.toString(), embedded: true, stop: () => server.stop().then(() => rm(dataDir, { recursive: true, force: true })) };
  }
  try {
    await recreateDatabase(database.url, '_bench');
    await applyMigrations(database.url);
  } catch (err) {
    await database.stop();
    throw err;
  }
  return database;
}
