import { createStripeClient } from '../../../src/clients/stripe';
import { runCli } from '../../../src/ops/cli';
import { checkoutEvent, subscriptionEvent, sumoMetadata } from '../../../devstack/sample-events';
import { useLocalStripeEvents } from '../../support/local-stripe-events';
import { useHarness } from '../../support/harness';
import { opsContextFor, opsJson } from '../../support/ops-context';

const h = useHarness();
const stripeApi = useLocalStripeEvents();

const ops = (...argv: string[]) => opsJson(h, argv, { stripe: createStripeClient('sk_test_ops', stripeApi.url) });

describe('ops reconcile', () => {
  it('5 events in Stripe, 2 already fulfilled by the webhook: starts the 3 others; a second run changes nothing', async () => {
    const t = Math.floor(Date.now() / 1000) - 3600;
    const emails = [0, 1, 2, 3].map((i) => `reconcile.${i}.${Date.now()}@example.com`);
    const checkouts = emails.map((email, i) => checkoutEvent({ email, created: t + i, metadata: sumoMetadata() }));
    const subscriptionId = (checkouts[3].data.object as { subscription: string }).subscription;
    // A quantity change as Stripe sends it (previous_attributes): Sumo's 3 licences, sold as one
    // item, become 3 × 2 ÷ 1 = 6 (docs/subscriptions.md, licences).
    const update = subscriptionEvent({
      type: 'customer.subscription.updated',
      subscriptionId,
      status: 'active',
      quantity: 6,
      // As Stripe's update says what it changed: 3 licences bought as quantity 3, now 6.
      previous: { quantity: 3 },
      created: t + 100,
    });
    const all = [...checkouts, update];
    stripeApi.add(...all);

    for (const delivered of checkouts.slice(0, 2)) await h.deliver(delivered);
    await Promise.all(checkouts.slice(0, 2).map((e) => h.result(e.id)));

    const first = await ops('reconcile', '--since', '2h');
    expect(first).toMatchObject({ listed: 5, duplicate: 2, ignored: 0, failed: [] });
    expect([...first.started].sort()).toEqual([checkouts[2].id, checkouts[3].id, update.id].sort());
    await h.settled(all.map((e) => e.id));

    for (const event of all) expect(await h.runCount(event.id)).toBe(1);
    for (const email of emails) {
      expect(await h.db.user.count({ where: { email } })).toBe(1);
      expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
    }
    expect(await h.db.subscription.findUniqueOrThrow({ where: { stripeSubscriptionId: subscriptionId } })).toMatchObject({
      quantity: 6,
      hasAccess: true,
    });

    const second = await ops('reconcile', '--since', '2h');
    expect(second).toMatchObject({ listed: 5, started: [], duplicate: 5, failed: [] });
    for (const event of all) expect(await h.runCount(event.id)).toBe(1);
    for (const email of emails) expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
  });
});

describe('ops replay', () => {
  it('runs an event Stripe gave up on once; a second replay is a no-op', async () => {
    const email = `replay.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, metadata: sumoMetadata() });
    stripeApi.add(event);

    expect(await ops('replay', event.id)).toMatchObject({ outcome: 'started', workflowType: 'fulfillCheckout' });
    await h.result(event.id);
    expect(await ops('replay', event.id)).toMatchObject({ outcome: 'duplicate' });

    expect(await h.runCount(event.id)).toBe(1);
    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
  });

  it('says so when Stripe has no such event', async () => {
    const { code, output } = await runCli(
      ['replay', 'evt_does_not_exist'],
      opsContextFor(h, { stripe: createStripeClient('sk_test_ops', stripeApi.url) }),
    );
    expect(code).toBe(1);
    expect(output).toMatch(/Stripe has no event evt_does_not_exist \(No such event: 'evt_does_not_exist'\)/);
  });
});
