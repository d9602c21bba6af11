import { NativeConnection } from '@temporalio/worker';
import { loadWorkerConfig } from '../../../src/config';
import { buildWorker } from '../../../src/worker/build-worker';
import { createWorkerDeps, type WorkerDepsOverrides } from '../../../src/worker/worker-deps';
import { bundleWorkflowsFromSource } from '../workflow-bundle';
import type { ProcessStack } from './process-stack';

/**
 * The next deploy's worker, in this process with the stack's worker environment (so a test can
 * override its dependencies), polling the stack's task queue until `done` settles.
 */
export async function runNextWorkerUntil(
  stack: ProcessStack,
  done: Promise<unknown>,
  options: { overrides?: WorkerDepsOverrides } = {},
): Promise<void> {
  const config = loadWorkerConfig(stack.workerEnv());
  const resources = createWorkerDeps(config, options.overrides);
  const connection = await NativeConnection.connect({ address: stack.temporalAddress });
  try {
    const worker = await buildWorker({
      connection,
      namespace: 'default',
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      deps: resources.deps,
      workflowBundle: await bundleWorkflowsFromSource(),
    });
    await worker.runUntil(done);
  } finally {
    await connection.close();
    await resources.close();
  }
}
