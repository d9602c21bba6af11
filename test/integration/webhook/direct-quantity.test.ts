import { checkoutEvent, subscriptionEvent } from '../../../devstack/sample-events';
import { useHarness } from '../../support/harness';
import { useLocalStripeEvents } from '../../support/local-stripe-events';

/** A direct buyer of "pro ×3" pays for 3 licences: the checkout's line items say so, even when
 *  the company's checkout names the tier in metadata.tier_id. */
const stripeApi = useLocalStripeEvents();
const h = useHarness(() => ({ stripeApiBase: stripeApi.url }));

let n = 0;
const ids = () => {
  const tag = `${Date.now()}_${++n}`;
  return { sessionId: `cs_test_items_${tag}`, subscriptionId: `sub_test_items_${tag}` };
};

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

  it('takes the quantity from the tier’s item among several: the plan ×3 next to a setup fee', async () => {
    const metadatas: Array<Record<string, string>> = [{ tier_id: 'pro' }, {}];
    for (const metadata of metadatas) {
      const { sessionId, subscriptionId } = ids();
      stripeApi.setLineItems(sessionId, [
        { priceId: 'price_setup_fee', quantity: 1 },
        { priceId: 'price_pro_monthly', quantity: 3 },
      ]);
      const checkout = checkoutEvent({ sessionId, subscriptionId, metadata });
      await h.deliver(checkout);
      await expect(h.result(checkout.id)).resolves.toMatchObject({ plan: 'pro', seatLimit: 15 });
    }
  });
});

describe('a direct purchase whose tier’s line item cannot be told among several', () => {
  it('with metadata.tier_id and no item priced for that tier: bad data for an operator, never a silent quantity 1', async () => {
    const { sessionId, subscriptionId } = ids();
    stripeApi.setLineItems(sessionId, [
      { priceId: 'price_custom_pro_plan', quantity: 3 },
      { priceId: 'price_setup_fee', quantity: 1 },
    ]);
    const checkout = checkoutEvent({ sessionId, subscriptionId, metadata: { tier_id: 'pro' } });
    await h.deliver(checkout);

    const attention = await h.attention(checkout.id);
    expect(attention).toMatchObject({ step: 'resolvePurchase', errorType: 'AmbiguousLineItems', attempts: 1 });
    expect(attention.error).toContain('metadata.tier_id "pro"');
    expect(attention.error).toContain('price_custom_pro_plan ×3');
    expect(attention.error).toContain('price_setup_fee ×1');
    expect(await h.db.subscription.findUnique({ where: { stripeSubscriptionId: subscriptionId } })).toBeNull();
  });

  it('without metadata.tier_id and items priced for two tiers: bad data, not the first one found', async () => {
    const { sessionId, subscriptionId } = ids();
    stripeApi.setLineItems(sessionId, [
      { priceId: 'price_pro_monthly', quantity: 2 },
      { priceId: 'price_starter_monthly', quantity: 1 },
    ]);
    const checkout = checkoutEvent({ sessionId, subscriptionId, metadata: {} });
    await h.deliver(checkout);

    const attention = await h.attention(checkout.id);
    expect(attention).toMatchObject({ step: 'resolvePurchase', errorType: 'AmbiguousLineItems', attempts: 1 });
    expect(attention.error).toContain('price_pro_monthly ×2');
    expect(attention.error).toContain('price_starter_monthly ×1');
    expect(await h.db.subscription.findUnique({ where: { stripeSubscriptionId: subscriptionId } })).toBeNull();
  });
});
