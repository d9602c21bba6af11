import { randomBytes } from 'node:crypto';
import { checkoutEvent, LIFETIME_CODE_PRICE, sumoMetadata } from '../../devstack/sample-events';
import { chargeRefundedEvent, disputeEvent } from '../../devstack/sample-purchase-events';

/** A Sumo lifetime deal of `quantity` codes (payment mode), with the ids its refunds and disputes name. */
export function sumoLifetime(options: { quantity?: number; created?: number; email?: string } = {}) {
  const tag = randomBytes(6).toString('hex');
  const quantity = options.quantity ?? 3;
  const paymentIntentId = `pi_test_${tag}`;
  const email = options.email ?? `lifetime.${tag}@example.com`;
  const amount = LIFETIME_CODE_PRICE * quantity;
  const checkout = checkoutEvent({
    mode: 'payment',
    paymentIntentId,
    email,
    created: options.created,
    metadata: sumoMetadata({ tierId: 'sumo_tier_2', quantity: String(quantity) }),
  });
  return { tag, paymentIntentId, email, amount, quantity, checkout };
}

/** A dispute of the whole deal: opened (`charge.dispute.created`), or closed as won or lost. */
export function dealDispute(deal: { paymentIntentId: string; amount: number }, created: number, closed?: 'won' | 'lost') {
  return closed
    ? disputeEvent({ type: 'charge.dispute.closed', paymentIntentId: deal.paymentIntentId, amount: deal.amount, status: closed, created })
    : disputeEvent({ type: 'charge.dispute.created', paymentIntentId: deal.paymentIntentId, amount: deal.amount, created });
}

/** A refund of `codes` of the deal's codes (charge.refunded with the amount refunded so far). */
export function dealRefund(deal: { paymentIntentId: string; amount: number }, created: number, codes = 1) {
  return chargeRefundedEvent({
    paymentIntentId: deal.paymentIntentId,
    amount: deal.amount,
    amountRefunded: LIFETIME_CODE_PRICE * codes,
    created,
  });
}

/** A refund of the deal that is no whole number of codes (1,000 of its amount): an operator decides. */
export function dealOddRefund(deal: { paymentIntentId: string; amount: number }, created: number) {
  return chargeRefundedEvent({ paymentIntentId: deal.paymentIntentId, amount: deal.amount, amountRefunded: 1_000, created });
}
