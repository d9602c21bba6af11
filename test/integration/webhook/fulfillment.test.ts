import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { useHarness } from '../../support/harness';

const h = useHarness();

/** Acknowledged (Stripe stops retrying) and nothing else: no run, no ledger row. */
async function expectIgnored(event: { id: string }): Promise<void> {
  const response = await h.deliver(event);
  expect(response.statusCode).toBe(200);
  expect(response.json()).toEqual({ received: true, ignored: true });
  expect(await h.workflowExists(event.id)).toBe(false);
  expect(await h.db.stripeEvent.findUnique({ where: { id: event.id } })).toBeNull();
}

describe('a Sumo purchase delivered to the webhook', () => {
  it('starts a workflow named after the event and fulfils it: one user, one subscription, entitlements, one welcome email', async () => {
    const metadata = sumoMetadata({ tierId: 'sumo_tier_2', quantity: '3', addons: '["priority_support"]' });
    const event = checkoutEvent({ email: '  New.Buyer@Example.COM ', metadata });
    const response = await h.deliver(event);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: true, workflowId: event.id, duplicate: false });

    const summary = await h.result(event.id);
    expect(summary).toMatchObject({ eventId: event.id, userCreated: true, plan: 'sumo-growth', seatLimit: 9 });

    const users = await h.db.user.findMany({ where: { email: 'new.buyer@example.com' } });
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ source: 'sumo', sumoUserId: metadata.sumo_user_id, createdByEventId: event.id });

    const session = event.data.object as { subscription: string; customer: string };
    const subscription = await h.db.subscription.findUniqueOrThrow({ where: { stripeSubscriptionId: session.subscription } });
    expect(subscription).toMatchObject({
      userId: users[0].id,
      tierId: 'sumo_tier_2',
      quantity: 3,
      seatLimit: 9,
      source: 'sumo',
      status: 'active',
      sumoCampaignId: 'camp_spring_launch',
    });

    const features = await h.db.entitlement.findMany({ where: { userId: users[0].id }, orderBy: { feature: 'asc' } });
    expect(features.map((f) => f.feature)).toEqual(['core', 'integrations', 'priority_support', 'reports']);

    const sent = h.postmark.outbox.filter((m) => m.to === 'new.buyer@example.com');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ templateAlias: 'welcome', from: 'hello@saas.example', messageId: summary.welcomeEmailMessageId });

    const ledger = await h.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(ledger).toMatchObject({ status: 'completed', type: 'checkout.session.completed' });
  });

  it('an event of a connected account is not ours when STRIPE_CONNECT_ACCOUNTS lists none: a stranger’s checkout naming our user and a tier creates nothing', async () => {
    const ours = await h.db.user.create({ data: { email: `victim.${Date.now()}@example.com`, source: 'direct' } });
    const email = `stranger.${Date.now()}@example.com`;
    for (const event of [
      checkoutEvent({ account: 'acct_test_stranger', clientReferenceId: ours.id, metadata: { tier_id: 'pro' } }),
      checkoutEvent({ account: 'acct_test_stranger', email, metadata: { tier_id: 'pro' } }),
    ]) {
      await expectIgnored(event);
    }
    expect(await h.db.user.findUnique({ where: { email } })).toBeNull();
    expect(await h.db.subscription.count({ where: { userId: ours.id } })).toBe(0);
  });

  it('counts one licence when sumo_quantity is missing', async () => {
    const { sumo_quantity: _omitted, ...metadata } = sumoMetadata({ tierId: 'sumo_tier_3' });
    const event = checkoutEvent({ metadata });
    await h.deliver(event);
    await expect(h.result(event.id)).resolves.toMatchObject({ plan: 'sumo-scale', seatLimit: 10 });
  });
});

describe('an existing direct user who buys through Sumo', () => {
  it('is linked to the purchase: no second user, no welcome email but a confirmation of the purchase', async () => {
    const email = `loyal.${Date.now()}@example.com`;
    const existing = await h.db.user.create({ data: { email, source: 'direct', name: 'Loyal Customer' } });

    const event = checkoutEvent({ email: email.toUpperCase(), metadata: sumoMetadata({ tierId: 'sumo_tier_1' }) });
    await h.deliver(event);
    const summary = await h.result(event.id);

    expect(summary).toMatchObject({ userId: existing.id, userCreated: false, welcomeEmailMessageId: null });
    expect(await h.db.user.count({ where: { email } })).toBe(1);
    const subscription = await h.db.subscription.findFirstOrThrow({ where: { linkedByEventId: event.id } });
    expect(subscription.userId).toBe(existing.id);
    const user = await h.db.user.findUniqueOrThrow({ where: { id: existing.id } });
    expect(user.source).toBe('direct');
    const sent = h.postmark.outbox.filter((m) => m.to === email);
    expect(sent.map((m) => m.templateAlias)).toEqual(['purchase-confirmation']);
    expect(summary.confirmationEmailMessageId).toBe(sent[0].messageId);
  });
});

describe('direct purchases', () => {
  it('links a checkout with client_reference_id to that user and sends no welcome email', async () => {
    const user = await h.db.user.create({ data: { email: `member.${Date.now()}@example.com`, source: 'direct' } });
    const event = checkoutEvent({ clientReferenceId: user.id, email: 'billing-alias@example.com', metadata: { tier_id: 'pro' } });

    await h.deliver(event);
    const summary = await h.result(event.id);

    expect(summary).toMatchObject({ userId: user.id, userCreated: false, plan: 'pro', seatLimit: 5, welcomeEmailMessageId: null });
    expect(await h.db.user.count({ where: { email: 'billing-alias@example.com' } })).toBe(0);
    const session = event.data.object as { customer: string };
    expect((await h.db.user.findUniqueOrThrow({ where: { id: user.id } })).stripeCustomerId).toBe(session.customer);
  });

  it('creates a new buyer by email, takes the tier from metadata.tier_id and welcomes them', async () => {
    const email = `direct.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, metadata: { tier_id: 'starter' } });
    await h.deliver(event);
    await expect(h.result(event.id)).resolves.toMatchObject({ userCreated: true, plan: 'starter' });
    expect((await h.db.user.findUniqueOrThrow({ where: { email } })).source).toBe('direct');
    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
  });

  it('ignores a completed checkout whose async payment is still pending, then fulfils on async_payment_succeeded', async () => {
    const email = `async.${Date.now()}@example.com`;
    const shared = {
      email,
      sessionId: `cs_test_async_${Date.now()}`,
      subscriptionId: `sub_test_async_${Date.now()}`,
      metadata: { tier_id: 'pro' },
    };
    const pending = checkoutEvent({ ...shared, paymentStatus: 'unpaid' });

    const first = await h.deliver(pending);
    expect(first.json()).toEqual({ received: true, ignored: true });
    expect(await h.workflowExists(pending.id)).toBe(false);

    const succeeded = checkoutEvent({ ...shared, type: 'checkout.session.async_payment_succeeded' });
    expect((await h.deliver(succeeded)).json()).toMatchObject({ workflowId: succeeded.id, duplicate: false });
    await expect(h.result(succeeded.id)).resolves.toMatchObject({ userCreated: true, plan: 'pro' });
  });
});

describe('events with nothing to do', () => {
  it('acknowledges them without starting a workflow', async () => {
    const event = { ...checkoutEvent(), type: 'customer.created', data: { object: { id: 'cus_123', object: 'customer' } } };
    const response = await h.deliver(event);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: true, ignored: true });
    expect(await h.workflowExists(event.id)).toBe(false);
  });

  it('acknowledges and ignores a setup-mode session (a card update through Checkout): no run, no ledger row, no user', async () => {
    const email = `setup.${Date.now()}@example.com`;
    for (const event of [
      checkoutEvent({ mode: 'setup', email, customerId: 'cus_test_setup' }),
      checkoutEvent({ mode: 'setup', email, customerId: 'cus_test_setup', metadata: sumoMetadata() }),
    ]) {
      await expectIgnored(event);
    }
    expect(await h.db.user.findUnique({ where: { email } })).toBeNull();
  });
});
