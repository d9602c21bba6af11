import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';

export const SCHEMA_PATH = resolve(__dirname, '../../prisma/schema.prisma');
export const MIGRATIONS_DIR = resolve(__dirname, '../../prisma/migrations');

/**
 * Prisma's own schema engine, compiled to WebAssembly, over a node-postgres driver adapter.
 * It does what `prisma migrate deploy/diff` do without the native engine binary, which
 * the Prisma CLI downloads on every command (and cannot, offline).
 *
 * The package is built for bundlers (`import * as wasm from "….wasm"`), so it is
 * instantiated by hand here, the way wasm-bindgen's bundler glue would.
 */
export async function withSchemaEngine<T>(databaseUrl: string, log: (msg: string) => void, use: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const Engine = await (engineClass ??= loadEngineClass());
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  // The engine opens its connections through this factory; keep them to close them after
  // (freeing the engine does not, and an open session would keep its advisory lock).
  const factory = new PrismaPg({ connectionString: databaseUrl, max: 2 });
  const opened: Array<{ dispose(): Promise<void> }> = [];
  const tracking = Object.assign(Object.create(factory) as PrismaPg, {
    connect: async () => track(await factory.connect()),
    connectToShadowDb: async () => track(await factory.connectToShadowDb()),
  });
  const track = <A extends { dispose(): Promise<void> }>(adapter: A): A => {
    opened.push(adapter);
    return adapter;
  };
  const onLog = (line: string) => {
    const { level, fields } = JSON.parse(line) as { level: string; fields: { message?: string } };
    if (level !== 'INFO' && level !== 'DEBUG' && level !== 'TRACE') log(`schema engine ${level}: ${fields.message ?? line}`);
  };
  const engine = await Engine.new({ datamodels: [[SCHEMA_PATH, schema]] }, onLog, bindMigrationAwareSqlAdapterFactory(tracking));
  try {
    return await use(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((adapter) => adapter.dispose().catch(() => {})));
  }
}

let engineClass: Promise<typeof SchemaEngine> | undefined;

/** One WebAssembly instance per process (the glue module holds it in module state). */
async function loadEngineClass(): Promise<typeof SchemaEngine> {
  // A Rust panic inside the engine reports its message through this global.
  const panics = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
  panics.PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message: (message) => {
      throw new Error(`Prisma schema engine panicked: ${message}`);
    },
  };
  const dir = dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const glue = await import(join(dir, 'schema_engine_bg.js'));
  const { instance } = await WebAssembly.instantiate(await readFile(join(dir, 'schema_engine_bg.wasm')), { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  return glue.SchemaEngine as typeof SchemaEngine;
}

/** prisma/migrations as the engine wants it: every `<name>/migration.sql`, in name order. */
export async function readMigrations(): Promise<MigrationList> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const lockPath = join(MIGRATIONS_DIR, 'migration_lock.toml');
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: lockPath, content: await readFile(lockPath, 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => {
        const content = await readFile(join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8').then(
          (sql) => ({ tag: 'ok' as const, value: sql }),
          (err: Error) => ({ tag: 'error' as const, value: err.message }),
        );
        // `path` is what lands in _prisma_migrations.migration_name, as with the CLI: the folder name.
        return { path: name, migrationFile: { path: join(name, 'migration.sql'), content } };
      }),
    ),
  };
}
