import type Stripe from 'stripe';
import type { InvoiceFacts, SubscriptionEventInput, SubscriptionFacts } from '../contracts';
import { eventFacts } from './event-facts';

/** Lifecycle event types; each becomes a `syncSubscription` workflow. */
export const LIFECYCLE_EVENT_TYPES = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'invoice.paid',
  'invoice.payment_failed',
  'checkout.session.async_payment_failed',
] as const;

export type LifecycleDecision = { action: 'sync'; input: SubscriptionEventInput } | { action: 'ignore'; reason: string };

const isLifecycleType = (type: string): boolean => (LIFECYCLE_EVENT_TYPES as readonly string[]).includes(type);

/**
 * Extracts what a lifecycle event says about one subscription. Events about no
 * subscription (a one-off invoice, a payment-mode checkout) are acknowledged and ignored.
 */
export function decideLifecycleEvent(event: Stripe.Event): LifecycleDecision {
  if (!isLifecycleType(event.type)) return { action: 'ignore', reason: `event type ${event.type} is not handled` };
  const object = event.data.object as { object?: string };
  const base = eventFacts(event);

  if (object.object === 'subscription') {
    const sub = object as Stripe.Subscription;
    return {
      action: 'sync',
      input: {
        ...base,
        stripeSubscriptionId: sub.id,
        stripeCustomerId: idOf(sub.customer),
        sumoCampaignId: nonEmpty(sub.metadata?.sumo_campaign_id),
        status: sub.status,
        subscription: subscriptionFacts(sub, (event.data as { previous_attributes?: unknown }).previous_attributes),
        invoice: null,
      },
    };
  }
  if (object.object === 'invoice') {
    const invoice = object as Stripe.Invoice;
    const subscriptionId = invoiceSubscriptionId(invoice);
    if (!subscriptionId) return { action: 'ignore', reason: 'invoice does not belong to a subscription' };
    return {
      action: 'sync',
      input: {
        ...base,
        stripeSubscriptionId: subscriptionId,
        stripeCustomerId: idOf(invoice.customer),
        sumoCampaignId: nonEmpty(invoiceSubscriptionMetadata(invoice)?.sumo_campaign_id),
        status: event.type === 'invoice.paid' ? 'active' : 'past_due',
        subscription: null,
        invoice: invoiceFacts(invoice),
      },
    };
  }
  if (object.object === 'checkout.session') {
    const session = object as Stripe.Checkout.Session;
    const subscriptionId = idOf(session.subscription);
    if (!subscriptionId) return { action: 'ignore', reason: 'checkout session has no subscription' };
    return {
      action: 'sync',
      input: {
        ...base,
        stripeSubscriptionId: subscriptionId,
        stripeCustomerId: idOf(session.customer),
        sumoCampaignId: nonEmpty(session.metadata?.sumo_campaign_id),
        // The delayed first payment failed: nothing is granted until a newer event says otherwise.
        status: 'incomplete',
        subscription: null,
        invoice: null,
      },
    };
  }
  return { action: 'ignore', reason: `${event.type} does not carry a subscription, invoice or checkout session` };
}

function subscriptionFacts(sub: Stripe.Subscription, previousAttributes: unknown): SubscriptionFacts {
  const previousItems = previousItemsOf(previousAttributes);
  const metadata = sub.metadata ?? {};
  // Before API 2025-03-31 the billing period lived on the subscription, not on its items.
  const legacyPeriodEnd = (sub as unknown as { current_period_end?: number | null }).current_period_end ?? null;
  return {
    tierId: nonEmpty(metadata.sumo_product_tier_id) ?? nonEmpty(metadata.tier_id),
    items: (sub.items?.data ?? []).map((item, i) => {
      // The item as it was before this update, when the update changed the items (same id, else same place).
      const before = previousItems?.find((p) => p.id === item.id) ?? previousItems?.[i];
      return {
        priceId: item.price?.id ?? null,
        lookupKey: item.price?.lookup_key ?? null,
        quantity: item.quantity ?? null,
        currentPeriodEnd: item.current_period_end ?? legacyPeriodEnd,
        previous: before ? { priceId: before.price?.id ?? null, quantity: before.quantity ?? null } : null,
      };
    }),
    rawAddons: nonEmpty(metadata.sumo_addons),
    cancelAtPeriodEnd: sub.cancel_at_period_end ?? false,
  };
}

/** `previous_attributes.items.data` of a `customer.subscription.updated` whose items changed. */
function previousItemsOf(previousAttributes: unknown): Array<{ id?: string; quantity?: number; price?: { id?: string } }> | null {
  const items = (previousAttributes as { items?: { data?: unknown } } | null | undefined)?.items?.data;
  return Array.isArray(items) ? (items as Array<{ id?: string; quantity?: number; price?: { id?: string } }>) : null;
}

function invoiceFacts(invoice: Stripe.Invoice): InvoiceFacts {
  return {
    invoiceId: invoice.id ?? '',
    created: invoice.created ?? null,
    customerEmail: nonEmpty(invoice.customer_email),
    amountDue: invoice.amount_due ?? 0,
    currency: invoice.currency ?? 'usd',
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
    nextPaymentAttempt: invoice.next_payment_attempt ?? null,
  };
}

/** The subscription's metadata as the invoice copies it: `parent.subscription_details.metadata`
 *  since API 2025-03-31, `subscription_details.metadata` before. */
function invoiceSubscriptionMetadata(invoice: Stripe.Invoice): Stripe.Metadata | null {
  const legacy = (invoice as unknown as { subscription_details?: { metadata?: Stripe.Metadata | null } | null }).subscription_details;
  return invoice.parent?.subscription_details?.metadata ?? legacy?.metadata ?? null;
}

/** `parent.subscription_details.subscription` since API 2025-03-31; `subscription` before. */
function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  const legacy = (invoice as unknown as { subscription?: string | { id: string } | null }).subscription;
  return idOf(invoice.parent?.subscription_details?.subscription) ?? idOf(legacy);
}

const nonEmpty = (value: string | null | undefined): string | null => (value && value.trim() ? value.trim() : null);
const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === 'string' ? value : (value?.id ?? null);
