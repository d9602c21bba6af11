import { Client } from 'pg';

/**
 * Drops and creates the database named in `url` (tests and benchmarks start empty).
 * Refuses any database whose name does not end in `suffix`, so a wrong URL cannot wipe real data.
 */
export async function recreateDatabase(url: string, suffix: '_test' | '_bench'): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[a-z0-9_]+$/.test(name) || !name.endsWith(suffix)) {
    throw new Error(`refusing to recreate database "${name}": its name must end in ${suffix}`);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const pg = new Client({ connectionString: admin.toString() });
  await pg.connect().catch((err: Error) => {
    throw new Error(`cannot reach PostgreSQL at ${admin.host} (${err.message}): start it, or point the URL elsewhere`);
  });
  try {
    await pg.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await pg.query(`CREATE DATABASE "${name}"`);
  } finally {
    await pg.end();
  }
}
