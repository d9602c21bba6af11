/**
 * Second half of `npm run build` (run by tsx, a build-time dev dependency): bundles the
 * workflow code once, into dist/workflow-bundle.js and, with the tracing interceptors, into
 * dist/workflow-bundle.traced.js; the compiled worker loads one of them
 * (src/worker/workflow-bundle.ts) instead of running webpack at every boot.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { BUNDLE_FILES, bundleWorkflows } from '../src/worker/workflow-bundle';

async function main(): Promise<void> {
  for (const traced of [false, true]) {
    const code = await bundleWorkflows({ traced });
    const out = resolve(__dirname, '../dist', traced ? BUNDLE_FILES.traced : BUNDLE_FILES.plain);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, code);
    console.log(`workflow bundle: ${relative(process.cwd(), out)} (${Math.round(code.length / 1024)} KiB)`);
  }
}

main().catch((err: unknown) => {
  console.error(`workflow bundle failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
