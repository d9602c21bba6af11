import { LIFETIME_CODE_PRICE } from '../../../devstack/sample-events';
import { chargeRefundedEvent } from '../../../devstack/sample-purchase-events';
import { runCli } from '../../../src/ops/cli';
import { eventually } from '../../support/eventually';
import { useHarness } from '../../support/harness';
import { sumoLifetime } from '../../support/lifetime-events';
import { opsContextFor, opsJson } from '../../support/ops-context';

const h = useHarness();

describe('a lifetime deal and its refund, seen with the ops CLI', () => {
  const deal = sumoLifetime({ quantity: 3, created: Math.floor(Date.now() / 1000) - 100 });
  const refund = chargeRefundedEvent({ paymentIntentId: deal.paymentIntentId, amount: deal.amount, amountRefunded: LIFETIME_CODE_PRICE });

  beforeAll(async () => {
    for (const event of [deal.checkout, refund]) expect((await h.deliver(event)).statusCode).toBe(200);
    await h.settled([deal.checkout.id, refund.id]);
  });

  it('`list --payment-intent` finds the checkout and its refund by the payment intent', async () => {
    const found = await eventually(
      async () => (await opsJson(h, ['list', '--payment-intent', deal.paymentIntentId])).fulfillments as Array<Record<string, string>>,
      (rows) => rows.length === 2,
      { timeoutMs: 10_000 },
    );
    expect(found.map((r) => [r.eventId, r.workflowType, r.paymentIntent]).sort()).toEqual(
      [
        [deal.checkout.id, 'fulfillCheckout', deal.paymentIntentId],
        [refund.id, 'syncPurchase', deal.paymentIntentId],
      ].sort(),
    );
    const checkout = await h.client.workflow.getHandle(deal.checkout.id).describe();
    expect(checkout.searchAttributes).toMatchObject({ FulfillmentSource: ['sumo'], SumoCampaignId: ['camp_spring_launch'] });
  });

  it('`show` of either event prints the purchase, its state and codes, with the email masked', async () => {
    for (const eventId of [deal.checkout.id, refund.id]) {
      const shown = await opsJson(h, ['show', eventId]);
      expect(shown.purchase).toMatchObject({
        paymentIntentId: deal.paymentIntentId,
        status: 'partially_refunded',
        tierId: 'sumo_tier_2',
        quantity: 3,
        activeQuantity: 2,
        amount: deal.amount,
        amountRefunded: LIFETIME_CODE_PRICE,
        seatLimit: 6,
        hasAccess: true,
      });
      expect(shown.user.email).not.toBe(deal.email);
    }
    const human = await runCli(['show', refund.id], opsContextFor(h));
    expect(human.output).toContain(
      `purchase     lifetime ${deal.paymentIntentId} · partially_refunded · sumo_tier_2 2/3 codes · 6 seats · access granted`,
    );
    expect(human.output).toContain('workflow     syncPurchase · Completed');
    expect(human.output).not.toContain(deal.email);
  });
});
