import { readFile } from 'node:fs/promises';
import { Client as PgClient } from 'pg';
import { readMigrations, SCHEMA_PATH, withSchemaEngine } from './schema-engine';

const NO_FILTER = { externalTables: [], externalEnums: [] };

/**
 * Applies every pending migration in prisma/migrations, recording them in
 * `_prisma_migrations` exactly like `prisma migrate deploy` (it is the same engine).
 * Creates the database when it does not exist. Safe to run on every start: the engine
 * takes PostgreSQL's advisory lock, so concurrent runs apply each migration once.
 */
export async function applyMigrations(databaseUrl: string, opts: { log?: (msg: string) => void } = {}): Promise<{ applied: string[] }> {
  await createDatabaseIfMissing(databaseUrl);
  const migrationsList = await readMigrations();
  return withSchemaEngine(databaseUrl, opts.log ?? (() => {}), async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return { applied: appliedMigrationNames };
  });
}

/**
 * The SQL that takes a database from `previousSchema` (null: an empty database) to
 * prisma/schema.prisma — what `prisma migrate dev --create-only` writes, computed from the
 * two datamodels alone (the engine only checks that it can connect). (Diffing against a replayed shadow
 * database fails with this engine over node-postgres: it cannot read PostgreSQL's
 * internal "char" catalogue columns.) Empty when nothing changed.
 */
export async function schemaChangeSql(databaseUrl: string, previousSchema: string | null): Promise<string> {
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  // The engine connects to check the server; it reads and writes nothing there.
  return withSchemaEngine(databaseUrl, () => {}, async (engine) => {
    const result = await engine.diff({
      from: previousSchema === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: previousSchema }] },
      to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: schema }] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    const sql = result.stdout ?? '';
    return sql.trim() === '-- This is an empty migration.' ? '' : sql;
  });
}

async function createDatabaseIfMissing(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) throw new Error('DATABASE_URL names no database');
  url.pathname = '/postgres';
  const pg = new PgClient({ connectionString: url.toString() });
  await pg.connect();
  try {
    const { rowCount } = await pg.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await pg.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((err: { code?: string }) => {
      if (err.code !== '42P04') throw err; // created concurrently by another process
    });
  } finally {
    await pg.end();
  }
}
