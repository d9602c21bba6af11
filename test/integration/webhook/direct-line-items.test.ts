import { checkoutEvent } from '../../../devstack/sample-events';
import { SHIPPED_CATALOG, useHarness } from '../../support/harness';

/** The price stripe-mock's fixtures put on every checkout line item. */
const STRIPE_MOCK_PRICE = 'price_1PgafmB7WZ01zgkW02Hf9z6c';

const h = useHarness({ catalog: { ...SHIPPED_CATALOG, prices: { ...SHIPPED_CATALOG.prices, [STRIPE_MOCK_PRICE]: 'pro' } } });

describe('a direct checkout without metadata.tier_id', () => {
  it('takes its tier from the session’s line items, read through the Stripe API', async () => {
    const email = `lineitems.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, metadata: {} });
    await h.deliver(event);
    await expect(h.result(event.id)).resolves.toMatchObject({ userCreated: true, plan: 'pro', seatLimit: 5 });
    const subscription = await h.db.subscription.findFirstOrThrow({ where: { linkedByEventId: event.id } });
    expect(subscription).toMatchObject({ tierId: 'pro', quantity: 1, source: 'direct' });
  });

  it('stops without retrying, naming the price, when no line item is in the catalogue', async () => {
    await h.restartWorker(SHIPPED_CATALOG);
    const event = checkoutEvent({ metadata: {} });
    await h.deliver(event);
    expect(await h.attention(event.id)).toMatchObject({
      step: 'resolvePurchase',
      errorType: 'UnknownTier',
      attempts: 1,
      error: expect.stringContaining(STRIPE_MOCK_PRICE),
    });
  });
});
