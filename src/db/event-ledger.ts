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
    INSERT INTO stripe_events (id, type, status, stripe_account, livemode, checkout_session_id)
    VALUES (${event.id}, ${event.type}, 'received', ${event.account ?? null}, ${event.livemode}, ${checkoutSessionOf(event)})
    ON CONFLICT (id) DO UPDATE SET deliveries = stripe_events.deliveries + 1, last_received_at = now()
    RETURNING status::text AS status`;
  return row.status;
}

/**
 * What reconciliation knows of an event from the ledger, without counting a delivery: the row is
 * inserted with `deliveries = 0` when absent (`inserted: true`, the webhook never saw it), and an
 * existing row is left as it is. One round trip when inserting, two when the row exists.
 */
export async function recordReconciled(db: PrismaClient, event: Stripe.Event): Promise<{ inserted: boolean; status: StripeEventStatus }> {
  const { count } = await db.stripeEvent.createMany({
    data: [
      {
        id: event.id,
        type: event.type,
        status: 'received',
        stripeAccount: event.account ?? null,
        livemode: event.livemode,
        deliveries: 0,
        checkoutSessionId: checkoutSessionOf(event),
      },
    ],
    skipDuplicates: true,
  });
  if (count === 1) return { inserted: true, status: 'received' };
  const row = await db.stripeEvent.findUniqueOrThrow({ where: { id: event.id }, select: { status: true } });
  return { inserted: false, status: row.status };
}

/** The checkout session a checkout.session.* event carries, so the landing page can ask by it. */
function checkoutSessionOf(event: Stripe.Event): string | null {
  const object = event.data.object as { object?: unknown; id?: unknown };
  return object.object === 'checkout.session' && typeof object.id === 'string' ? object.id : null;
}
