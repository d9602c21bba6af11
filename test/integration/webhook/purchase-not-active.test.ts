import type Stripe from 'stripe';
import { checkoutEvent, subscriptionEvent, sumoMetadata } from '../../../devstack/sample-events';
import { refundEvent } from '../../../devstack/sample-purchase-events';
import { startHarness, type Harness } from '../../support/harness';
import { sumoLifetime } from '../../support/lifetime-events';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

let n = 0;
const tag = () => `${Date.now()}_${++n}`;
const now = () => Math.floor(Date.now() / 1000);
const emailsTo = (email: string) => h.postmark.outbox.filter((m) => m.to === email);
/** What an email must not say when nothing was granted: the welcome's and the confirmation's claims. */
const CLAIMS_ACCESS = /is active|account is ready|added to your account|renews automatically/i;

/** Delivers the events in this order, each applied before the next. */
async function deliverInOrder(...events: Stripe.Event[]): Promise<void> {
  for (const event of events) {
    expect((await h.deliver(event)).statusCode).toBe(200);
    await h.settled([event.id]);
  }
}

/** A buyer with an account: their first purchase, fulfilled and welcomed. */
async function existingBuyer(): Promise<string> {
  const email = `returning.${tag()}@example.com`;
  await deliverInOrder(checkoutEvent({ email, metadata: sumoMetadata({ tierId: 'sumo_tier_1', quantity: '1' }) }));
  expect(emailsTo(email).map((m) => m.templateAlias)).toEqual(['welcome']);
  return email;
}

/** A subscription Stripe deleted before its checkout reached us: the deletion is applied first. */
function deletedBeforeCheckout(email: string) {
  const subscriptionId = `sub_test_gone_${tag()}`;
  const t = now() - 100;
  const deleted = subscriptionEvent({ type: 'customer.subscription.deleted', subscriptionId, status: 'canceled', created: t + 20 });
  const checkout = checkoutEvent({ email, subscriptionId, created: t, metadata: sumoMetadata() });
  return { deleted, checkout };
}

/** A lifetime deal fully refunded before its checkout reached us. */
function refundedBeforeCheckout(email?: string) {
  const deal = sumoLifetime({ quantity: 2, created: now() - 100, email });
  const refund = refundEvent({ type: 'refund.created', paymentIntentId: deal.paymentIntentId, amount: deal.amount, created: now() - 50 });
  return { deal, refund };
}

describe('no email claims access that was not granted', () => {
  it('a new buyer whose subscription was deleted before the checkout was processed gets no welcome, only the not-active email', async () => {
    const email = `gone.${tag()}@example.com`;
    const { deleted, checkout } = deletedBeforeCheckout(email);
    await deliverInOrder(deleted, checkout);

    const summary = await h.result(checkout.id);
    const sent = emailsTo(email);
    expect(sent.map((m) => m.templateAlias)).toEqual(['purchase-not-active']);
    expect(summary).toMatchObject({
      welcomeEmailMessageId: null,
      confirmationEmailMessageId: null,
      notActiveEmailMessageId: sent[0].messageId,
    });
    expect(sent[0].subject).toBe(`Your ${summary.plan} purchase is not active`);
    expect(sent[0].textBody).toMatch(/the subscription was cancelled/);
    expect(sent[0].textBody).not.toMatch(CLAIMS_ACCESS);
  });

  it('an existing customer whose subscription was deleted first gets no purchase confirmation', async () => {
    const email = await existingBuyer();
    const { deleted, checkout } = deletedBeforeCheckout(email);
    await deliverInOrder(deleted, checkout);

    await expect(h.result(checkout.id)).resolves.toMatchObject({ userCreated: false, confirmationEmailMessageId: null });
    expect(emailsTo(email).map((m) => m.templateAlias)).toEqual(['welcome', 'purchase-not-active']);
  });

  it('a new buyer of a lifetime deal fully refunded before its checkout gets no welcome; the email says it was refunded', async () => {
    const { deal, refund } = refundedBeforeCheckout();
    await deliverInOrder(refund, deal.checkout);

    await expect(h.result(deal.checkout.id)).resolves.toMatchObject({ lifetime: { status: 'refunded' }, welcomeEmailMessageId: null });
    const sent = emailsTo(deal.email);
    expect(sent.map((m) => m.templateAlias)).toEqual(['purchase-not-active']);
    expect(sent[0].textBody).toMatch(/the payment was refunded/);
    expect(sent[0].textBody).not.toMatch(CLAIMS_ACCESS);
  });

  it('an existing customer whose lifetime deal was fully refunded first gets no purchase confirmation', async () => {
    const email = await existingBuyer();
    const { deal, refund } = refundedBeforeCheckout(email);
    await deliverInOrder(refund, deal.checkout);

    await expect(h.result(deal.checkout.id)).resolves.toMatchObject({ confirmationEmailMessageId: null });
    expect(emailsTo(email).map((m) => m.templateAlias)).toEqual(['welcome', 'purchase-not-active']);
  });

  it('a redelivered checkout that granted nothing sends the not-active email once', async () => {
    const email = `gone.${tag()}@example.com`;
    const { deleted, checkout } = deletedBeforeCheckout(email);
    await deliverInOrder(deleted, checkout);
    for (let i = 0; i < 3; i++) expect((await h.deliver(checkout)).json()).toMatchObject({ duplicate: true });

    expect(emailsTo(email).map((m) => m.templateAlias)).toEqual(['purchase-not-active']);
  });
});
