import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { useHarness } from '../../support/harness';

const h = useHarness();

describe('duplicate deliveries', () => {
  it('the same event delivered 10 times at once and again after completion fulfils once, and every delivery gets 200', async () => {
    const email = `dup.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, metadata: sumoMetadata() });

    const concurrent = await Promise.all(Array.from({ length: 10 }, () => h.deliver(event)));
    expect(concurrent.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    const bodies = concurrent.map((r) => r.json());
    expect(bodies.every((b) => b.received === true && b.workflowId === event.id)).toBe(true);
    expect(bodies.filter((b) => b.duplicate === false)).toHaveLength(1);

    await h.result(event.id);
    const late = await h.deliver(event);
    expect(late.statusCode).toBe(200);
    expect(late.json()).toEqual({ received: true, workflowId: event.id, duplicate: true });

    expect(await h.runCount(event.id)).toBe(1);
    expect(await h.db.user.count({ where: { email } })).toBe(1);
    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
    expect((await h.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).deliveries).toBe(11);
  });

  it('answers a redelivery of a completed event as a duplicate even after Temporal no longer holds the run', async () => {
    // Temporal's retention has dropped the closed run (the dev server keeps them 24 h;
    // Stripe redelivers for days): only the database remembers the fulfillment.
    const event = checkoutEvent({ metadata: sumoMetadata() });
    await h.db.stripeEvent.create({
      data: { id: event.id, type: event.type, status: 'completed', livemode: false, completedAt: new Date() },
    });

    const redelivery = await h.deliver(event);

    expect(redelivery.json()).toEqual({ received: true, workflowId: event.id, duplicate: true });
    expect(await h.workflowExists(event.id)).toBe(false);
  });

  it('two different purchases for the same new email at the same time create one user: one welcome, one confirmation', async () => {
    const email = `race.${Date.now()}@example.com`;
    const first = checkoutEvent({ email, metadata: sumoMetadata({ tierId: 'sumo_tier_1' }) });
    const second = checkoutEvent({ email, metadata: sumoMetadata({ tierId: 'sumo_tier_2' }) });

    await Promise.all([h.deliver(first), h.deliver(second)]);
    const [a, b] = await Promise.all([h.result(first.id), h.result(second.id)]);

    expect(a.userId).toBe(b.userId);
    expect([a.userCreated, b.userCreated].filter(Boolean)).toHaveLength(1);
    expect(await h.db.user.count({ where: { email } })).toBe(1);
    expect(await h.db.subscription.count({ where: { userId: a.userId } })).toBe(2);
    const sent = h.postmark.outbox.filter((m) => m.to === email).map((m) => m.templateAlias);
    expect(sent.sort()).toEqual(['purchase-confirmation', 'welcome']);
  });
});
