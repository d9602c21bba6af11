import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import { useHarness } from '../../support/harness';
import { fromRoot } from '../../support/paths';

/**
 * A webhook endpoint is pinned to the API version it was created with, so the same service
 * receives payloads of older versions too. Fixtures of the current version and of 2024-06-20
 * (test/fixtures/stripe; see its README for what moved) go through the webhook, the workflows
 * and the database, and must record the same facts.
 */
const FIXTURES = fromRoot('test/fixtures/stripe');
const VERSIONS = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const PERIOD_END = new Date(1_769_904_000 * 1000);

const h = useHarness();

/** The version's three events, with fresh ids (so each run is new) and `created` in order, now. */
function eventsOf(version: string) {
  const tag = randomBytes(6).toString('hex');
  const email = `fixture.${tag}@example.com`;
  const now = Math.floor(Date.now() / 1000);
  const load = (type: string, n: number): Stripe.Event => {
    const raw = readFileSync(`${FIXTURES}/${version}/${type}.json`, 'utf8')
      .replace(/(sub|cs|cus|in|evt|si)_fixture/g, `$1_fixture_${tag}`)
      .replace(/fixture\.buyer@example\.com/g, email);
    return { ...(JSON.parse(raw) as Stripe.Event), created: now - 60 + n };
  };
  return {
    email,
    subscriptionId: `sub_fixture_${tag}`,
    checkout: load('checkout.session.completed', 0),
    updated: load('customer.subscription.updated', 1),
    failed: load('invoice.payment_failed', 2),
  };
}

describe.each(VERSIONS)('Stripe API version %s', (version) => {
  it('checkout, quantity update and failed payment record the same subscription', async () => {
    const { email, subscriptionId, checkout, updated, failed } = eventsOf(version);
    expect(checkout.api_version).toBe(version);
    for (const event of [checkout, updated, failed]) expect((await h.deliver(event)).statusCode).toBe(200);
    await h.settled([checkout.id, updated.id, failed.id]);

    const row = await h.db.subscription.findUniqueOrThrow({
      where: { stripeSubscriptionId: subscriptionId },
      include: { entitlements: true, user: true },
    });
    expect(row).toMatchObject({
      status: 'past_due',
      hasAccess: true,
      tierId: 'sumo_tier_2',
      quantity: 5,
      seatLimit: 15,
      currentPeriodEnd: PERIOD_END,
      stripeAccount: null,
    });
    expect(row.user?.email).toBe(email);
    expect(row.entitlements.map((e) => e.feature).sort()).toEqual(['core', 'integrations', 'priority_support', 'reports']);
    expect(
      h.postmark.outbox
        .filter((m) => m.to === email)
        .map((m) => m.templateAlias)
        .sort(),
    ).toEqual(['payment-failed', 'welcome']);

    // The invoice's copy of the subscription's metadata names the Sumo campaign, in both shapes.
    const described = await h.client.workflow.getHandle(failed.id).describe();
    expect(described.searchAttributes.SumoCampaignId).toEqual(['camp_fixture']);
  });
});
