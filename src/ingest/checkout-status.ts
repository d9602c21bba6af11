import type Stripe from 'stripe';
import type { PrismaClient } from '../generated/prisma/client';
import { foreignEventReason, type AcceptedEvents } from '../http/accepted-events';
import type { FulfillmentStarter } from '../temporal/start-fulfillment';
import { acceptEvent } from './accept-event';
import { findSessionEvent } from './find-session-event';
import { createStripeLookups, type StripeLookups } from './stripe-lookups';
import { limitConcurrency } from './concurrency-limit';

/**
 * What the landing page learns about its checkout session: no personal data, ever.
 * - `fulfilled`: fulfilled, and the purchase gives access (the plan and counts are set);
 * - `pending`: not fulfilled yet (running, riding out an outage, not delivered, or a delayed payment still settling);
 * - `needs_attention`: waits for an operator, or its run ended without completing (failed, cancelled, terminated);
 * - `payment_failed`: Stripe reported that the delayed payment failed: nothing was granted;
 * - `no_access`: processed, but the purchase gives no access (its subscription was cancelled, or the deal
 *   refunded or disputed, before or since).
 */
export interface CheckoutStatus {
  status: 'fulfilled' | 'pending' | 'needs_attention' | 'payment_failed' | 'no_access';
  sessionId: string;
  plan: string | null;
  seats: number | null;
  /** Licences (codes, or the subscription's quantity). */
  licences: number | null;
  /** True for a one-time (lifetime) purchase, false for a subscription; null unless fulfilled. */
  lifetime: boolean | null;
}

export interface CheckoutStatusDeps {
  db: PrismaClient;
  fulfillments: FulfillmentStarter;
  /** Absent: the service cannot ask Stripe, and knows only the sessions the webhook delivered. */
  stripe?: Stripe;
  acceptedEvents?: AcceptedEvents;
  /** The run's status (`fulfillmentStatus`: Running, NeedsAttention, …, Failed once closed without completing); null when there is no such run. */
  runStatus(workflowId: string): Promise<string | null>;
  /** The bounds of the look-ups at Stripe (src/ingest/stripe-lookups.ts); default LOOKUP_BOUNDS. */
  stripeLookups?: StripeLookups;
}

/** Ledger reads at once, and waiting at most (beyond: 503 at once). */
const LEDGER_READS = { running: 2, waiting: 200 };

/** How often one session's Stripe look-up may run (a burst of polls shares one). */
const STRIPE_LOOKUP_EVERY_MS = 2_000;

/**
 * The status of a checkout session for the buyer's landing page, from the ledger; for a session
 * the webhook has not delivered, from Stripe: a paid session's fulfilling event is started through
 * the webhook's own path (acceptEvent: ledger, workflow id = event id), so a late webhook is a
 * duplicate and there is never a second fulfillment; an unpaid one starts nothing. Null: neither
 * the service nor Stripe knows the session. What the ledger knows is answered from it alone; the
 * look-ups at Stripe are bounded (stripe-lookups.ts: LookupsBusyError over the bound).
 */
export function createCheckoutStatus(deps: CheckoutStatusDeps) {
  const lookups = new Map<string, { at: number; result: Promise<StripeAnswer> }>();
  const bounded = deps.stripeLookups ?? createStripeLookups();
  // The ledger reads run a few at once, whatever the number of polls (the API's pool is the webhook's
  // first); a look-up at Stripe never holds one of their turns.
  const fromLedger = limitConcurrency(LEDGER_READS.running, LEDGER_READS.waiting, (sessionId: string) =>
    deps.db.stripeEvent.findMany({
      where: { checkoutSessionId: sessionId },
      orderBy: { firstReceivedAt: 'asc' },
      select: { id: true, type: true, status: true },
    }),
  );
  const purchasedOf = limitConcurrency(LEDGER_READS.running, LEDGER_READS.waiting, (sessionId: string) => purchased(deps.db, sessionId));

  /** One Stripe look-up (and start) per session per STRIPE_LOOKUP_EVERY_MS, however many polls ask. */
  function askStripe(sessionId: string): Promise<StripeAnswer> {
    const recent = lookups.get(sessionId);
    if (recent && Date.now() - recent.at < STRIPE_LOOKUP_EVERY_MS) return recent.result;
    if (bounded.knownUnknown(sessionId)) return Promise.resolve('unknown');
    const result = bounded.run((timeoutMs) => lookUpAndStart(sessionId, timeoutMs));
    lookups.set(sessionId, { at: Date.now(), result });
    result.catch(() => lookups.delete(sessionId)); // an outage is not remembered
    for (const [id, entry] of lookups) if (Date.now() - entry.at > STRIPE_LOOKUP_EVERY_MS) lookups.delete(id);
    return result;
  }

  async function lookUpAndStart(sessionId: string, timeoutMs: number): Promise<StripeAnswer> {
    if (!deps.stripe) return 'unknown';
    const found = await findSessionEvent(deps.stripe, sessionId, deps.acceptedEvents?.connectAccounts ?? [], timeoutMs);
    if (!found.found) {
      bounded.rememberUnknown(sessionId);
      return 'unknown';
    }
    if (!found.paid) return found.failed ? 'payment_failed' : 'pending';
    if (!found.event || foreignEventReason(found.event, deps.acceptedEvents)) return 'pending';
    await acceptEvent(deps, found.event);
    return 'pending';
  }

  return async function checkoutStatus(sessionId: string): Promise<CheckoutStatus | null> {
    const rows = await fromLedger(sessionId);
    const answer = (status: CheckoutStatus['status']): CheckoutStatus => ({
      status,
      sessionId,
      plan: null,
      seats: null,
      licences: null,
      lifetime: null,
    });
    // The session's fulfillment, if any; else a failed delayed payment (a subscription's is synced, so recorded).
    const ledger = rows.find((row) => row.type !== PAYMENT_FAILED);
    if (!ledger) {
      if (rows.length > 0) return answer('payment_failed');
      const stripe = await askStripe(sessionId);
      return stripe === 'unknown' ? null : answer(stripe);
    }
    if (ledger.status === 'completed') {
      const granted = await purchasedOf(sessionId);
      return granted ? { ...answer('fulfilled'), ...granted } : answer('no_access');
    }
    if (ledger.status === 'failed' || ledger.status === 'cancelled') return answer('needs_attention');
    const run = await deps.runStatus(ledger.id).catch(() => undefined);
    // Failed: closed without completing and without a word in the ledger (terminated or cancelled in the UI).
    if (run === 'NeedsAttention' || run === 'Failed') return answer('needs_attention');
    // Recorded, but no run: its start failed after the ledger row (Temporal was down). Start it now.
    if (run === null) await askStripe(sessionId);
    return answer('pending');
  };
}

/** What Stripe says of a session the ledger does not know. */
type StripeAnswer = 'unknown' | 'pending' | 'payment_failed';

const PAYMENT_FAILED = 'checkout.session.async_payment_failed';

/** What the fulfilled session gives now: its subscription's or one-time purchase's plan and seats; null when it gives no access. */
async function purchased(
  db: PrismaClient,
  sessionId: string,
): Promise<Pick<CheckoutStatus, 'plan' | 'seats' | 'licences' | 'lifetime'> | null> {
  const select = { plan: true, seatLimit: true, quantity: true, hasAccess: true } as const;
  const [subscription, purchase] = await Promise.all([
    db.subscription.findFirst({ where: { checkoutSessionId: sessionId }, select }),
    db.purchase.findUnique({ where: { checkoutSessionId: sessionId }, select }),
  ]);
  const row = purchase ?? subscription;
  if (!row?.hasAccess) return null;
  return { plan: row.plan, seats: row.seatLimit, licences: row.quantity, lifetime: row === purchase };
}
