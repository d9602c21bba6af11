import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Activities } from '../../workflows/activity-calls';
import { startTemporalDevServer, type TemporalDevServer } from '../../devstack/temporal-dev-server';
import { tracingSinks } from '../../src/worker/build-worker';
import { attemptLimit } from '../../src/worker/attempt-limit';
import './quiet-runtime';
import { bundleWorkflowsFromSource } from './workflow-bundle';

/**
 * The workflows on a Temporal dev server of this test file's own, with activities the test
 * writes: for workflow logic (order of steps, NeedsAttention, operator signals) without the
 * database, Stripe or Postmark. The doubles are typed as the real activities.
 */
export async function startWorkflowTestEnv() {
  let server: TemporalDevServer | undefined;
  try {
    let bundle: { code: string };
    [server, bundle] = await Promise.all([startTemporalDevServer({ uiPort: null }), bundleWorkflowsFromSource()]);
    const connection = await NativeConnection.connect({ address: server.address });
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const started = server;
    return {
      client,
      /** Runs a worker with these activities (on a fresh task queue) while `fn` runs. An outage is
       *  retried `maxActivityAttempts` times a round, for `retryWindowMs` (default 0: one round, then NeedsAttention). */
      async withWorker<T>(
        activities: Partial<Activities>,
        fn: (taskQueue: string) => Promise<T>,
        maxActivityAttempts = 2,
        retryWindowMs = 0,
      ): Promise<T> {
        const taskQueue = `unit-${randomUUID()}`;
        const worker = await Worker.create({
          connection,
          taskQueue,
          workflowBundle: bundle,
          activities,
          interceptors: { activity: [attemptLimit(maxActivityAttempts, retryWindowMs)] },
          sinks: tracingSinks(),
        });
        return worker.runUntil(fn(taskQueue));
      },
      async close() {
        await client.connection.close();
        await connection.close();
        await started.stop();
      },
    };
  } catch (err) {
    await server?.stop();
    throw err;
  }
}

export type WorkflowTestEnv = Awaited<ReturnType<typeof startWorkflowTestEnv>>;
