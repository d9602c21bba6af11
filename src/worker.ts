import { NativeConnection, Runtime } from '@temporalio/worker';
import { temporalConnectionOptions } from './clients/temporal';
import { loadWorkerConfig, templateAliases } from './config';
import { checkTemplates } from './emails/postmark-templates';
import { createLogger } from './log';
import { onShutdown } from './shutdown';
import { startTracing } from './telemetry/tracing';
import { ensureAccessSweepSchedule } from './temporal/access-sweep-schedule';
import { ensureReconcileSchedule } from './temporal/reconcile-schedule';
import { buildWorker } from './worker/build-worker';
import { lowerCpuPriority } from './worker/cpu-priority';
import { temporalLogger } from './worker/temporal-logger';
import { createWorkerDeps } from './worker/worker-deps';
import { loadWorkflowBundle } from './worker/workflow-bundle';

/** The worker process: `npm run start:worker`. Scale it by running more of them. */
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  const tracing = await startTracing('stripe-fulfillment-worker', config);
  Runtime.install({
    logger: temporalLogger(logger),
    ...(config.WORKER_METRICS_ADDRESS && { telemetryOptions: { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS } } } }),
  });
  // The API answers Stripe first when both want the CPU (WORKER_NICE); threads made later inherit it.
  lowerCpuPriority(config.WORKER_NICE);
  const resources = createWorkerDeps(config);
  // Refuses to start (naming the alias) when Postmark lacks a template the worker sends.
  const templates = await checkTemplates(resources.deps.postmark, templateAliases(config)).catch(async (err: unknown) => {
    await resources.close();
    throw err;
  });
  if (templates.unreachable) logger.warn({ error: templates.unreachable }, 'could not list the Postmark templates; starting anyway');
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const schedule = await ensureReconcileSchedule(resources.temporal, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    everyMs: config.RECONCILE_EVERY,
    lookbackMs: config.RECONCILE_LOOKBACK,
  });
  logger.info({ schedule, every: config.RECONCILE_EVERY, lookback: config.RECONCILE_LOOKBACK }, 'reconcile schedule');
  // Access events to the product: on with APP_WEBHOOK_URL (docs/integration.md), their sweep with them.
  const sweep = await ensureAccessSweepSchedule(resources.temporal, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    everyMs: config.APP_WEBHOOK_URL ? config.APP_WEBHOOK_SWEEP_EVERY : null,
  });
  logger.info({ schedule: sweep, accessEvents: config.APP_WEBHOOK_URL ? 'on' : 'off' }, 'access events sweep schedule');
  const worker = await buildWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deps: resources.deps,
    workflowBundle: await loadWorkflowBundle({ traced: tracing !== undefined }),
    payloadKeys: config.payloadKeys,
    shutdownGraceMs: config.WORKER_SHUTDOWN_GRACE,
    maxConcurrentActivities: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivities: config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    tracing,
  });
  const lowered = lowerCpuPriority(config.WORKER_NICE);

  // worker.shutdown() only asks: the run resolves once polling stopped and running activities
  // finished (or the grace ran out); only then are the pools closed and the process exits.
  const stopped = worker.run().finally(async () => {
    await connection.close();
    await resources.close();
    await tracing?.shutdown();
  });
  if (config.payloadKeys.length === 0) {
    logger.warn('payload encryption is off: buyers’ emails and names reach Temporal’s histories in plaintext (set PAYLOAD_KEYS)');
  }
  onShutdown(logger, async () => {
    worker.shutdown();
    await stopped;
  });
  logger.info(
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      temporal: config.TEMPORAL_ADDRESS,
      catalog: config.CATALOG_PATH,
      payloadEncryption: config.payloadKeys[0] ? { keyId: config.payloadKeys[0].id, keys: config.payloadKeys.length } : 'off',
      nice: { value: config.WORKER_NICE, threads: lowered },
      tracing: tracing ? 'otlp' : 'off',
    },
    'worker polling',
  );
  await stopped;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
