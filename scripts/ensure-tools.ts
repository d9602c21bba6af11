/**
 * Makes sure the developer tools the tests and `npm run dev` use are present, building
 * the missing ones into .tools/bin with `go install` (first run only; a few minutes).
 * `--cluster` adds the Temporal server and its SQL tool (the cluster suite's) and Toxiproxy's
 * server (the gray-failure fault suite's): a few minutes more, once, which `npm test` asks for
 * and `npm run dev` does not.
 */
import { ensureTool, STRIPE_MOCK, TEMPORAL_CLI, TEMPORAL_SERVER, TEMPORAL_SQL_TOOL, TOXIPROXY_SERVER } from '../devstack/tools';

async function main(): Promise<void> {
  const cluster = process.argv.includes('--cluster') ? [TEMPORAL_SERVER, TEMPORAL_SQL_TOOL, TOXIPROXY_SERVER] : [];
  for (const tool of [TEMPORAL_CLI, STRIPE_MOCK, ...cluster]) {
    const path = await ensureTool(tool, (msg) => console.log(`[tools] ${msg}`));
    console.log(`[tools] ${tool.binary}: ${path}`);
  }
}

main().catch((err: unknown) => {
  console.error(`[tools] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
