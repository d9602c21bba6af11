import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadWorkerConfig } from '../../src/config';
import { createPrisma } from '../../src/db/prisma';
import { startLocalPostmark, type LocalPostmark } from '../../src/dev/local-postmark';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/dev/temporal-dev-server';
import { buildWorker } from '../../src/worker/build-worker';
import { createWorkerDeps, type WorkerDepsOverrides } from '../../src/worker/worker-deps';
import { testEnv } from './test-env';
import { bundleWorkflowsFromSource } from './workflow-bundle';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

/**
 * For a test file that runs the worker as its own process (src/worker.ts): a Temporal dev server
 * of the file's own, a local Postmark, a client and a database pool, opened before its tests and
 * closed after them (worker processes left running are killed).
 */
export function workerProcessStack(name: string) {
  const children: ChildProcess[] = [];
  const stack = {
    secret: `whsec_test_${name}`,
    taskQueue: `${name}-${randomUUID()}`,
    db: createPrisma(testEnv.databaseUrl, { max: 2 }),
    temporal: undefined as unknown as TemporalDevServer,
    postmark: undefined as unknown as LocalPostmark,
    client: undefined as unknown as Client,
    /** The worker's whole environment, as production gives it. */
    workerEnv: (): NodeJS.ProcessEnv => ({
      DATABASE_URL: testEnv.databaseUrl,
      TEMPORAL_ADDRESS: stack.temporal.address,
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      STRIPE_SECRET_KEY: `sk_test_${name}`,
      STRIPE_API_BASE: testEnv.stripeApiBase,
      POSTMARK_SERVER_TOKEN: 'local-postmark-token',
      POSTMARK_API_URL: stack.postmark.url,
      POSTMARK_FROM: 'hello@saas.example',
      WORKER_METRICS_ADDRESS: 'off',
      RECONCILE_EVERY: 'off',
      LOG_LEVEL: 'info',
    }),
    startWorker: (): Promise<WorkerProcess> => startWorkerProcess(stack.workerEnv(), children),
    /** The next deploy's worker, in this process with the same environment, running until `done` settles. */
    async runNextWorkerUntil(done: Promise<unknown>, options: { maxActivityAttempts: number; overrides?: WorkerDepsOverrides }) {
      const resources = createWorkerDeps(loadWorkerConfig(stack.workerEnv()), options.overrides);
      const connection = await NativeConnection.connect({ address: stack.temporal.address });
      try {
        const worker = await buildWorker({
          connection,
          namespace: 'default',
          taskQueue: stack.taskQueue,
          deps: resources.deps,
          workflowBundle: await bundleWorkflowsFromSource(),
          maxActivityAttempts: options.maxActivityAttempts,
        });
        await worker.runUntil(done);
      } finally {
        await connection.close();
        await resources.close();
      }
    },
  };
  beforeAll(async () => {
    [stack.temporal, stack.postmark] = await Promise.all([startTemporalDevServer({ uiPort: null }), startLocalPostmark()]);
    stack.client = new Client({ connection: await Connection.connect({ address: stack.temporal.address }) });
  }, 60_000);
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await stack.client?.connection.close();
    await stack.db.$disconnect();
    await Promise.allSettled([stack.temporal?.stop(), stack.postmark?.close()]);
  });
  return stack;
}
