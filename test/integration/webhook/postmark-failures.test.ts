import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { useHarness } from '../../support/harness';
import { cancelUpdate, skipUpdate } from '../../../src/contracts';

// Postmark's search is trusted to say "not sent" only 5 s after a lost answer (production: POSTMARK_SEARCH_LAG, 5 min).
const h = useHarness({ postmarkTimeoutSeconds: 1, postmarkSearchLagMs: 5_000 });
beforeEach(() => h.postmark.reset());

describe('welcome email when Postmark fails', () => {
  it('retries through three 500s and sends exactly one email', async () => {
    const email = `retry.${Date.now()}@example.com`;
    h.postmark.failNext(3, { kind: 'server-error' });
    const event = checkoutEvent({ email, metadata: sumoMetadata() });

    await h.deliver(event);
    const summary = await h.result(event.id);

    const sent = h.postmark.outbox.filter((m) => m.to === email);
    expect(sent).toHaveLength(1);
    expect(summary.welcomeEmailMessageId).toBe(sent[0].messageId);
    expect(h.postmark.requests.filter((r) => r.to === email).map((r) => r.status)).toEqual([500, 500, 500, 200]);
    const delivery = await h.db.emailDelivery.findFirstOrThrow({ where: { user: { email } } });
    expect(delivery).toMatchObject({ kind: 'welcome', status: 'sent', postmarkMessageId: sent[0].messageId });
  });

  it('retries a 429 rate limit', async () => {
    const email = `ratelimited.${Date.now()}@example.com`;
    h.postmark.failNext(1, { kind: 'rate-limit' });
    const event = checkoutEvent({ email, metadata: sumoMetadata() });
    await h.deliver(event);
    await h.result(event.id);
    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
  });

  it('does not retry an inactive recipient (422, ErrorCode 406): the fulfillment waits for an operator, who can skip the email', async () => {
    const email = `bounced.${Date.now()}@example.com`;
    h.postmark.failAlways({ kind: 'inactive-recipient' });
    const event = checkoutEvent({ email, metadata: sumoMetadata() });

    await h.deliver(event);
    const attention = await h.attention(event.id);

    expect(attention).toMatchObject({ step: 'sendWelcomeEmail', errorType: 'EmailRejected', attempts: 1 });
    expect(attention.error).toMatch(/ErrorCode 406/);
    expect(attention.error).toContain(event.id);
    expect(h.postmark.requests.filter((r) => r.to === email)).toHaveLength(1);
    // Access was provisioned; only the email could not go out, and nothing claims it was sent.
    expect(await h.db.entitlement.count({ where: { user: { email } } })).toBeGreaterThan(0);
    expect(await h.db.emailDelivery.count({ where: { user: { email } } })).toBe(0);

    await h.client.workflow
      .getHandle(event.id)
      .executeUpdate(skipUpdate, { args: [{ by: 'oncall@test', reason: 'address is suppressed in Postmark; customer told by support' }] });
    await expect(h.result(event.id)).resolves.toMatchObject({ welcomeEmailMessageId: null });
    expect((await h.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).status).toBe('completed');
    expect(await h.db.operatorAction.findMany({ where: { eventId: event.id } })).toEqual([
      expect.objectContaining({ action: 'skip', step: 'sendWelcomeEmail', by: 'oncall@test', applied: true }),
    ]);
  });

  it('does not send a second email when Postmark answered too late: the next attempt finds the first in Postmark', async () => {
    const email = `slow.${Date.now()}@example.com`;
    h.postmark.failNext(1, { kind: 'slow', delayMs: 2_000 }); // the client gives up after 1 s
    const event = checkoutEvent({ email, metadata: sumoMetadata() });

    await h.deliver(event);
    await expect(h.result(event.id)).resolves.toMatchObject({ userCreated: true });

    const sent = h.postmark.outbox.filter((m) => m.to === email);
    expect(sent).toHaveLength(1);
    expect(h.postmark.requests.filter((r) => r.to === email)).toHaveLength(1);
    const delivery = await h.db.emailDelivery.findFirstOrThrow({ where: { user: { email } } });
    expect(delivery).toMatchObject({ status: 'sent', postmarkMessageId: sent[0].messageId });
  });

  it('never copies the refused address into the failure, the run’s history or the ledger', async () => {
    const email = `private.person.${Date.now()}@example.com`;
    h.postmark.failNext(1, { kind: 'inactive-recipient' });
    const event = checkoutEvent({ email, metadata: sumoMetadata() });

    await h.deliver(event);
    const attention = await h.attention(event.id);
    expect(attention.error).toMatch(/Found inactive addresses: p\*\*\*@example\.com/);
    await h.client.workflow.getHandle(event.id).executeUpdate(cancelUpdate, { args: [{ by: 'oncall@test', reason: 'privacy check' }] });
    await expect(h.result(event.id)).rejects.toThrow();

    const ledger = await h.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(ledger.lastError).toMatch(/inactive/);
    expect(ledger.lastError).not.toContain(email);
    // Every failure and detail in the history (the workflow's input, which holds the buyer, is
    // payload encryption).
    const history = await h.client.workflow.getHandle(event.id).fetchHistory();
    const failures = JSON.stringify(history.events!.filter((e) => !e.workflowExecutionStartedEventAttributes));
    expect(failures).toMatch(/inactive/);
    expect(failures).not.toContain(email);
  });
});
