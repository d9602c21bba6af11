/**
 * Applies pending migrations to DATABASE_URL (or the file DATABASE_URL_FILE names, as compose
 * mounts secrets; both at once are refused), offline (Prisma's WASM schema engine).
 * `npm run db:migrate` runs this source (tsx); the image runs it compiled,
 * `node dist/scripts/db-migrate.js` (`npm run db:migrate:prod`, compose's migrate job).
 */
import { applyMigrations } from '../src/db/migrate';
import { withSecretFiles } from '../src/secret-files';

async function main(): Promise<void> {
  const url = withSecretFiles({ DATABASE_URL: process.env.DATABASE_URL, DATABASE_URL_FILE: process.env.DATABASE_URL_FILE }).DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (a PostgreSQL connection URL), nor DATABASE_URL_FILE');
  const { applied } = await applyMigrations(url, { log: (msg) => console.error(msg) });
  console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database schema is up to date');
}

main().catch((err: unknown) => {
  console.error(`db:migrate failed for DATABASE_URL: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
