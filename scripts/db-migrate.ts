/**
 * Applies pending migrations to DATABASE_URL, offline (Prisma's WASM schema engine).
 * `npm run db:migrate` runs this source (tsx); the image runs it compiled,
 * `node dist/scripts/db-migrate.js` (`npm run db:migrate:prod`, compose's migrate job).
 */
import { applyMigrations } from '../src/db/migrate';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (a PostgreSQL connection URL)');
  const { applied } = await applyMigrations(url, { log: (msg) => console.error(msg) });
  console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database schema is up to date');
}

main().catch((err: unknown) => {
  console.error(`db:migrate failed for DATABASE_URL: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
