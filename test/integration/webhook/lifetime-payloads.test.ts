import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type Stripe from 'stripe';
import { useHarness } from '../../support/harness';
import { fromRoot } from '../../support/paths';

/**
 * Full-shape payloads of API 2026-10-28.endive (test/fixtures/stripe): a Sumo payment-mode
 * checkout through Connect, a partial charge.refunded (with previous_attributes) and a
 * charge.dispute.created, through the webhook, the workflows and the database.
 */
const DIR = fromRoot('test/fixtures/stripe/2026-10-28.endive');

const h = useHarness();

function load(name: string, tag: string, email: string, created: number): Stripe.Event {
  const raw = readFileSync(`${DIR}/${name}.json`, 'utf8')
    .replace(/(pi|ch|dp|cs|cus|evt|pm|txn)_fixture/g, `$1_fixture_${tag}`)
    .replace(/fixture\.buyer@example\.com/g, email);
  return { ...(JSON.parse(raw) as Stripe.Event), created };
}

describe('Stripe 2026-10-28.endive payloads of a lifetime deal', () => {
  it('checkout (3 codes), a one-code charge.refunded, then a dispute: 2 codes recorded, then suspended', async () => {
    const tag = randomBytes(6).toString('hex');
    const email = `fixture.${tag}@example.com`;
    const t = Math.floor(Date.now() / 1000) - 60;
    const checkout = load('checkout.session.completed.payment', tag, email, t);
    const refunded = load('charge.refunded', tag, email, t + 10);
    const disputed = load('charge.dispute.created', tag, email, t + 20);
    const paymentIntentId = `pi_fixture_${tag}`;

    for (const event of [checkout, refunded]) expect((await h.deliver(event)).statusCode).toBe(200);
    await h.settled([checkout.id, refunded.id]);
    expect(await h.db.purchase.findUniqueOrThrow({ where: { paymentIntentId } })).toMatchObject({
      stripeAccount: null,
      source: 'sumo',
      quantity: 3,
      amount: 14_700,
      amountRefunded: 4_900,
      activeQuantity: 2,
      seatLimit: 6,
      status: 'partially_refunded',
      hasAccess: true,
    });

    expect((await h.deliver(disputed)).statusCode).toBe(200);
    await h.settled([disputed.id]);
    const row = await h.db.purchase.findUniqueOrThrow({ where: { paymentIntentId }, include: { entitlements: true, user: true } });
    expect(row).toMatchObject({ status: 'disputed', hasAccess: false, entitlements: [] });
    expect(row.user?.email).toBe(email);
  });
});
