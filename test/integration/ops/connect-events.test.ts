import { createStripeClient } from '../../../src/clients/stripe';
import { checkoutEvent, sumoMetadata } from '../../../src/dev/sample-events';
import { startHarness, type Harness } from '../../support/harness';
import { startLocalStripeEvents, type LocalStripeEvents } from '../../support/local-stripe-events';
import { opsJson } from '../../support/ops-context';

/**
 * Sumo sells through Stripe Connect: its purchases are events of a connected account
 * (`event.account`), which Stripe's Events API lists only with that account's Stripe-Account
 * header. Reconciliation and replay must reach them too.
 */
const SUMO_ACCOUNT = 'acct_test_sumo';
let h: Harness;
let stripeApi: LocalStripeEvents;
beforeAll(async () => {
  [h, stripeApi] = await Promise.all([startHarness(), startLocalStripeEvents()]);
});
afterAll(async () => {
  await h.close();
  await stripeApi.close();
});

const ops = (argv: string[], connectAccounts: string[] = [SUMO_ACCOUNT]) =>
  opsJson(h, argv, { stripe: createStripeClient('sk_test_ops', stripeApi.url), connectAccounts });

describe('events of connected accounts', () => {
  it('are reconciled for every account in STRIPE_CONNECT_ACCOUNTS, and the platform’s own too', async () => {
    const t = Math.floor(Date.now() / 1000) - 600;
    const sumo = checkoutEvent({ account: SUMO_ACCOUNT, created: t, metadata: sumoMetadata() });
    const direct = checkoutEvent({ created: t + 1, metadata: { tier_id: 'starter' } });
    stripeApi.add(sumo, direct);

    const report = await ops(['reconcile', '--since', '1h']);
    expect([...report.started].sort()).toEqual([sumo.id, direct.id].sort());
    await expect(h.result(sumo.id)).resolves.toMatchObject({ userCreated: true });
    expect(await h.db.stripeEvent.findUniqueOrThrow({ where: { id: sumo.id } })).toMatchObject({ stripeAccount: SUMO_ACCOUNT });
  });

  it('are replayed with --account', async () => {
    const event = checkoutEvent({ account: SUMO_ACCOUNT, metadata: sumoMetadata() });
    stripeApi.add(event);
    await expect(ops(['replay', event.id], [])).rejects.toThrow(/Stripe has no event/);
    expect(await ops(['replay', event.id, '--account', SUMO_ACCOUNT], [])).toMatchObject({ outcome: 'started' });
    await expect(h.result(event.id)).resolves.toMatchObject({ userCreated: true });
  });
});
