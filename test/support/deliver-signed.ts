import type { FastifyInstance } from 'fastify';
import { signPayload } from '../../devstack/sample-events';

/** POSTs `event` to an app's webhook, signed with `secret` as Stripe signs it (for apps a test builds itself). */
export function deliverSigned(app: FastifyInstance, event: object, secret: string) {
  const body = JSON.stringify(event);
  return app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'stripe-signature': signPayload(body, secret) }, payload: body });
}
