import { buildApp, buildMetricsApp } from './app';
import { createWebhookMetrics } from './http/webhook-metrics';
import { registerFulfillmentGauges } from './http/fulfillment-gauges';
import { createStripeClient } from './clients/stripe';
import { createTemporalClient } from './clients/temporal';
import { createRunStatusReader } from './temporal/run-status';
import { acceptedLivemode, loadApiConfig, stepPolicy } from './config';
import { createPrismaOverPool } from './db/prisma';
import { createLogger } from './log';
import { onShutdown } from './shutdown';
import { startTracing } from './telemetry/tracing';
import { createFulfillmentStarter } from './temporal/start-fulfillment';

/** The webhook API process: `npm run start:api`. */
async function main(): Promise<void> {
  const config = loadApiConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const tracing = await startTracing('stripe-fulfillment-api', config);
  const { db, pool } = createPrismaOverPool(config.DATABASE_URL);
  const temporal = createTemporalClient(config, { tracing: tracing !== undefined });
  const fulfillments = createFulfillmentStarter(temporal, config.TEMPORAL_TASK_QUEUE, stepPolicy(config));
  const livemode = acceptedLivemode(config);
  if (livemode === undefined) logger.warn('STRIPE_MODE is not set (nor STRIPE_SECRET_KEY): events of both test and live mode are accepted');
  const acceptedEvents = { livemode, connectAccounts: config.STRIPE_CONNECT_ACCOUNTS };
  const metrics = createWebhookMetrics();
  const checkoutStatus = {
    stripe: config.STRIPE_SECRET_KEY ? createStripeClient(config.STRIPE_SECRET_KEY, config.STRIPE_API_BASE) : undefined,
    runStatus: createRunStatusReader(temporal),
    corsOrigins: config.CHECKOUT_STATUS_CORS_ORIGINS,
    ratePerMinute: config.CHECKOUT_STATUS_RATE_LIMIT,
  };
  if (!checkoutStatus.stripe)
    logger.warn('STRIPE_SECRET_KEY is not set: GET /checkout/sessions/:id knows only the sessions the webhook delivered');
  const app = await buildApp({
    db,
    fulfillments,
    webhookSecrets: config.STRIPE_WEBHOOK_SECRET,
    acceptedEvents,
    metrics,
    logger,
    checkoutStatus,
    access: { tokens: config.ACCESS_API_TOKENS, pool },
    trustProxyHops: config.TRUST_PROXY_HOPS,
    tracing: tracing !== undefined,
  });
  // Open fulfillments by status and the last reconcile run, read from Temporal when scraped.
  if (config.METRICS_PORT !== null) registerFulfillmentGauges(metrics.registry, temporal, config.TEMPORAL_TASK_QUEUE);
  const metricsApp = config.METRICS_PORT === null ? null : await buildMetricsApp(metrics);

  onShutdown(logger, async () => {
    await app.close();
    await metricsApp?.close();
    await temporal.connection.close();
    await db.$disconnect();
    await tracing?.shutdown();
  });
  if (config.payloadKeys.length === 0) {
    logger.warn('payload encryption is off: buyers’ emails and names reach Temporal’s histories in plaintext (set PAYLOAD_KEYS)');
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  if (metricsApp && config.METRICS_PORT !== null) await metricsApp.listen({ port: config.METRICS_PORT, host: config.METRICS_HOST });
  logger.info(
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      temporal: config.TEMPORAL_ADDRESS,
      payloadEncryption: config.payloadKeys[0] ? { keyId: config.payloadKeys[0].id, keys: config.payloadKeys.length } : 'off',
      tracing: tracing ? 'otlp' : 'off',
      accessCheck: config.ACCESS_API_TOKENS.length > 0 ? 'on' : 'off (ACCESS_API_TOKENS unset)',
    },
    'webhook API ready on POST /webhooks/stripe, GET /checkout/sessions/:id and GET /access',
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
