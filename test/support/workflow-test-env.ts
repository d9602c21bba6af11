import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Activities } from '../../workflows/activity-calls';
import { startTemporalDevServer, type TemporalDevServer } from '../../devstack/temporal-dev-server';
import { statusQuery, WorkflowType, type FulfillmentInput, type FulfillmentState, type FulfillmentSummary } from '../../src/contracts';
import { tracingSinks } from '../../src/worker/build-worker';
import { redactFailures } from '../../src/worker/redact-failures';
import { eventually } from './eventually';
import './quiet-runtime';
import { bundleWorkflowsFromSource } from './workflow-bundle';

/**
 * The workflows on a Temporal dev server of this test file's own, with activities the test
 * writes: for workflow logic (order of steps, Retrying, NeedsAttention, operator Updates) without
 * the database, Stripe or Postmark. The doubles are typed as the real activities; every duration a
 * run waits comes in its input's `policy` (test/support/workflow-inputs.ts), so no test waits for
 * a real-time timer.
 */
async function startWorkflowTestEnv() {
  let server: TemporalDevServer | undefined;
  try {
    let bundle: { code: string };
    [server, bundle] = await Promise.all([startTemporalDevServer({ uiPort: null }), bundleWorkflowsFromSource()]);
    const connection = await NativeConnection.connect({ address: server.address });
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const started = server;
    return {
      client,
      /** Runs a worker with these activities (on a fresh task queue) while `fn` runs. */
      async withWorker<T>(activities: Partial<Activities>, fn: (taskQueue: string) => Promise<T>): Promise<T> {
        const taskQueue = `unit-${randomUUID()}`;
        const worker = await Worker.create({
          connection,
          taskQueue,
          workflowBundle: bundle,
          activities,
          interceptors: { activity: [redactFailures] },
          sinks: tracingSinks(),
        });
        return worker.runUntil(fn(taskQueue));
      },
      /** Starts `fulfillCheckout` for this input on the worker's task queue. */
      startCheckout(
        taskQueue: string,
        input: FulfillmentInput,
      ): Promise<WorkflowHandle<(i: FulfillmentInput) => Promise<FulfillmentSummary>>> {
        return client.workflow.start<(i: FulfillmentInput) => Promise<FulfillmentSummary>>(WorkflowType.fulfillCheckout, {
          taskQueue,
          workflowId: input.eventId,
          args: [input],
        });
      },
      /** The run's `status` query once `until` holds (within 15 s). */
      statusWhen(eventId: string, until: (state: FulfillmentState) => boolean): Promise<FulfillmentState> {
        return eventually(() => client.workflow.getHandle(eventId).query(statusQuery), until, { timeoutMs: 15_000 });
      },
      /** The run's failure (it must fail). */
      async failureOf(handle: WorkflowHandle): Promise<unknown> {
        return handle.result().then(
          (result: unknown) => Promise.reject(new Error(`expected ${handle.workflowId} to fail; it returned ${JSON.stringify(result)}`)),
          (err: unknown) => err,
        );
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

/**
 * The test file's workflow environment, started before its tests and stopped after them:
 * `const env = useWorkflowTestEnv();` then `env().withWorker(…)` inside a test.
 */
export function useWorkflowTestEnv(): () => WorkflowTestEnv {
  let env: WorkflowTestEnv | undefined;
  beforeAll(async () => {
    env = await startWorkflowTestEnv();
  }, 90_000);
  afterAll(() => env?.close());
  return () => {
    if (!env) throw new Error('the workflow test environment did not start (see beforeAll)');
    return env;
  };
}
