import { checkoutEvent, invoiceEvent, subscriptionEvent, sumoMetadata } from '../../../devstack/sample-events';
import { useHarness } from '../../support/harness';

const h = useHarness();

const now = () => Math.floor(Date.now() / 1000);
let n = 0;
const ids = () => {
  const tag = `${Date.now()}_${++n}`;
  return { subscriptionId: `sub_test_${tag}`, email: `scenario.${tag}@example.com`, customerId: `cus_test_${tag}` };
};

/** Delivers the events in this order, one after the other, and waits until all are applied. */
async function deliverAll(...events: Array<{ id: string }>): Promise<void> {
  for (const event of events) expect((await h.deliver(event)).statusCode).toBe(200);
  await h.settled(events.map((e) => e.id));
}

const subscriptionRow = (stripeSubscriptionId: string) =>
  h.db.subscription.findUniqueOrThrow({ where: { stripeSubscriptionId }, include: { entitlements: { orderBy: { feature: 'asc' } } } });
const features = async (stripeSubscriptionId: string) => (await subscriptionRow(stripeSubscriptionId)).entitlements.map((e) => e.feature);

/** Stripe's quantity of an active subscription changed from `from` to `to`. */
const quantityChanged = (subscriptionId: string, from: number, to: number, created: number) =>
  subscriptionEvent({
    type: 'customer.subscription.updated',
    subscriptionId,
    status: 'active',
    quantity: to,
    previous: { quantity: from },
    created,
  });

describe('subscription lifecycle through the webhook', () => {
  it('deleted before checkout.session.completed: the user is created, and ends without access', async () => {
    const { subscriptionId, email } = ids();
    const t = now() - 100;
    await deliverAll(
      subscriptionEvent({ type: 'customer.subscription.deleted', subscriptionId, status: 'canceled', created: t + 20 }),
      checkoutEvent({ email, subscriptionId, created: t, metadata: sumoMetadata() }),
    );

    const row = await subscriptionRow(subscriptionId);
    expect(row).toMatchObject({ status: 'canceled', hasAccess: false, tierId: 'sumo_tier_2' });
    expect(row.entitlements).toEqual([]);
    expect(await h.db.user.findUnique({ where: { email } })).toMatchObject({ id: row.userId });
  });

  it('a late, older updated after deleted: still canceled, no access', async () => {
    const { subscriptionId, email } = ids();
    const t = now() - 100;
    await deliverAll(
      checkoutEvent({ email, subscriptionId, created: t, metadata: sumoMetadata() }),
      subscriptionEvent({ type: 'customer.subscription.deleted', subscriptionId, status: 'canceled', quantity: 3, created: t + 30 }),
      quantityChanged(subscriptionId, 3, 7, t + 20),
    );

    expect(await subscriptionRow(subscriptionId)).toMatchObject({ status: 'canceled', hasAccess: false, quantity: 3, entitlements: [] });
  });

  it('quantity 1 → 5 → 2: seats follow', async () => {
    const { subscriptionId, email } = ids();
    const t = now() - 100;
    await deliverAll(
      checkoutEvent({ email, subscriptionId, created: t, metadata: sumoMetadata({ tierId: 'sumo_tier_2', quantity: '1' }) }),
    );
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ quantity: 1, seatLimit: 3, hasAccess: true });

    await deliverAll(quantityChanged(subscriptionId, 1, 5, t + 10));
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ quantity: 5, seatLimit: 15, hasAccess: true });

    await deliverAll(quantityChanged(subscriptionId, 5, 2, t + 20));
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ quantity: 2, seatLimit: 6, hasAccess: true });
  });

  it('a Sumo subscription keeps its sumo_quantity licences through renewals; a change of Stripe’s quantity scales them', async () => {
    const { subscriptionId, email, customerId } = ids();
    const t = now() - 1000;
    const periodEnd = t + 30 * 86_400;
    const sub = (type: 'customer.subscription.created' | 'customer.subscription.updated', at: number, quantity: number, extra = {}) =>
      subscriptionEvent({
        type,
        subscriptionId,
        customerId,
        status: 'active',
        quantity,
        created: at,
        currentPeriodEnd: periodEnd,
        ...extra,
      });
    // 3 licences sold as one item of quantity 1 (Sumo's price is the bundle).
    await deliverAll(
      sub('customer.subscription.created', t, 1),
      checkoutEvent({
        email,
        subscriptionId,
        customerId,
        created: t + 1,
        metadata: sumoMetadata({ tierId: 'sumo_tier_2', quantity: '3' }),
      }),
    );
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ quantity: 3, seatLimit: 9, hasAccess: true });

    // A renewal (and a card change): Stripe's quantity unchanged, so the licences are.
    await deliverAll(
      sub('customer.subscription.updated', t + 100, 1, { currentPeriodEnd: periodEnd + 30 * 86_400 }),
      sub('customer.subscription.updated', t + 200, 1, { currentPeriodEnd: periodEnd + 30 * 86_400 }),
    );
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ quantity: 3, seatLimit: 9, hasAccess: true });

    // Stripe's quantity 1 → 2: twice the bundle, twice the licences.
    await deliverAll(sub('customer.subscription.updated', t + 300, 2, { previous: { quantity: 1 } }));
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ quantity: 6, seatLimit: 18, hasAccess: true });
  });

  it('a price change to a catalogued price beats subscription metadata that still names the old tier', async () => {
    const { subscriptionId, email, customerId } = ids();
    const t = now() - 1000;
    const metadata = { tier_id: 'starter' };
    await deliverAll(
      subscriptionEvent({
        type: 'customer.subscription.created',
        subscriptionId,
        customerId,
        status: 'active',
        priceId: 'price_starter_monthly',
        metadata,
        created: t,
      }),
      checkoutEvent({ email, subscriptionId, customerId, created: t + 1, metadata }),
    );
    expect(await features(subscriptionId)).toEqual(['core']);

    // The customer portal's upgrade: the price changes, the metadata stays.
    const onPro = (created: number, more: Partial<Parameters<typeof subscriptionEvent>[0]> = {}) =>
      subscriptionEvent({
        type: 'customer.subscription.updated',
        subscriptionId,
        customerId,
        status: 'active',
        priceId: 'price_pro_monthly',
        metadata,
        created,
        ...more,
      });
    await deliverAll(onPro(t + 100, { previous: { priceId: 'price_starter_monthly' } }));
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ tierId: 'pro', plan: 'pro', seatLimit: 5 });
    expect(await features(subscriptionId)).toEqual(['core', 'integrations', 'reports']);

    // Its next renewal says the same: still pro.
    await deliverAll(onPro(t + 200, { currentPeriodEnd: t + 60 * 86_400 }));
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ tierId: 'pro', plan: 'pro' });
  });

  it('a direct purchase changing tier (starter → pro → starter): features follow', async () => {
    const { subscriptionId, email } = ids();
    const t = now() - 100;
    await deliverAll(checkoutEvent({ email, subscriptionId, created: t, metadata: { tier_id: 'starter' } }));
    expect(await features(subscriptionId)).toEqual(['core']);

    await deliverAll(
      subscriptionEvent({
        type: 'customer.subscription.updated',
        subscriptionId,
        status: 'active',
        priceId: 'price_pro_monthly',
        quantity: 1,
        created: t + 10,
      }),
    );
    expect(await features(subscriptionId)).toEqual(['core', 'integrations', 'reports']);
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ tierId: 'pro', plan: 'pro', seatLimit: 5 });

    await deliverAll(
      subscriptionEvent({
        type: 'customer.subscription.updated',
        subscriptionId,
        status: 'active',
        priceId: 'price_starter_monthly',
        quantity: 1,
        created: t + 20,
      }),
    );
    expect(await features(subscriptionId)).toEqual(['core']);
  });

  it('invoice.payment_failed twice for the same invoice: one email; access kept in the grace period; invoice.paid keeps it', async () => {
    const { subscriptionId, email } = ids();
    const t = now() - 100;
    const invoiceId = `in_test_${subscriptionId}`;
    await deliverAll(checkoutEvent({ email, subscriptionId, created: t, metadata: sumoMetadata() }));
    const failed = invoiceEvent({ type: 'invoice.payment_failed', subscriptionId, invoiceId, created: t + 10, customerEmail: email });
    const failedAgain = invoiceEvent({ type: 'invoice.payment_failed', subscriptionId, invoiceId, created: t + 20, customerEmail: email });
    await deliverAll(failed, failedAgain);

    const paymentFailedEmails = () => h.postmark.outbox.filter((m) => m.to === email && m.templateAlias === 'payment-failed');
    expect(paymentFailedEmails()).toHaveLength(1);
    expect(paymentFailedEmails()[0]).toMatchObject({
      tag: 'payment_failed',
      templateModel: { amount_due: '49.00', amount_due_formatted: '$49.00', currency: 'USD', plan: 'sumo-growth' },
    });
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ status: 'past_due', hasAccess: true });

    await deliverAll(invoiceEvent({ type: 'invoice.paid', subscriptionId, invoiceId, created: t + 30 }));
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ status: 'active', hasAccess: true, pastDueSince: null });
    expect(paymentFailedEmails()).toHaveLength(1);
  });

  it('the payment-failed email shows a zero- or three-decimal currency in its own minor units: ¥4,900, not 49.00 JPY', async () => {
    for (const [currency, amountDue, amount, formatted] of [
      ['jpy', 4_900, '4900', '¥4,900'],
      ['kwd', 12_340, '12.340', 'KWD\u00a012.340'],
    ] as const) {
      const { subscriptionId, email } = ids();
      const t = now() - 100;
      await deliverAll(
        checkoutEvent({ email, subscriptionId, created: t, metadata: sumoMetadata() }),
        invoiceEvent({ type: 'invoice.payment_failed', subscriptionId, created: t + 10, customerEmail: email, amountDue, currency }),
      );
      const sent = h.postmark.outbox.filter((m) => m.to === email && m.templateAlias === 'payment-failed');
      expect(sent).toHaveLength(1);
      expect(sent[0].templateModel).toMatchObject({
        amount_due: amount,
        amount_due_formatted: formatted,
        currency: currency.toUpperCase(),
      });
    }
  });

  it('a late failure of an older invoice, after a newer one was paid, changes nothing and dunns no one', async () => {
    const { subscriptionId, email } = ids();
    const t = now() - 1000;
    const older = `in_test_old_${subscriptionId}`;
    const newer = `in_test_new_${subscriptionId}`;
    await deliverAll(
      checkoutEvent({ email, subscriptionId, created: t, metadata: sumoMetadata() }),
      invoiceEvent({ type: 'invoice.paid', subscriptionId, invoiceId: newer, invoiceCreated: t + 500, created: t + 510 }),
      // The older invoice (an earlier period's) fails on a retry, after the newer one was paid.
      invoiceEvent({
        type: 'invoice.payment_failed',
        subscriptionId,
        invoiceId: older,
        invoiceCreated: t + 5,
        created: t + 600,
        customerEmail: email,
      }),
    );
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ status: 'active', hasAccess: true, pastDueSince: null });
    expect(h.postmark.outbox.filter((m) => m.to === email && m.templateAlias === 'payment-failed')).toHaveLength(0);
  });

  it('paying an older invoice does not restore a subscription whose latest invoice is unpaid', async () => {
    const { subscriptionId, email } = ids();
    const t = now() - 1000;
    await deliverAll(
      checkoutEvent({ email, subscriptionId, created: t, metadata: sumoMetadata() }),
      invoiceEvent({
        type: 'invoice.payment_failed',
        subscriptionId,
        invoiceId: `in_test_new_${subscriptionId}`,
        invoiceCreated: t + 500,
        created: t + 510,
        customerEmail: email,
      }),
      invoiceEvent({
        type: 'invoice.paid',
        subscriptionId,
        invoiceId: `in_test_old_${subscriptionId}`,
        invoiceCreated: t + 5,
        created: t + 600,
      }),
    );
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ status: 'past_due', hasAccess: true });
    expect(h.postmark.outbox.filter((m) => m.to === email && m.templateAlias === 'payment-failed')).toHaveLength(1);
  });

  it('a payment_failed arriving after the invoice was paid sends no email', async () => {
    const { subscriptionId, email } = ids();
    const t = now() - 100;
    const invoiceId = `in_test_${subscriptionId}`;
    await deliverAll(
      checkoutEvent({ email, subscriptionId, created: t, metadata: sumoMetadata() }),
      invoiceEvent({ type: 'invoice.paid', subscriptionId, invoiceId, created: t + 20 }),
      invoiceEvent({ type: 'invoice.payment_failed', subscriptionId, invoiceId, created: t + 10, customerEmail: email }),
    );
    expect(h.postmark.outbox.filter((m) => m.to === email && m.templateAlias === 'payment-failed')).toHaveLength(0);
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ status: 'active', hasAccess: true });
  });

  it('paused → revoked, resumed → granted again; revoking and re-granting twice changes nothing more', async () => {
    const { subscriptionId, email } = ids();
    const t = now() - 100;
    await deliverAll(checkoutEvent({ email, subscriptionId, created: t, metadata: sumoMetadata({ addons: '[]' }) }));
    const paused = subscriptionEvent({
      type: 'customer.subscription.paused',
      subscriptionId,
      status: 'paused',
      quantity: 3,
      created: t + 10,
    });
    await deliverAll(paused, { ...paused, id: `${paused.id}_again`, created: paused.created } as typeof paused);
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ status: 'paused', hasAccess: false, entitlements: [] });

    const resumed = subscriptionEvent({
      type: 'customer.subscription.resumed',
      subscriptionId,
      status: 'active',
      quantity: 3,
      created: t + 20,
    });
    await deliverAll(resumed, { ...resumed, id: `${resumed.id}_again` });
    expect(await features(subscriptionId)).toEqual(['core', 'integrations', 'reports']);
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ status: 'active', hasAccess: true, seatLimit: 9 });
  });

  it('events for a subscription not linked yet are kept and applied when its checkout arrives; none fails or waits', async () => {
    const { subscriptionId, email } = ids();
    const t = now() - 100;
    const early = [
      subscriptionEvent({ type: 'customer.subscription.created', subscriptionId, status: 'active', quantity: 1, created: t }),
      subscriptionEvent({ type: 'customer.subscription.updated', subscriptionId, status: 'active', quantity: 4, created: t + 30 }),
    ];
    await deliverAll(...early);
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ userId: null, quantity: 4, status: 'active', hasAccess: false });
    for (const e of early) await expect(h.result(e.id)).resolves.toMatchObject({ linked: false, hasAccess: false });

    await deliverAll(
      checkoutEvent({
        email,
        subscriptionId,
        created: t + 10,
        metadata: sumoMetadata({ tierId: 'sumo_tier_1', quantity: '1', addons: '[]' }),
      }),
    );
    const row = await subscriptionRow(subscriptionId);
    expect(row).toMatchObject({ quantity: 4, seatLimit: 4, tierId: 'sumo_tier_1', hasAccess: true });
    expect(row.entitlements.map((e) => e.feature)).toEqual(['core', 'reports']);
  });

  it('checkout.session.async_payment_failed revokes nothing it never granted and leaves the subscription without access', async () => {
    const { subscriptionId, email } = ids();
    const t = now() - 100;
    await deliverAll(
      checkoutEvent({
        type: 'checkout.session.async_payment_failed' as never,
        email,
        subscriptionId,
        created: t,
        paymentStatus: 'unpaid',
        metadata: sumoMetadata(),
      }),
    );
    expect(await subscriptionRow(subscriptionId)).toMatchObject({ status: 'incomplete', userId: null, hasAccess: false });
    expect(await h.db.user.findUnique({ where: { email } })).toBeNull();
  });

  it('a payment that fails again while the subscription is unpaid buys no new grace period', async () => {
    const { subscriptionId, email } = ids();
    const t = now() - 100;
    await deliverAll(
      checkoutEvent({ email, subscriptionId, created: t, metadata: sumoMetadata() }),
      subscriptionEvent({ type: 'customer.subscription.updated', subscriptionId, status: 'unpaid', created: t + 10 }),
      invoiceEvent({ type: 'invoice.payment_failed', subscriptionId, created: t + 20, customerEmail: email }),
    );
    expect(await subscriptionRow(subscriptionId)).toMatchObject({
      status: 'unpaid',
      hasAccess: false,
      pastDueSince: null,
      entitlements: [],
    });
  });
});
