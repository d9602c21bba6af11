import { NativeConnection, Runtime } from '@temporalio/worker';
import { Catalog } from './catalog/catalog';
import { createPostmarkClient } from './clients/postmark';
import { createStripeClient } from './clients/stripe';
import { createTemporalClient } from './clients/temporal';
import { loadWorkerConfig } from './config';
import { createPrisma } from './db/prisma';
import { createLogger } from './log';
import { onShutdown } from './shutdown';
import { createFulfillmentStarter } from './temporal/start-fulfillment';
import { ensureReconcileSchedule } from './temporal/reconcile-schedule';
import { buildWorker } from './worker/build-worker';
import { temporalLogger } from './worker/temporal-logger';

/** The worker process: `npm run start:worker`. Scale it by running more of them. */
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  Runtime.install({
    logger: temporalLogger(logger),
    ...(config.WORKER_METRICS_ADDRESS && { telemetryOptions: { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS } } } }),
  });
  const catalog = Catalog.fromFile(config.CATALOG_PATH);
  const db = createPrisma(config.DATABASE_URL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = createTemporalClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const schedule = await ensureReconcileSchedule(client, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    everyMs: config.RECONCILE_EVERY,
    lookbackMs: config.RECONCILE_LOOKBACK,
  });
  logger.info({ schedule, every: config.RECONCILE_EVERY, lookback: config.RECONCILE_LOOKBACK }, 'reconcile schedule');
  const worker = await buildWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    maxActivityAttempts: config.ACTIVITY_MAX_ATTEMPTS,
    deps: {
      db,
      catalog,
      stripe: createStripeClient(config.STRIPE_SECRET_KEY, config.STRIPE_API_BASE),
      postmark: createPostmarkClient(config.POSTMARK_SERVER_TOKEN, config.POSTMARK_API_URL),
      mail: {
        from: config.POSTMARK_FROM,
        welcomeTemplate: config.POSTMARK_WELCOME_TEMPLATE,
        paymentFailedTemplate: config.POSTMARK_PAYMENT_FAILED_TEMPLATE,
      },
      access: { pastDueGraceMs: config.PAST_DUE_GRACE_PERIOD },
      fulfillments: createFulfillmentStarter(client, config.TEMPORAL_TASK_QUEUE),
    },
  });

  onShutdown(logger, async () => worker.shutdown());
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS, catalog: config.CATALOG_PATH }, 'worker polling');
  await worker.run();
  await connection.close();
  await client.connection.close();
  await db.$disconnect();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
