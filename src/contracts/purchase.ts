import type { StepPolicy } from './step-policy';

/**
 * Contracts of one-time purchases (lifetime deals: a Checkout Session in `payment` mode) and of
 * the `syncPurchase` workflow that a refund or a dispute starts.
 */

/** What a refund event says, in the charge's currency. `charge.refunded` carries the charge's running total; a
 *  `refund.created`/`refund.updated` that succeeded carries that one refund. */
export type RefundFacts =
  | { kind: 'charge'; chargeAmount: number; amountRefunded: number; fullyRefunded: boolean; currency?: string | null }
  | { kind: 'refund'; refundId: string; amount: number; currency?: string | null };

/** What a `charge.dispute.*` event says about one dispute. */
export interface DisputeFacts {
  disputeId: string;
  /** Stripe's dispute status: needs_response, under_review, won, lost, warning_* … */
  status: string;
  amount: number;
}

/** A refund or dispute of a payment, parsed by the webhook; the payment intent is the join key. */
export interface PurchaseEventInput {
  eventId: string;
  eventType: string;
  /** The event's `created`, unix seconds. */
  created: number;
  account: string | null;
  livemode: boolean;
  paymentIntentId: string;
  chargeId: string | null;
  stripeCustomerId: string | null;
  refund: RefundFacts | null;
  dispute: DisputeFacts | null;
  /** How its steps retry and wait (src/contracts/step-policy.ts); absent: the defaults. */
  policy?: StepPolicy;
}

/**
 * A purchase's access state: `awaiting_checkout` (refund or dispute seen, checkout not yet),
 * `active`, `partially_refunded` (some codes refunded), `refunded`, `disputed` (suspended),
 * `dispute_lost` (revoked for good), `refund_needs_decision` (a refund that maps to no whole
 * number of codes: the codes no refund fully covers stay until an operator decides).
 */
export type PurchaseStatus =
  'awaiting_checkout' | 'active' | 'partially_refunded' | 'refunded' | 'disputed' | 'dispute_lost' | 'refund_needs_decision';

/** The purchase row a payment-mode checkout recorded (or found). */
export interface RecordedPurchase {
  purchaseRowId: string;
  paymentIntentId: string | null;
}

/** What syncing a purchase's access did. */
export interface PurchaseAccess {
  linked: boolean;
  status: PurchaseStatus;
  hasAccess: boolean;
  /** Codes that still count (bought less refunded). */
  activeQuantity: number;
  seatLimit: number;
  granted: string[];
  revoked: string[];
  reason: string;
}

export interface PurchaseSyncSummary {
  eventId: string;
  paymentIntentId: string;
  linked: boolean;
  status: PurchaseStatus | null;
  hasAccess: boolean | null;
  activeQuantity: number | null;
  seatLimit: number | null;
}
