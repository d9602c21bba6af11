import type Stripe from 'stripe';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { chargeRefundedEvent, disputeEvent, refundEvent } from '../../../devstack/sample-purchase-events';
import { HANDLED_EVENT_TYPES, routeEvent } from '../../../src/stripe/event-router';

const started = (event: Stripe.Event) => {
  const decision = routeEvent(event);
  if (decision.action !== 'start') throw new Error(`expected a start, got: ${decision.reason}`);
  return decision.start;
};

describe('routing one-time purchases, refunds and disputes', () => {
  it('a paid payment-mode checkout is fulfilled as a lifetime purchase, with its payment intent and amount', () => {
    const event = checkoutEvent({ mode: 'payment', paymentIntentId: 'pi_test_1', metadata: sumoMetadata({ quantity: '3' }) });
    expect(started(event)).toMatchObject({
      workflowType: 'fulfillCheckout',
      input: { mode: 'payment', paymentIntentId: 'pi_test_1', amountTotal: 14_700, currency: 'usd', subscriptionId: null, source: 'sumo' },
    });
  });

  it('a subscription checkout keeps its mode and has no payment intent', () => {
    expect(started(checkoutEvent({ subscriptionId: 'sub_test_1' }))).toMatchObject({
      input: { mode: 'subscription', paymentIntentId: null, subscriptionId: 'sub_test_1' },
    });
  });

  it('charge.refunded carries the charge’s running refund total, keyed by its payment intent', () => {
    expect(started(chargeRefundedEvent({ paymentIntentId: 'pi_test_2', amount: 14_700, amountRefunded: 4_900 }))).toMatchObject({
      workflowType: 'syncPurchase',
      input: {
        paymentIntentId: 'pi_test_2',
        chargeId: 'ch_test_2',
        refund: { kind: 'charge', chargeAmount: 14_700, amountRefunded: 4_900, fullyRefunded: false },
        dispute: null,
      },
    });
  });

  it('a succeeded refund.updated carries that one refund; a pending refund.created is ignored', () => {
    expect(
      started(refundEvent({ type: 'refund.updated', paymentIntentId: 'pi_test_3', amount: 4_900, refundId: 're_test_3' })),
    ).toMatchObject({ workflowType: 'syncPurchase', input: { refund: { kind: 'refund', refundId: 're_test_3', amount: 4_900 } } });
    expect(routeEvent(refundEvent({ type: 'refund.created', paymentIntentId: 'pi_test_3', amount: 1, status: 'pending' }))).toEqual({
      action: 'ignore',
      reason: expect.stringMatching(/is pending, not succeeded/),
    });
  });

  it('a dispute carries its id and status', () => {
    const closed = disputeEvent({ type: 'charge.dispute.closed', paymentIntentId: 'pi_test_4', amount: 100, status: 'lost' });
    expect(started(closed)).toMatchObject({
      workflowType: 'syncPurchase',
      input: { paymentIntentId: 'pi_test_4', dispute: { disputeId: 'dp_test_4', status: 'lost', amount: 100 }, refund: null },
    });
  });

  it('a charge with no payment intent is acknowledged and ignored', () => {
    const event = chargeRefundedEvent({ paymentIntentId: 'pi_test_5', amount: 100, amountRefunded: 100 });
    (event.data.object as { payment_intent: string | null }).payment_intent = null;
    expect(routeEvent(event)).toEqual({ action: 'ignore', reason: 'charge.refunded names no payment intent' });
  });

  it('the endpoint’s event list includes the refund and dispute events (Stripe lists at most 20 types per request)', () => {
    expect(HANDLED_EVENT_TYPES).toEqual(
      expect.arrayContaining(['charge.refunded', 'refund.created', 'refund.updated', 'charge.dispute.created', 'charge.dispute.closed']),
    );
    expect(HANDLED_EVENT_TYPES.length).toBeLessThanOrEqual(20);
  });
});
