import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { applyMigrations, diffSchemaToSql } from '../../../src/db/migrate';
import { MIGRATIONS_DIR } from '../../../src/db/schema-engine';
import { ROOT } from '../../support/paths';
import { testEnv } from '../../support/test-env';

describe('migrations', () => {
  it('the checked-in migrations build exactly prisma/schema.prisma (a schema change without a migration fails here)', async () => {
    await expect(diffSchemaToSql(testEnv.databaseUrl)).resolves.toBe('');
  });

  it('apply once even when several processes start at the same moment on a new database', async () => {
    const url = new URL(testEnv.databaseUrl);
    url.pathname = `/migrate_race_${Date.now()}_test`;
    try {
      const runs = await Promise.all([applyMigrations(url.toString()), applyMigrations(url.toString()), applyMigrations(url.toString())]);
      const checkedIn = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
      expect(runs.flatMap((r) => r.applied).sort()).toEqual(checkedIn.sort()); // each exactly once
      await expect(applyMigrations(url.toString())).resolves.toEqual({ applied: [] });

      const pg = new Client({ connectionString: url.toString() });
      await pg.connect();
      const { rows } = await pg.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      );
      await pg.end();
      expect(rows.map((r) => r.name)).toEqual([
        '_prisma_migrations',
        'access_events',
        'email_deliveries',
        'entitlements',
        'operator_actions',
        'purchases',
        'stripe_events',
        'subscriptions',
        'users',
      ]);
    } finally {
      await dropDatabase(url);
    }
  });

  it('npm run db:migrate reads the URL from DATABASE_URL_FILE, as compose mounts secrets', async () => {
    const url = new URL(testEnv.databaseUrl);
    url.pathname = `/migrate_file_${Date.now()}_test`;
    const dir = mkdtempSync(join(tmpdir(), 'migrate-secret-'));
    const file = join(dir, 'database_url');
    writeFileSync(file, `${url.toString()}\n`, { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL_FILE: file };
    delete env.DATABASE_URL;
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/db-migrate.ts'], { cwd: ROOT, env });
      expect(stdout).toMatch(/applied \d+ migration\(s\)/);
      await expect(applyMigrations(url.toString())).resolves.toEqual({ applied: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await dropDatabase(url);
    }
  }, 60_000);
});

/** Drops the scratch database a test made on the test server. */
async function dropDatabase(url: URL): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const pg = new Client({ connectionString: admin.toString() });
  await pg.connect();
  await pg.query(`DROP DATABASE IF EXISTS "${url.pathname.slice(1)}" WITH (FORCE)`);
  await pg.end();
}
