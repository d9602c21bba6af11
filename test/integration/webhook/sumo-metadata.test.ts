import fc from 'fast-check';
import { checkoutEvent } from '../../../devstack/sample-events';
import { useHarness } from '../../support/harness';
import { expectedPurchase, sumoMetadataArb } from '../../support/sumo-metadata';

/**
 * The same property as test/unit/stripe/sumo-metadata.test.ts (1,000 cases there), through the
 * whole path: a signed webhook, the workflow, PostgreSQL. Random `sumo_*` metadata ends in the
 * entitlements and seats the catalogue implies, or in NeedsAttention at `resolvePurchase` after
 * one attempt with a message naming the bad field and nothing written. SUMO_METADATA_WEBHOOK_RUNS
 * sets the cases (default 20: each is a real fulfillment).
 */
const RUNS = Number(process.env.SUMO_METADATA_WEBHOOK_RUNS ?? 20);
const h = useHarness();

describe('random sumo_* metadata through the webhook', () => {
  it('ends in the implied entitlements, or waits for an operator naming the field with nothing written', async () => {
    let n = 0;
    const seen = { fulfilled: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(sumoMetadataArb, async (metadata) => {
        const email = `sumo.property.${Date.now()}.${n++}@example.com`;
        const event = checkoutEvent({ email, metadata: metadata as unknown as Record<string, string> });
        expect((await h.deliver(event)).statusCode).toBe(200);
        const want = expectedPurchase(metadata);

        if (want.purchase) {
          seen.fulfilled++;
          await h.settled([event.id]);
          const user = await h.db.user.findUniqueOrThrow({ where: { email }, include: { entitlements: true, subscriptions: true } });
          expect(user.entitlements.map((e) => e.feature).sort()).toEqual([...want.purchase.features].sort());
          expect(user.subscriptions.map((s) => [s.tierId, s.quantity, s.seatLimit])).toEqual([
            [want.purchase.tierId, want.purchase.quantity, want.purchase.seatLimit],
          ]);
        } else {
          seen.refused++;
          const attention = await h.attention(event.id);
          expect(attention.step).toBe('resolvePurchase');
          expect(want.bad.some((field) => attention.error.includes(`metadata.${field}`))).toBe(true);
          expect(await h.db.user.count({ where: { email } })).toBe(0);
          await h.client.workflow.getHandle(event.id).terminate('property test case done');
        }
      }),
      { numRuns: RUNS },
    );
    // Both outcomes were exercised (about a third of the generated metadata is valid).
    expect(seen.fulfilled).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  }, 300_000);
});
