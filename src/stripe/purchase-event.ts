import type Stripe from 'stripe';
import type { PurchaseEventInput } from '../contracts';
import { eventFacts, type EventFacts } from './event-facts';

/** Refund and dispute event types; each becomes a `syncPurchase` workflow. */
export const PURCHASE_EVENT_TYPES = [
  'charge.refunded',
  'refund.created',
  'refund.updated',
  'charge.dispute.created',
  'charge.dispute.closed',
] as const;

export type PurchaseEventDecision = { action: 'sync'; input: PurchaseEventInput } | { action: 'ignore'; reason: string };

/**
 * Extracts what a refund or dispute says about a payment, keyed by its payment intent (what a
 * payment-mode checkout session names). A refund that has not succeeded yet is acknowledged and
 * ignored: its `refund.updated` (or the charge's `charge.refunded`) carries the final state.
 */
export function decidePurchaseEvent(event: Stripe.Event): PurchaseEventDecision {
  if (!(PURCHASE_EVENT_TYPES as readonly string[]).includes(event.type)) {
    return { action: 'ignore', reason: `event type ${event.type} is not handled` };
  }
  const object = event.data.object as { object?: string };
  const base = eventFacts(event);
  const sync = (facts: Omit<PurchaseEventInput, keyof EventFacts>): PurchaseEventDecision => ({
    action: 'sync',
    input: { ...base, ...facts },
  });
  const noIntent = { action: 'ignore', reason: `${event.type} names no payment intent` } as const;

  if (object.object === 'charge') {
    const charge = object as Stripe.Charge;
    const paymentIntentId = idOf(charge.payment_intent);
    if (!paymentIntentId) return noIntent;
    return sync({
      paymentIntentId,
      chargeId: charge.id,
      stripeCustomerId: idOf(charge.customer),
      refund: {
        kind: 'charge',
        chargeAmount: charge.amount,
        amountRefunded: charge.amount_refunded ?? 0,
        fullyRefunded: charge.refunded === true,
        currency: charge.currency ?? null,
      },
      dispute: null,
    });
  }
  if (object.object === 'refund') {
    const refund = object as Stripe.Refund;
    const paymentIntentId = idOf(refund.payment_intent);
    if (!paymentIntentId) return noIntent;
    if (refund.status !== 'succeeded') return { action: 'ignore', reason: `refund ${refund.id} is ${refund.status}, not succeeded` };
    return sync({
      paymentIntentId,
      chargeId: idOf(refund.charge),
      stripeCustomerId: null,
      refund: { kind: 'refund', refundId: refund.id, amount: refund.amount, currency: refund.currency ?? null },
      dispute: null,
    });
  }
  if (object.object === 'dispute') {
    const dispute = object as Stripe.Dispute;
    const paymentIntentId = idOf(dispute.payment_intent);
    if (!paymentIntentId) return noIntent;
    return sync({
      paymentIntentId,
      chargeId: idOf(dispute.charge),
      stripeCustomerId: null,
      refund: null,
      dispute: { disputeId: dispute.id, status: dispute.status, amount: dispute.amount },
    });
  }
  return { action: 'ignore', reason: `${event.type} does not carry a charge, refund or dispute` };
}

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === 'string' ? value : (value?.id ?? null);
