import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { testEnv } from '../support/test-env';

const dir = join(__dirname, '../fixtures/histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

/**
 * Recorded histories of real fulfillments (scripts/record-history.ts) replayed against
 * today's workflow code: a change that would break running workflows fails here.
 */
describe('workflow determinism', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('replays %s without a non-determinism error', async (file) => {
    const history = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: testEnv.workflowBundlePath } }, history, file),
    ).resolves.toBeUndefined();
  });
});
