import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../generated/prisma/client';
import { acceptEvent, LedgerUnavailableError } from '../ingest/accept-event';
import { TemporalUnavailableError, type FulfillmentStarter } from '../temporal/start-fulfillment';
import { HttpError } from './http-error';
import { foreignEventReason, type AcceptedEvents } from './accepted-events';
import { verifyStripeEvent } from './verify-signature';
import { describeRequestSpan, inRequestSpan } from '../telemetry/request-tracing';
import type { WebhookMetrics } from './webhook-metrics';

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface StripeWebhookDeps {
  db: PrismaClient;
  fulfillments: FulfillmentStarter;
  webhookSecrets: string[];
  acceptedEvents?: AcceptedEvents;
  metrics?: WebhookMetrics;
}

/**
 * POST /webhooks/stripe: verify, then acceptEvent (record, start the workflow), answer.
 * All the work happens in the workflow; this path does one database round trip and one
 * Temporal call so Stripe gets its answer in milliseconds.
 */
export async function stripeWebhookRoute(app: FastifyInstance, deps: StripeWebhookDeps): Promise<void> {
  // The signature covers the exact bytes Stripe sent, so keep them unparsed, whatever the content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));

  // Counted on every answer, errors included (they are produced by the error handler).
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === '/webhooks/stripe') deps.metrics?.observe(request, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.post('/webhooks/stripe', { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request) => {
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const event = verifyStripeEvent(rawBody, request.headers['stripe-signature'], deps.webhookSecrets);
    deps.metrics?.noteEventType(request, event.type);
    describeRequestSpan(request, { 'stripe.event_id': event.id, 'stripe.event_type': event.type });
    const log = request.log.child({ eventId: event.id, eventType: event.type, account: event.account });
    // Signed with our secret but not ours to fulfil (the other mode, a stranger's account):
    // acknowledged so Stripe stops retrying, logged and counted, never started.
    const foreign = foreignEventReason(event, deps.acceptedEvents);
    if (foreign) {
      deps.metrics?.ignored(foreign);
      log.warn({ reason: foreign, livemode: event.livemode }, 'webhook ignored: not an event of this service');
      return { received: true, ignored: true };
    }

    // Inside the request's span: the workflow start (and so the workflow) joins its trace.
    const accepted = await inRequestSpan(request, () => acceptEvent(deps, event)).catch((err: unknown) => {
      if (err instanceof LedgerUnavailableError)
        throw new HttpError(503, 'database_unavailable', 'could not record the event', { cause: err });
      if (err instanceof TemporalUnavailableError) throw new HttpError(503, 'temporal_unavailable', err.message, { cause: err });
      throw err;
    });
    if (accepted.outcome === 'ignored') {
      log.info({ reason: accepted.reason }, 'webhook ignored');
      return { received: true, ignored: true };
    }
    const duplicate = accepted.outcome === 'duplicate';
    log.info(
      { workflowId: accepted.workflowId, workflowType: accepted.workflowType, duplicate },
      duplicate ? 'webhook duplicate' : 'webhook accepted',
    );
    return { received: true, workflowId: accepted.workflowId, duplicate };
  });
}
