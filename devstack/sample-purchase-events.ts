import type Stripe from 'stripe';
import { envelope, id } from './sample-events';

/** Realistic refund and dispute events of a one-time purchase (a lifetime deal), API 2026-10-28. */
export interface ChargeRefundedOptions {
  paymentIntentId: string;
  /** The charge's amount (what the session's amount_total was). */
  amount: number;
  /** The charge's running total refunded; `refunded` is true when it reaches `amount`. */
  amountRefunded: number;
  chargeId?: string;
  eventId?: string;
  created?: number;
  account?: string;
  /** The charge's currency (default `usd`); Adaptive Pricing can charge in another than the session's. */
  currency?: string;
}

/** A realistic `charge.refunded` event: the charge with its running refund total. */
export function chargeRefundedEvent(options: ChargeRefundedOptions): Stripe.Event {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const charge = {
    id: options.chargeId ?? chargeIdFor(options.paymentIntentId),
    object: 'charge',
    amount: options.amount,
    amount_captured: options.amount,
    amount_refunded: options.amountRefunded,
    captured: true,
    currency: options.currency ?? 'usd',
    customer: null,
    disputed: false,
    livemode: false,
    paid: true,
    payment_intent: options.paymentIntentId,
    refunded: options.amountRefunded >= options.amount,
    status: 'succeeded',
  };
  return envelope('charge.refunded', charge, created, options.eventId, options.account);
}

export interface RefundEventOptions {
  type: 'refund.created' | 'refund.updated';
  paymentIntentId: string;
  amount: number;
  status?: 'pending' | 'succeeded' | 'failed' | 'canceled';
  refundId?: string;
  eventId?: string;
  created?: number;
  account?: string;
  /** The charge's currency (default `usd`). */
  currency?: string;
}

/** A realistic `refund.created` / `refund.updated` event: one refund of a charge. */
export function refundEvent(options: RefundEventOptions): Stripe.Event {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const refund = {
    id: options.refundId ?? id('re'),
    object: 'refund',
    amount: options.amount,
    charge: chargeIdFor(options.paymentIntentId),
    created,
    currency: options.currency ?? 'usd',
    payment_intent: options.paymentIntentId,
    reason: 'requested_by_customer',
    status: options.status ?? 'succeeded',
  };
  return envelope(options.type, refund, created, options.eventId, options.account);
}

export interface DisputeEventOptions {
  type: 'charge.dispute.created' | 'charge.dispute.closed';
  paymentIntentId: string;
  amount: number;
  /** created: `needs_response` by default; closed: `won` or `lost`. */
  status?: string;
  disputeId?: string;
  eventId?: string;
  created?: number;
  account?: string;
}

/** A realistic `charge.dispute.created` / `charge.dispute.closed` event. */
export function disputeEvent(options: DisputeEventOptions): Stripe.Event {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const dispute = {
    id: options.disputeId ?? `dp_${options.paymentIntentId.replace(/^pi_/, '')}`,
    object: 'dispute',
    amount: options.amount,
    charge: chargeIdFor(options.paymentIntentId),
    created,
    currency: 'usd',
    is_charge_refundable: false,
    livemode: false,
    payment_intent: options.paymentIntentId,
    reason: 'fraudulent',
    status: options.status ?? (options.type === 'charge.dispute.created' ? 'needs_response' : 'won'),
  };
  return envelope(options.type, dispute, created, options.eventId, options.account);
}

/** The sample charge of a payment intent (one charge per payment intent, as Checkout makes them). */
const chargeIdFor = (paymentIntentId: string) => `ch_${paymentIntentId.replace(/^pi_/, '')}`;
