import { checkoutEvent, invoiceEvent, sumoMetadata } from '../../../devstack/sample-events';
import { eventually } from '../../support/eventually';
import { useHarness } from '../../support/harness';

/** A short grace period so the test sees it end (production default: 7 days), long enough that
 *  a loaded machine delivers and settles both events before it ends (2 s was not, under the
 *  full suite: the grace counts from the event's whole-second `created`). */
const GRACE_MS = 6_000;

const h = useHarness({ pastDueGraceMs: GRACE_MS });

const row = (stripeSubscriptionId: string) =>
  h.db.subscription.findUniqueOrThrow({ where: { stripeSubscriptionId }, include: { entitlements: true } });

describe('past_due grace period', () => {
  it('keeps access while it lasts and revokes it when it ends, with no further event from Stripe', async () => {
    const subscriptionId = `sub_test_grace_${Date.now()}`;
    const email = `grace.${Date.now()}@example.com`;
    const t = Math.floor(Date.now() / 1000);
    const checkout = checkoutEvent({ email, subscriptionId, created: t - 60, metadata: sumoMetadata() });
    const failed = invoiceEvent({ type: 'invoice.payment_failed', subscriptionId, created: t, customerEmail: email });
    for (const e of [checkout, failed]) await h.deliver(e);
    await h.settled([checkout.id, failed.id]);

    expect(await row(subscriptionId)).toMatchObject({ status: 'past_due', hasAccess: true });
    const after = await eventually(
      () => row(subscriptionId),
      (r) => !r.hasAccess,
    );
    expect(after).toMatchObject({ status: 'past_due', hasAccess: false, entitlements: [] });
    await expect(h.result(failed.id)).resolves.toMatchObject({ status: 'past_due' });
  });

  it('a payment made within the grace period keeps access after it would have ended', async () => {
    const subscriptionId = `sub_test_grace_paid_${Date.now()}`;
    const email = `grace.paid.${Date.now()}@example.com`;
    const t = Math.floor(Date.now() / 1000);
    const checkout = checkoutEvent({ email, subscriptionId, created: t - 60, metadata: sumoMetadata() });
    const failed = invoiceEvent({
      type: 'invoice.payment_failed',
      subscriptionId,
      invoiceId: `in_${subscriptionId}`,
      created: t - 1,
      customerEmail: email,
    });
    const paid = invoiceEvent({ type: 'invoice.paid', subscriptionId, invoiceId: `in_${subscriptionId}`, created: t });
    for (const e of [checkout, failed, paid]) await h.deliver(e);
    await h.settled([checkout.id, failed.id, paid.id]);

    await h.result(failed.id); // its timer has fired and it has synced access again
    expect(await row(subscriptionId)).toMatchObject({ status: 'active', hasAccess: true });
    expect((await row(subscriptionId)).entitlements.length).toBeGreaterThan(0);
  });
});
