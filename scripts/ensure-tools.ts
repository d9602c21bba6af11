/**
 * Makes sure the developer tools the tests and `npm run dev` use are present, building
 * the missing ones into .tools/bin with `go install` (first run only; a few minutes).
 */
import { ensureTool, STRIPE_MOCK, TEMPORAL_CLI } from '../src/dev/tools';

async function main(): Promise<void> {
  for (const tool of [TEMPORAL_CLI, STRIPE_MOCK]) {
    const path = await ensureTool(tool, (msg) => console.log(`[tools] ${msg}`));
    console.log(`[tools] ${tool.binary}: ${path}`);
  }
}

main().catch((err: unknown) => {
  console.error(`[tools] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
