import { checkoutEvent, subscriptionEvent, sumoMetadata } from '../../../devstack/sample-events';
import { SHIPPED_CATALOG, useHarness } from '../../support/harness';

/** Taking access away must never depend on the catalogue: a tier retired from config/catalog.json
 *  still has subscriptions that get paused or cancelled. */
const h = useHarness();

const withoutTier = (tierId: string) => {
  const { [tierId]: _retired, ...tiers } = SHIPPED_CATALOG.tiers;
  return { ...SHIPPED_CATALOG, tiers };
};
const row = (stripeSubscriptionId: string) =>
  h.db.subscription.findUniqueOrThrow({ where: { stripeSubscriptionId }, include: { entitlements: true } });

describe('a subscription whose tier was retired from the catalogue', () => {
  it('loses its access when it is cancelled or paused', async () => {
    const t = Math.floor(Date.now() / 1000) - 60;
    const [cancelled, paused] = ['cancelled', 'paused'].map((what) => `sub_test_retired_${what}_${Date.now()}`);
    const checkouts = [cancelled, paused].map((subscriptionId) =>
      checkoutEvent({ subscriptionId, created: t, metadata: sumoMetadata({ tierId: 'sumo_tier_3', quantity: '1', addons: '[]' }) }),
    );
    for (const e of checkouts) await h.deliver(e);
    await h.settled(checkouts.map((e) => e.id));
    expect((await row(cancelled)).entitlements.length).toBeGreaterThan(0);

    await h.restartWorker(withoutTier('sumo_tier_3'));
    const events = [
      subscriptionEvent({ type: 'customer.subscription.deleted', subscriptionId: cancelled, status: 'canceled', created: t + 10 }),
      subscriptionEvent({ type: 'customer.subscription.paused', subscriptionId: paused, status: 'paused', created: t + 10 }),
    ];
    for (const e of events) await h.deliver(e);
    await h.settled(
      events.map((e) => e.id),
      15_000,
    );

    expect(await row(cancelled)).toMatchObject({ status: 'canceled', hasAccess: false, entitlements: [] });
    expect(await row(paused)).toMatchObject({ status: 'paused', hasAccess: false, entitlements: [] });
  });
});
