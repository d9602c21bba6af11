import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { runCli } from '../../../src/ops/cli';
import { useHarness } from '../../support/harness';
import { sumoLifetime } from '../../support/lifetime-events';
import { opsContextFor } from '../../support/ops-context';

const h = useHarness({ postmarkTimeoutSeconds: 1 });
beforeEach(() => h.postmark.reset());

const emailsTo = (email: string) => h.postmark.outbox.filter((m) => m.to === email);

/** A Sumo buyer who already has an account: their first purchase, fulfilled, welcomed. */
async function existingSumoBuyer(): Promise<string> {
  const email = `returning.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.com`;
  const first = checkoutEvent({ email, metadata: sumoMetadata({ tierId: 'sumo_tier_1', quantity: '1' }) });
  await h.deliver(first);
  await h.result(first.id);
  expect(emailsTo(email).map((m) => m.templateAlias)).toEqual(['welcome']);
  return email;
}

describe('the purchase confirmation an existing customer gets', () => {
  it('an existing Sumo buyer who buys again gets exactly one confirmation and no welcome, also after 3 redeliveries', async () => {
    const email = await existingSumoBuyer();
    const again = checkoutEvent({
      email,
      name: 'Ada Lovelace',
      metadata: sumoMetadata({ tierId: 'sumo_tier_2', quantity: '2', addons: '["priority_support"]' }),
    });

    for (let i = 0; i < 4; i++) expect((await h.deliver(again)).statusCode).toBe(200);
    const summary = await h.result(again.id);
    for (let i = 0; i < 3; i++) expect((await h.deliver(again)).json()).toMatchObject({ duplicate: true });

    const sent = emailsTo(email);
    expect(sent.map((m) => m.templateAlias)).toEqual(['welcome', 'purchase-confirmation']);
    const confirmation = sent[1];
    expect(summary).toMatchObject({ userCreated: false, welcomeEmailMessageId: null, confirmationEmailMessageId: confirmation.messageId });
    expect(confirmation.templateModel).toEqual({
      name: expect.any(String),
      plan: summary.plan,
      licences: expect.any(Number),
      seats: expect.any(Number),
      addons: ['priority_support'],
      lifetime: false,
      sumo: true,
    });
    // Seats are the tier's seats per licence × the licences (resolvePurchase's decision).
    const { licences, seats } = confirmation.templateModel as { licences: number; seats: number };
    expect(licences).toBeGreaterThan(0);
    expect(seats % licences).toBe(0);
    expect(confirmation.subject).toBe(`Your ${summary.plan} purchase is active`);
    expect(confirmation.textBody).toMatch(/Subscription, renews automatically/);
    expect(await h.runCount(again.id)).toBe(1);
  });

  it('a lifetime deal bought by an existing customer is confirmed as lifetime', async () => {
    const email = await existingSumoBuyer();
    const deal = sumoLifetime({ email, quantity: 3 });
    await h.deliver(deal.checkout);
    await expect(h.result(deal.checkout.id)).resolves.toMatchObject({ confirmationEmailMessageId: expect.any(String) });

    const confirmation = emailsTo(email).filter((m) => m.templateAlias === 'purchase-confirmation');
    expect(confirmation).toHaveLength(1);
    expect(confirmation[0].templateModel).toMatchObject({ licences: 3, lifetime: true, sumo: true });
    expect(confirmation[0].textBody).toMatch(/Lifetime \(one-time payment\)/);
  });

  it('sends one confirmation when Postmark accepted it but the answer was lost (looked up, not resent)', async () => {
    const email = await existingSumoBuyer();
    h.postmark.failNext(1, { kind: 'accepted-then-reset' });
    const again = checkoutEvent({ email, metadata: sumoMetadata() });

    await h.deliver(again);
    const summary = await h.result(again.id);

    const confirmations = emailsTo(email).filter((m) => m.templateAlias === 'purchase-confirmation');
    expect(confirmations).toHaveLength(1);
    expect(summary.confirmationEmailMessageId).toBe(confirmations[0].messageId);
  });

  it('ops skip applies to it as to the welcome: a refused confirmation waits for an operator, who can skip it', async () => {
    const email = await existingSumoBuyer();
    h.postmark.failAlways({ kind: 'inactive-recipient' });
    const again = checkoutEvent({ email, metadata: sumoMetadata() });

    await h.deliver(again);
    const attention = await h.attention(again.id);
    expect(attention).toMatchObject({ step: 'sendPurchaseConfirmation', errorType: 'EmailRejected', skippable: true });
    h.postmark.failAlways(null);

    const skipped = await runCli(['skip', again.id, '--reason', 'address suppressed; support told the customer'], opsContextFor(h));
    expect(skipped.code).toBe(0);
    await expect(h.result(again.id)).resolves.toMatchObject({ confirmationEmailMessageId: null, welcomeEmailMessageId: null });
    expect(emailsTo(email).filter((m) => m.templateAlias === 'purchase-confirmation')).toHaveLength(0);
    expect((await h.db.stripeEvent.findUniqueOrThrow({ where: { id: again.id } })).status).toBe('completed');
  });
});
