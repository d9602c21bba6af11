/**
 * Saves a finished workflow's history as a replay fixture (test/fixtures/histories):
 *   npx tsx scripts/record-history.ts <workflowId> <fixture-name>
 * Uses the Temporal CLI (`temporal workflow show --output json`) against TEMPORAL_ADDRESS
 * (default localhost:7233) and TEMPORAL_NAMESPACE (default `default`).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTool, TEMPORAL_CLI } from '../src/dev/tools';

async function main(): Promise<void> {
  const [workflowId, name] = process.argv.slice(2);
  if (!workflowId || !name) throw new Error('usage: tsx scripts/record-history.ts <workflowId> <fixture-name>');
  const temporal = await ensureTool(TEMPORAL_CLI);
  const json = execFileSync(
    temporal,
    ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json',
      '--address', process.env.TEMPORAL_ADDRESS ?? 'localhost:7233', '--namespace', process.env.TEMPORAL_NAMESPACE ?? 'default'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const file = join(__dirname, '../test/fixtures/histories', `${name}.json`);
  writeFileSync(file, json);
  console.log(`wrote ${file} (${(JSON.parse(json) as { events: unknown[] }).events.length} events)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
