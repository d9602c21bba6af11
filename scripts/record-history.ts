/**
 * Saves a finished workflow's history as a replay fixture:
 *   npx tsx scripts/record-history.ts <workflowId> <fixture-name>
 * Reads TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (defaults: localhost:7233, default).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

async function main(): Promise<void> {
  const [workflowId, name] = process.argv.slice(2);
  if (!workflowId || !name) throw new Error('usage: tsx scripts/record-history.ts <workflowId> <fixture-name>');
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
  try {
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const file = join(__dirname, '../test/fixtures/histories', `${name}.json`);
    writeFileSync(file, historyToJSON(history) + '\n');
    console.log(`wrote ${file} (${history.events?.length ?? 0} events)`);
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
