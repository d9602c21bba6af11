import { createStripeClient } from '../../../src/clients/stripe';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { useHarness } from '../../support/harness';
import { useLocalStripeEvents } from '../../support/local-stripe-events';
import { opsJson } from '../../support/ops-context';

/**
 * Sumo's purchases are our own account's events (Sumo, the Connect platform, creates the sessions
 * on our account: no `event.account`). A connected account's events (`event.account`) are ours
 * only when STRIPE_CONNECT_ACCOUNTS lists it; Stripe's Events API lists them only with that
 * account's Stripe-Account header. Reconciliation and replay reach the listed ones, and no other.
 */
const PARTNER_ACCOUNT = 'acct_test_partner';
const h = useHarness();
const stripeApi = useLocalStripeEvents();

const ops = (argv: string[], connectAccounts: string[] = [PARTNER_ACCOUNT]) =>
  opsJson(h, argv, { stripe: createStripeClient('sk_test_ops', stripeApi.url), connectAccounts });

describe('events of connected accounts', () => {
  it('are reconciled for every account in STRIPE_CONNECT_ACCOUNTS, and the platform’s own too', async () => {
    const t = Math.floor(Date.now() / 1000) - 600;
    const partner = checkoutEvent({ account: PARTNER_ACCOUNT, created: t, metadata: { tier_id: 'starter' } });
    const sumo = checkoutEvent({ created: t + 1, metadata: sumoMetadata() });
    stripeApi.add(partner, sumo);

    const report = await ops(['reconcile', '--since', '1h']);
    expect([...report.started].sort()).toEqual([partner.id, sumo.id].sort());
    await expect(h.result(partner.id)).resolves.toMatchObject({ userCreated: true });
    await expect(h.result(sumo.id)).resolves.toMatchObject({ userCreated: true, plan: 'sumo-growth' });
    expect(await h.db.stripeEvent.findUniqueOrThrow({ where: { id: partner.id } })).toMatchObject({ stripeAccount: PARTNER_ACCOUNT });
    expect(await h.db.stripeEvent.findUniqueOrThrow({ where: { id: sumo.id } })).toMatchObject({ stripeAccount: null });
  });

  it('are replayed with --account when the account is listed, and refused when it is not', async () => {
    const event = checkoutEvent({ account: PARTNER_ACCOUNT, metadata: { tier_id: 'starter' } });
    stripeApi.add(event);
    await expect(ops(['replay', event.id], [PARTNER_ACCOUNT])).rejects.toThrow(/Stripe has no event/);
    await expect(ops(['replay', event.id, '--account', PARTNER_ACCOUNT], [])).rejects.toThrow(/not in STRIPE_CONNECT_ACCOUNTS/);
    expect(await h.workflowExists(event.id)).toBe(false);
    expect(await ops(['replay', event.id, '--account', PARTNER_ACCOUNT])).toMatchObject({ outcome: 'started' });
    await expect(h.result(event.id)).resolves.toMatchObject({ userCreated: true });
  });

  it('a Sumo purchase is our own account’s event: replayed without --account', async () => {
    const event = checkoutEvent({ metadata: sumoMetadata() });
    stripeApi.add(event);
    expect(await ops(['replay', event.id], [])).toMatchObject({ outcome: 'started' });
    await expect(h.result(event.id)).resolves.toMatchObject({ userCreated: true, plan: 'sumo-growth' });
  });
});
