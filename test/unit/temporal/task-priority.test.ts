import type Stripe from 'stripe';
import { checkoutEvent, invoiceEvent, subscriptionEvent, sumoMetadata } from '../../../devstack/sample-events';
import { chargeRefundedEvent } from '../../../devstack/sample-purchase-events';
import { routeEvent } from '../../../src/stripe/event-router';
import { PriorityKey, priorityFor } from '../../../src/temporal/task-priority';

const priorityOf = (event: Stripe.Event) => {
  const decision = routeEvent(event);
  if (decision.action !== 'start') throw new Error(`expected a start, got: ${decision.reason}`);
  return priorityFor(decision.start);
};

describe('which runs go ahead of a launch backlog', () => {
  it('our own customers (direct checkouts, their renewals, refunds) run ahead of every Sumo run', () => {
    expect(PriorityKey.ours).toBeLessThan(PriorityKey.marketplace); // Temporal: the lower key runs first
    expect(priorityOf(checkoutEvent({ metadata: { tier_id: 'pro' } })).priorityKey).toBe(PriorityKey.ours);
    expect(priorityOf(invoiceEvent({ type: 'invoice.paid', subscriptionId: 'sub_test_direct' })).priorityKey).toBe(PriorityKey.ours);
    expect(
      priorityOf(subscriptionEvent({ type: 'customer.subscription.deleted', subscriptionId: 'sub_test_d', status: 'canceled' }))
        .priorityKey,
    ).toBe(PriorityKey.ours);
    expect(priorityOf(chargeRefundedEvent({ paymentIntentId: 'pi_test_1', amount: 4_900, amountRefunded: 4_900 })).priorityKey).toBe(
      PriorityKey.ours,
    );
  });

  it('a Sumo checkout, and a lifecycle event of a subscription Sumo sold, queue as marketplace work keyed by campaign', () => {
    expect(priorityOf(checkoutEvent({ metadata: sumoMetadata({ campaignId: 'camp_a' }) }))).toEqual({
      priorityKey: PriorityKey.marketplace,
      fairnessKey: 'sumo:camp_a',
    });
    const sumoSubscription = subscriptionEvent({
      type: 'customer.subscription.updated',
      subscriptionId: 'sub_test_sumo',
      status: 'active',
      metadata: { sumo_campaign_id: 'camp_b' },
    });
    expect(priorityOf(sumoSubscription)).toEqual({ priorityKey: PriorityKey.marketplace, fairnessKey: 'sumo:camp_b' });
  });

  it('a campaign id too long for a fairness key (64 bytes) still gets a key of its own that Temporal accepts', () => {
    const long = (c: string) => priorityOf(checkoutEvent({ metadata: sumoMetadata({ campaignId: c.repeat(70) }) })).fairnessKey!;
    expect(Buffer.byteLength(long('é'))).toBeLessThanOrEqual(64);
    expect(long('é')).not.toBe(long('e'));
  });
});
