import { createStripeClient } from '../../../src/clients/stripe';
import { FailureType } from '../../../src/contracts';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { SHIPPED_CATALOG, useHarness } from '../../support/harness';
import { useLocalStripeEvents } from '../../support/local-stripe-events';
import { opsJson } from '../../support/ops-context';

/**
 * An operator cancels a fulfillment (a refund, fraud, known-bad data): it must stay cancelled.
 * Stripe's redeliveries and the hourly reconciliation used to start it again
 * (ALLOW_DUPLICATE_FAILED_ONLY lets a failed run's id be reused); only `ops retry` may.
 */
const h = useHarness();
const stripeApi = useLocalStripeEvents();

const ops = (...argv: string[]) => opsJson(h, argv, { stripe: createStripeClient('sk_test_ops', stripeApi.url) });

describe("an operator's cancel", () => {
  it('is final for redeliveries and reconciliation; only ops retry starts the fulfillment again', async () => {
    const event = checkoutEvent({ created: Math.floor(Date.now() / 1000) - 60, metadata: sumoMetadata({ tierId: 'sumo_tier_retired' }) });
    stripeApi.add(event);
    expect((await h.deliver(event)).statusCode).toBe(200);
    await h.attention(event.id);
    await ops('cancel', event.id, '--reason', 'refunded by support');
    await expect(h.result(event.id)).rejects.toMatchObject({ cause: { type: FailureType.CancelledByOperator } });
    expect(await h.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: 'cancelled' });

    // Stripe redelivers (it retries for three days), and reconciliation runs.
    const redelivered = await h.deliver(event);
    expect(redelivered.statusCode).toBe(200);
    expect(redelivered.json()).toMatchObject({ workflowId: event.id, duplicate: true });
    const report = await ops('reconcile', '--since', '1h');
    expect(report.started).toEqual([]);
    expect(await h.runCount(event.id)).toBe(1);

    // The cause is fixed (the tier is back in the catalogue); the operator restarts it, audited.
    await h.restartWorker({
      ...SHIPPED_CATALOG,
      tiers: { ...SHIPPED_CATALOG.tiers, sumo_tier_retired: SHIPPED_CATALOG.tiers.sumo_tier_1 },
    });
    expect(await ops('retry', event.id, '--reason', 'tier restored')).toMatchObject({ outcome: 'restarted' });
    await expect(h.result(event.id)).resolves.toMatchObject({ userCreated: true });
    expect(await h.runCount(event.id)).toBe(2);
    expect(await h.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: 'completed' });
    const audit = await h.db.operatorAction.findMany({ where: { eventId: event.id }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((a) => [a.action, a.applied])).toEqual([
      ['cancel', true],
      ['retry', true],
    ]);
  });
});
