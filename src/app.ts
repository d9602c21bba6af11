import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { PrismaClient } from './generated/prisma/client';
import { registerErrorHandler } from './http/error-handler';
import { healthRoutes } from './http/health-routes';
import { stripeWebhookRoute } from './http/stripe-webhook-route';
import { createWebhookMetrics, metricsRoute, type WebhookMetrics } from './http/webhook-metrics';
import type { FulfillmentStarter } from './temporal/start-fulfillment';
import type { AcceptedEvents } from './http/accepted-events';
import { requestTracing } from './telemetry/request-tracing';
import { checkoutStatusRoute } from './http/checkout-status-route';
import { accessRoutes } from './http/access-routes';
import type { Pool } from 'pg';
import type Stripe from 'stripe';

export interface AppDeps {
  db: PrismaClient;
  fulfillments: FulfillmentStarter;
  webhookSecrets: string[];
  /** Which events are ours (see stripe-webhook-route); absent: every verified event. */
  acceptedEvents?: AcceptedEvents;
  /** The webhook's counters; src/server.ts serves them on the metrics port (buildMetricsApp). */
  metrics?: WebhookMetrics;
  /** The landing page's GET /checkout/sessions/:id (see http/checkout-status-route.ts). */
  checkoutStatus?: {
    /** Absent: only sessions the webhook delivered are known (STRIPE_SECRET_KEY unset). */
    stripe?: Stripe;
    runStatus(workflowId: string): Promise<string | null>;
    corsOrigins: string[];
    ratePerMinute: number;
  };
  /** The product's check, GET /access (http/access-routes.ts): on with ACCESS_API_TOKENS; absent, its paths are 404.
   *  `pool`: the pool under `db` (createPrismaOverPool), where the check is a prepared statement; absent, Prisma runs it. */
  access?: { tokens: string[]; pool?: Pool };
  /** Proxies in front of the API whose X-Forwarded-For is believed (the rate limit keys on the client's address). */
  trustProxyHops?: number;
  /** How long /readyz reuses a probe's answer (default READINESS_TTL_MS, src/http/readiness.ts). */
  readinessTtlMs?: number;
  /** Omit for a silent app (tests). */
  logger?: FastifyBaseLogger;
  /** A span per request and its trace id on the request's log lines (when OTEL_* switch export on). */
  tracing?: boolean;
}

/** Builds the HTTP app over its dependencies. Listening is src/server.ts's job. */
export async function buildApp({
  logger,
  metrics = createWebhookMetrics(),
  checkoutStatus,
  access,
  trustProxyHops = 0,
  tracing = false,
  ...deps
}: AppDeps) {
  // One log line per webhook (the route's, with the event id and outcome; the error handler's
  // for a rejected or failed one), not Fastify's two per request besides: they cost the API
  // more CPU than the database insert and say less. (Through a LogController: the
  // top-level `disableRequestLogging` option prints a deprecation warning since fastify 5.7.)
  // The client's address is the one `trustProxyHops` proxies in from the right of X-Forwarded-For.
  const trustProxy = trustProxyHops > 0 ? (_address: string, hop: number) => hop < trustProxyHops : false;
  const app = Fastify(
    logger
      ? { loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }), trustProxy }
      : { logger: false, trustProxy },
  );
  registerErrorHandler(app);
  // Not app.register: its hooks must reach every route, not stay in a plugin's scope.
  if (tracing) await requestTracing(app);
  await app.register(healthRoutes, deps);
  await app.register(stripeWebhookRoute, { ...deps, metrics });
  if (checkoutStatus) await app.register(checkoutStatusRoute, { ...deps, ...checkoutStatus, trustsProxies: trustProxyHops > 0 });
  if (access && access.tokens.length > 0) await app.register(accessRoutes, { source: access.pool ?? deps.db, tokens: access.tokens });
  return app;
}

/** GET /metrics on a port of its own (METRICS_PORT): never on the public webhook port. */
export async function buildMetricsApp(metrics: WebhookMetrics) {
  const app = Fastify({ logger: false });
  await app.register(metricsRoute, { metrics });
  return app;
}
