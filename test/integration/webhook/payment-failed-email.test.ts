import type Stripe from 'stripe';
import { checkoutEvent, invoiceEvent, sumoMetadata } from '../../../devstack/sample-events';
import { startHarness, type Harness } from '../../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

let n = 0;
const buyer = () => {
  const tag = `${Date.now()}_${++n}`;
  return { subscriptionId: `sub_test_dunning_${tag}`, email: `dunning.${tag}@example.com` };
};

/** A subscriber whose renewal failed: the checkout, then `invoice.payment_failed` for this amount, Stripe retrying at `retryAt`. */
async function failedRenewal(amountDue: number, currency: string, retryAt: Date) {
  const { subscriptionId, email } = buyer();
  const t = Math.floor(Date.now() / 1000) - 100;
  const failed = invoiceEvent({
    type: 'invoice.payment_failed',
    subscriptionId,
    created: t + 10,
    customerEmail: email,
    amountDue,
    currency,
  });
  (failed.data.object as Stripe.Invoice).next_payment_attempt = Math.floor(retryAt.getTime() / 1000);
  for (const event of [checkoutEvent({ email, subscriptionId, created: t, metadata: sumoMetadata() }), failed]) {
    expect((await h.deliver(event)).statusCode).toBe(200);
    await h.settled([event.id]);
  }
  const sent = h.postmark.outbox.filter((m) => m.to === email && m.templateAlias === 'payment-failed');
  expect(sent).toHaveLength(1);
  return sent[0];
}

describe('the payment-failed email, as the buyer reads it', () => {
  it('an IDR invoice of 5000000 (Stripe counts IDR in hundredths) asks for IDR 50,000, not 5,000,000', async () => {
    const email = await failedRenewal(5_000_000, 'idr', new Date(Date.UTC(2026, 11, 9, 10)));

    expect(email.templateModel).toMatchObject({ amount_due: '50000', amount_due_formatted: 'IDR\u00a050,000', currency: 'IDR' });
    expect(email.textBody).toContain('we could not collect IDR\u00a050,000 (IDR)');
    expect(email.textBody).not.toContain('5,000,000');
  });

  it('says when Stripe tries again as people write a date, not as an ISO timestamp', async () => {
    const email = await failedRenewal(4900, 'usd', new Date(Date.UTC(2026, 11, 9, 10)));

    expect(email.templateModel).toMatchObject({ next_payment_attempt: '9 December 2026' });
    expect(email.textBody).toContain('We will try again on 9 December 2026.');
    expect(email.htmlBody).toContain('We will try again on 9 December 2026.');
    expect(email.textBody).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });
});
