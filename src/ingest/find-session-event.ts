import type Stripe from 'stripe';
import { FULFILLMENT_EVENT_TYPES } from '../stripe/checkout-event';
import { routeEvent } from '../stripe/event-router';
import { asAccount, withAccount } from './reconcile';

export type StripeSessionLookup =
  | { found: false }
  | { found: true; paid: false; account: string | null; /** Stripe reported that its delayed payment failed. */ failed: boolean }
  | { found: true; paid: true; account: string | null; event: Stripe.Event | null };

/** Stripe could not be asked (an outage, a bad key): the caller cannot tell what Stripe knows. */
export class StripeUnavailableError extends Error {}

/** How far after the session's creation its completion event may be (sessions expire within 24 h). */
const EVENT_WINDOW_SECONDS = 25 * 3600;

/** How many pages of events a landing-page look-up reads at most. */
const LISTED_PAGES = 2;

/** The event of a delayed payment that failed: the session stays `complete` and `unpaid` for good. */
const PAYMENT_FAILED = 'checkout.session.async_payment_failed';

/**
 * What Stripe knows of a checkout session the webhook has not delivered yet: whether it exists
 * (on the platform, or in one of the connected accounts whose events are ours), whether it is
 * paid, and if so the event that fulfils it — the `checkout.session.completed` (or, for a
 * delayed payment, `…async_payment_succeeded`) whose `data.object.id` is the session, listed by
 * type within the session's lifetime. `event` is null while Stripe has not listed it yet. A
 * completed session that is unpaid is a delayed payment still settling, or one that failed
 * (`failed`: Stripe lists its `checkout.session.async_payment_failed`).
 */
export async function findSessionEvent(
  stripe: Stripe,
  sessionId: string,
  connectAccounts: readonly string[],
  timeoutMs = 10_000,
): Promise<StripeSessionLookup> {
  // Each call within the caller's deadline, and not retried: the caller's poll is the retry.
  const within = (account: string | null) => ({ ...asAccount(account), timeout: timeoutMs, maxNetworkRetries: 0 });
  for (const account of [null, ...connectAccounts]) {
    let session: Stripe.Checkout.Session;
    try {
      session = await stripe.checkout.sessions.retrieve(sessionId, {}, within(account));
    } catch (err) {
      if (
        (err as { code?: string; statusCode?: number }).code === 'resource_missing' ||
        (err as { statusCode?: number }).statusCode === 404
      )
        continue;
      throw new StripeUnavailableError(`could not read checkout session ${sessionId} from Stripe: ${(err as Error).message}`, {
        cause: err,
      });
    }
    // A setup-mode session (a card update) is fulfilled by nothing: no event to look for.
    if (session.mode === 'setup') return { found: false };
    // Not completed: nothing to fulfil yet.
    if (session.status !== 'complete') return { found: true, paid: false, account, failed: false };
    // `unpaid`: a delayed payment method still settling, or one that failed.
    if (session.payment_status === 'unpaid') {
      const failed = await sessionEvent(stripe, session, within(account), account, [PAYMENT_FAILED], () => true);
      return { found: true, paid: false, account, failed: failed !== null };
    }
    // The one the webhook would fulfil (a `completed` of a delayed payment is not it).
    const event = await sessionEvent(
      stripe,
      session,
      within(account),
      account,
      [...FULFILLMENT_EVENT_TYPES],
      (e) => routeEvent(e).action === 'start',
    );
    return { found: true, paid: true, account, event };
  }
  return { found: false };
}

/**
 * The first event of these types about this session that `accept` takes, listed newest first within
 * the session's lifetime — at most LISTED_PAGES pages: a session the buyer just paid for completed
 * recently, and one that is not there yet is the webhook's and reconciliation's to deliver.
 */
async function sessionEvent(
  stripe: Stripe,
  session: Stripe.Checkout.Session,
  options: Stripe.RequestOptions,
  account: string | null,
  types: string[],
  accept: (event: Stripe.Event) => boolean,
): Promise<Stripe.Event | null> {
  const params: Stripe.EventListParams = {
    types,
    created: { gte: session.created, lte: session.created + EVENT_WINDOW_SECONDS },
    limit: 100,
  };
  try {
    let listed = 0;
    for await (const item of stripe.events.list(params, options)) {
      const event = withAccount(item, account);
      const object = event.data.object as { id?: string };
      if (object.id === session.id && accept(event)) return event;
      if (++listed >= LISTED_PAGES * params.limit!) break;
    }
    return null;
  } catch (err) {
    throw new StripeUnavailableError(`could not list the events of checkout session ${session.id}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
