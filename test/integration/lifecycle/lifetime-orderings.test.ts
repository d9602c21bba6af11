import fc from 'fast-check';
import type Stripe from 'stripe';
import { LIFETIME_CODE_PRICE } from '../../../devstack/sample-events';
import { chargeRefundedEvent, disputeEvent, refundEvent } from '../../../devstack/sample-purchase-events';
import { eventually } from '../../support/eventually';
import { useHarness } from '../../support/harness';
import { sumoLifetime } from '../../support/lifetime-events';

/** Runs of the property below; each delivers 1–12 events through the webhook. */
const RUNS = Number(process.env.LIFETIME_PROPERTY_RUNS ?? 25);
const TIER_SEATS = 3; // sumo_tier_2
const FEATURES = ['core', 'integrations', 'priority_support', 'reports'];

const h = useHarness();

type Outcome = 'won' | 'lost';

/**
 * A lifetime deal's life, ten seconds apart: checkout (3 codes) → dispute created → dispute
 * closed (won or lost) → one code refunded (Stripe sends both charge.refunded and refund.created
 * for it) → the rest refunded (charge.refunded, now full).
 */
function life(outcome: Outcome) {
  const t0 = Math.floor(Date.now() / 1000) - 600;
  const deal = sumoLifetime({ quantity: 3, created: t0 });
  const { paymentIntentId, amount } = deal;
  const events: Stripe.Event[] = [
    deal.checkout,
    disputeEvent({ type: 'charge.dispute.created', paymentIntentId, amount, created: t0 + 10 }),
    disputeEvent({ type: 'charge.dispute.closed', paymentIntentId, amount, status: outcome, created: t0 + 20 }),
    chargeRefundedEvent({ paymentIntentId, amount, amountRefunded: LIFETIME_CODE_PRICE, created: t0 + 30 }),
    refundEvent({ type: 'refund.created', paymentIntentId, amount: LIFETIME_CODE_PRICE, refundId: `re_${deal.tag}_1`, created: t0 + 30 }),
    chargeRefundedEvent({ paymentIntentId, amount, amountRefunded: amount, created: t0 + 40 }),
  ];
  return { deal, events };
}

/** The purchase the delivered events imply, by the rules in docs/lifetime-deals.md, written out case by case. */
function impliedBy(delivered: Set<number>, outcome: Outcome) {
  const none = { hasAccess: false, seatLimit: 0, features: [] as string[] };
  if (!delivered.has(0)) return { linked: false, status: 'awaiting_checkout', activeQuantity: 0, ...none };
  if (delivered.has(2) && outcome === 'lost') return { linked: true, status: 'dispute_lost', activeQuantity: 0, ...none };
  if (delivered.has(5)) return { linked: true, status: 'refunded', activeQuantity: 0, ...none };
  const codes = delivered.has(3) || delivered.has(4) ? 2 : 3;
  if (delivered.has(1) && !delivered.has(2)) return { linked: true, status: 'disputed', activeQuantity: codes, ...none };
  return {
    linked: true,
    status: codes < 3 ? 'partially_refunded' : 'active',
    activeQuantity: codes,
    hasAccess: true,
    seatLimit: TIER_SEATS * codes,
    features: FEATURES,
  };
}

/** Any non-empty subset of the life, in any order, with up to 6 extra duplicate deliveries. */
const deliveries = fc
  .record({
    outcome: fc.constantFrom<Outcome>('won', 'lost'),
    order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 1 }),
    duplicates: fc.array(fc.record({ pick: fc.nat(), at: fc.nat() }), { maxLength: 6 }),
  })
  .map(({ outcome, order, duplicates }) => {
    const sequence = [...order];
    for (const d of duplicates) sequence.splice(d.at % (sequence.length + 1), 0, order[d.pick % order.length]);
    return { outcome, sequence };
  });

describe('a lifetime deal’s checkout, refunds and disputes in any order, with duplicates, through the webhook', () => {
  it(
    `end in the state the newest events imply (${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(deliveries, async ({ outcome, sequence }) => {
          const { deal, events } = life(outcome);
          for (const i of sequence) expect((await h.deliver(events[i])).statusCode).toBe(200);
          await h.settled(sequence.map((i) => events[i].id));

          const row = await h.db.purchase.findUniqueOrThrow({
            where: { paymentIntentId: deal.paymentIntentId },
            include: { entitlements: true, user: true },
          });
          expect({
            linked: row.user?.email === deal.email,
            status: row.status,
            activeQuantity: row.activeQuantity,
            hasAccess: row.hasAccess,
            seatLimit: row.seatLimit,
            features: row.entitlements.map((e) => e.feature).sort(),
          }).toEqual(impliedBy(new Set(sequence), outcome));
          // The welcome follows the fulfillment (the ledger says completed once access is there).
          const welcomes = () => Promise.resolve(h.postmark.outbox.filter((m) => m.to === deal.email).length);
          const expected = sequence.includes(0) ? 1 : 0;
          expect(await eventually(welcomes, (n) => n >= expected, { timeoutMs: 15_000 })).toBe(expected);
          for (const i of new Set(sequence)) expect(await h.runCount(events[i].id)).toBe(1);
        }),
        { numRuns: RUNS },
      );
    },
    30_000 + RUNS * 3_000,
  );
});
