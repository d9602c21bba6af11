/**
 * Second half of `npm run build` (run by tsx, a build-time dev dependency): bundles the
 * workflow code once into dist/workflow-bundle.js, which the compiled worker loads
 * (src/worker/workflow-bundle.ts) instead of running webpack at every boot.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { bundleWorkflows } from '../src/worker/workflow-bundle';

const OUT = resolve(__dirname, '../dist/workflow-bundle.js');

async function main(): Promise<void> {
  const code = await bundleWorkflows(require.resolve('../workflows'));
  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(OUT, code);
  console.log(`workflow bundle: ${relative(process.cwd(), OUT)} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err: unknown) => {
  console.error(`workflow bundle failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
