import fc from 'fast-check';
import { useHarness } from '../../support/harness';
import { impliedBy, realisticSequence, SEQUENCE_TIER_SEATS, type Step } from '../../support/realistic-sequence';

/** Runs of the property below; each delivers 1–12 events through the webhook. */
const RUNS = Number(process.env.LIFECYCLE_PROPERTY_RUNS ?? 40);

const h = useHarness();

/** Any non-empty subset of the sequence, in any order, with up to 6 extra duplicate deliveries. */
const deliveries = fc
  .record({
    order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 1 }),
    duplicates: fc.array(fc.record({ pick: fc.nat(), at: fc.nat() }), { maxLength: 6 }),
  })
  .map(({ order, duplicates }) => {
    const sequence = [...order];
    for (const d of duplicates) sequence.splice(d.at % (sequence.length + 1), 0, order[d.pick % order.length]);
    return sequence;
  });

describe('lifecycle events in any order, with duplicates, through the webhook', () => {
  it(
    `end in the state the newest event implies (${RUNS} runs)`,
    async () => {
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(deliveries, async (sequence) => {
          const life = realisticSequence();
          const steps: Step[] = sequence.map((i) => life.steps[i]);
          for (const step of steps) {
            const response = await h.deliver(step.event);
            expect(response.statusCode).toBe(200);
          }
          await h.settled(steps.map((s) => s.event.id));
          seen.add(steps.map((s) => s.name).join(','));

          const expected = impliedBy([...new Set(steps)]);
          const row = await h.db.subscription.findUniqueOrThrow({
            where: { stripeSubscriptionId: life.subscriptionId },
            include: { entitlements: true, user: true },
          });
          expect({
            status: row.status,
            quantity: row.quantity,
            cancelAtPeriodEnd: row.cancelAtPeriodEnd,
            linked: row.user?.email === life.email,
            hasAccess: row.hasAccess,
            features: row.entitlements.map((e) => e.feature).sort(),
          }).toEqual(expected);
          if (expected.linked) {
            expect(row.tierId).toBe('sumo_tier_2');
            expect(row.seatLimit).toBe(SEQUENCE_TIER_SEATS * expected.quantity);
          }
          const failedEmails = h.postmark.outbox.filter((m) => m.to === life.email && m.templateAlias === 'payment-failed');
          expect(failedEmails.length).toBeLessThanOrEqual(1);
          // Each event ran once, whatever the duplicates.
          for (const step of new Set(steps)) expect(await h.runCount(step.event.id)).toBe(1);
        }),
        { numRuns: RUNS },
      );
      console.log(`lifecycle property: ${RUNS} runs, ${seen.size} distinct delivery sequences`);
    },
    30_000 + RUNS * 3_000,
  );
});
