import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import { buildApp, buildMetricsApp } from '../../../src/app';
import { createWebhookMetrics } from '../../../src/http/webhook-metrics';
import { Catalog, type CatalogData } from '../../../src/catalog/catalog';
import { loadWorkerConfig, stepPolicy } from '../../../src/config';
import { createPrismaOverPool } from '../../../src/db/prisma';
import { payloadDataConverter } from '../../../src/temporal/payload-codec';
import { createFulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { buildWorker } from '../../../src/worker/build-worker';
import { createWorkerDeps } from '../../../src/worker/worker-deps';
import { createRunStatusReader } from '../../../src/temporal/run-status';
import { createStripeClient } from '../../../src/clients/stripe';
import type { FastifyBaseLogger } from 'fastify';
import type { Tracing } from '../../../src/telemetry/tracing';

export interface InProcessServiceOptions {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  webhookSecret: string;
  catalog: CatalogData;
  stripeApiBase: string;
  postmarkUrl: string;
  workflowBundle: NonNullable<WorkerOptions['workflowBundle']>;
  postmarkTimeoutSeconds?: number;
  /** POSTMARK_SEARCH_LAG: how long after a lost answer a "not found" from Postmark's search is believed (default 0: the stand-in indexes at once). */
  postmarkSearchLagMs?: number;
  /** How long past_due keeps access (default 7 days); whole seconds. */
  pastDueGraceMs?: number;
  /** ACTIVITY_MAX_ATTEMPTS: attempts of a step in one round (default: the service's). */
  maxActivityAttempts?: number;
  /** RETRY_WINDOW (default: the service's); 0: an outage asks an operator after one round of attempts. */
  retryWindowMs?: number;
  /** ATTENTION_WAIT (default: the service's 30 days). */
  attentionWaitMs?: number;
  dbPoolSize?: number;
  /** PAYLOAD_KEYS (`id:base64key,…`): the worker and the client encrypt payloads. */
  payloadKeys?: string;
  /** Spans from the webhook to the activities go to this processor (src/telemetry/tracing.ts). */
  tracing?: Tracing;
  /** The API's logger (default: silent). */
  apiLogger?: FastifyBaseLogger;
  /** GET /checkout/sessions/:id's limits (defaults: 1000 a minute; origin https://app.example.test). */
  checkoutStatus?: { ratePerMinute?: number; corsOrigins?: string[] };
  /** APP_WEBHOOK_URL and APP_WEBHOOK_SECRETS: access events on, to this endpoint (default off). */
  appWebhook?: { url: string; secrets: string[] };
  /** ACCESS_API_TOKENS: GET /access on (default off). */
  accessApiTokens?: string[];
}

/**
 * The API and a worker in one process, wired by the worker's own `createWorkerDeps` from a
 * configuration validated like the worker's environment, for tests and benchmarks.
 * `restartWorker` redeploys the worker (e.g. with a new catalogue).
 */
export async function startInProcessService(options: InProcessServiceOptions) {
  const config = loadWorkerConfig({
    DATABASE_URL: options.databaseUrl,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    STRIPE_SECRET_KEY: 'sk_test_local',
    STRIPE_API_BASE: options.stripeApiBase,
    POSTMARK_SERVER_TOKEN: 'local-postmark-token',
    POSTMARK_API_URL: options.postmarkUrl,
    POSTMARK_FROM: 'hello@saas.example',
    WORKER_DB_POOL_SIZE: String(options.dbPoolSize ?? 5),
    ...(options.pastDueGraceMs !== undefined && { PAST_DUE_GRACE_PERIOD: `${Math.round(options.pastDueGraceMs / 1000)}s` }),
    ...(options.maxActivityAttempts !== undefined && { ACTIVITY_MAX_ATTEMPTS: String(options.maxActivityAttempts) }),
    ...(options.retryWindowMs !== undefined && { RETRY_WINDOW: `${Math.round(options.retryWindowMs)}ms` }),
    ...(options.attentionWaitMs !== undefined && { ATTENTION_WAIT: `${Math.round(options.attentionWaitMs)}ms` }),
    POSTMARK_SEARCH_LAG: `${Math.round(options.postmarkSearchLagMs ?? 0)}ms`,
    ...(options.payloadKeys !== undefined && { PAYLOAD_KEYS: options.payloadKeys }),
    ...(options.appWebhook && { APP_WEBHOOK_URL: options.appWebhook.url, APP_WEBHOOK_SECRETS: options.appWebhook.secrets.join(',') }),
  });
  const workerConnection = await NativeConnection.connect({ address: options.temporalAddress });
  const client = new Client({
    connection: await Connection.connect({ address: options.temporalAddress }),
    dataConverter: payloadDataConverter(config.payloadKeys),
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });

  let resources: ReturnType<typeof createWorkerDeps>;
  let worker: Worker;
  let running: Promise<void>;
  const startWorker = async (catalog: CatalogData) => {
    resources = createWorkerDeps(config, {
      catalog: Catalog.fromData(catalog),
      postmarkTimeoutSeconds: options.postmarkTimeoutSeconds,
    });
    worker = await buildWorker({
      connection: workerConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      deps: resources.deps,
      workflowBundle: options.workflowBundle,
      payloadKeys: config.payloadKeys,
      maxConcurrentActivities: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
      tracing: options.tracing,
      maxConcurrentLocalActivities: config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    worker.shutdown();
    await running;
    await resources.close();
  };
  await startWorker(options.catalog);

  // The API has its own pool, as its own process would; it outlives worker restarts.
  const { db, pool } = createPrismaOverPool(options.databaseUrl, { max: 5 });
  const metrics = createWebhookMetrics();
  const metricsApp = await buildMetricsApp(metrics);
  const app = await buildApp({
    metrics,
    db,
    fulfillments: createFulfillmentStarter(client, options.taskQueue, stepPolicy(config)),
    webhookSecrets: [options.webhookSecret],
    // The landing page's route asks Stripe (stripe-mock, or a test's local Stripe) as the API does.
    checkoutStatus: {
      stripe: createStripeClient('sk_test_local', options.stripeApiBase),
      runStatus: createRunStatusReader(client),
      corsOrigins: options.checkoutStatus?.corsOrigins ?? ['https://app.example.test'],
      ratePerMinute: options.checkoutStatus?.ratePerMinute ?? 1000,
    },
    access: options.accessApiTokens ? { tokens: options.accessApiTokens, pool } : undefined,
    tracing: options.tracing !== undefined,
    logger: options.apiLogger,
  });

  return {
    db,
    client,
    app,
    metricsApp,
    /** The worker's own wiring (e.g. the access-delivery starter), as the running worker has it. */
    workerDeps: () => resources.deps,
    async restartWorker(catalog: CatalogData) {
      await stopWorker();
      await startWorker(catalog);
    },
    async close() {
      await app.close();
      await metricsApp.close();
      await stopWorker();
      await workerConnection.close();
      await client.connection.close();
      await db.$disconnect();
    },
  };
}
