import { checkoutEvent, subscriptionEvent } from '../../../devstack/sample-events';
import { useHarness } from '../../support/harness';
import { useLocalStripeEvents } from '../../support/local-stripe-events';

/** A direct buyer of "pro ×3" pays for 3 licences: the checkout's line items say so, even when
 *  the company's checkout names the tier in metadata.tier_id. */
const stripeApi = useLocalStripeEvents();
const h = useHarness(() => ({ stripeApiBase: stripeApi.url }));

describe('a direct purchase of several licences', () => {
  it('gets the quantity it paid for, also next to a same-second customer.subscription.created', async () => {
    const tag = Date.now();
    const subscriptionId = `sub_test_direct_qty_${tag}`;
    const sessionId = `cs_test_direct_qty_${tag}`;
    const t = Math.floor(Date.now() / 1000) - 30;
    stripeApi.setLineItems(sessionId, [{ priceId: 'price_pro_monthly', quantity: 3 }]);
    const created = subscriptionEvent({
      type: 'customer.subscription.created',
      subscriptionId,
      status: 'active',
      quantity: 3,
      priceId: 'price_pro_monthly',
      created: t,
    });
    const checkout = checkoutEvent({ sessionId, subscriptionId, created: t, metadata: { tier_id: 'pro' } });
    for (const e of [created, checkout]) expect((await h.deliver(e)).statusCode).toBe(200);
    await h.settled([created.id, checkout.id]);

    await expect(h.result(checkout.id)).resolves.toMatchObject({ plan: 'pro', seatLimit: 15 });
    expect(await h.db.subscription.findUniqueOrThrow({ where: { stripeSubscriptionId: subscriptionId } })).toMatchObject({
      quantity: 3,
      seatLimit: 15,
    });
  });
});
