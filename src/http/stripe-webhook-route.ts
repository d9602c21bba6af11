import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../generated/prisma/client';
import { recordDelivery } from '../db/event-ledger';
import { routeEvent } from '../stripe/event-router';
import { TemporalUnavailableError, type FulfillmentStarter } from '../temporal/start-fulfillment';
import { HttpError } from './http-error';
import { verifyStripeEvent } from './verify-signature';

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface StripeWebhookDeps {
  db: PrismaClient;
  fulfillments: FulfillmentStarter;
  webhookSecrets: string[];
}

/**
 * POST /webhooks/stripe: verify, record, start the workflow, answer. All the work of
 * fulfilling happens in the workflow; this path does one database round trip and one
 * Temporal call so Stripe gets its answer in milliseconds.
 */
export async function stripeWebhookRoute(app: FastifyInstance, deps: StripeWebhookDeps): Promise<void> {
  // The signature covers the exact bytes Stripe sent, so keep them unparsed, whatever the content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.post('/webhooks/stripe', { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request) => {
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const event = verifyStripeEvent(rawBody, request.headers['stripe-signature'], deps.webhookSecrets);
    const log = request.log.child({ eventId: event.id, eventType: event.type, account: event.account });

    const decision = routeEvent(event);
    if (decision.action === 'ignore') {
      log.info({ reason: decision.reason }, 'webhook ignored');
      return { received: true, ignored: true };
    }

    const status = await recordDelivery(deps.db, event).catch((err: unknown) => {
      throw new HttpError(503, 'database_unavailable', 'could not record the event', { cause: err });
    });
    if (status === 'completed') {
      log.info({ workflowId: event.id }, 'webhook duplicate of a completed fulfillment');
      return { received: true, workflowId: event.id, duplicate: true };
    }

    const outcome = await deps.fulfillments.start(decision.start).catch((err: unknown) => {
      if (err instanceof TemporalUnavailableError) throw new HttpError(503, 'temporal_unavailable', err.message, { cause: err });
      throw err;
    });
    log.info({ workflowId: outcome.workflowId, workflowType: decision.start.workflowType, duplicate: outcome.duplicate }, 'webhook accepted');
    return { received: true, workflowId: outcome.workflowId, duplicate: outcome.duplicate };
  });
}
