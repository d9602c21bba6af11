import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleWorkflows, type BundleOptions } from '../../src/worker/workflow-bundle';

const ROOT = resolve(__dirname, '../..');
/** Everything a bundle can be made of: our sources, and the SDK's version. */
const SOURCES = ['workflows', 'src', 'activities'];
const CACHE = join(ROOT, 'node_modules', '.cache', 'workflow-bundles');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
      return /\.(ts|js|json)$/.test(entry.name) ? [path] : [];
    })
    .sort();
}

/** A key that changes with any source file or the SDK: a stale bundle is never read. */
function bundleKey(options: Pick<BundleOptions, 'traced'>): string {
  const hash = createHash('sha256').update(JSON.stringify({ traced: options.traced ?? false }));
  hash.update(readFileSync(require.resolve('@temporalio/workflow/package.json')));
  for (const file of SOURCES.flatMap((dir) => sourceFiles(join(ROOT, dir)))) {
    hash.update(file.slice(ROOT.length)).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 24);
}

/**
 * The workflows bundled from source, as the worker runs them (never a stale `npm run build` output);
 * `traced`: with the tracing interceptors, as a worker with tracing on runs them. Webpack takes
 * seconds, so a bundle is kept in node_modules/.cache under a hash of every source file and the
 * SDK's version: the test files that need one share it, and an edit makes a new one.
 */
export async function bundleWorkflowsFromSource(options: Pick<BundleOptions, 'traced'> = {}): Promise<{ code: string }> {
  const file = join(CACHE, `${bundleKey(options)}${options.traced ? '.traced' : ''}.js`);
  try {
    if (statSync(file).size > 0) return { code: readFileSync(file, 'utf8') };
  } catch {
    // not made yet
  }
  const code = await bundleWorkflows(options);
  mkdirSync(CACHE, { recursive: true });
  // Another test process may make the same bundle at once: write aside, then rename (atomic).
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, code);
  renameSync(partial, file);
  prune();
  return { code };
}

/** Keeps the cache to the newest few bundles (each edit of a source makes new ones). */
function prune(keep = 6): void {
  const files = readdirSync(CACHE)
    .filter((name) => name.endsWith('.js'))
    .map((name) => ({ path: join(CACHE, name), at: statSync(join(CACHE, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { path } of files.slice(keep)) rmSync(path, { force: true });
}
