import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createPrisma } from '../../src/db/prisma';
import { startLocalPostmark, type LocalPostmark } from '../../src/dev/local-postmark';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/dev/temporal-dev-server';
import { testEnv } from './test-env';
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
