import type { StepPolicy } from './step-policy';

/** Contracts of the subscription lifecycle workflow (`syncSubscription`): its input, parsed by the webhook, and what its activities return. */

/**
 * A subscription lifecycle event (`customer.subscription.*`, `invoice.paid`,
 * `invoice.payment_failed`, `checkout.session.async_payment_failed`), parsed by the webhook.
 */
export interface SubscriptionEventInput {
  eventId: string;
  eventType: string;
  /** The event's `created`, unix seconds. */
  created: number;
  account: string | null;
  livemode: boolean;
  stripeSubscriptionId: string;
  stripeCustomerId: string | null;
  /** `sumo_campaign_id` from the subscription's metadata, when Sumo copied it there. */
  sumoCampaignId: string | null;
  /** The status this event asserts (the object's status, or what a paid/failed invoice implies). */
  status: string | null;
  /** Present for `customer.subscription.*`: the object's plan and billing facts. */
  subscription: SubscriptionFacts | null;
  /** Present for `invoice.*`. */
  invoice: InvoiceFacts | null;
  /** How its steps retry and wait (src/contracts/step-policy.ts); absent: the defaults. */
  policy?: StepPolicy;
}

export interface SubscriptionFacts {
  /** `metadata.sumo_product_tier_id` or `metadata.tier_id` on the subscription, if set. */
  tierId: string | null;
  items: Array<{
    priceId: string | null;
    lookupKey: string | null;
    quantity: number | null;
    currentPeriodEnd: number | null;
    /** What an update changed on this item (`data.previous_attributes.items`): its price and quantity before. */
    previous?: { priceId: string | null; quantity: number | null } | null;
  }>;
  /** `metadata.sumo_addons` on the subscription, as delivered. */
  rawAddons: string | null;
  cancelAtPeriodEnd: boolean;
}

export interface InvoiceFacts {
  invoiceId: string;
  /** The invoice's own `created` (unix seconds): a subscription's later invoices are created later.
   *  Absent in runs started before plan facts were recorded. */
  created?: number | null;
  /** Where Stripe sends the invoice; used when the subscription has no linked user yet. */
  customerEmail: string | null;
  amountDue: number;
  currency: string;
  hostedInvoiceUrl: string | null;
  /** Unix seconds of Stripe's next retry, if it will retry. */
  nextPaymentAttempt: number | null;
}

/** The subscription row after an event was recorded. */
export interface SubscriptionStateView {
  stripeSubscriptionId: string;
  userId: string | null;
  status: string | null;
  tierId: string | null;
  quantity: number;
}

export interface AccessSync {
  linked: boolean;
  hasAccess: boolean;
  reason: string;
  seatLimit: number;
  granted: string[];
  revoked: string[];
  /** ISO time at which access must be re-checked (a past_due grace period ends), if any. */
  reviewAt: string | null;
}

export interface SubscriptionSyncSummary {
  eventId: string;
  stripeSubscriptionId: string;
  status: string | null;
  linked: boolean;
  hasAccess: boolean;
  seatLimit: number;
  paymentFailedEmail: { messageId: string | null; skipped: string | null } | null;
}
