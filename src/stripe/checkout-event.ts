import type Stripe from 'stripe';
import type { FulfillmentInput } from '../contracts';

/** Event types this service fulfils; everything else is acknowledged and ignored. */
export const FULFILLMENT_EVENT_TYPES = ['checkout.session.completed', 'checkout.session.async_payment_succeeded'] as const;
type FulfillmentEventType = (typeof FULFILLMENT_EVENT_TYPES)[number];

export type CheckoutEventDecision = { action: 'fulfil'; input: FulfillmentInput } | { action: 'ignore'; reason: string };

const PURCHASE_MODES: ReadonlySet<string> = new Set(['payment', 'subscription']);

const isFulfillmentType = (type: string): type is FulfillmentEventType => (FULFILLMENT_EVENT_TYPES as readonly string[]).includes(type);

/**
 * Decides what a verified event asks of us and extracts the small set of facts the
 * workflow needs. It never rejects bad purchase data: that is the workflow's to report.
 */
export function decideCheckoutEvent(event: Stripe.Event): CheckoutEventDecision {
  if (!isFulfillmentType(event.type)) return { action: 'ignore', reason: `event type ${event.type} is not handled` };
  const session = event.data.object as Stripe.Checkout.Session;
  if (session.object !== 'checkout.session') return { action: 'ignore', reason: 'event does not carry a checkout session' };
  // Only a payment or a subscription is a purchase; a setup session (a card saved or updated
  // through Checkout, `no_payment_required`) buys nothing.
  if (!PURCHASE_MODES.has(session.mode)) return { action: 'ignore', reason: `a ${session.mode}-mode session is not a purchase` };
  if (session.payment_status === 'unpaid') {
    return { action: 'ignore', reason: 'payment not settled yet; fulfilled on checkout.session.async_payment_succeeded' };
  }
  return { action: 'fulfil', input: toFulfillmentInput(event, session) };
}

function toFulfillmentInput(event: Stripe.Event, session: Stripe.Checkout.Session): FulfillmentInput {
  const metadata = readMetadata(session.metadata);
  const campaignId = nonEmpty(metadata.sumo_campaign_id);
  return {
    eventId: event.id,
    eventType: event.type,
    created: event.created,
    account: event.account ?? null,
    livemode: event.livemode,
    checkoutSessionId: session.id,
    mode: session.mode as FulfillmentInput['mode'],
    paymentIntentId: idOf(session.payment_intent),
    amountTotal: session.amount_total ?? null,
    currency: session.currency ?? null,
    source: campaignId ? 'sumo' : 'direct',
    email: nonEmpty(session.customer_details?.email) ?? nonEmpty(session.customer_email),
    name: nonEmpty(session.customer_details?.name),
    stripeCustomerId: idOf(session.customer),
    subscriptionId: idOf(session.subscription),
    clientReferenceId: campaignId ? null : nonEmpty(session.client_reference_id),
    tierId: campaignId ? nonEmpty(metadata.sumo_product_tier_id) : nonEmpty(metadata.tier_id),
    rawQuantity: campaignId ? (metadata.sumo_quantity ?? null) : null,
    rawAddons: campaignId ? (metadata.sumo_addons ?? null) : null,
    sumo: campaignId ? { campaignId, productId: nonEmpty(metadata.sumo_product_id), userId: nonEmpty(metadata.sumo_user_id) } : null,
  };
}

/**
 * Stripe's metadata values are strings; a value that is not one (a number, an array written by
 * a careless caller) is read as its JSON text, so `resolvePurchase` judges it like any other
 * string — `3` is 3 licences, `{}` is a bad `sumo_quantity` — instead of crashing the webhook.
 */
function readMetadata(metadata: unknown): Record<string, string | null> {
  if (typeof metadata !== 'object' || metadata === null) return {};
  const text = (value: unknown) =>
    value === undefined || value === null ? null : typeof value === 'string' ? value : JSON.stringify(value);
  return Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, text(value)]));
}

const nonEmpty = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);
const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === 'string' ? value : (value?.id ?? null);
