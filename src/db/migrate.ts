import { readFile } from 'node:fs/promises';
import { Client } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { execute, readMigrations, SCHEMA_PATH, withSchemaEngine } from './schema-engine';

const NO_FILTER = { externalTables: [], externalEnums: [] };
/** Our own advisory lock key (the engine's is 72707369, taken with a 10 s timeout). */
const MIGRATE_LOCK_KEY = 72707370;

/**
 * Applies every pending migration in prisma/migrations, recording them in
 * `_prisma_migrations` exactly like `prisma migrate deploy` (it is the same engine).
 * Creates the database when it does not exist. Safe to run on every start and from
 * several processes at once: they queue on an advisory lock, so each migration runs once,
 * however long it takes (the engine's own lock gives up after 10 s).
 */
export async function applyMigrations(databaseUrl: string, opts: { log?: (msg: string) => void } = {}): Promise<{ applied: string[] }> {
  await createDatabaseIfMissing(databaseUrl);
  const lock = new Client(parseIntoClientConfig(databaseUrl));
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    const migrationsList = await readMigrations();
    return await withSchemaEngine(databaseUrl, opts.log ?? (() => {}), async (engine) => {
      const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
      return { applied: appliedMigrationNames };
    });
  } finally {
    await lock.end(); // ending the session releases the lock
  }
}

/**
 * The SQL of the next migration: from the schema prisma/migrations builds (replayed on a
 * temporary shadow database on the server of `databaseUrl`, which is otherwise untouched)
 * to prisma/schema.prisma — what `prisma migrate dev --create-only` writes. Empty when
 * nothing changed.
 */
export async function diffSchemaToSql(databaseUrl: string): Promise<string> {
  const [schema, migrationsList] = await Promise.all([readFile(SCHEMA_PATH, 'utf8'), readMigrations()]);
  // The engine needs the lock file to pick its connector; there is none before the first migration.
  migrationsList.lockfile.content ??= 'provider = "postgresql"\n';
  return withSchemaEngine(
    databaseUrl,
    () => {},
    async (engine) => {
      const { stdout } = await engine.diff({
        from: { tag: 'migrations', ...migrationsList },
        to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: schema }] },
        script: true,
        exitCode: null,
        filters: NO_FILTER,
      });
      const sql = stdout ?? '';
      return sql.trim() === '-- This is an empty migration.' ? '' : sql;
    },
  );
}

async function createDatabaseIfMissing(databaseUrl: string): Promise<void> {
  const config = parseIntoClientConfig(databaseUrl);
  const name = config.database;
  if (!name) throw new Error('the database URL names no database');
  const server = { ...config, database: 'postgres' };
  const { rowCount } = await execute(server, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (rowCount) return;
  await execute(server, `CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((err: { code?: string }) => {
    // Created meanwhile by another process: duplicate_database, or unique_violation when
    // both CREATE DATABASE statements ran at the same time.
    if (err.code !== '42P04' && err.code !== '23505') throw err;
  });
}
