import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadWorkerConfig } from '../../src/config';
import { createPrisma } from '../../src/db/prisma';
import { startLocalPostmark, type LocalPostmark } from '../../src/dev/local-postmark';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/dev/temporal-dev-server';
import { buildWorker } from '../../src/worker/build-worker';
import { createWorkerDeps, type WorkerDepsOverrides } from '../../src/worker/worker-deps';
import { startServiceProcess, workerEnv } from './stack/service-processes';
import type { NodeProcess } from './stack/spawn-node';
import { testEnv } from './test-env';
import { bundleWorkflowsFromSource } from './workflow-bundle';

/**
 * For a test file that runs the worker as its own process (src/worker.ts): a Temporal dev server
 * of the file's own, a local Postmark, a client and a database pool, opened before its tests and
 * closed after them (worker processes left running are killed).
 */
export function workerProcessStack(name: string) {
  const children: NodeProcess[] = [];
  const stack = {
    secret: `whsec_test_${name}`,
    taskQueue: `${name}-${randomUUID()}`,
    db: createPrisma(testEnv.databaseUrl, { max: 2 }),
    temporal: undefined as unknown as TemporalDevServer,
    postmark: undefined as unknown as LocalPostmark,
    client: undefined as unknown as Client,
    /** The worker's whole environment, as production gives it. */
    workerEnv: (): Record<string, string> =>
      workerEnv({
        databaseUrl: testEnv.databaseUrl,
        temporalAddress: stack.temporal.address,
        taskQueue: stack.taskQueue,
        stripeApiBase: testEnv.stripeApiBase,
        postmarkUrl: stack.postmark.url,
      }),
    /** src/worker.ts as its own process; resolves once it polls (afterAll kills what is left). */
    startWorker: (): Promise<NodeProcess> =>
      startServiceProcess('worker', stack.workerEnv()).then((worker) => (children.push(worker), worker)),
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
    await Promise.all(children.map((child) => child.stop('SIGKILL')));
    await stack.client?.connection.close();
    await stack.db.$disconnect();
    await Promise.allSettled([stack.temporal?.stop(), stack.postmark?.close()]);
  });
  return stack;
}
