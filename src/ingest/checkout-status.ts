import type Stripe from 'stripe';
import type { PrismaClient } from '../generated/prisma/client';
import { foreignEventReason, type AcceptedEvents } from '../http/accepted-events';
import type { FulfillmentStarter } from '../temporal/start-fulfillment';
import { acceptEvent } from './accept-event';
import { findSessionEvent } from './find-session-event';

/** What the landing page learns about its checkout session: no personal data, ever. */
export interface CheckoutStatus {
  status: 'fulfilled' | 'pending' | 'needs_attention';
  sessionId: string;
  plan: string | null;
  seats: number | null;
  /** Licences (codes, or the subscription's quantity). */
  licences: number | null;
  /** True for a one-time (lifetime) purchase, false for a subscription; null until fulfilled. */
  lifetime: boolean | null;
}

export interface CheckoutStatusDeps {
  db: PrismaClient;
  fulfillments: FulfillmentStarter;
  /** Absent: the service cannot ask Stripe, and knows only the sessions the webhook delivered. */
  stripe?: Stripe;
  acceptedEvents?: AcceptedEvents;
  /** The workflow's FulfillmentStatus search attribute (NeedsAttention…); null when there is no such run. */
  runStatus(workflowId: string): Promise<string | null>;
}

/** How often one session's Stripe look-up may run (a burst of polls shares one). */
const STRIPE_LOOKUP_EVERY_MS = 2_000;

/**
 * The status of a checkout session for the buyer's landing page, from the ledger; for a session
 * the webhook has not delivered, from Stripe: a paid session's fulfilling event is started through
 * the webhook's own path (acceptEvent: ledger, workflow id = event id), so a late webhook is a
 * duplicate and there is never a second fulfillment; an unpaid one starts nothing. Null: neither
 * the service nor Stripe knows the session.
 */
export function createCheckoutStatus(deps: CheckoutStatusDeps) {
  const lookups = new Map<string, { at: number; result: Promise<'unknown' | 'pending'> }>();

  /** One Stripe look-up (and start) per session per STRIPE_LOOKUP_EVERY_MS, however many polls ask. */
  function askStripe(sessionId: string): Promise<'unknown' | 'pending'> {
    const recent = lookups.get(sessionId);
    if (recent && Date.now() - recent.at < STRIPE_LOOKUP_EVERY_MS) return recent.result;
    const result = lookUpAndStart(sessionId);
    lookups.set(sessionId, { at: Date.now(), result });
    result.catch(() => lookups.delete(sessionId)); // an outage is not remembered
    for (const [id, entry] of lookups) if (Date.now() - entry.at > STRIPE_LOOKUP_EVERY_MS) lookups.delete(id);
    return result;
  }

  async function lookUpAndStart(sessionId: string): Promise<'unknown' | 'pending'> {
    if (!deps.stripe) return 'unknown';
    const found = await findSessionEvent(deps.stripe, sessionId, deps.acceptedEvents?.connectAccounts ?? []);
    if (!found.found) return 'unknown';
    if (!found.paid || !found.event || foreignEventReason(found.event, deps.acceptedEvents)) return 'pending';
    await acceptEvent(deps, found.event);
    return 'pending';
  }

  return async function checkoutStatus(sessionId: string): Promise<CheckoutStatus | null> {
    const ledger = await deps.db.stripeEvent.findFirst({
      where: { checkoutSessionId: sessionId },
      orderBy: { firstReceivedAt: 'asc' },
      select: { id: true, status: true },
    });
    const pending: CheckoutStatus = { status: 'pending', sessionId, plan: null, seats: null, licences: null, lifetime: null };
    if (!ledger) return (await askStripe(sessionId)) === 'unknown' ? null : pending;
    if (ledger.status === 'completed') return { ...pending, ...(await purchased(deps.db, sessionId)), status: 'fulfilled' };
    if (ledger.status === 'failed' || ledger.status === 'cancelled') return { ...pending, status: 'needs_attention' };
    const run = await deps.runStatus(ledger.id).catch(() => undefined);
    if (run === 'NeedsAttention') return { ...pending, status: 'needs_attention' };
    // Recorded, but no run: its start failed after the ledger row (Temporal was down). Start it now.
    if (run === null) await askStripe(sessionId);
    return pending;
  };
}

/** What the fulfilled session gave: its subscription's or one-time purchase's plan and seats. */
async function purchased(db: PrismaClient, sessionId: string): Promise<Pick<CheckoutStatus, 'plan' | 'seats' | 'licences' | 'lifetime'>> {
  const select = { plan: true, seatLimit: true, quantity: true } as const;
  const [subscription, purchase] = await Promise.all([
    db.subscription.findFirst({ where: { checkoutSessionId: sessionId }, select }),
    db.purchase.findUnique({ where: { checkoutSessionId: sessionId }, select }),
  ]);
  const row = purchase ?? subscription;
  return {
    plan: row?.plan ?? null,
    seats: row?.seatLimit ?? null,
    licences: row?.quantity ?? null,
    lifetime: row ? row === purchase : null,
  };
}
