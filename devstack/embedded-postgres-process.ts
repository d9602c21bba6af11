import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The OS user PostgreSQL runs as when we are root (it refuses to run as root). */
export interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

export interface RunningServer {
  stop(): Promise<void>;
}

const READY = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 60_000;

/** Creates a cluster in `dataDir` (which must be missing or empty) with `initdb`. */
export async function initCluster(installDir: string, dataDir: string, runAs?: RunAs): Promise<void> {
  const initdb = spawnTool(
    installDir,
    'initdb',
    [
      `--pgdata=${dataDir}`,
      '--username=postgres',
      // trust, not a password: the password would be a constant in this repo anyway, the server
      // listens on localhost only, and (as root) a password file would have to be handed to
      // user postgres.
      '--auth=trust',
      // UTF-8 with Unicode rules built into PostgreSQL, so the cluster does not depend on which
      // OS locales this machine has (LANG may name one that is missing, or not be set at all).
      '--encoding=UTF8',
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
    ],
    runAs,
  );
  const ending = await initdb.ended;
  if (ending !== 'exit code 0') throw new Error(`initdb failed (${ending}) for ${dataDir}: ${initdb.output()}`);
}

/**
 * Starts the server; resolves once it accepts connections. 300 connections rather than PostgreSQL's
 * 100: a scaled-out stack (Temporal's server pools, two APIs, three workers of 16) holds about 130.
 */
export async function startServer(installDir: string, dataDir: string, port: number, runAs?: RunAs): Promise<RunningServer> {
  const server = spawnTool(installDir, 'postgres', ['-D', dataDir, '-p', String(port), '-c', 'max_connections=300'], runAs);
  const { child } = server;
  // Should this process end without stop() (an uncaught error, process.exit), don't leave
  // the server behind: SIGINT asks it for a fast shutdown, which it finishes on its own.
  const stopOnExit = () => child.kill('SIGINT');
  process.on('exit', stopOnExit);
  child.once('exit', () => process.off('exit', stopOnExit));

  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve) => child.stderr!.on('data', () => server.output().includes(READY) && resolve())),
      server.ended.then((ending) => {
        throw new Error(`PostgreSQL stopped (${ending}) before accepting connections on port ${port}: ${server.output()}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`PostgreSQL did not accept connections within ${START_TIMEOUT_MS / 1000} s: ${server.output()}`)),
          START_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (err) {
    child.kill('SIGINT');
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await server.ended.catch(() => {});
    },
  };
}

interface Tool {
  child: ChildProcess;
  /** How the process ended ("exit code 1", "signal SIGKILL"); rejects when it could not start at all. */
  ended: Promise<string>;
  /** The end of what it wrote, for error messages. */
  output(): string;
}

function spawnTool(installDir: string, name: string, args: string[], runAs?: RunAs): Tool {
  const file = join(installDir, 'bin', name);
  const child = spawn(file, args, {
    // A folder user postgres can enter: our working directory may be one only root can.
    cwd: installDir,
    uid: runAs?.uid,
    gid: runAs?.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
    // English messages: startServer recognises readiness by one.
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  let output = '';
  // Always read both pipes: a server whose log pipe fills up stops to wait for it.
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // A failed spawn (EACCES, ENOENT) arrives as an 'error' event, which would crash the process
  // if nobody listened; it becomes a rejection instead.
  const ended = new Promise<string>((resolve, reject) => {
    child.once('error', (err) => reject(explainSpawnError(err, file, runAs)));
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
  });
  ended.catch(() => {}); // handled by whoever awaits it; never an unhandled rejection
  return { child, ended, output: () => output.trim() };
}

function explainSpawnError(err: NodeJS.ErrnoException, file: string, runAs?: RunAs): Error {
  const who = runAs ? `user ${runAs.name}` : 'the current user';
  let fix = 'see the cause';
  if (err.code === 'ENOENT') fix = 'the embedded PostgreSQL binaries are missing; reinstall dependencies (npm ci)';
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    fix = runAs
      ? `${runAs.name} needs to enter every folder above it and to read and run it; set TMPDIR to a folder it can enter (e.g. /tmp), or run as a user other than root`
      : 'make it executable (chmod +x) and make sure its file system is not mounted noexec';
  }
  return new Error(`cannot run ${file} as ${who} (${err.code ?? err.message}): ${fix}`, { cause: err });
}
