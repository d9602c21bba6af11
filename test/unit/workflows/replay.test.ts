import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import '../../support/quiet-runtime';
import { bundleWorkflowsFromSource } from '../../support/workflow-bundle';
import { fromRoot } from '../../support/paths';

const dir = fromRoot('test/fixtures/histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

let bundle: { code: string };
beforeAll(async () => {
  bundle = await bundleWorkflowsFromSource();
}, 60_000);

/**
 * Recorded histories of real fulfillments (scripts/record-histories.ts) replayed against
 * today's workflow code: a change that would break running workflows fails here.
 */
describe('workflow determinism', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('replays %s without a non-determinism error', async (file) => {
    const history = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, file)).resolves.toBeUndefined();
  });
});
