import { checkoutEvent, LIFETIME_CODE_PRICE, sumoMetadata } from '../../../devstack/sample-events';
import { chargeRefundedEvent, disputeEvent, refundEvent } from '../../../devstack/sample-purchase-events';
import { FailureType, skipUpdate, type PurchaseSyncSummary } from '../../../src/contracts';
import { useHarness } from '../../support/harness';
import { sumoLifetime, dealDispute, dealOddRefund } from '../../support/lifetime-events';
import { useLocalStripeEvents } from '../../support/local-stripe-events';

const stripeApi = useLocalStripeEvents();
const h = useHarness(() => ({ stripeApiBase: stripeApi.url }));

const now = () => Math.floor(Date.now() / 1000);
const purchaseOf = (paymentIntentId: string) =>
  h.db.purchase.findUniqueOrThrow({ where: { paymentIntentId }, include: { entitlements: { orderBy: { feature: 'asc' } }, user: true } });
const features = async (paymentIntentId: string) => (await purchaseOf(paymentIntentId)).entitlements.map((e) => e.feature);

/** Delivers the events in this order, one after the other, and waits until all are applied. */
async function deliverAll(...events: Array<{ id: string }>): Promise<void> {
  for (const event of events) expect((await h.deliver(event)).statusCode).toBe(200);
  await h.settled(events.map((e) => e.id));
}

const SUMO_TIER_2_FEATURES = ['core', 'integrations', 'priority_support', 'reports'];

describe('lifetime deals (payment-mode checkouts) through the webhook', () => {
  it('a Sumo lifetime deal of 3 codes: a new user, tier × 3 seats with its add-on, one welcome email', async () => {
    const deal = sumoLifetime({ quantity: 3 });
    await deliverAll(deal.checkout);

    await expect(h.result(deal.checkout.id)).resolves.toMatchObject({
      subscriptionId: null,
      userCreated: true,
      plan: 'sumo-growth',
      seatLimit: 9,
      lifetime: { paymentIntentId: deal.paymentIntentId, status: 'active', activeQuantity: 3 },
      entitlementsGranted: SUMO_TIER_2_FEATURES,
    });
    const purchase = await purchaseOf(deal.paymentIntentId);
    expect(purchase).toMatchObject({
      checkoutSessionId: (deal.checkout.data.object as { id: string }).id,
      source: 'sumo',
      sumoCampaignId: 'camp_spring_launch',
      tierId: 'sumo_tier_2',
      quantity: 3,
      activeQuantity: 3,
      amount: deal.amount,
      status: 'active',
      hasAccess: true,
      seatLimit: 9,
    });
    expect(purchase.user?.email).toBe(deal.email);
    expect(purchase.entitlements.map((e) => e.feature)).toEqual(SUMO_TIER_2_FEATURES);
    expect(await h.db.subscription.count({ where: { userId: purchase.userId } })).toBe(0);
    expect(h.postmark.outbox.filter((m) => m.to === deal.email && m.templateAlias === 'welcome')).toHaveLength(1);
  });

  it('a direct lifetime purchase of "pro ×2": the line item’s quantity, as lifetime access', async () => {
    const tag = Date.now();
    const sessionId = `cs_test_direct_lifetime_${tag}`;
    const paymentIntentId = `pi_test_direct_lifetime_${tag}`;
    stripeApi.setLineItems(sessionId, [{ priceId: 'price_pro_lifetime', quantity: 2 }]);
    const checkout = checkoutEvent({ mode: 'payment', sessionId, paymentIntentId, metadata: { tier_id: 'pro' }, amountTotal: 2 * 29_900 });
    await deliverAll(checkout);

    await expect(h.result(checkout.id)).resolves.toMatchObject({ subscriptionId: null, plan: 'pro', seatLimit: 10 });
    expect(await purchaseOf(paymentIntentId)).toMatchObject({
      source: 'direct',
      tierId: 'pro',
      quantity: 2,
      hasAccess: true,
      status: 'active',
    });
    expect(await features(paymentIntentId)).toEqual(['core', 'integrations', 'reports']);
  });

  it('redelivered 5 times (at once and after completion): fulfilled once, one user, one email, one purchase', async () => {
    const deal = sumoLifetime();
    const responses = await Promise.all(Array.from({ length: 4 }, () => h.deliver(deal.checkout)));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(responses.filter((r) => r.json().duplicate === false)).toHaveLength(1);
    await h.settled([deal.checkout.id]);
    const late = await h.deliver(deal.checkout);
    expect(late.json()).toEqual({ received: true, workflowId: deal.checkout.id, duplicate: true });

    expect(await h.runCount(deal.checkout.id)).toBe(1);
    expect(await h.db.user.count({ where: { email: deal.email } })).toBe(1);
    expect(await h.db.purchase.count({ where: { paymentIntentId: deal.paymentIntentId } })).toBe(1);
    expect(h.postmark.outbox.filter((m) => m.to === deal.email)).toHaveLength(1);
    expect(await features(deal.paymentIntentId)).toEqual(SUMO_TIER_2_FEATURES);
  });

  it('a full refund revokes the purchase’s access and keeps the user', async () => {
    const deal = sumoLifetime({ created: now() - 100 });
    await deliverAll(deal.checkout);
    const refund = chargeRefundedEvent({ paymentIntentId: deal.paymentIntentId, amount: deal.amount, amountRefunded: deal.amount });
    await deliverAll(refund);

    await expect(h.client.workflow.getHandle(refund.id).result()).resolves.toMatchObject({
      linked: true,
      status: 'refunded',
      hasAccess: false,
    } satisfies Partial<PurchaseSyncSummary>);
    const purchase = await purchaseOf(deal.paymentIntentId);
    expect(purchase).toMatchObject({ status: 'refunded', hasAccess: false, seatLimit: 0, amountRefunded: deal.amount, entitlements: [] });
    expect(await h.db.user.findUnique({ where: { email: deal.email } })).toMatchObject({ id: purchase.userId });
  });

  it('a partial refund of 1 of 3 codes leaves 2 codes’ seats', async () => {
    const deal = sumoLifetime({ quantity: 3, created: now() - 100 });
    await deliverAll(deal.checkout);
    await deliverAll(
      chargeRefundedEvent({ paymentIntentId: deal.paymentIntentId, amount: deal.amount, amountRefunded: LIFETIME_CODE_PRICE }),
    );

    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({
      status: 'partially_refunded',
      hasAccess: true,
      quantity: 3,
      activeQuantity: 2,
      seatLimit: 6,
    });
    expect(await features(deal.paymentIntentId)).toEqual(SUMO_TIER_2_FEATURES);
  });

  it('a refund that arrives before its checkout is kept, and the checkout applies it', async () => {
    const deal = sumoLifetime({ quantity: 3, created: now() - 100 });
    const refund = refundEvent({
      type: 'refund.created',
      paymentIntentId: deal.paymentIntentId,
      amount: LIFETIME_CODE_PRICE,
      created: now() - 50,
    });
    await deliverAll(refund);
    await expect(h.client.workflow.getHandle(refund.id).result()).resolves.toMatchObject({ linked: false, status: null });
    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({ userId: null, status: 'awaiting_checkout', hasAccess: false });

    await deliverAll(deal.checkout);
    await expect(h.result(deal.checkout.id)).resolves.toMatchObject({
      seatLimit: 6,
      lifetime: { status: 'partially_refunded', activeQuantity: 2 },
    });
  });

  it('a refund that is no whole number of codes waits in NeedsAttention and changes no access; skip keeps it, a whole-code refund settles it', async () => {
    const deal = sumoLifetime({ quantity: 3, created: now() - 100 });
    await deliverAll(deal.checkout);
    const odd = dealOddRefund(deal, now() - 50);
    expect((await h.deliver(odd)).statusCode).toBe(200);

    const attention = await h.attention(odd.id);
    expect(attention).toMatchObject({ step: 'syncPurchaseAccess', errorType: FailureType.PartialRefundNeedsDecision });
    expect(attention.error).toContain('refunded 1000 of 14700 for 3 code(s)');
    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({ status: 'refund_needs_decision', hasAccess: true, seatLimit: 9 });
    expect(await features(deal.paymentIntentId)).toEqual(SUMO_TIER_2_FEATURES);

    await expect(
      h.client.workflow
        .getHandle(odd.id)
        .executeUpdate(skipUpdate, { args: [{ by: 'oncall@test', reason: 'goodwill refund', step: attention.step }] }),
    ).resolves.toMatchObject({ action: 'skip', step: 'syncPurchaseAccess', applied: true });
    await h.settled([odd.id]);
    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({ hasAccess: true, seatLimit: 9 });

    // The rest of one code refunded: 4900 in all is exactly one of the three codes.
    await deliverAll(
      chargeRefundedEvent({ paymentIntentId: deal.paymentIntentId, amount: deal.amount, amountRefunded: LIFETIME_CODE_PRICE }),
    );
    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({ status: 'partially_refunded', activeQuantity: 2, seatLimit: 6 });
  });

  it('a refund of no whole number of codes before its checkout does not block it: the checkout completes, then the refund is asked', async () => {
    const deal = sumoLifetime({ quantity: 3, created: now() - 100 });
    const odd = dealOddRefund(deal, now() - 50);
    await deliverAll(odd);
    expect((await h.deliver(deal.checkout)).statusCode).toBe(200);

    const attention = await h.attention(deal.checkout.id);
    expect(attention).toMatchObject({ step: 'decidePartialRefund', errorType: FailureType.PartialRefundNeedsDecision });
    // Fulfilled already: the buyer has the codes no refund fully covers, and their welcome email.
    expect(await h.db.stripeEvent.findUniqueOrThrow({ where: { id: deal.checkout.id } })).toMatchObject({ status: 'completed' });
    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({
      status: 'refund_needs_decision',
      hasAccess: true,
      activeQuantity: 3,
      seatLimit: 9,
    });
    expect(await features(deal.paymentIntentId)).toEqual(SUMO_TIER_2_FEATURES);
    expect(h.postmark.outbox.filter((m) => m.to === deal.email && m.templateAlias === 'welcome')).toHaveLength(1);

    await expect(
      h.client.workflow
        .getHandle(deal.checkout.id)
        .executeUpdate(skipUpdate, { args: [{ by: 'oncall@test', reason: 'goodwill refund', step: attention.step }] }),
    ).resolves.toMatchObject({ action: 'skip', step: 'decidePartialRefund', applied: true });
    await expect(h.result(deal.checkout.id)).resolves.toMatchObject({
      seatLimit: 9,
      lifetime: { status: 'refund_needs_decision', activeQuantity: 3 },
    });
  });

  it('a dispute after a refund of no whole number of codes suspends access without asking anyone again', async () => {
    const deal = sumoLifetime({ quantity: 3, created: now() - 100 });
    await deliverAll(deal.checkout);
    const odd = dealOddRefund(deal, now() - 50);
    expect((await h.deliver(odd)).statusCode).toBe(200);
    const attention = await h.attention(odd.id);
    await h.client.workflow
      .getHandle(odd.id)
      .executeUpdate(skipUpdate, { args: [{ by: 'oncall@test', reason: 'goodwill refund', step: attention.step }] });
    await h.settled([odd.id]);

    await deliverAll(disputeEvent({ type: 'charge.dispute.created', paymentIntentId: deal.paymentIntentId, amount: deal.amount - 1_000 }));
    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({ status: 'disputed', hasAccess: false, seatLimit: 0 });
    expect(await features(deal.paymentIntentId)).toEqual([]);
  });

  it('a refund charged in another currency than the session showed is measured in the charge’s currency', async () => {
    // The session showed US$147.00 for 3 codes; Adaptive Pricing charged ¥22,050. ¥7,350 back is one code.
    const deal = sumoLifetime({ quantity: 3, created: now() - 100 });
    await deliverAll(deal.checkout);
    await deliverAll(
      chargeRefundedEvent({ paymentIntentId: deal.paymentIntentId, amount: 22_050, amountRefunded: 7_350, currency: 'jpy' }),
      refundEvent({ type: 'refund.created', paymentIntentId: deal.paymentIntentId, amount: 7_350, currency: 'jpy' }),
    );
    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({ status: 'partially_refunded', activeQuantity: 2, seatLimit: 6 });

    // ¥14,700 back in all is two codes, not (against the session's 14,700 cents) the whole purchase.
    await deliverAll(
      chargeRefundedEvent({ paymentIntentId: deal.paymentIntentId, amount: 22_050, amountRefunded: 14_700, currency: 'jpy' }),
    );
    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({
      status: 'partially_refunded',
      activeQuantity: 1,
      hasAccess: true,
      seatLimit: 3,
    });
  });

  it('a dispute suspends access; won, it is restored', async () => {
    const t = now() - 100;
    const deal = sumoLifetime({ created: t });
    await deliverAll(deal.checkout);
    await deliverAll(dealDispute(deal, t + 10));
    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({ status: 'disputed', hasAccess: false, entitlements: [] });

    await deliverAll(dealDispute(deal, t + 20, 'won'));
    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({ status: 'active', hasAccess: true, seatLimit: 9 });
    expect(await features(deal.paymentIntentId)).toEqual(SUMO_TIER_2_FEATURES);
  });

  it('a lost dispute revokes access for good: a later dispute event and a refund do not bring it back', async () => {
    const t = now() - 100;
    const deal = sumoLifetime({ created: t });
    const dispute = (type: 'charge.dispute.created' | 'charge.dispute.closed', status: string, created: number) =>
      disputeEvent({ type, paymentIntentId: deal.paymentIntentId, amount: deal.amount, status, created });
    await deliverAll(
      deal.checkout,
      dispute('charge.dispute.created', 'needs_response', t + 10),
      dispute('charge.dispute.closed', 'lost', t + 20),
    );
    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({ status: 'dispute_lost', hasAccess: false, entitlements: [] });

    await deliverAll(
      dispute('charge.dispute.created', 'needs_response', t + 30),
      chargeRefundedEvent({ paymentIntentId: deal.paymentIntentId, amount: deal.amount, amountRefunded: 0, created: t + 40 }),
    );
    expect(await purchaseOf(deal.paymentIntentId)).toMatchObject({ status: 'dispute_lost', hasAccess: false, entitlements: [] });
    expect(await h.db.user.count({ where: { email: deal.email } })).toBe(1);
  });

  it('a refund of a subscription invoice’s charge changes nothing by itself', async () => {
    const subscriptionId = `sub_test_refunded_${Date.now()}`;
    const checkout = checkoutEvent({ subscriptionId, metadata: sumoMetadata() });
    await deliverAll(checkout);
    const refund = chargeRefundedEvent({ paymentIntentId: `pi_test_invoice_${Date.now()}`, amount: 4_900, amountRefunded: 4_900 });
    await deliverAll(refund);

    await expect(h.client.workflow.getHandle(refund.id).result()).resolves.toMatchObject({ linked: false });
    expect(await h.db.subscription.findUniqueOrThrow({ where: { stripeSubscriptionId: subscriptionId } })).toMatchObject({
      status: 'active',
      hasAccess: true,
    });
  });

  it('a refund that has not succeeded yet is acknowledged and ignored', async () => {
    const pending = refundEvent({ type: 'refund.created', paymentIntentId: 'pi_test_pending', amount: 100, status: 'pending' });
    const response = await h.deliver(pending);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: true, ignored: true });
    expect(await h.workflowExists(pending.id)).toBe(false);
  });
});
