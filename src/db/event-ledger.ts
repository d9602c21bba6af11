import type Stripe from 'stripe';
import type { PrismaClient, StripeEventStatus } from '../generated/prisma/client';

/**
 * Records a delivery of a Stripe event we fulfil and returns the event's status.
 * `completed` means an earlier delivery was fulfilled: the webhook answers it as a
 * duplicate without asking Temporal, which keeps closed runs only for its retention
 * period while Stripe redelivers for days. One INSERT … ON CONFLICT round trip.
 */
export async function recordDelivery(db: PrismaClient, event: Stripe.Event): Promise<StripeEventStatus> {
  // Raw SQL through Prisma: the webhook's one statement without the query compiler's work
  // (the API's CPU per webhook, docs/PERFORMANCE.md); the same statement Prisma's upsert sent.
  const [row] = await db.$queryRaw<{ status: StripeEventStatus }[]>`
    INSERT INTO stripe_events (id, type, status, stripe_account, livemode)
    VALUES (${event.id}, ${event.type}, 'received', ${event.account ?? null}, ${event.livemode})
    ON CONFLICT (id) DO UPDATE SET deliveries = stripe_events.deliveries + 1, last_received_at = now()
    RETURNING status::text AS status`;
  return row.status;
}
