import type { StepPolicy } from './step-policy';

/**
 * The facts a fulfillment needs, parsed from one Stripe event by the webhook.
 * Values that need the catalogue or a judgement (tier, quantity, add-ons) stay as
 * Stripe delivered them: the `resolvePurchase` activity validates them, so bad data
 * fails the workflow visibly instead of being rejected at the HTTP edge.
 */
export type PurchaseSource = 'sumo' | 'direct';
export type CheckoutMode = 'subscription' | 'payment' | 'setup';

export interface FulfillmentInput {
  eventId: string;
  eventType: string;
  /** The event's `created` (unix seconds): orders it against the subscription's other events. */
  created: number;
  /** Connected account the event came from (one listed in STRIPE_CONNECT_ACCOUNTS), or null: our own account's (direct and Sumo purchases). */
  account: string | null;
  livemode: boolean;
  checkoutSessionId: string;
  /** The session's `mode`: `payment` is a one-time purchase (a lifetime deal). */
  mode: CheckoutMode;
  /** The session's payment intent (payment mode): what refunds and disputes name. */
  paymentIntentId: string | null;
  /** The session's `amount_total` and `currency`: the refunded share is measured against it. */
  amountTotal: number | null;
  currency: string | null;
  source: PurchaseSource;
  email: string | null;
  name: string | null;
  stripeCustomerId: string | null;
  subscriptionId: string | null;
  /** Our user id, set by the company's own checkout. */
  clientReferenceId: string | null;
  /** `sumo_product_tier_id` for Sumo, `metadata.tier_id` for direct; null → look at the line items. */
  tierId: string | null;
  /** `sumo_quantity` as delivered (a string in Stripe metadata). */
  rawQuantity: string | null;
  /** `sumo_addons` as delivered (should be a JSON array of add-on ids). */
  rawAddons: string | null;
  sumo: SumoFacts | null;
  /** How its steps retry and wait (src/contracts/step-policy.ts); absent: the defaults. */
  policy?: StepPolicy;
}

export interface SumoFacts {
  campaignId: string;
  productId: string | null;
  userId: string | null;
}

/** What the catalogue says the purchase is worth, after validation. */
export interface ResolvedPurchase {
  tierId: string;
  plan: string;
  quantity: number;
  seatLimit: number;
  addons: string[];
  features: string[];
}

export interface UserRef {
  userId: string;
  /** True when this fulfillment (this event id) inserted the user row. */
  created: boolean;
}

export interface LinkedSubscription {
  subscriptionRowId: string;
  stripeSubscriptionId: string;
}

export interface ProvisionResult {
  granted: string[];
  alreadyHeld: string[];
  seatLimit: number;
  hasAccess: boolean;
  /** ISO time at which access must be re-checked (a past_due grace period ends), if any. */
  reviewAt: string | null;
}

export interface FulfillmentSummary {
  eventId: string;
  userId: string;
  userCreated: boolean;
  /** Null for a one-time purchase. */
  subscriptionId: string | null;
  /** Set for a one-time purchase: its payment intent, and the access it ended with. */
  lifetime: { paymentIntentId: string | null; status: string; activeQuantity: number } | null;
  plan: string;
  seatLimit: number;
  entitlementsGranted: string[];
  /** A new user's welcome email (null for an existing user, or when an operator skipped it). */
  welcomeEmailMessageId: string | null;
  /** An existing user's purchase confirmation, instead of a welcome (null for a new user, or skipped). */
  confirmationEmailMessageId: string | null;
  /** The not-active email, instead of either, when the checkout granted nothing (null otherwise, or skipped). */
  notActiveEmailMessageId: string | null;
}
