import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import { buildApp } from '../app';
import { Catalog, type CatalogData } from '../catalog/catalog';
import { createPostmarkClient } from '../clients/postmark';
import { createStripeClient } from '../clients/stripe';
import { createPrisma } from '../db/prisma';
import { createFulfillmentStarter } from '../temporal/start-fulfillment';
import { buildWorker } from '../worker/build-worker';

export interface InProcessServiceOptions {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  webhookSecret: string;
  catalog: CatalogData;
  stripeApiBase: string;
  postmarkUrl: string;
  postmarkTimeoutSeconds?: number;
  /** How long past_due keeps access (default 7 days). */
  pastDueGraceMs?: number;
  /** Activity attempts before NeedsAttention (default 10). */
  maxActivityAttempts?: number;
  workflowBundle?: WorkerOptions['workflowBundle'];
  dbPoolSize?: number;
}

/**
 * The API and a worker in one process, wired as src/server.ts and src/worker.ts wire them,
 * for tests and benchmarks. `restartWorker` redeploys the worker (e.g. with a new catalogue).
 */
export async function startInProcessService(options: InProcessServiceOptions) {
  const db = createPrisma(options.databaseUrl, { max: options.dbPoolSize ?? 5 });
  const workerConnection = await NativeConnection.connect({ address: options.temporalAddress });
  const client = new Client({ connection: await Connection.connect({ address: options.temporalAddress }) });
  const fulfillments = createFulfillmentStarter(client, options.taskQueue);
  const app = await buildApp({ db, fulfillments, webhookSecrets: [options.webhookSecret] });

  let worker: Worker;
  let running: Promise<void>;
  const startWorker = async (catalog: CatalogData) => {
    worker = await buildWorker({
      connection: workerConnection,
      namespace: 'default',
      taskQueue: options.taskQueue,
      workflowBundle: options.workflowBundle,
      maxActivityAttempts: options.maxActivityAttempts,
      deps: {
        db,
        catalog: Catalog.fromData(catalog),
        stripe: createStripeClient('sk_test_local', options.stripeApiBase),
        postmark: createPostmarkClient('local-postmark-token', options.postmarkUrl, options.postmarkTimeoutSeconds),
        mail: { from: 'hello@saas.example', welcomeTemplate: 'welcome', paymentFailedTemplate: 'payment-failed' },
        access: { pastDueGraceMs: options.pastDueGraceMs ?? 7 * 86_400_000 },
        fulfillments,
      },
    });
    running = worker.run();
  };
  await startWorker(options.catalog);

  return {
    db,
    client,
    app,
    async restartWorker(catalog: CatalogData) {
      worker.shutdown();
      await running;
      await startWorker(catalog);
    },
    async close() {
      await app.close();
      worker.shutdown();
      await running;
      await workerConnection.close();
      await client.connection.close();
      await db.$disconnect();
    },
  };
}
