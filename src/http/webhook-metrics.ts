import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { HANDLED_EVENT_TYPES } from '../stripe/event-router';
import type { ForeignReason } from './accepted-events';

/**
 * The API's Prometheus metrics: webhook outcomes by status code and event type, and the
 * webhook's latency. One registry per app (tests build several). Labels stay bounded:
 * event types we handle by name, any other verified type as `other`, and `unverified`
 * when the signature or body could not be read.
 */
export function createWebhookMetrics() {
  const registry = new Registry();
  // The event-loop lag sampler wakes the process every `precision` ms: 10 (the default) costs an
  // idle API about 10 ms of CPU a second; 100 still shows a lagging loop.
  collectDefaultMetrics({ register: registry, prefix: 'fulfillment_api_', eventLoopMonitoringPrecision: 100 });
  const requests = new Counter({
    name: 'stripe_webhook_requests_total',
    help: 'Stripe webhook deliveries answered, by HTTP status code and Stripe event type',
    labelNames: ['status_code', 'event_type'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'stripe_webhook_duration_seconds',
    help: 'Time to answer a Stripe webhook delivery, by HTTP status code',
    labelNames: ['status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const ignored = new Counter({
    name: 'stripe_webhook_ignored_total',
    help: 'Verified Stripe events acknowledged but not fulfilled because they are not ours, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const eventTypes = new WeakMap<FastifyRequest, string>();
  return {
    registry,
    /** The route tells which event a request carried, once its signature is verified. */
    noteEventType(request: FastifyRequest, type: string) {
      eventTypes.set(request, HANDLED_EVENT_TYPES.includes(type) ? type : 'other');
    },
    ignored(reason: ForeignReason) {
      ignored.inc({ reason });
    },
    observe(request: FastifyRequest, statusCode: number, seconds: number) {
      const code = String(statusCode);
      requests.inc({ status_code: code, event_type: eventTypes.get(request) ?? 'unverified' });
      duration.observe({ status_code: code }, seconds);
    },
  };
}

export type WebhookMetrics = ReturnType<typeof createWebhookMetrics>;

/** GET /metrics in Prometheus' text format. */
export async function metricsRoute(app: FastifyInstance, { metrics }: { metrics: WebhookMetrics }): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
