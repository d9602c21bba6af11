import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import { Client, Pool, type ClientConfig, type QueryResult } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

/**
 * The folder holding package.json, found by walking up from this file: prisma/ sits next to
 * it. This file is src/db/ under tsx but dist/src/db/ once compiled, so a fixed `../..` is
 * wrong in one of them; process.cwd() depends on where the process is started from.
 */
function packageRoot(dir = __dirname): string {
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = dirname(dir);
  }
  return dir;
}

const ROOT = packageRoot();
export const SCHEMA_PATH = resolve(ROOT, 'prisma/schema.prisma');
export const MIGRATIONS_DIR = resolve(ROOT, 'prisma/migrations');

/**
 * Prisma's own schema engine, compiled to WebAssembly, over a node-postgres driver adapter.
 * It does what `prisma migrate deploy/diff` do without the native engine binary, which
 * the Prisma CLI downloads on every command (and cannot, offline).
 */
export async function withSchemaEngine<T>(
  databaseUrl: string,
  log: (msg: string) => void,
  use: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const Engine = await (engineClass ??= loadEngineClass());
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  // Freeing the engine does not close its connections (nor drop a shadow database): do it here.
  const closers: Array<() => Promise<void>> = [];
  const onLog = (line: string) => {
    const { level, fields } = JSON.parse(line) as { level: string; fields: { message?: string } };
    if (level !== 'INFO' && level !== 'DEBUG' && level !== 'TRACE') log(`schema engine ${level}: ${fields.message ?? line}`);
  };
  const factory = bindMigrationAwareSqlAdapterFactory(pgAdapterFactory(parseIntoClientConfig(databaseUrl), closers));
  const engine = await Engine.new({ datamodels: [[SCHEMA_PATH, schema]] }, onLog, factory);
  try {
    return await use(engine);
  } finally {
    engine.free();
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

/**
 * @prisma/adapter-pg 7.10 for the engine, with what it gets wrong for migrations fixed:
 * - one connection per database, like the native engine, so the engine's session advisory
 *   lock and its migration statements share a session (and no pool timeout drops the lock);
 * - a migration script goes to PostgreSQL whole, as one simple query, as the native engine
 *   sends it (one implicit transaction), instead of being split at every ";" — which breaks
 *   on semicolons in strings or function bodies and runs the pieces one by one;
 * - PostgreSQL's internal "char" type (pg_constraint.contype, …) is read as text: the
 *   adapter rejects it, which fails every schema description (diffs, shadow databases);
 * - PostgreSQL 18 lists NOT NULL as pg_constraint rows (contype 'n'), which the engine's
 *   constraint query lets through and then panics on (prisma/orm#29635): they are dropped
 *   from that query's result, as the upstream fix does (it reads nullability from
 *   pg_attribute.attnotnull anyway);
 * - the shadow database is a database of its own: `connectToShadowDb` of a PrismaPg made
 *   from a connection string connects back to the main database (the URL's database name
 *   overrides the shadow one) and drops the shadow database before closing its pool.
 */
function pgAdapterFactory(config: ClientConfig, closers: Array<() => Promise<void>>): SqlMigrationAwareDriverAdapterFactory {
  const connect = async (database = config.database) => {
    const pool = new Pool({ ...config, database, max: 1, idleTimeoutMillis: 0 });
    const query = pool.query.bind(pool) as (query: unknown) => Promise<QueryResult>;
    pool.query = (async (q: unknown) => {
      const result = await query(q);
      for (const field of result.fields ?? []) if (field.dataTypeID === PG_CHAR) field.dataTypeID = PG_TEXT;
      return withoutNotNullConstraints(result);
    }) as typeof pool.query;
    const adapter = await new PrismaPg(pool).connect();
    const rethrow = (adapter as unknown as { onError(error: unknown): never }).onError.bind(adapter);
    adapter.executeScript = async (script) => {
      await query(script).catch(rethrow);
    };
    let ended: Promise<void> | undefined;
    adapter.dispose = () => (ended ??= pool.end());
    closers.push(() => adapter.dispose());
    return adapter;
  };
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connect(),
    connectToShadowDb: async () => {
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await execute(config, `CREATE DATABASE "${name}"`);
      const adapter = await connect(name);
      const close = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await close();
        await execute(config, `DROP DATABASE IF EXISTS "${name}"`);
      };
      closers.push(() => adapter.dispose());
      return adapter;
    },
  };
}

const PG_CHAR = 18;
const PG_TEXT = 25;

/** The engine's constraints query minus PostgreSQL 18's NOT NULL rows (see pgAdapterFactory). */
function withoutNotNullConstraints(result: QueryResult): QueryResult {
  const fields = result.fields ?? [];
  const type = fields.findIndex((f) => f.name === 'constraint_type');
  if (type < 0 || !fields.some((f) => f.name === 'constraint_definition')) return result;
  const typeOf = (row: unknown): unknown =>
    Array.isArray(row) ? (row as unknown[])[type] : (row as Record<string, unknown>).constraint_type;
  const rows = result.rows.filter((row) => typeOf(row) !== 'n');
  return { ...result, rows, rowCount: rows.length };
}

/** Runs one statement on a connection of its own (for CREATE/DROP DATABASE). */
export async function execute(config: ClientConfig, sql: string, params: unknown[] = []): Promise<QueryResult> {
  const client = new Client(config);
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

let engineClass: Promise<typeof SchemaEngine> | undefined;

/**
 * One WebAssembly instance per process (the glue module holds it in module state). The
 * package is built for bundlers (`import * as wasm from "….wasm"`), so it is instantiated
 * by hand here, the way wasm-bindgen's bundler glue would.
 */
/** The wasm-bindgen glue module of @prisma/schema-engine-wasm, as far as it is used here. */
type WasmGlue = Record<string, unknown> & { __wbg_set_wasm(exports: WebAssembly.Exports): void; SchemaEngine: typeof SchemaEngine };

async function loadEngineClass(): Promise<typeof SchemaEngine> {
  // A Rust panic inside the engine reports its message through this global.
  const panics = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
  panics.PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message: (message) => {
      throw new Error(`Prisma schema engine panicked: ${message}`);
    },
  };
  const dir = dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const glue = (await import(join(dir, 'schema_engine_bg.js'))) as WasmGlue;
  const imports: Record<string, unknown> = { ...glue };
  // The engine arms a 10 s timer around its advisory lock and never clears it: unref it, or
  // it keeps a finished process alive for 10 s.
  for (const name of Object.keys(imports)) {
    if (name.startsWith('__wbg_setTimeout_')) imports[name] = (fn: () => void, ms: number) => setTimeout(fn, ms >>> 0).unref();
  }
  const { instance } = await WebAssembly.instantiate(await readFile(join(dir, 'schema_engine_bg.wasm')), {
    './schema_engine_bg.js': imports as WebAssembly.ModuleImports,
  });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  return glue.SchemaEngine;
}

/** prisma/migrations as the engine wants it (and as the CLI reads it): every `<name>/migration.sql`, in name order. */
export async function readMigrations(): Promise<MigrationList> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true }).catch(() => []);
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: {
      path: 'migration_lock.toml',
      content: await readFile(join(MIGRATIONS_DIR, 'migration_lock.toml'), 'utf8').catch(() => null),
    },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => {
        const content = await readFile(join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8').then(
          (sql) => ({ tag: 'ok' as const, value: sql }),
          (err: Error) => ({ tag: 'error' as const, value: err.message }),
        );
        // `path` is what lands in _prisma_migrations.migration_name, as with the CLI: the folder name.
        return { path: name, migrationFile: { path: 'migration.sql', content } };
      }),
    ),
  };
}
